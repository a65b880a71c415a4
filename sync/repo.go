package sync

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	stdsync "sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/gitrepo"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

// Repo is the local checkout being synced. go-git's storage is not safe
// for concurrent use, so every method holds mu: spaces are handled in
// parallel, but their reads of the repository take turns.
type Repo struct {
	Git *git.Repository
	Dir string
	mu  stdsync.Mutex
}

// OpenRepo opens the checkout at dir (or a directory inside it).
func OpenRepo(dir string) (*Repo, error) {
	r, err := gitrepo.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("%w (run gitbook-sync inside a Git checkout, or pass --repo DIR)", err)
	}
	return &Repo{Git: r, Dir: dir}, nil
}

// Head resolves the commit to sync: the branch's tip when branch is given
// (local, else origin's), else HEAD.
func (r *Repo) Head(branch string) (*object.Commit, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if branch == "" {
		ref, err := r.Git.Head()
		if err != nil {
			return nil, "", fmt.Errorf("read HEAD: %w", err)
		}
		c, err := r.Git.CommitObject(ref.Hash())
		if err != nil {
			return nil, "", err
		}
		name := ""
		if ref.Name().IsBranch() {
			name = ref.Name().Short()
		}
		return c, name, nil
	}
	c, err := gitrepo.ResolveCommit(r.Git, branch)
	if err != nil {
		return nil, "", fmt.Errorf("branch %s: %w", branch, err)
	}
	return c, strings.TrimPrefix(branch, "refs/heads/"), nil
}

// Shallow reports whether the checkout has cut history (CI's fetch-depth: 1).
func (r *Repo) Shallow() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := r.Git.Storer.Shallow()
	return err == nil && len(s) > 0
}

// Deepen fetches the rest of the history from origin, when it is reachable.
func (r *Repo) Deepen() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.Git.Fetch(&git.FetchOptions{RemoteName: "origin", Depth: 1 << 30,
		RefSpecs: []config.RefSpec{"+refs/heads/*:refs/remotes/origin/*"}, Tags: git.NoTags})
	if errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	return err
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
// which files exist (see content.LoadForDiff).
func (r *Repo) projectForDiff(c *object.Commit, dir string) (*content.Project, content.Files, error) {
	files, err := gitrepo.Files(r.Git, c)
	if err != nil {
		return nil, files, err
	}
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
	newP, newFiles, err := r.projectForDiff(b, dir)
	if err != nil {
		return nil, err
	}
	in := content.DiffInput{New: newP, ReadNew: newFiles.Read, KeepText: keepText,
		ReadBlob: func(h string) ([]byte, error) { return gitrepo.ReadBlob(r.Git.Storer, plumbing.NewHash(h)) }}
	bt, err := b.Tree()
	if err != nil {
		return nil, err
	}
	var at *object.Tree
	if a != nil {
		oldP, oldFiles, err := r.projectForDiff(a, dir)
		if err != nil {
			return nil, err
		}
		in.Old, in.ReadOld = oldP, oldFiles.Read
		if at, err = a.Tree(); err != nil {
			return nil, err
		}
	}
	if in.Changes, err = gitrepo.ChangedFiles(r.Git.Storer, at, bt, dir); err != nil {
		return nil, fmt.Errorf("compare %s..%s: %w", hashOf(a), shortHash(b.Hash.String()), err)
	}
	return content.DiffPages(in)
}

func hashOf(c *object.Commit) string {
	if c == nil {
		return "(none)"
	}
	return shortHash(c.Hash.String())
}

// withCredentials puts a Git host token into an https URL as basic auth,
// as GitBook needs to read or write the repository.
func withCredentials(raw, user, token string) string {
	if token == "" {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return raw
	}
	if user == "" {
		user = "x-access-token"
		if strings.Contains(u.Host, "gitlab") {
			user = "oauth2"
		}
	}
	u.User = url.UserPassword(user, token)
	return u.String()
}

// hostURLs gives GitBook's repoTreeURL and repoCommitURL for GitHub and
// GitLab repositories (and nothing for others).
func hostURLs(repoURL, branch, dir string) (tree, commit string) {
	u, err := url.Parse(redact.StripCredentials(repoURL))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", ""
	}
	base := strings.TrimSuffix(u.Scheme+"://"+u.Host+u.Path, ".git")
	sep := "/"
	if strings.Contains(u.Host, "gitlab") {
		sep = "/-/"
	} else if !strings.Contains(u.Host, "github") {
		return "", ""
	}
	tree = base + sep + "blob/" + branch + "/"
	if dir != "" {
		tree += dir + "/"
	}
	return tree, base + sep + "commit/"
}
