package gitformat

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/internal/testcorpus"
)

// DirFS reads a folder of the shared corpus in place. (Exported for the
// differential test, which is outside the package.)
type DirFS string

func (d DirFS) ReadFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(string(d), filepath.FromSlash(name)))
}

func (d DirFS) List(dir string) ([]string, error) {
	var out []string
	root := filepath.Join(string(d), filepath.FromSlash(dir))
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() {
			rel, _ := filepath.Rel(string(d), p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// keyIDs uses each key as its ID.
func keyIDs(key string) string { return key }

// publicDocsSpaces are the synced spaces of GitBook's docs repository, as
// its docs.yaml maps them.
var publicDocsSpaces = []string{"documentation", "developers", "changelog", "guides", "policies"}

// TestRoundTripPublicDocs imports each space of GitBook's own docs (written
// by GitBook's export) and exports it into an empty repository: every
// Markdown file must come back byte for byte.
func TestRoundTripPublicDocs(t *testing.T) {
	root := testcorpus.Path(t, "corpus/GitbookIO-public-docs")
	for _, space := range publicDocsSpaces {
		t.Run(space, func(t *testing.T) {
			t.Parallel()
			src := DirFS(root)
			proj, err := Read(src, space, keyIDs)
			if err != nil {
				t.Fatal(err)
			}
			changes, err := Write(nil, space, proj.Pages, proj.Files)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, c := range changes {
				if c.Data != nil {
					out[c.Path] = string(c.Data)
				}
			}
			files, _ := src.List(space)
			n := 0
			for _, f := range files {
				if path.Ext(f) != ".md" || strings.Contains(f, "/.gitbook/") {
					continue
				}
				n++
				want, _ := src.ReadFile(f)
				got, ok := out[f]
				switch {
				case !ok:
					t.Errorf("%s was not written back", f)
				case got != string(want):
					t.Errorf("%s differs:\n%s", f, firstDiff(string(want), got))
				}
			}
			for p := range out {
				if path.Ext(p) == ".md" {
					if _, err := src.ReadFile(p); errors.Is(err, fs.ErrNotExist) {
						t.Errorf("export wrote %s, which the repository does not have", p)
					}
				}
			}
			t.Logf("%d Markdown files, %d warnings", n, len(proj.Warnings))
		})
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n want: %s\n  got: %s", i+1, cut(w), cut(g))
		}
	}
	return "(same lines)"
}

func cut(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
