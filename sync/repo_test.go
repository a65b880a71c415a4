package sync

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitbook-sync/gitbook-sync/ci"
	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
)

// A branch is had when it is here or on origin (fetched then); it is
// missing only when that is known.
func TestHasBranch(t *testing.T) {
	t.Parallel()
	r := testrepo.New(t).Write(map[string]string{"README.md": "# Home\n"})
	head := r.Commit("first")
	bare := r.Bare()
	remote, err := git.PlainOpen(bare)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Storer.SetReference(plumbing.NewHashReference("refs/heads/docs", head)); err != nil {
		t.Fatal(err)
	}
	repo, err := OpenRepo(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for branch, want := range map[string]bool{"main": true, "docs": true, "nosuch": false} {
		if got, err := repo.HasBranch(ctx, &ci.Context{}, branch); got != want || err != nil {
			t.Errorf("%s: %v, %v; want %v", branch, got, err, want)
		}
	}
	if repo.Tip("docs") == nil {
		t.Error("origin's branch was not fetched")
	}

	// An origin that cannot be asked says why; no origin is a no.
	if err := r.Git.DeleteRemote("origin"); err != nil {
		t.Fatal(err)
	}
	if got, err := repo.HasBranch(ctx, &ci.Context{}, "other"); got || err != nil {
		t.Errorf("without origin: %v, %v", got, err)
	}
	if _, err := r.Git.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{filepath.Join(t.TempDir(), "gone.git")}}); err != nil {
		t.Fatal(err)
	}
	if got, err := repo.HasBranch(ctx, &ci.Context{}, "other"); got || err == nil {
		t.Errorf("unreachable origin: %v, %v", got, err)
	}
}
