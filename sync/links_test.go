package sync_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// An edit to the target of a symbolic link, with the link unchanged, is a
// change to the page the link is: Git lists only the target, wherever it
// is.
func TestDiffCommitsSeesEditsBehindLinks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		dir      string
		files    map[string]string
		links    map[string]string // link → target, as written
		edit     map[string]string // "" deletes
		want     []string
		notPages []string
		diags    string
	}{
		{
			name: "a linked page and a page under a linked folder",
			files: map[string]string{
				"README.md":        "# Home\n",
				"SUMMARY.md":       "* [Home](README.md)\n* [Shared](shared.md)\n* [Guide](guide/intro.md)\n* [Same](same.md)\n",
				"common/shared.md": "# Shared\n\nOne.\n", "common/intro.md": "# Guide\n\nStart.\n", "same.md": "# Same\n",
				"copy.md": "# Other\n",
			},
			links: map[string]string{"shared.md": "common/shared.md", "guide": "common"},
			edit: map[string]string{"common/shared.md": "# Shared\n\nOne.\nTwo.\n", "common/intro.md": "# Guide\n\nBegin.\n",
				"copy.md": "# Shared\n\nOne.\nTwo.\n"}, // the target's new text, in a file no entry lists
			want:     []string{"modified shared.md +1 -0", "modified guide/intro.md +1 -1"},
			notPages: []string{"copy.md"},
		},
		{
			name: "the target outside the project's directory",
			dir:  "docs",
			files: map[string]string{
				"docs/README.md": "# Home\n", "docs/SUMMARY.md": "* [Home](README.md)\n* [Shared](shared.md)\n",
				"common/shared.md": "# Shared\n\nOne.\n",
			},
			links: map[string]string{"docs/shared.md": "../common/shared.md"},
			edit:  map[string]string{"common/shared.md": "# Shared\n\nTwo.\n"},
			want:  []string{"modified shared.md +1 -1"},
		},
		{
			name: "a root set in .gitbook.yaml",
			files: map[string]string{
				".gitbook.yaml": "root: ./content/\n", "content/README.md": "# Home\n",
				"content/SUMMARY.md":       "* [Home](README.md)\n* [Shared](shared.md)\n",
				"content/common/shared.md": "# Shared\n\nOne.\n",
			},
			links: map[string]string{"content/shared.md": "common/shared.md"},
			edit:  map[string]string{"content/common/shared.md": "# Shared\n\nOne.\nTwo.\n"},
			want:  []string{"modified shared.md +1 -0"},
		},
		{
			name: "the target deleted, the link left",
			files: map[string]string{
				"README.md": "# Home\n", "SUMMARY.md": "* [Home](README.md)\n* [Shared](shared.md)\n",
				"common/shared.md": "# Shared\n\nOne.\n",
			},
			links: map[string]string{"shared.md": "common/shared.md"},
			edit:  map[string]string{"common/shared.md": ""},
			want:  []string{"deleted shared.md +0 -3"},
			diags: "shared.md does not exist",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := testrepo.New(t).Write(tt.files)
			for link, target := range tt.links {
				if err := os.Symlink(target, filepath.Join(r.Dir, link)); err != nil {
					t.Fatal(err)
				}
			}
			base := r.Commit("base")
			r.Write(tt.edit)
			head := r.Commit("edit the targets")
			repo, err := gbsync.OpenRepo(r.Dir)
			if err != nil {
				t.Fatal(err)
			}
			d, err := repo.DiffCommits(repo.Commit(base.String()), repo.Commit(head.String()), tt.dir, false)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range d.Pages {
				got = append(got, fmt.Sprintf("%s %s +%d -%d", p.Op, p.Path, p.Added, p.Removed))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("pages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if !slices.Equal(d.NotPages, tt.notPages) {
				t.Errorf("not pages: %v, want %v", d.NotPages, tt.notPages)
			}
			if diags := fmt.Sprint(d.Diagnostics); !strings.Contains(diags, tt.diags) {
				t.Errorf("diagnostics %s lack %q", diags, tt.diags)
			}
		})
	}
}
