// Package gitrepo wraps the go-git operations gitbook-sync needs: opening a
// repository by URL or path, reading a commit's files, and writing a commit
// without a work tree (as a Git host does when GitBook exports).
package gitrepo

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

// localPath turns a file:// URL or a plain path into a filesystem path.
// Credentials in the URL are ignored. Other schemes are not reachable here.
func localPath(repoURL string) (string, error) {
	if !strings.Contains(repoURL, "://") {
		return repoURL, nil
	}
	u, err := url.Parse(repoURL)
	if err != nil {
		return "", fmt.Errorf("repository URL %q: %w", redact.URL(repoURL), err)
	}
	if u.Scheme != "file" {
		return "", fmt.Errorf("repository URL %s: only file:// URLs and paths can be read here", redact.URL(repoURL))
	}
	return u.Path, nil
}

// Open opens the repository at a file:// URL or path: a bare repository,
// a work tree, or a directory inside one.
func Open(repoURL string) (*git.Repository, error) { return open(repoURL, true) }

// OpenShared is Open for a repository that others write to at the same
// time, as a Git host's is: without go-git's ExclusiveAccess, whose object
// listing, taken once, misses what others write later, and is left
// half-made when another writer renames an object in while it is taken
// (every later lookup of a missing object then fails).
func OpenShared(repoURL string) (*git.Repository, error) { return open(repoURL, false) }

func open(repoURL string, exclusive bool) (*git.Repository, error) {
	p, err := localPath(repoURL)
	if err != nil {
		return nil, err
	}
	r, err := openFast(p, exclusive)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", redact.URL(repoURL), err)
	}
	return r, nil
}

// openFast opens with caching that go-git leaves off by default: a few
// pack files stay open instead of being reopened for every object read
// (MaxOpenDescriptors), and when exclusive the pack list and object
// lookups are kept while this process holds the repository
// (ExclusiveAccess). On a 20,000 page repository this more than halves
// the time spent reading it. A repository whose .git is a file (a linked
// work tree) is opened the ordinary way.
func openFast(p string, exclusive bool) (*git.Repository, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		if fi, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			if !fi.IsDir() {
				return git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
			}
			wt := osfs.New(dir, osfs.WithBoundOS())
			dot, err := wt.Chroot(".git")
			if err != nil {
				return nil, err
			}
			return git.Open(newStorage(dot, exclusive), wt)
		}
		if isBare(dir) {
			return git.Open(newStorage(osfs.New(dir, osfs.WithBoundOS()), exclusive), nil)
		}
		if filepath.Dir(dir) == dir {
			return nil, git.ErrRepositoryNotExists
		}
	}
}

func newStorage(fs billy.Filesystem, exclusive bool) *filesystem.Storage {
	return filesystem.NewStorageWithOptions(settledDirs{fs}, cache.NewObjectLRUDefault(), filesystem.Options{ExclusiveAccess: exclusive, MaxOpenDescriptors: 16})
}

// settledDirs lists a directory again when an entry vanished while it was
// listed. go-git writes loose objects through temporary files in
// objects/pack, and go-billy's ReadDir stats every entry: a listing that
// meets a temporary file just renamed by another writer fails, and go-git
// then takes the repository for one without pack files for as long as
// the handle lives, so that every packed object is "not found" (seen with
// eight writers on one bare repository, one run in seven).
type settledDirs struct{ billy.Filesystem }

func (f settledDirs) ReadDir(p string) ([]os.FileInfo, error) {
	for range 100 {
		infos, err := f.Filesystem.ReadDir(p)
		if !errors.Is(err, fs.ErrNotExist) {
			return infos, err
		}
		if _, statErr := f.Stat(p); statErr != nil {
			return nil, err // the directory itself is not there
		}
	}
	return f.Filesystem.ReadDir(p)
}

// Capabilities and Chmod are those of the wrapped filesystem: go-git asks
// for them to choose how it rewrites references and sets permissions.
func (f settledDirs) Capabilities() billy.Capability { return billy.Capabilities(f.Filesystem) }

func (f settledDirs) Chmod(name string, mode os.FileMode) error {
	if c, ok := f.Filesystem.(billy.Chmod); ok {
		return c.Chmod(name, mode)
	}
	return nil
}

func isBare(dir string) bool {
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}

// ResolveCommit finds the commit a ref ("refs/heads/main", "main", a tag or
// a hash) points at.
func ResolveCommit(r *git.Repository, ref string) (*object.Commit, error) {
	candidates := []string{ref}
	if !strings.HasPrefix(ref, "refs/") {
		candidates = append(candidates, "refs/heads/"+ref, "refs/tags/"+ref, "refs/remotes/origin/"+ref)
	}
	for _, c := range candidates {
		if h, err := r.ResolveRevision(plumbing.Revision(c)); err == nil {
			commit, err := r.CommitObject(*h)
			if err != nil {
				return nil, fmt.Errorf("ref %s: %w", ref, err)
			}
			return commit, nil
		}
	}
	return nil, fmt.Errorf("ref %s not found in the repository", ref)
}

// Files gives content.Files over a commit's tree.
func Files(r *git.Repository, c *object.Commit) (content.Files, error) {
	tree, err := c.Tree()
	if err != nil {
		return content.Files{}, fmt.Errorf("commit %s tree: %w", c.Hash, err)
	}
	return TreeFiles(r.Storer, tree), nil
}

// ReadBlob returns a blob's bytes.
func ReadBlob(s storer.EncodedObjectStorer, h plumbing.Hash) ([]byte, error) {
	b, err := object.GetBlob(s, h)
	if err != nil {
		return nil, err
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	// Read into its size at once: io.ReadAll would grow a buffer to it,
	// allocating several times a large file (SUMMARY.md) on the way.
	data := make([]byte, b.Size)
	if _, err := io.ReadFull(rd, data); err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	return data, nil
}

// Change sets (Data non-nil) or removes (Data nil) one file.
type Change struct {
	Path string
	Data []byte
}

// ErrBranchMoved is returned by Commit when the branch is no longer at
// the parent the commit was made on: another push came first. A Git host
// refuses such a push (non-fast-forward) rather than drop the other
// commit.
var ErrBranchMoved = errors.New("the branch moved")

// Commit writes a commit on branch (refs/heads/...) whose parent is parent
// and whose tree is parent's tree with changes applied, without touching
// any work tree, and moves the branch to it only if the branch is still at
// parent (plumbing.ZeroHash: only if the branch does not exist yet), as a
// push carrying the old value does. Otherwise nothing moves and the error
// matches ErrBranchMoved. It returns the new commit's hash.
func Commit(r *git.Repository, branch string, parent plumbing.Hash, changes []Change, message string, author object.Signature) (plumbing.Hash, error) {
	refName := plumbing.ReferenceName(branch)
	if !strings.HasPrefix(branch, "refs/") {
		refName = plumbing.NewBranchReferenceName(branch)
	}
	var parents []plumbing.Hash
	var base *object.Tree
	if !parent.IsZero() {
		c, err := r.CommitObject(parent)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("parent %s: %w", parent, err)
		}
		if base, err = c.Tree(); err != nil {
			return plumbing.ZeroHash, err
		}
		parents = []plumbing.Hash{parent}
	}
	root := newDir(base)
	for _, ch := range changes {
		clean := path.Clean("/" + ch.Path)[1:]
		if clean == "" {
			return plumbing.ZeroHash, fmt.Errorf("write %q: not a file path", ch.Path)
		}
		if err := root.set(r, strings.Split(clean, "/"), ch.Data); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("write %s: %w", ch.Path, err)
		}
	}
	treeHash, err := root.store(r)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if author.When.IsZero() {
		author.When = time.Now()
	}
	commit := &object.Commit{Author: author, Committer: author, Message: message, TreeHash: treeHash, ParentHashes: parents}
	obj := r.Storer.NewEncodedObject()
	if err := commit.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	hash, err := r.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if err := moveBranch(r, refName, parent, hash); err != nil {
		return plumbing.ZeroHash, err
	}
	return hash, nil
}

// moveBranch points name at hash if it is at old (zero: if it does not
// exist), in one step under the reference's lock.
func moveBranch(r *git.Repository, name plumbing.ReferenceName, old, hash plumbing.Hash) error {
	moved := func() error {
		now := "nowhere (deleted)"
		if ref, refErr := r.Storer.Reference(name); refErr == nil {
			now = ref.Hash().String()
		}
		was := old.String()
		if old.IsZero() {
			was = "nowhere (not created yet)"
		}
		return fmt.Errorf("update %s: %w: it is at %s, the commit was made on %s; another push came first", name, ErrBranchMoved, now, was)
	}
	cur, err := r.Storer.Reference(name)
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound) && old.IsZero():
		return createRef(r.Storer, plumbing.NewHashReference(name, hash), moved)
	case err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound):
		return fmt.Errorf("read %s: %w", name, err)
	case err != nil || cur.Hash() != old:
		// Checked here too: go-git's check-and-set would create an empty
		// reference file for a branch that does not exist.
		return moved()
	}
	err = r.Storer.CheckAndSetReference(plumbing.NewHashReference(name, hash), plumbing.NewHashReference(name, old))
	if errors.Is(err, storage.ErrReferenceHasChanged) {
		return moved()
	}
	if err != nil {
		return fmt.Errorf("update %s: %w", name, err)
	}
	return nil
}

// createRef creates a branch that must not exist yet: go-git's
// check-and-set cannot say "absent", so the reference file is created
// exclusively (O_EXCL), which fails when another writer created it first.
func createRef(s storer.Storer, ref *plumbing.Reference, moved func() error) error {
	fsys, ok := s.(interface{ Filesystem() billy.Filesystem })
	if !ok {
		return fmt.Errorf("create %s: the repository is not stored in files", ref.Name())
	}
	f, err := fsys.Filesystem().OpenFile(ref.Name().String(), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if errors.Is(err, fs.ErrExist) {
		return moved()
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", ref.Name(), err)
	}
	_, err = fmt.Fprintln(f, ref.Hash())
	return errors.Join(err, f.Close())
}

// dir is a tree being rebuilt: untouched subtrees keep their hash.
type dir struct {
	entries map[string]object.TreeEntry
	subdirs map[string]*dir
}

func newDir(t *object.Tree) *dir {
	d := &dir{entries: map[string]object.TreeEntry{}, subdirs: map[string]*dir{}}
	if t != nil {
		for _, e := range t.Entries {
			d.entries[e.Name] = e
		}
	}
	return d
}

func (d *dir) set(r *git.Repository, parts []string, data []byte) error {
	name := parts[0]
	if len(parts) == 1 {
		delete(d.subdirs, name) // whatever was built there is replaced
		if data == nil {
			delete(d.entries, name)
			return nil
		}
		obj := r.Storer.NewEncodedObject()
		obj.SetType(plumbing.BlobObject)
		w, err := obj.Writer()
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		h, err := r.Storer.SetEncodedObject(obj)
		if err != nil {
			return err
		}
		d.entries[name] = object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: h}
		return nil
	}
	sub, ok := d.subdirs[name]
	if !ok {
		var t *object.Tree
		if e, ok := d.entries[name]; ok && e.Mode == filemode.Dir {
			var err error
			if t, err = r.TreeObject(e.Hash); err != nil {
				return err
			}
		} else if data == nil {
			return nil // removing below a directory that does not exist
		}
		sub = newDir(t)
		d.subdirs[name] = sub
	}
	return sub.set(r, parts[1:], data)
}

func (d *dir) store(r *git.Repository) (plumbing.Hash, error) {
	for name, sub := range d.subdirs {
		h, err := sub.store(r)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if h == plumbing.ZeroHash {
			delete(d.entries, name) // empty directories do not exist in Git
			continue
		}
		d.entries[name] = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h}
	}
	if len(d.entries) == 0 {
		return plumbing.ZeroHash, nil
	}
	t := &object.Tree{}
	for _, e := range d.entries {
		t.Entries = append(t.Entries, e)
	}
	// Git orders entries by name, with directories compared as "name/".
	sort.Slice(t.Entries, func(i, j int) bool { return sortKey(t.Entries[i]) < sortKey(t.Entries[j]) })
	obj := r.Storer.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.Storer.SetEncodedObject(obj)
}

func sortKey(e object.TreeEntry) string {
	if e.Mode == filemode.Dir {
		return e.Name + "/"
	}
	return e.Name
}

// ChangedFiles lists the files that differ between two trees below prefix
// ("" for all), with renames detected as git does by default: same blob,
// or at least half of the content alike. Paths are repository paths.
// Either tree may be nil (empty).
func ChangedFiles(s storer.EncodedObjectStorer, from, to *object.Tree, prefix string) ([]content.FileChange, error) {
	sub := func(t *object.Tree) (*object.Tree, error) {
		if t == nil || prefix == "" {
			return t, nil
		}
		st, err := t.Tree(prefix)
		if errors.Is(err, object.ErrDirectoryNotFound) {
			return nil, nil
		}
		return st, err
	}
	a, err := sub(from)
	if err != nil {
		return nil, err
	}
	b, err := sub(to)
	if err != nil {
		return nil, err
	}
	if a == nil && b == nil || a != nil && b != nil && a.Hash == b.Hash {
		return nil, nil
	}
	var out []content.FileChange
	var added, deleted []side
	err = diffTrees(s, a, b, prefix, func(from, to side) {
		switch {
		case from.path == "":
			added = append(added, to)
		case to.path == "":
			deleted = append(deleted, from)
		default:
			out = append(out, fileChange(from, to))
		}
	})
	if err != nil {
		return nil, err
	}
	renames, err := detectRenames(s, added, deleted)
	if err != nil {
		return nil, err
	}
	return append(out, renames...), nil
}

type side struct {
	path string
	hash plumbing.Hash
	link bool // a symbolic link
}

// diffTrees reports the files that differ between two trees, descending
// only into subtrees whose hashes differ: the work is proportional to the
// change, not to the repository. (go-git's merkletrie diff does the same
// walk with several times the allocations.)
func diffTrees(s storer.EncodedObjectStorer, a, b *object.Tree, dir string, emit func(from, to side)) error {
	var ae, be []object.TreeEntry
	if a != nil {
		ae = a.Entries
	}
	if b != nil {
		be = b.Entries
	}
	inB := make(map[string]*object.TreeEntry, len(be))
	for i := range be {
		inB[be[i].Name] = &be[i]
	}
	for i := range ae {
		x := &ae[i]
		y := inB[x.Name]
		delete(inB, x.Name)
		p := content.Join(dir, x.Name)
		if y != nil && x.Hash == y.Hash && x.Mode == y.Mode {
			continue
		}
		xDir, yDir := x.Mode == filemode.Dir, y != nil && y.Mode == filemode.Dir
		switch {
		case xDir && yDir:
			if err := diffSubtrees(s, x.Hash, y.Hash, p, emit); err != nil {
				return err
			}
		case y == nil || xDir != yDir:
			// Gone, or a file became a directory (or the reverse).
			if err := oneSide(s, x, p, true, emit); err != nil {
				return err
			}
			if y != nil {
				if err := oneSide(s, y, p, false, emit); err != nil {
					return err
				}
			}
		case x.Mode.IsFile() && y.Mode.IsFile():
			emit(side{p, x.Hash, x.Mode == filemode.Symlink}, side{p, y.Hash, y.Mode == filemode.Symlink})
		}
	}
	for i := range be {
		if y := inB[be[i].Name]; y != nil {
			if err := oneSide(s, y, content.Join(dir, y.Name), false, emit); err != nil {
				return err
			}
		}
	}
	return nil
}

func diffSubtrees(s storer.EncodedObjectStorer, ha, hb plumbing.Hash, p string, emit func(from, to side)) error {
	ta, err := object.GetTree(s, ha)
	if err != nil {
		return err
	}
	tb, err := object.GetTree(s, hb)
	if err != nil {
		return err
	}
	return diffTrees(s, ta, tb, p, emit)
}

// oneSide reports every file under e as deleted (old) or added.
func oneSide(s storer.EncodedObjectStorer, e *object.TreeEntry, p string, old bool, emit func(from, to side)) error {
	if e.Mode.IsFile() {
		one := side{p, e.Hash, e.Mode == filemode.Symlink}
		if old {
			emit(one, side{})
		} else {
			emit(side{}, one)
		}
		return nil
	}
	if e.Mode != filemode.Dir {
		return nil // submodules and the like are not docs
	}
	t, err := object.GetTree(s, e.Hash)
	if err != nil {
		return err
	}
	for i := range t.Entries {
		if err := oneSide(s, &t.Entries[i], content.Join(p, t.Entries[i].Name), old, emit); err != nil {
			return err
		}
	}
	return nil
}

// renameLimit bounds the content comparisons (added × deleted files), as
// git's diff.renameLimit does; past it only identical files pair up.
const renameLimit = 400 * 400

func detectRenames(s storer.EncodedObjectStorer, added, deleted []side) ([]content.FileChange, error) {
	var out []content.FileChange
	byHash := map[plumbing.Hash][]int{}
	for i, d := range deleted {
		byHash[d.hash] = append(byHash[d.hash], i)
	}
	usedDel := make([]bool, len(deleted))
	var restAdded []side
	for _, a := range added {
		if idx := byHash[a.hash]; len(idx) > 0 {
			byHash[a.hash] = idx[1:]
			usedDel[idx[0]] = true
			out = append(out, fileChange(deleted[idx[0]], a))
			continue
		}
		restAdded = append(restAdded, a)
	}
	var restDeleted []side
	for i, d := range deleted {
		if !usedDel[i] {
			restDeleted = append(restDeleted, d)
		}
	}
	if len(restAdded) > 0 && len(restDeleted) > 0 && len(restAdded)*len(restDeleted) <= renameLimit {
		pairs, err := similarPairs(s, restAdded, restDeleted)
		if err != nil {
			return nil, err
		}
		takenA, takenD := map[int]bool{}, map[int]bool{}
		for _, p := range pairs {
			if takenA[p.a] || takenD[p.d] {
				continue
			}
			takenA[p.a], takenD[p.d] = true, true
			out = append(out, fileChange(restDeleted[p.d], restAdded[p.a]))
		}
		var keptA, keptD []side
		for i, a := range restAdded {
			if !takenA[i] {
				keptA = append(keptA, a)
			}
		}
		for i, d := range restDeleted {
			if !takenD[i] {
				keptD = append(keptD, d)
			}
		}
		restAdded, restDeleted = keptA, keptD
	}
	for _, a := range restAdded {
		out = append(out, fileChange(side{}, a))
	}
	for _, d := range restDeleted {
		out = append(out, fileChange(d, side{}))
	}
	return out, nil
}

// fileChange pairs two sides. A symbolic link's blob is its target's name,
// not the page: its hash is left out, so the page is read by path,
// through the link.
func fileChange(from, to side) content.FileChange {
	fc := content.FileChange{From: from.path, To: to.path}
	if from.path != "" && !from.link {
		fc.FromHash = from.hash.String()
	}
	if to.path != "" && !to.link {
		fc.ToHash = to.hash.String()
	}
	return fc
}

type pair struct{ a, d, score int }

// similarPairs scores every added file against every deleted one by the
// bytes of lines they share, and keeps pairs at least 50% alike, best first.
func similarPairs(s storer.EncodedObjectStorer, added, deleted []side) ([]pair, error) {
	type profile struct {
		lines map[string]int
		size  int
	}
	load := func(list []side) ([]profile, error) {
		out := make([]profile, len(list))
		for i, f := range list {
			data, err := ReadBlob(s, f.hash)
			if err != nil {
				return nil, err
			}
			p := profile{lines: map[string]int{}, size: len(data)}
			for _, l := range strings.SplitAfter(string(data), "\n") {
				if l != "" {
					p.lines[l]++
				}
			}
			out[i] = p
		}
		return out, nil
	}
	pa, err := load(added)
	if err != nil {
		return nil, err
	}
	pd, err := load(deleted)
	if err != nil {
		return nil, err
	}
	var pairs []pair
	for i, a := range pa {
		for j, d := range pd {
			biggest := max(a.size, d.size)
			if biggest == 0 || min(a.size, d.size)*2 < biggest {
				continue // cannot reach 50%
			}
			shared := 0
			small, large := a.lines, d.lines
			if len(small) > len(large) {
				small, large = large, small
			}
			for l, n := range small {
				shared += min(n, large[l]) * len(l)
			}
			if score := shared * 100 / biggest; score >= 50 {
				pairs = append(pairs, pair{i, j, score})
			}
		}
	}
	sort.Slice(pairs, func(x, y int) bool { return pairs[x].score > pairs[y].score })
	return pairs, nil
}
