package sync_test

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// BenchmarkDiffCommits measures the offline page diff on the repository at
// $GITBOOK_SYNC_BENCH_REPO (bench/offline-plan.sh builds it from
// ../shared/bench/mkrepo.py: 20,000 pages, 701 changed files).
func BenchmarkDiffCommits(b *testing.B) {
	dir := os.Getenv("GITBOOK_SYNC_BENCH_REPO")
	if dir == "" {
		b.Skip("set GITBOOK_SYNC_BENCH_REPO (bench/offline-plan.sh does)")
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		// Opened each time, as the command line does: go-git's object cache
		// starts cold.
		repo, err := gbsync.OpenRepo(dir)
		if err != nil {
			b.Fatal(err)
		}
		r := repo.Git
		base, err := r.ResolveRevision(plumbing.Revision("base"))
		if err != nil {
			b.Fatal(err)
		}
		head, err := r.ResolveRevision(plumbing.Revision("HEAD"))
		if err != nil {
			b.Fatal(err)
		}
		bc, _ := r.CommitObject(*base)
		hc, _ := r.CommitObject(*head)
		d, err := repo.DiffCommits(bc, hc, "", false)
		if err != nil {
			b.Fatal(err)
		}
		if len(d.Pages) != 700 {
			b.Fatalf("%d page changes, want 700", len(d.Pages))
		}
	}
}

// TestDiffCommitsPacked: the page diff of a packed repository, read on
// several goroutines (SUMMARY.md past go-git's 16 KiB, so read from its
// pack file when read; pages stored as deltas), is each change as it is.
func TestDiffCommitsPacked(t *testing.T) {
	t.Parallel()
	r := testrepo.New(t)
	page := func(n int, head string) string {
		return fmt.Sprintf("---\ndescription: page %d\n---\n\n# %s\n\n%s", n, head, strings.Repeat("A line of text.\n", 20+n%7))
	}
	summary := func(paths []string, sub string) string {
		var b strings.Builder
		b.WriteString("# Table of contents\n\n* [Home](README.md)\n")
		for _, p := range paths {
			indent := ""
			if p == sub {
				indent = "  "
			}
			fmt.Fprintf(&b, "%s* [Page %s of the handbook](%s)\n", indent, strings.TrimSuffix(strings.TrimPrefix(p, "moved/"), ".md"), p)
		}
		return b.String()
	}
	files := map[string]string{"README.md": "# Home\n"}
	var paths []string
	for n := range 700 {
		p := fmt.Sprintf("p%03d.md", n)
		paths = append(paths, p)
		files[p] = page(n, fmt.Sprintf("Page %d", n))
	}
	files["SUMMARY.md"] = summary(paths, "")
	base := r.Write(files).Commit("base")

	paths[4] = "moved/p004.md"
	paths = slices.Delete(paths, 5, 6)
	paths = append(paths, "new.md")
	r.Write(map[string]string{
		"p001.md":       page(1, "Page 1") + "More.\nAnd more.\n",
		"p002.md":       page(2, "Chapter 2"),
		"p003.md":       strings.Replace(page(3, "Page 3"), "---\n\n", "title: Custom\n---\n\n", 1),
		"p004.md":       "",
		"moved/p004.md": files["p004.md"],
		"p005.md":       "",
		"new.md":        "# New\n\nFresh.\n",
		"SUMMARY.md":    summary(paths, "p007.md"), // now under p006
	})
	head := r.Commit("head")
	cmd := exec.Command("git", "gc", "-q")
	cmd.Dir = r.Dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git gc: %v\n%s", err, out)
	}
	repo, err := gbsync.OpenRepo(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	d, err := repo.DiffCommits(repo.Commit(base.String()), repo.Commit(head.String()), "", false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range d.Pages {
		s := fmt.Sprintf("%s %q %s +%d -%d", p.Op, p.Title, p.Path, p.Added, p.Removed)
		if p.OldPath != "" {
			s += " from " + p.OldPath
		}
		if p.Note != "" {
			s += " (" + p.Note + ")"
		}
		got = append(got, s)
	}
	want := []string{
		`modified "Page 1" p001.md +2 -0`,
		`modified "Chapter 2" p002.md +1 -1 (title was Page 2)`,
		`modified "Custom" p003.md +1 -0 (title was Page 3)`,
		`renamed "Page 4" moved/p004.md +0 -0 from p004.md`,
		`moved "Page p007 of the handbook" p007.md +0 -0 (now under p006.md)`,
		`added "New" new.md +3 -0`,
		`deleted "Page 5" p005.md +0 -31`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
