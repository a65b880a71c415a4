package gitrepo

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/gitbook-sync/gitbook-sync/content"
)

// ErrOutside is returned for a path that leads out of the repository
// through a symbolic link.
var ErrOutside = errors.New("points outside the repository")

// maxLinks bounds the symbolic links followed for one path, as the kernel
// does (ELOOP).
const maxLinks = 40

// tree is one commit's files, looked up a directory at a time (a run
// reads a few hundred files of trees of tens of thousands). Its own walk,
// not go-git's TreeWalker, which refuses names git accepts (control
// characters and the like): every name git takes is a file here.
type tree struct {
	s     storer.EncodedObjectStorer
	mu    sync.Mutex
	dirs  map[string]*object.Tree // by path; "" is the root
	names map[*object.Tree]map[string]*object.TreeEntry
}

// find is the entry called name in directory d. (go-git's FindEntry
// refuses names git accepts.)
func (t *tree) find(d *object.Tree, name string) *object.TreeEntry {
	m, ok := t.names[d]
	if !ok {
		m = make(map[string]*object.TreeEntry, len(d.Entries))
		for i := range d.Entries {
			m[d.Entries[i].Name] = &d.Entries[i]
		}
		t.names[d] = m
	}
	return m[name]
}

// dir is the tree of directory p (no links followed), or nil.
func (t *tree) dir(p string) (*object.Tree, error) {
	if d, ok := t.dirs[p]; ok {
		return d, nil
	}
	parent, err := t.dir(content.Dir(p))
	if parent == nil || err != nil {
		return nil, err
	}
	var d *object.Tree
	if e := t.find(parent, path.Base(p)); e != nil && e.Mode == filemode.Dir {
		if d, err = object.GetTree(t.s, e.Hash); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	t.dirs[p] = d
	return d, nil
}

// entry is the entry at p (no links followed), or nil.
func (t *tree) entry(p string) (*object.TreeEntry, error) {
	d, err := t.dir(content.Dir(p))
	if d == nil || err != nil {
		return nil, err
	}
	return t.find(d, path.Base(p)), nil
}

// resolve follows the symbolic links in p, as reading the file in a
// checkout would, and returns the entry it names inside the repository
// (nil when there is none) and its path. A link that leads out of the
// repository is an error naming p.
func (t *tree) resolve(p string) (*object.TreeEntry, string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	clean := path.Clean("/" + p)[1:]
	if clean == "" {
		return &object.TreeEntry{Mode: filemode.Dir}, "", nil
	}
	rest := strings.Split(clean, "/")
	cur := ""
	var e *object.TreeEntry
	for hops := 0; len(rest) > 0; {
		next := content.Join(cur, rest[0])
		var err error
		if e, err = t.entry(next); e == nil || err != nil {
			return nil, next, err
		}
		switch {
		case e.Mode == filemode.Symlink:
			if hops++; hops > maxLinks {
				return nil, next, fmt.Errorf("%s: too many levels of symbolic links", p)
			}
			target, err := ReadBlob(t.s, e.Hash)
			if err != nil {
				return nil, next, fmt.Errorf("%s: read symbolic link %s: %w", p, next, err)
			}
			joined := path.Join(path.Dir(next), string(target))
			if path.IsAbs(string(target)) || joined == ".." || strings.HasPrefix(joined, "../") {
				return nil, next, fmt.Errorf("%s: symbolic link %s → %s %w", p, next, target, ErrOutside)
			}
			// Start again from the root with the link replaced.
			rest = append(strings.Split(path.Clean("/" + joined)[1:], "/"), rest[1:]...)
			rest = slices.DeleteFunc(rest, func(s string) bool { return s == "" })
			cur = ""
		case e.Mode != filemode.Dir && len(rest) > 1:
			return nil, next, nil // a file is no directory
		default:
			cur, rest = next, rest[1:]
		}
	}
	return e, cur, nil
}

// blob is the file p names after links, or fs.ErrNotExist.
func (t *tree) blob(p string) (plumbing.Hash, error) {
	e, _, err := t.resolve(p)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if e == nil || !e.Mode.IsFile() {
		return plumbing.ZeroHash, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
	}
	return e.Hash, nil
}

// files lists every file under directory tree d, as paths under dir.
func (t *tree) files(d *object.Tree, dir string, out []string) ([]string, error) {
	for _, e := range d.Entries {
		p := content.Join(dir, e.Name)
		switch {
		case e.Mode == filemode.Dir:
			sub, err := object.GetTree(t.s, e.Hash)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			if out, err = t.files(sub, p, out); err != nil {
				return nil, err
			}
		case e.Mode.IsFile():
			out = append(out, p)
		}
	}
	return out, nil
}

// TreeFiles gives content.Files over a tree. Symbolic links are followed
// within the repository, so a linked page reads as its target and pages
// under a linked folder are found; a link out of the repository is
// refused with an error naming the file (ErrOutside).
func TreeFiles(s storer.EncodedObjectStorer, root *object.Tree) content.Files {
	t := &tree{s: s, dirs: map[string]*object.Tree{"": root}, names: map[*object.Tree]map[string]*object.TreeEntry{}}
	return content.Files{
		Exists: func(p string) (bool, error) {
			_, err := t.blob(p)
			if errors.Is(err, fs.ErrNotExist) {
				return false, nil
			}
			return err == nil, err
		},
		Read: func(p string) ([]byte, error) {
			h, err := t.blob(p)
			if err != nil {
				return nil, err
			}
			return ReadBlob(s, h)
		},
		List: func(dir string) ([]string, error) {
			e, real, err := t.resolve(dir)
			if err != nil {
				return nil, err
			}
			if e == nil || e.Mode != filemode.Dir {
				return nil, fmt.Errorf("%s: %w", dir, fs.ErrNotExist)
			}
			t.mu.Lock()
			d, err := t.dir(real)
			t.mu.Unlock()
			if d == nil || err != nil {
				return nil, cmp.Or(err, fmt.Errorf("%s: %w", dir, fs.ErrNotExist))
			}
			return t.files(d, dir, nil)
		},
	}
}
