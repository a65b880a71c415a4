package content

import (
	"errors"
	"io/fs"
	"os"
	"path"
)

// DirFiles gives Files over a directory on disk, such as a working copy,
// opened by the caller with os.OpenRoot (and closed when done). Reads go
// through the root, so no path, however written and whatever link it
// meets, reads outside it; Symlink reports links, which Load refuses as
// GitBook (reading the Git tree) would not follow them.
func DirFiles(root *os.Root) Files {
	name := func(p string) string {
		if p == "" {
			return "."
		}
		return p
	}
	return Files{
		Read: func(p string) ([]byte, error) { return root.ReadFile(name(p)) },
		Exists: func(p string) (bool, error) {
			fi, err := root.Stat(name(p))
			if errors.Is(err, fs.ErrNotExist) {
				return false, nil
			}
			return err == nil && fi.Mode().IsRegular(), err
		},
		Symlink: func(p string) (bool, error) {
			fi, err := root.Lstat(name(p))
			if errors.Is(err, fs.ErrNotExist) {
				return false, nil
			}
			return err == nil && fi.Mode()&fs.ModeSymlink != 0, err
		},
		List: func(d string) ([]string, error) {
			var out []string
			err := fs.WalkDir(root.FS(), name(d), func(p string, e fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if e.Type().IsRegular() {
					out = append(out, path.Clean(p))
				}
				return nil
			})
			return out, err
		},
	}
}
