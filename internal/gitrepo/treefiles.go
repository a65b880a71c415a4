package gitrepo

import (
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

// resolve follows the symbolic links in p by content.ResolveLinks and
// returns the entry it names inside the repository (nil when there is
// none) and its path.
func (t *tree) resolve(p string) (*object.TreeEntry, string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	real, err := content.ResolveLinks(p, func(q string) (string, bool, error) {
		e, err := t.entry(q)
		if e == nil || e.Mode != filemode.Symlink || err != nil {
			return "", false, err
		}
		target, err := ReadBlob(t.s, e.Hash)
		if err != nil {
			return "", false, fmt.Errorf("%s: read symbolic link %s: %w", p, q, err)
		}
		return string(target), true, nil
	})
	if err != nil {
		return nil, "", err
	}
	if real == "" {
		return &object.TreeEntry{Mode: filemode.Dir}, "", nil
	}
	e, err := t.entry(real)
	return e, real, err
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

// maxLinkedDirs bounds the linked folders one listing enters: links to
// links to folders multiply, and a hostile tree could otherwise list
// without end.
const maxLinkedDirs = 1000

// lister lists the files below a directory, in tree order.
type lister struct {
	t       *tree
	walking []string // the directories being listed, by their real path
	linked  int
	out     []string
}

// files lists every file under the directory at real, as paths under
// dir (the name it was reached by). A symbolic link to a directory inside
// the repository is entered, as a checkout shows it, unless it leads back
// to a directory being listed (a loop); any other link is listed as a
// file, and reading it says what it is.
func (l *lister) files(real, dir string) error {
	l.t.mu.Lock()
	d, err := l.t.dir(real)
	l.t.mu.Unlock()
	if d == nil || err != nil {
		return err
	}
	l.walking = append(l.walking, real)
	defer func() { l.walking = l.walking[:len(l.walking)-1] }()
	for _, e := range d.Entries {
		p := content.Join(dir, e.Name)
		switch {
		case e.Mode == filemode.Dir:
			err = l.files(content.Join(real, e.Name), p)
		case e.Mode == filemode.Symlink:
			err = l.link(content.Join(real, e.Name), p)
		case e.Mode.IsFile():
			l.out = append(l.out, p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (l *lister) link(real, p string) error {
	target, targetReal, err := l.t.resolve(real)
	if err != nil || target == nil || target.Mode != filemode.Dir {
		l.out = append(l.out, p)
		return nil
	}
	if l.loops(targetReal) {
		return nil
	}
	if l.linked++; l.linked > maxLinkedDirs {
		return fmt.Errorf("%s: more than %d symbolic links to folders in one listing", p, maxLinkedDirs)
	}
	return l.files(targetReal, p)
}

// loops reports whether listing directory d would never end: d is a
// directory being listed, or one of their parents.
func (l *lister) loops(d string) bool {
	return slices.ContainsFunc(l.walking, func(w string) bool {
		return d == "" || w == d || strings.HasPrefix(w, d+"/")
	})
}

// TreeFiles gives content.Files over a tree. Symbolic links are followed
// within the repository (content.ResolveLinks), so a linked page reads as
// its target and pages under a linked folder are found and listed; a link
// out of the repository is refused with an error naming the file
// (content.ErrOutside).
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
			l := &lister{t: t}
			err = l.files(real, content.Join(dir))
			return l.out, err
		},
	}
}
