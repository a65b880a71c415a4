package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	stdsync "sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/sourcegraph/conc"

	"github.com/gitbook-sync/gitbook-sync/ci"
	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/gitrepo"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

// Repo is the local checkout being synced. go-git's storage is not safe
// for concurrent use, so every method holds mu: spaces are handled in
// parallel, but their reads of the repository take turns.
type Repo struct {
	Git     *git.Repository
	Dir     string
	mu      stdsync.Mutex
	auth    transport.AuthMethod
	fetched map[string]error
}

// OpenRepo opens the checkout at dir (or a directory inside it).
func OpenRepo(dir string) (*Repo, error) {
	r, err := gitrepo.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("%w (run gitbook-sync inside a Git checkout, or pass --repo DIR)", err)
	}
	return &Repo{Git: r, Dir: dir}, nil
}

// HeadCommit is the checked-out commit and its branch ("" when HEAD is
// detached, as CI runners leave it).
func (r *Repo) HeadCommit() (*object.Commit, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ref, err := r.Git.Head()
	if err != nil {
		return nil, "", fmt.Errorf("read HEAD: %w", err)
	}
	c, err := r.Git.CommitObject(ref.Hash())
	if err != nil {
		return nil, "", fmt.Errorf("read HEAD: %w", err)
	}
	name := ""
	if ref.Name().IsBranch() {
		name = ref.Name().Short()
	}
	return c, name, nil
}

// BranchAt names a branch whose tip is c, local or origin's, preferring
// those given; "" when none is.
func (r *Repo) BranchAt(c *object.Commit, prefer ...string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return gitrepo.BranchAt(r.Git, c.Hash, prefer...)
}

// DefaultBranch is the branch origin's HEAD names, when a clone recorded it.
func (r *Repo) DefaultBranch() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return gitrepo.RemoteHEAD(r.Git, "origin")
}

// Tip is the commit at the tip of branch: origin's (what the host has),
// else the local branch's; nil when neither is here.
func (r *Repo) Tip(branch string) *object.Commit {
	if branch == "" {
		return nil
	}
	if c := r.Commit("refs/remotes/origin/" + branch); c != nil {
		return c
	}
	return r.Commit("refs/heads/" + branch)
}

// HasBranch reports whether branch is in the checkout (local or origin's)
// or on origin, fetching its tip as the run would (with the CI's
// credentials). It answers false only when it knows: no origin, or origin
// answered without the branch; when origin cannot be asked, err says why.
func (r *Repo) HasBranch(ctx context.Context, c *ci.Context, branch string) (bool, error) {
	if r.Tip(branch) != nil {
		return true, nil
	}
	if r.OriginURL() == "" {
		return false, nil
	}
	r.setAuth(c.FetchAuth())
	err := r.fetch(ctx, 1, branchRefspecs(branch)...)
	switch {
	case r.Tip(branch) != nil:
		return true, nil
	case err == nil, errors.Is(err, git.NoMatchingRefSpecError{}):
		return false, nil
	}
	return false, err
}

// Shallow reports whether the checkout has cut history (CI's fetch-depth: 1).
func (r *Repo) Shallow() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return gitrepo.Shallow(r.Git)
}

// setAuth gives the credentials for fetching from origin (the CI's token).
func (r *Repo) setAuth(user, token string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if token != "" {
		r.auth = &githttp.BasicAuth{Username: user, Password: token}
	}
}

// fetch fetches specs from origin, once per run: a second call with the
// same specs returns the first one's result.
func (r *Repo) fetch(ctx context.Context, depth int, specs ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := fmt.Sprint(depth, specs)
	if err, done := r.fetched[key]; done {
		return err
	}
	err := gitrepo.Fetch(ctx, r.Git, "origin", r.auth, depth, specs...)
	if r.fetched == nil {
		r.fetched = map[string]error{}
	}
	r.fetched[key] = err
	return err
}

// Deepen fetches the whole history of origin's branches, and of the extra
// refspecs given, as actions/checkout's fetch-depth: 0 would: what a
// shallow checkout lacks to compare commits.
func (r *Repo) Deepen(ctx context.Context, extra ...string) error {
	return r.fetch(ctx, gitrepo.FullDepth, append([]string{"+refs/heads/*:refs/remotes/origin/*"}, extra...)...)
}

// Want returns the commit sha, fetching it from origin when the checkout
// lacks it: by its hash (hosts serve commits reachable from their refs),
// else through refspecs that should contain it. It returns nil and why
// when it cannot be had.
func (r *Repo) Want(ctx context.Context, sha string, refspecs ...string) (*object.Commit, error) {
	if c := r.Commit(sha); c != nil {
		return c, nil
	}
	if !plumbing.IsHash(sha) {
		return nil, fmt.Errorf("%s is not a commit hash", sha)
	}
	err := r.fetch(ctx, gitrepo.FullDepth, "+"+sha+":refs/remotes/origin/gitbook-sync/"+shortHash(sha))
	if c := r.Commit(sha); c != nil {
		return c, nil
	}
	for _, spec := range refspecs {
		if ferr := r.fetch(ctx, gitrepo.FullDepth, spec); ferr != nil {
			err = errors.Join(err, ferr)
		}
		if c := r.Commit(sha); c != nil {
			return c, nil
		}
	}
	if err == nil {
		err = fmt.Errorf("commit %s is not on origin", shortHash(sha))
	}
	return nil, err
}

// Commit returns the commit a hash or revision (main~1, a tag) names, or
// nil when the checkout lacks it.
func (r *Repo) Commit(rev string) *object.Commit {
	r.mu.Lock()
	defer r.mu.Unlock()
	if plumbing.IsHash(rev) {
		c, err := r.Git.CommitObject(plumbing.NewHash(rev))
		if err != nil {
			return nil
		}
		return c
	}
	c, err := gitrepo.ResolveCommit(r.Git, rev)
	if err != nil {
		return nil
	}
	return c
}

// inside checks that the file at p (on disk) is in the repository's work
// tree once symbolic links are followed, by the rule every read uses
// (content.ResolveLinks): nothing from elsewhere is read and published.
func (r *Repo) inside(p string) error {
	wt, err := r.Git.Worktree()
	if err != nil {
		return fmt.Errorf("no work tree to read it from: %w", err)
	}
	top := wt.Filesystem.Root()
	abs, err := filepath.Abs(p)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("not in the repository at %s: %w", top, content.ErrOutside)
	}
	root, err := os.OpenRoot(top)
	if err != nil {
		return err
	}
	defer root.Close()
	_, err = content.ResolveOnDisk(root, filepath.ToSlash(rel))
	return err
}

// OriginURL returns origin's URL without credentials, or "".
func (r *Repo) OriginURL() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	rem, err := r.Git.Remote("origin")
	if err != nil || len(rem.Config().URLs) == 0 {
		return ""
	}
	return redact.StripCredentials(rem.Config().URLs[0])
}

// Project loads the docs project at dir in commit c. The Files it returns
// take the repository lock on each read.
func (r *Repo) Project(c *object.Commit, dir string) (*content.Project, content.Files, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	files, err := gitrepo.Files(r.Git, c)
	if err != nil {
		return nil, files, err
	}
	p, err := content.Load(files, dir)
	if err != nil {
		return nil, files, fmt.Errorf("commit %s: %w", shortHash(c.Hash.String()), err)
	}
	read, exists := files.Read, files.Exists
	files.Read = func(p string) ([]byte, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		return read(p)
	}
	files.Exists = func(p string) (bool, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		return exists(p)
	}
	files.List = nil // not needed after loading
	return p, files, nil
}

// SameProject reports whether commits a and b have the same tree at dir:
// then nothing changed in the project.
func (r *Repo) SameProject(a, b *object.Commit, dir string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return projectTreeHash(a, dir) == projectTreeHash(b, dir)
}

// IsAncestor reports whether a is an ancestor of b.
func (r *Repo) IsAncestor(a, b *object.Commit) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	ok, err := a.IsAncestor(b)
	return err == nil && ok
}

// MergeBase returns the best common ancestor of a and b, or nil.
func (r *Repo) MergeBase(a, b *object.Commit) *object.Commit {
	r.mu.Lock()
	defer r.mu.Unlock()
	bases, err := a.MergeBase(b)
	if err != nil || len(bases) == 0 {
		return nil
	}
	return bases[0]
}

func projectTreeHash(c *object.Commit, dir string) string {
	t, err := c.Tree()
	if err != nil {
		return ""
	}
	if dir == "" {
		return t.Hash.String()
	}
	e, err := t.FindEntry(dir)
	if err != nil {
		return ""
	}
	return e.Hash.String()
}

// projectForDiff loads the project for comparing, trusting SUMMARY about
// which files exist (see content.LoadForDiff). objs is the object store
// read by goroutines taking turns.
func projectForDiff(objs storer.EncodedObjectStorer, c *object.Commit, dir string) (*content.Project, content.Files, error) {
	tree, err := object.GetTree(objs, c.TreeHash)
	if err != nil {
		return nil, content.Files{}, fmt.Errorf("commit %s tree: %w", c.Hash, err)
	}
	files := gitrepo.TreeFiles(objs, tree)
	p, err := content.LoadForDiff(files, dir)
	if err != nil {
		return nil, files, fmt.Errorf("commit %s: %w", shortHash(c.Hash.String()), err)
	}
	return p, files, nil
}

// DiffCommits is the page diff of the project at dir from commit a (nil:
// nothing) to b.
func (r *Repo) DiffCommits(a, b *object.Commit, dir string, keepText bool) (*content.Diff, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// Both projects are loaded at once: parsing a large SUMMARY.md is
	// much of a diff's time, and the two parses can use two cores.
	// Meanwhile the changed files are listed and the Markdown among them
	// read ahead of the page diff. Every read of the object store takes
	// turns (go-git's storage is not safe for concurrent use).
	var store stdsync.Mutex
	objs := gitrepo.TakingTurns(r.Git.Storer, &store)
	// conc's WaitGroup carries a panic to this goroutine, where the run's
	// guard makes it the space's failure instead of the process's end.
	wg := conc.NewWaitGroup()
	waited := false
	defer func() {
		if !waited { // a panic below: the loaders stop reading first
			wg.Wait()
		}
	}()
	var newP, oldP *content.Project
	var newFiles, oldFiles content.Files
	var newErr, oldErr error
	if a != nil {
		wg.Go(func() { oldP, oldFiles, oldErr = projectForDiff(objs, a, dir) })
	}
	wg.Go(func() { newP, newFiles, newErr = projectForDiff(objs, b, dir) })
	changes, changesErr := changedFiles(objs, a, b, dir)
	ahead := readAhead(objs, changes)
	defer ahead.stop()
	waited = true
	wg.Wait()
	// The newer commit's problem first: it is the one to fix.
	if err := cmp.Or(newErr, oldErr); err != nil {
		return nil, err
	}
	if changesErr != nil {
		return nil, fmt.Errorf("compare %s..%s: %w", hashOf(a), shortHash(b.Hash.String()), changesErr)
	}
	var shown map[string]bool
	if a != nil {
		links, err := linksToLookAt(objs, a, b, dir, changes, oldP, newP)
		if err != nil {
			return nil, fmt.Errorf("compare %s..%s: %w", hashOf(a), shortHash(b.Hash.String()), err)
		}
		var more []content.FileChange
		more, shown = behindLinks(changes, links, newP, oldFiles, newFiles)
		changes = append(slices.Clip(changes), more...)
	}
	in := content.DiffInput{New: newP, ReadNew: newFiles.Read, KeepText: keepText, Changes: changes,
		ReadBlob: func(h string) ([]byte, error) { return ahead.read(plumbing.NewHash(h)) }}
	if a != nil {
		in.Old, in.ReadOld = oldP, oldFiles.Read
	}
	d, err := content.DiffPages(in)
	if d != nil {
		// A link's target shown as the linked page is not "not a page".
		d.NotPages = slices.DeleteFunc(d.NotPages, func(p string) bool { return shown[newP.ContentPath(p)] })
		// What loading the newer project found (format warnings) goes
		// with what comparing found.
		d.Diagnostics = append(slices.Clone(newP.Diagnostics), d.Diagnostics...)
	}
	return d, err
}

// linksToLookAt is the symbolic links of commit b when a page may hide
// behind one: only a changed file that is a page in neither commit can be
// a link's target that Git shows instead of the page. Listing the links
// reads every directory of the tree, a fifth of a large diff's time, so
// a push that changes pages and the table of contents alone skips it.
// (Missed: a target that is itself listed as a page, with nothing else
// changed.) changes are the project's; a target may be outside it.
func linksToLookAt(objs storer.EncodedObjectStorer, a, b *object.Commit, dir string, changes []content.FileChange, oldP, newP *content.Project) ([]string, error) {
	bt, err := object.GetTree(objs, b.TreeHash)
	if err != nil {
		return nil, err
	}
	var paths []string
	if dir == "" {
		for _, c := range changes {
			paths = append(paths, c.From, c.To)
		}
	} else {
		at, err := object.GetTree(objs, a.TreeHash)
		if err != nil {
			return nil, err
		}
		if paths, err = gitrepo.ChangedPaths(objs, at, bt); err != nil {
			return nil, err
		}
	}
	pending := map[string]bool{}
	for _, p := range paths {
		if p != "" {
			pending[p] = true
		}
	}
	for _, p := range []*content.Project{oldP, newP} {
		delete(pending, content.Join(p.Dir, content.ConfigFile))
		delete(pending, p.ContentPath(p.Config.Summary))
		root := p.ContentPath("")
		content.Walk(p.Pages, func(pg, _ *content.Page) {
			if root == "" {
				delete(pending, pg.Path)
			} else {
				delete(pending, root+"/"+pg.Path)
			}
		})
	}
	if len(pending) == 0 {
		return nil, nil
	}
	return gitrepo.Symlinks(objs, bt)
}

// behindLinks is the changes Git does not show: a page reached through
// a symbolic link (a linked page, a page under a linked folder) whose
// target changed, appeared or went while the link did not. Git lists the
// target, wherever it is; the page is the link's path, added as a change
// of its own with the blobs it resolves to in each commit. shown is the
// targets, by repository path.
func behindLinks(changes []content.FileChange, links []string, newP *content.Project, oldFiles, newFiles content.Files) (more []content.FileChange, shown map[string]bool) {
	if len(links) == 0 || oldFiles.Resolve == nil || newFiles.Resolve == nil {
		return nil, nil
	}
	linked := func(p string) bool {
		for _, l := range links {
			if p == l || strings.HasPrefix(p, l+"/") {
				return true
			}
		}
		return false
	}
	changed := make(map[string]bool, 2*len(changes))
	for _, c := range changes {
		changed[c.From], changed[c.To] = true, true
	}
	shown = map[string]bool{}
	content.Walk(newP.Pages, func(pg, _ *content.Page) {
		p := newP.ContentPath(pg.Path)
		if pg.Path == "" || changed[p] || !linked(p) {
			return
		}
		changed[p] = true // a page listed twice is one file
		oldReal, from, errOld := oldFiles.Resolve(p)
		newReal, to, errNew := newFiles.Resolve(p)
		switch {
		case errOld == nil && errNew == nil && from != to:
			more = append(more, content.FileChange{From: p, To: p, FromHash: from, ToHash: to})
			shown[newReal] = true
		case errOld == nil && errors.Is(errNew, fs.ErrNotExist):
			more = append(more, content.FileChange{From: p, FromHash: from})
			shown[oldReal] = true
		case errNew == nil && errors.Is(errOld, fs.ErrNotExist):
			more = append(more, content.FileChange{To: p, ToHash: to})
			shown[newReal] = true
		}
	})
	return more, shown
}

// changedFiles lists the files that differ between commits a (nil:
// none) and b below dir.
func changedFiles(objs storer.EncodedObjectStorer, a, b *object.Commit, dir string) ([]content.FileChange, error) {
	bt, err := object.GetTree(objs, b.TreeHash)
	if err != nil {
		return nil, err
	}
	var at *object.Tree
	if a != nil {
		if at, err = object.GetTree(objs, a.TreeHash); err != nil {
			return nil, err
		}
	}
	return gitrepo.ChangedFiles(objs, at, bt, dir)
}

// aheadBudget bounds the bytes of changed files read ahead of the page
// diff.
const aheadBudget = 64 << 20

// blobsAhead reads the changed Markdown files, which the page diff reads
// (pages are Markdown), on a goroutine of its own: the object store
// serves one reader at a time, and this keeps it busy while the
// summaries parse and the page diff starts. A blob the page diff asks
// for before it is reached is read by the asker; each blob is handed
// over once, then forgotten.
type blobsAhead struct {
	objs    storer.EncodedObjectStorer
	mu      stdsync.Mutex
	blobs   map[plumbing.Hash]*blobAhead
	stopped atomic.Bool
	reader  *conc.WaitGroup
}

type blobAhead struct {
	taken bool          // being read, or read
	ready chan struct{} // closed once read
	data  []byte
	err   error
}

func readAhead(objs storer.EncodedObjectStorer, changes []content.FileChange) *blobsAhead {
	ra := &blobsAhead{objs: objs, blobs: map[plumbing.Hash]*blobAhead{}, reader: conc.NewWaitGroup()}
	var order []plumbing.Hash
	for _, c := range changes {
		for _, f := range [][2]string{{c.From, c.FromHash}, {c.To, c.ToHash}} {
			if f[1] == "" || !strings.HasSuffix(strings.ToLower(f[0]), ".md") {
				continue
			}
			if h := plumbing.NewHash(f[1]); ra.blobs[h] == nil {
				ra.blobs[h] = &blobAhead{ready: make(chan struct{})}
				order = append(order, h)
			}
		}
	}
	ra.reader.Go(func() {
		size := 0
		for _, h := range order {
			if ra.stopped.Load() || size >= aheadBudget {
				return
			}
			ra.mu.Lock()
			b := ra.blobs[h]
			if b == nil || b.taken {
				ra.mu.Unlock()
				continue
			}
			b.taken = true
			ra.mu.Unlock()
			func() {
				// The page diff waits on ready: a panic must not leave
				// it waiting. It becomes the read's error.
				defer close(b.ready)
				defer func() {
					if p := recover(); p != nil {
						b.err = fmt.Errorf("read %s: internal error (please report it): %v", h, p)
					}
				}()
				b.data, b.err = gitrepo.ReadBlob(objs, h)
			}()
			size += len(b.data)
		}
	})
	return ra
}

// read returns blob h: read ahead, being read ahead, or read now.
func (ra *blobsAhead) read(h plumbing.Hash) ([]byte, error) {
	ra.mu.Lock()
	b := ra.blobs[h]
	delete(ra.blobs, h)
	if b != nil && !b.taken {
		b = nil // not reached yet
	}
	ra.mu.Unlock()
	if b == nil {
		return gitrepo.ReadBlob(ra.objs, h)
	}
	<-b.ready
	return b.data, b.err
}

// stop ends reading ahead and waits for the read under way.
func (ra *blobsAhead) stop() {
	ra.stopped.Store(true)
	ra.reader.Wait()
}

func hashOf(c *object.Commit) string {
	if c == nil {
		return "(none)"
	}
	return shortHash(c.Hash.String())
}
