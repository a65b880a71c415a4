// Package gitrepo wraps the go-git operations gitbook-sync needs: opening a
// repository by URL or path, reading a commit's files, and writing a commit
// without a work tree (as a Git host does when GitBook exports).
package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

// LocalPath turns a file:// URL or a plain path into a filesystem path.
// Credentials in the URL are ignored. Other schemes are not reachable here.
func LocalPath(repoURL string) (string, error) {
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

// Open opens the repository at a file:// URL or path.
func Open(repoURL string) (*git.Repository, error) {
	p, err := LocalPath(repoURL)
	if err != nil {
		return nil, err
	}
	// Bare repositories (what a Git host holds) open as they are; a path
	// inside a work tree finds its .git above.
	r, err := git.PlainOpen(p)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		r, err = git.PlainOpenWithOptions(p, &git.PlainOpenOptions{DetectDotGit: true})
	}
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", redact.URL(repoURL), err)
	}
	return r, nil
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
func Files(c *object.Commit) (content.Files, error) {
	tree, err := c.Tree()
	if err != nil {
		return content.Files{}, fmt.Errorf("commit %s tree: %w", c.Hash, err)
	}
	return TreeFiles(tree), nil
}

// TreeFiles gives content.Files over a tree.
func TreeFiles(tree *object.Tree) content.Files {
	var (
		once  sync.Once
		paths map[string]bool
		werr  error
	)
	return content.Files{
		Exists: func(p string) (bool, error) {
			// One walk of the tree answers every later question.
			once.Do(func() {
				paths = map[string]bool{}
				w := object.NewTreeWalker(tree, true, nil)
				defer w.Close()
				for {
					name, e, err := w.Next()
					if err == io.EOF {
						return
					}
					if err != nil {
						werr = err
						return
					}
					if e.Mode.IsFile() {
						paths[name] = true
					}
				}
			})
			return paths[p], werr
		},
		Read: func(p string) ([]byte, error) {
			f, err := tree.File(p)
			if err != nil {
				if errors.Is(err, object.ErrFileNotFound) || errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
					return nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
				}
				return nil, err
			}
			rd, err := f.Reader()
			if err != nil {
				return nil, err
			}
			defer rd.Close()
			return io.ReadAll(rd)
		},
		List: func(dir string) ([]string, error) {
			t := tree
			if dir != "" {
				sub, err := tree.Tree(dir)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", dir, fs.ErrNotExist)
				}
				t = sub
			}
			var out []string
			err := t.Files().ForEach(func(f *object.File) error {
				out = append(out, content.Join(dir, f.Name))
				return nil
			})
			return out, err
		},
	}
}

// BlobHash returns the blob hash of a file in a tree, or "" if absent.
func BlobHash(tree *object.Tree, p string) string {
	e, err := tree.FindEntry(p)
	if err != nil {
		return ""
	}
	return e.Hash.String()
}

// Change sets (Data non-nil) or removes (Data nil) one file.
type Change struct {
	Path string
	Data []byte
}

// Commit writes a commit on branch (refs/heads/...) whose tree is the
// branch's current tree with changes applied, without touching any work
// tree. It returns the new commit's hash.
func Commit(r *git.Repository, branch string, changes []Change, message string, author object.Signature) (plumbing.Hash, error) {
	refName := plumbing.ReferenceName(branch)
	if !strings.HasPrefix(branch, "refs/") {
		refName = plumbing.NewBranchReferenceName(branch)
	}
	var parents []plumbing.Hash
	var base *object.Tree
	if ref, err := r.Reference(refName, true); err == nil {
		parent, err := r.CommitObject(ref.Hash())
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if base, err = parent.Tree(); err != nil {
			return plumbing.ZeroHash, err
		}
		parents = []plumbing.Hash{parent.Hash}
	}
	root := newDir(base)
	for _, ch := range changes {
		if err := root.set(r, strings.Split(ch.Path, "/"), ch.Data); err != nil {
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
	if err := r.Storer.SetReference(plumbing.NewHashReference(refName, hash)); err != nil {
		return plumbing.ZeroHash, err
	}
	return hash, nil
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
		w.Close()
		h, err := r.Storer.SetEncodedObject(obj)
		if err != nil {
			return err
		}
		delete(d.subdirs, name)
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

// IsAncestor reports whether a is an ancestor of (or equal to) b.
func IsAncestor(r *git.Repository, a, b plumbing.Hash) (bool, error) {
	if a == b {
		return true, nil
	}
	ca, err := r.CommitObject(a)
	if err != nil {
		return false, err
	}
	cb, err := r.CommitObject(b)
	if err != nil {
		return false, err
	}
	return ca.IsAncestor(cb)
}

// ChangedFiles lists the files that differ between two trees below prefix
// ("" for all), with renames detected as git does. Paths are repository
// paths. Either tree may be nil (empty).
func ChangedFiles(from, to *object.Tree, prefix string) ([]content.FileChange, error) {
	sub := func(t *object.Tree) (*object.Tree, error) {
		if t == nil || prefix == "" {
			return t, nil
		}
		s, err := t.Tree(prefix)
		if errors.Is(err, object.ErrDirectoryNotFound) {
			return nil, nil
		}
		return s, err
	}
	a, err := sub(from)
	if err != nil {
		return nil, err
	}
	b, err := sub(to)
	if err != nil {
		return nil, err
	}
	if a == nil && b == nil {
		return nil, nil
	}
	if a != nil && b != nil && a.Hash == b.Hash {
		return nil, nil
	}
	changes, err := object.DiffTreeWithOptions(context.Background(), a, b, object.DefaultDiffTreeOptions)
	if err != nil {
		return nil, err
	}
	out := make([]content.FileChange, 0, len(changes))
	for _, c := range changes {
		fc := content.FileChange{}
		if c.From.Name != "" {
			fc.From = content.Join(prefix, c.From.Name)
		}
		if c.To.Name != "" {
			fc.To = content.Join(prefix, c.To.Name)
		}
		out = append(out, fc)
	}
	return out, nil
}
