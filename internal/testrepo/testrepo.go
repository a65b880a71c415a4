// Package testrepo builds real Git repositories in a test's temporary
// directory with go-git, so tests need no git binary and no fixtures.
package testrepo

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Repo is a repository with a work tree.
type Repo struct {
	t    testing.TB
	Dir  string
	Git  *git.Repository
	when time.Time
}

// New creates an empty repository on branch main.
func New(t testing.TB) *Repo {
	t.Helper()
	dir := t.TempDir()
	r, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Repo{t: t, Dir: dir, Git: r, when: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

// Write sets files (path -> content); an empty content removes the file.
// Removals happen first, so a file can give way to a directory.
func (r *Repo) Write(files map[string]string) *Repo {
	r.t.Helper()
	for p, c := range files {
		if c == "" {
			if err := os.Remove(filepath.Join(r.Dir, filepath.FromSlash(p))); err != nil && !os.IsNotExist(err) {
				r.t.Fatal(err)
			}
		}
	}
	for p, c := range files {
		full := filepath.Join(r.Dir, filepath.FromSlash(p))
		if c == "" {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	return r
}

// Commit stages everything and commits; commit times advance by a minute
// each, so histories are ordered and reproducible.
func (r *Repo) Commit(msg string) plumbing.Hash {
	r.t.Helper()
	wt, err := r.Git.Worktree()
	if err != nil {
		r.t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		r.t.Fatal(err)
	}
	r.when = r.when.Add(time.Minute)
	sig := &object.Signature{Name: "Test", Email: "test@example.com", When: r.when}
	h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		r.t.Fatal(err)
	}
	return h
}

// Bare makes a bare clone (the "remote" GitBook pushes to) and sets it as
// origin of r. It returns the bare repository's path.
func (r *Repo) Bare() string {
	r.t.Helper()
	dir := filepath.Join(r.t.TempDir(), "remote.git")
	if _, err := git.PlainClone(dir, true, &git.CloneOptions{URL: r.Dir}); err != nil {
		r.t.Fatal(err)
	}
	_ = r.Git.DeleteRemote("origin")
	if _, err := r.Git.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{dir}}); err != nil {
		r.t.Fatal(err)
	}
	return dir
}

// Push pushes main to origin.
func (r *Repo) Push() {
	r.t.Helper()
	err := r.Git.Push(&git.PushOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{"refs/heads/main:refs/heads/main"}})
	if err != nil && err != git.NoErrAlreadyUpToDate {
		r.t.Fatal(err)
	}
}

// Head returns the hash of HEAD.
func (r *Repo) Head() plumbing.Hash {
	r.t.Helper()
	h, err := r.Git.Head()
	if err != nil {
		r.t.Fatal(err)
	}
	return h.Hash()
}

// CommitMerge commits the work tree as a merge of HEAD and other.
func (r *Repo) CommitMerge(msg string, other plumbing.Hash) plumbing.Hash {
	r.t.Helper()
	wt, err := r.Git.Worktree()
	if err != nil {
		r.t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		r.t.Fatal(err)
	}
	head := r.Head()
	r.when = r.when.Add(time.Minute)
	sig := &object.Signature{Name: "Test", Email: "test@example.com", When: r.when}
	h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, Parents: []plumbing.Hash{head, other}})
	if err != nil {
		r.t.Fatal(err)
	}
	return h
}

// CopyDir copies the files below src into dst (the shared corpus into a
// test repository, say), leaving src untouched.
func CopyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
