package gitrepo

import (
	"io/fs"
	"os"
	"testing"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"
)

// vanishing fails the first fails listings of a directory the way go-billy's
// ReadDir fails when an entry is renamed away while it is listed.
type vanishing struct {
	billy.Filesystem
	fails int
}

func (v *vanishing) ReadDir(p string) ([]os.FileInfo, error) {
	if v.fails > 0 {
		v.fails--
		return nil, &fs.PathError{Op: "lstat", Path: p + "/tmp_obj_123", Err: fs.ErrNotExist}
	}
	return v.Filesystem.ReadDir(p)
}

func TestSettledDirs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fails int
		mkdir bool
		want  int // entries listed, -1 for an error
	}{
		{"a listing that meets a vanished entry is taken again", 3, true, 1},
		{"a directory that is not there stays not there", 0, false, -1},
		{"a directory that keeps failing fails in the end", 1000, true, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memfs.New()
			if tc.mkdir {
				if err := mem.MkdirAll("objects/pack", 0o755); err != nil {
					t.Fatal(err)
				}
				f, _ := mem.Create("objects/pack/pack-1.pack")
				f.Close()
			}
			infos, err := settledDirs{&vanishing{mem, tc.fails}}.ReadDir("objects/pack")
			switch {
			case tc.want < 0 && err == nil:
				t.Fatalf("listed %d entries, want an error", len(infos))
			case tc.want >= 0 && (err != nil || len(infos) != tc.want):
				t.Fatalf("got %d entries, %v; want %d", len(infos), err, tc.want)
			}
		})
	}
}
