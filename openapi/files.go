package openapi

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gitbook-sync/gitbook-sync/content"
)

// A spec is read from the repository and sent to GitBook: a path that
// leads out of it (../, an absolute path, a symlink) would publish
// whatever file it names. Every file read for a spec — the configured
// file, every file a $ref names — follows the repository's one rule for
// symbolic links (content.ResolveOnDisk): links are followed by name and
// must stay inside, as they would in GitBook's copy of the repository,
// and the read itself goes through an os.Root, so that nothing swapped in
// between the check and the read can lead out.

// repo reads the files of a spec from inside one directory.
type repo struct {
	dir string // absolute
}

// errOutside is returned for a file that is outside the repository.
type errOutside struct {
	path, dir string
	link      error // the link that leads out, when one does
}

func (e *errOutside) Error() string {
	if e.link != nil {
		return e.link.Error() // names the file, from the repository's root
	}
	return fmt.Sprintf("%s is outside the repository (%s): only files inside it are read", e.path, e.dir)
}

func newRepo(dir string) (*repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("repository root: %w", err)
	}
	return &repo{dir: abs}, nil
}

// read returns the file at path (absolute, or relative to the working
// directory) and the absolute path it was read from once links are
// followed, if it is inside the repository.
func (r *repo) read(path string) (string, []byte, error) {
	var data []byte
	resolved, err := r.within(path, func(root *os.Root, name string) (err error) {
		data, err = root.ReadFile(name)
		return err
	})
	return resolved, data, err
}

// open is read for a file to be read as it is parsed; the caller closes
// it.
func (r *repo) open(path string) (string, *os.File, error) {
	var f *os.File
	resolved, err := r.within(path, func(root *os.Root, name string) (err error) {
		f, err = root.Open(name)
		return err
	})
	return resolved, f, err
}

// within finds the file at path inside the repository, following links,
// and has do read it there: name is its path under root. It returns the
// absolute path of the file.
func (r *repo) within(path string, do func(root *os.Root, name string) error) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	rel, ok := r.rel(abs)
	if !ok {
		// Not told whether a file outside exists.
		return "", &errOutside{path: path, dir: r.dir}
	}
	// Opened for each read: a spec reads a few files, and a Checked spec
	// holds no descriptor until its model is built.
	root, err := os.OpenRoot(r.dir)
	if err != nil {
		return "", fmt.Errorf("repository root: %w", err)
	}
	defer root.Close()
	resolved, err := content.ResolveOnDisk(root, filepath.ToSlash(rel))
	if errors.Is(err, content.ErrOutside) {
		return "", &errOutside{path: path, dir: r.dir, link: err}
	}
	if err != nil {
		return "", err
	}
	name := filepath.FromSlash(resolved)
	return filepath.Join(r.dir, name), do(root, name)
}

// rel is abs relative to the repository's root, when it is under it. The
// root may be spelt through a link above it (on macOS /tmp is /private/tmp:
// a root from git rev-parse and a path from the working directory differ),
// so when abs is not under the root by name, the directory above it that
// is the root itself is looked for, from the top down. Links below that
// point follow the repository's rule, by name.
func (r *repo) rel(abs string) (string, bool) {
	if rel, ok := under(r.dir, abs); ok {
		return rel, true
	}
	root, err := os.Stat(r.dir)
	if err != nil {
		return "", false
	}
	var above []string
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		above = append(above, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	for _, d := range slices.Backward(above) {
		if fi, err := os.Stat(d); err == nil && os.SameFile(fi, root) {
			return under(d, abs)
		}
	}
	return "", false
}

func under(dir, p string) (string, bool) {
	rel, err := filepath.Rel(dir, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return rel, true
}

// RepositoryRoot is the git work tree that holds path (the nearest
// directory above it with a .git entry), or path's directory when there
// is none: the default boundary for the files a spec may read.
func RepositoryRoot(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Dir(path)
	}
	start := filepath.Dir(abs)
	for dir := start; ; dir = filepath.Dir(dir) {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		} else if !errors.Is(err, os.ErrNotExist) {
			return start
		}
		if filepath.Dir(dir) == dir {
			return start
		}
	}
}
