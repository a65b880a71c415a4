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
// change to the page the link is: Git lists only the target.
func TestDiffCommitsSeesEditsBehindLinks(t *testing.T) {
	t.Parallel()
	r := testrepo.New(t)
	base := r.Write(map[string]string{
		"README.md":        "# Home\n",
		"SUMMARY.md":       "* [Home](README.md)\n* [Shared](shared.md)\n* [Guide](guide/intro.md)\n* [Same](same.md)\n",
		"common/shared.md": "# Shared\n\nOne.\n",
		"common/intro.md":  "# Guide\n\nStart.\n",
		"common/notes.txt": "not a page\n",
		"same.md":          "# Same\n",
	})
	for link, target := range map[string]string{"shared.md": "common/shared.md", "guide": "common"} {
		if err := os.Symlink(target, filepath.Join(r.Dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	baseC := base.Commit("base")
	r.Write(map[string]string{
		"common/shared.md": "# Shared\n\nOne.\nTwo.\n",
		"common/intro.md":  "# Guide\n\nBegin.\n",
		"common/notes.txt": "still not a page\n",
	})
	headC := r.Commit("edit the targets")
	repo, err := gbsync.OpenRepo(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	d, err := repo.DiffCommits(repo.Commit(baseC.String()), repo.Commit(headC.String()), "", false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range d.Pages {
		got = append(got, fmt.Sprintf("%s %s +%d -%d", p.Op, p.Path, p.Added, p.Removed))
	}
	want := []string{"modified shared.md +1 -0", "modified guide/intro.md +1 -1"}
	if !slices.Equal(got, want) {
		t.Errorf("pages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(d.NotPages) != 0 {
		t.Errorf("targets shown through their links reported as not pages: %v", d.NotPages)
	}
}
