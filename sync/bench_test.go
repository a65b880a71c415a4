package sync_test

import (
	"os"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

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
