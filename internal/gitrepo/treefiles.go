package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
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
		Resolve: func(p string) (string, string, error) {
			e, real, err := t.resolve(p)
			if err != nil {
				return "", "", err
			}
			if e == nil || !e.Mode.IsFile() {
				return "", "", fmt.Errorf("%s: %w", p, fs.ErrNotExist)
			}
			return real, e.Hash.String(), nil
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

// TakingTurns is s for goroutines that read it at once, as go-git's
// object store is not safe for concurrent use: each object lookup holds
// mu, and the object comes back whole, so that reading and decoding it
// needs no lock. (go-git reads a large packed object from its pack file
// only when the object is read.) It is for reading: iterating over the
// objects is refused.
func TakingTurns(s storer.EncodedObjectStorer, mu sync.Locker) storer.EncodedObjectStorer {
	return takingTurns{s, mu}
}

type takingTurns struct {
	storer.EncodedObjectStorer
	mu sync.Locker
}

func (s takingTurns) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.EncodedObjectStorer.EncodedObject(t, h)
	if err != nil {
		return nil, err
	}
	if _, ok := o.(*plumbing.MemoryObject); ok {
		// In memory already. Decoding asks for its hash, which a
		// MemoryObject computes and stores on first use, while go-git's
		// cache may hand the same object to other readers: the hash is
		// h, given without touching the object.
		return hashed{o, h}, nil
	}
	r, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data := make([]byte, o.Size())
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("read object %s: %w", h, err)
	}
	return &whole{o.Type(), h, data}, nil
}

// hashed is an object whose hash is known.
type hashed struct {
	plumbing.EncodedObject
	h plumbing.Hash
}

func (o hashed) Hash() plumbing.Hash { return o.h }

// whole is an object read into memory, for reading only.
type whole struct {
	t    plumbing.ObjectType
	h    plumbing.Hash
	data []byte
}

func (o *whole) Hash() plumbing.Hash            { return o.h }
func (o *whole) Type() plumbing.ObjectType      { return o.t }
func (o *whole) SetType(plumbing.ObjectType)    {}
func (o *whole) Size() int64                    { return int64(len(o.data)) }
func (o *whole) SetSize(int64)                  {}
func (o *whole) Reader() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(o.data)), nil }
func (o *whole) Writer() (io.WriteCloser, error) {
	return nil, errors.New("gitrepo: object is read-only")
}

func (s takingTurns) HasEncodedObject(h plumbing.Hash) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.EncodedObjectStorer.HasEncodedObject(h)
}

func (s takingTurns) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.EncodedObjectStorer.EncodedObjectSize(h)
}

func (s takingTurns) SetEncodedObject(o plumbing.EncodedObject) (plumbing.Hash, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.EncodedObjectStorer.SetEncodedObject(o)
}

func (s takingTurns) AddAlternate(remote string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.EncodedObjectStorer.AddAlternate(remote)
}

var errIterShared = errors.New("gitrepo: a store read by goroutines taking turns cannot be iterated")

func (s takingTurns) IterEncodedObjects(plumbing.ObjectType) (storer.EncodedObjectIter, error) {
	return nil, errIterShared
}

// Symlinks lists the paths of the symbolic links in tree, in tree order.
// It reads every directory's tree object once (a few milliseconds for a
// tree of tens of thousands of files) and no blob.
func Symlinks(s storer.EncodedObjectStorer, tree *object.Tree) ([]string, error) {
	var out []string
	var walk func(t *object.Tree, dir string) error
	walk = func(t *object.Tree, dir string) error {
		for _, e := range t.Entries {
			switch e.Mode {
			case filemode.Symlink:
				out = append(out, content.Join(dir, e.Name))
			case filemode.Dir:
				sub, err := object.GetTree(s, e.Hash)
				if err != nil {
					return fmt.Errorf("%s: %w", content.Join(dir, e.Name), err)
				}
				if err := walk(sub, content.Join(dir, e.Name)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return out, walk(tree, "")
}

// ChangedPaths lists the paths of the files that differ between trees
// from and to (either may be nil), without looking for renames.
func ChangedPaths(s storer.EncodedObjectStorer, from, to *object.Tree) ([]string, error) {
	var out []string
	err := diffTrees(s, from, to, "", func(a, b side) {
		for _, p := range []string{a.path, b.path} {
			if p != "" {
				out = append(out, p)
			}
		}
	})
	return out, err
}
