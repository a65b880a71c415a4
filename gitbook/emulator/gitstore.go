package emulator

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/gitformat"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

// The emulator's Git host is the local file system: a repository URL is a
// path or a file:// URL, and credentials in it are ignored.

func localPath(repoURL string) (string, error) {
	if !strings.Contains(repoURL, "://") {
		return repoURL, nil
	}
	u, err := url.Parse(repoURL)
	if err != nil {
		return "", fmt.Errorf("repository URL %s: %w", gitformat.QuoteCut(redact.URL(repoURL)), err)
	}
	if u.Scheme != "file" {
		return "", fmt.Errorf("repository URL %s: the emulator reaches file:// URLs and paths only", gitformat.QuoteCut(redact.URL(repoURL)))
	}
	return u.Path, nil
}

func openRepo(repoURL string) (*git.Repository, error) {
	p, err := localPath(repoURL)
	if err != nil {
		return nil, err
	}
	// A bare repository, a work tree, or a folder inside one.
	r, err := git.PlainOpenWithOptions(p, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		r, err = git.PlainOpenWithOptions(p, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	}
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", gitformat.QuoteCut(redact.URL(repoURL)), err)
	}
	return r, nil
}

func branchRef(ref string) plumbing.ReferenceName {
	if strings.HasPrefix(ref, "refs/") {
		return plumbing.ReferenceName(ref)
	}
	return plumbing.NewBranchReferenceName(ref)
}

// resolveCommit finds what a ref ("refs/heads/main", "main", a tag, a
// hash) points at.
func resolveCommit(r *git.Repository, ref string) (*object.Commit, error) {
	candidates := []string{ref}
	if !strings.HasPrefix(ref, "refs/") {
		candidates = append(candidates, "refs/heads/"+ref, "refs/tags/"+ref)
	}
	for _, c := range candidates {
		if h, err := r.ResolveRevision(plumbing.Revision(c)); err == nil {
			return r.CommitObject(*h)
		}
	}
	return nil, fmt.Errorf("ref %s not found in the repository", gitformat.QuoteCut(ref))
}

// treeFS reads a commit's tree. Symbolic links are followed as a checkout
// would, but only inside the repository: one that leaves it reads as a
// missing file, so nothing outside the repository is ever imported, and a
// link's body is never its target's name.
type treeFS struct {
	repo *git.Repository
	root *object.Tree
}

const maxLinkHops = 40

var errOutside = errors.New("symbolic link leaves the repository")

// lookup resolves a path to its entry, following links in every part.
func (t treeFS) lookup(name string) (object.TreeEntry, error) {
	parts := splitPath(name)
	hops := 0
	var dir []string
	tree := t.root
	for i := 0; i < len(parts); i++ {
		e, err := tree.FindEntry(parts[i])
		if err != nil {
			return object.TreeEntry{}, fs.ErrNotExist
		}
		if e.Mode == filemode.Symlink {
			if hops++; hops > maxLinkHops {
				return object.TreeEntry{}, fmt.Errorf("%s: too many symbolic links", name)
			}
			target, err := t.blob(e.Hash)
			if err != nil {
				return object.TreeEntry{}, err
			}
			joined := path.Join(strings.Join(dir, "/"), string(target))
			if strings.HasPrefix(string(target), "/") || joined == ".." || strings.HasPrefix(joined, "../") {
				return object.TreeEntry{}, errOutside
			}
			rest := append(splitPath(joined), parts[i+1:]...)
			parts, dir, tree, i = rest, nil, t.root, -1
			continue
		}
		if i == len(parts)-1 {
			return *e, nil
		}
		if e.Mode != filemode.Dir {
			return object.TreeEntry{}, fs.ErrNotExist
		}
		if tree, err = t.repo.TreeObject(e.Hash); err != nil {
			return object.TreeEntry{}, err
		}
		dir = append(dir, parts[i])
	}
	return object.TreeEntry{Name: "", Mode: filemode.Dir, Hash: t.root.Hash}, nil
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(path.Clean("/"+p), "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (t treeFS) blob(h plumbing.Hash) ([]byte, error) {
	b, err := t.repo.BlobObject(h)
	if err != nil {
		return nil, err
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

func (t treeFS) ReadFile(name string) ([]byte, error) {
	e, err := t.lookup(name)
	if errors.Is(err, errOutside) {
		return nil, fs.ErrNotExist
	}
	if err != nil {
		return nil, err
	}
	if !e.Mode.IsFile() {
		return nil, fs.ErrNotExist
	}
	return t.blob(e.Hash)
}

// List lists the files below dir; linked folders are not entered.
func (t treeFS) List(dir string) ([]string, error) {
	e, err := t.lookup(dir)
	if err != nil {
		return nil, fs.ErrNotExist
	}
	if e.Mode != filemode.Dir {
		return nil, fs.ErrNotExist
	}
	tree, err := t.repo.TreeObject(e.Hash)
	if err != nil {
		return nil, err
	}
	prefix := strings.Join(splitPath(dir), "/")
	var out []string
	err = tree.Files().ForEach(func(f *object.File) error {
		out = append(out, path.Join(prefix, f.Name))
		return nil
	})
	sort.Strings(out)
	return out, err
}

// commitChanges writes a commit on branch whose tree is the branch's tree
// with changes applied, without a work tree, and moves the branch to it.
func commitChanges(r *git.Repository, branch plumbing.ReferenceName, changes []gitformat.Change, message string, when time.Time) (plumbing.Hash, error) {
	var parents []plumbing.Hash
	var base *object.Tree
	if ref, err := r.Reference(branch, true); err == nil {
		parent, err := r.CommitObject(ref.Hash())
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if base, err = parent.Tree(); err != nil {
			return plumbing.ZeroHash, err
		}
		parents = []plumbing.Hash{parent.Hash}
	}
	root := newTreeDir(base)
	for _, c := range changes {
		if err := root.set(r, splitPath(c.Path), c.Data); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("write %s: %w", c.Path, err)
		}
	}
	treeHash, err := root.store(r)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	// GitBook's export commits as its bot.
	sig := object.Signature{Name: "gitbook-bot", Email: "ghost@gitbook.com", When: when}
	commit := &object.Commit{Author: sig, Committer: sig, Message: message, TreeHash: treeHash, ParentHashes: parents}
	obj := r.Storer.NewEncodedObject()
	if err := commit.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	hash, err := r.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return hash, r.Storer.SetReference(plumbing.NewHashReference(branch, hash))
}

// treeDir is a tree being rebuilt; untouched subtrees keep their hash.
type treeDir struct {
	entries map[string]object.TreeEntry
	subdirs map[string]*treeDir
}

func newTreeDir(t *object.Tree) *treeDir {
	d := &treeDir{entries: map[string]object.TreeEntry{}, subdirs: map[string]*treeDir{}}
	if t != nil {
		for _, e := range t.Entries {
			d.entries[e.Name] = e
		}
	}
	return d
}

func (d *treeDir) set(r *git.Repository, parts []string, data []byte) error {
	if len(parts) == 0 {
		return errors.New("empty path")
	}
	name := parts[0]
	if len(parts) == 1 {
		delete(d.subdirs, name)
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
			return nil
		}
		sub = newTreeDir(t)
		d.subdirs[name] = sub
	}
	return sub.set(r, parts[1:], data)
}

func (d *treeDir) store(r *git.Repository) (plumbing.Hash, error) {
	for name, sub := range d.subdirs {
		h, err := sub.store(r)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if h == plumbing.ZeroHash {
			delete(d.entries, name)
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
	// Git sorts entries by name, a directory as "name/".
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(t.Entries, func(i, j int) bool { return key(t.Entries[i]) < key(t.Entries[j]) })
	obj := r.Storer.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.Storer.SetEncodedObject(obj)
}

// refuseCheckedOutBranch fails as a Git server does when asked to update
// the branch checked out in a work tree.
func refuseCheckedOutBranch(r *git.Repository, branch plumbing.ReferenceName) error {
	if _, err := r.Worktree(); errors.Is(err, git.ErrIsBareRepository) {
		return nil
	}
	head, err := r.Storer.Reference(plumbing.HEAD)
	if err == nil && head.Type() == plumbing.SymbolicReference && head.Target() == branch {
		return fmt.Errorf("refusing to update checked out branch %s of a non-bare repository; export to a bare repository (as on a Git host)", branch)
	}
	return nil
}
