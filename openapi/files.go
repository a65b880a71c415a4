package openapi

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A spec is read from the repository and sent to GitBook: a path that
// leads out of it (../, an absolute path, a symlink) would publish
// whatever file it names. Every file read for a spec — the configured
// file, every file a $ref names — must be inside the repository once
// symlinks are resolved.

// repo reads the files of a spec from inside one directory.
type repo struct {
	root string // absolute, symlinks resolved
}

// errOutside is returned for a file that resolves outside the repository.
type errOutside struct{ path, resolved, root string }

func (e *errOutside) Error() string {
	if e.resolved != e.path {
		return fmt.Sprintf("%s resolves to %s, outside the repository (%s): only files inside it are read", e.path, e.resolved, e.root)
	}
	return fmt.Sprintf("%s is outside the repository (%s): only files inside it are read", e.path, e.root)
}

func newRepo(root string) (*repo, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("repository root: %w", err)
	}
	return &repo{root: resolved}, nil
}

// read returns the file at path (absolute, or relative to the working
// directory) and its resolved path, if it is inside the repository.
func (r *repo) read(path string) (string, []byte, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", nil, err
	}
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if !r.inside(abs) {
			// Not told whether a file outside exists.
			return "", nil, &errOutside{path: path, resolved: path, root: r.root}
		}
		return "", nil, err
	}
	if !r.inside(resolved) {
		return "", nil, &errOutside{path: path, resolved: resolved, root: r.root}
	}
	data, err := os.ReadFile(resolved)
	return resolved, data, err
}

func (r *repo) inside(p string) bool {
	rel, err := filepath.Rel(r.root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
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
