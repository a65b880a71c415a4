package emulator

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/gitformat"
	"github.com/gitbook-sync/gitbook-sync/internal/gitrepo"
	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
)

// TestExportRaceIsRefused: two exports read the branch at the same commit
// (two spaces synced to one repository). The second push is refused with
// the reason, as a Git host refuses a push that is not a fast-forward, and
// the first export's commit stays on the branch.
func TestExportRaceIsRefused(t *testing.T) {
	t.Parallel()
	repo := testrepo.New(t).Write(map[string]string{"one/README.md": "# One\n", "two/README.md": "# Two\n"})
	repo.Commit("docs")
	bare := repo.Bare()
	plan := func(dir, title string) *exportPlan {
		t.Helper()
		pages := []*page{{ID: "p", Kind: gitformat.KindDocument, Title: title, Document: "Edited.\n"}}
		x, err := planExport(gitRequest{URL: bare, Ref: "refs/heads/main", RepoProjectDirectory: dir}, pages, nil)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	first, second := plan("one", "One"), plan("two", "Two")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	hash, _, err := first.push("GITBOOK-1: one", now)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = second.push("GITBOOK-2: two", now)
	if !errors.Is(err, gitrepo.ErrBranchMoved) || !strings.Contains(opError(err), "rejected") {
		t.Errorf("second export: %v; want a refused push saying why", err)
	}
	r, err := gitrepo.OpenShared(bare)
	if err != nil {
		t.Fatal(err)
	}
	if ref, _ := r.Reference("refs/heads/main", true); ref.Hash() != hash {
		t.Errorf("main = %s, want the first export's commit %s", ref.Hash(), hash)
	}
}
