package content

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// ErrOutside matches the error of a path that leads out of the
// repository through a symbolic link.
var ErrOutside = errors.New("leads outside the repository")

// maxLinks bounds the symbolic links followed for one path, as the kernel
// does (ELOOP).
const maxLinks = 40

// ResolveLinks is the one rule for symbolic links in a repository, on a
// Git tree as in a checkout: p (slash-separated, relative to the
// repository root) with each link in it replaced by its target, as
// opening p in a checkout would, as long as every link stays inside the
// repository. A link whose target is absolute or climbs above the root is
// an error matching ErrOutside that names p, the link and its target.
// Links are resolved by name, as in the tree: an absolute target is
// outside even when a checkout happens to sit under it.
//
// readlink answers for a repository path without links whether it is a
// symbolic link, and its target; a path that does not exist is no link
// (the caller finds it missing when it reads the result).
func ResolveLinks(p string, readlink func(q string) (target string, isLink bool, err error)) (string, error) {
	rest := splitClean(p)
	cur := ""
	for hops := 0; len(rest) > 0; {
		next := Join(cur, rest[0])
		target, isLink, err := readlink(next)
		if err != nil {
			return "", err
		}
		if !isLink {
			cur, rest = next, rest[1:]
			continue
		}
		if hops++; hops > maxLinks {
			return "", fmt.Errorf("%s: too many levels of symbolic links", p)
		}
		joined := path.Join(path.Dir(next), target)
		if path.IsAbs(target) || joined == ".." || strings.HasPrefix(joined, "../") {
			err := fmt.Errorf("symbolic link %s → %s %w: only files inside it are read; link to a file inside it, or copy the file in", next, target, ErrOutside)
			if next != path.Clean(p) {
				err = fmt.Errorf("%s: %w", p, err)
			}
			return "", err
		}
		// Start again from the root with the link replaced.
		rest = append(splitClean(joined), rest[1:]...)
		cur = ""
	}
	return cur, nil
}

// splitClean splits a cleaned path into its elements; "" and "." have none.
func splitClean(p string) []string {
	c := path.Clean("/" + p)[1:]
	if c == "" {
		return nil
	}
	return strings.Split(c, "/")
}

// outsideDiag turns a read that left the repository into an error
// diagnostic at the place (file, line, col, field) that named the path.
func outsideDiag(err error, file string, line, col int, field string) (diag.Diagnostic, bool) {
	if !errors.Is(err, ErrOutside) {
		return diag.Diagnostic{}, false
	}
	d := diag.Errorf(file, line, col, "%v", err)
	d.Field = field
	return d, true
}

// ResolveOnDisk is ResolveLinks over a checkout opened as root: rel
// (slash-separated, relative to root) with its links followed, or an
// error matching ErrOutside.
func ResolveOnDisk(root *os.Root, rel string) (string, error) {
	return ResolveLinks(rel, func(q string) (string, bool, error) {
		name := filepath.FromSlash(q)
		if fi, err := root.Lstat(name); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return "", false, nil // missing, or no link: the read says so
		}
		target, err := root.Readlink(name)
		return filepath.ToSlash(target), err == nil, err
	})
}
