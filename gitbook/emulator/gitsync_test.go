package emulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
)

// TestGitSyncInstalled: with GitBook's own Git Sync installed, GitBook
// imports every push to the branch and exports what is merged in GitBook
// as a GITBOOK-N commit by gitbook-bot, as its GitHub integration does.
func TestGitSyncInstalled(t *testing.T) {
	t.Parallel()
	repo := testrepo.New(t).Write(map[string]string{"docs/README.md": "# Home\n", "docs/SUMMARY.md": "* [Home](README.md)\n* [A](a.md)\n", "docs/a.md": "# A\n\nFirst.\n"})
	repo.Commit("docs")
	bare := repo.Bare()
	repo.Push()
	env, c := start(t, syncedSeed(bare, "docs"), emulator.Options{})
	env.Server.Wait() // installing Git Sync imports the branch

	info, err := c.GitInfo(ctx, "space-1")
	if err != nil {
		t.Fatal(err)
	}
	if info.InstallationProvider != "github" || info.Operation == nil || info.Operation.State != gitbook.OperationSuccess || info.Operation.Direction != "import" {
		t.Fatalf("git/info = %+v, want a successful import by GitHub Sync", info)
	}
	rev, _ := c.CurrentRevision(ctx, "space-1")
	if rev.Git == nil || rev.Git.OID != repo.Head().String() || rev.Git.CreatedByGitBook {
		t.Fatalf("revision git = %+v, want the pushed commit %s", rev.Git, repo.Head())
	}

	// A push is imported when GitBook looks at the branch.
	repo.Write(map[string]string{"docs/a.md": "# A\n\nSecond.\n"})
	pushed := repo.Commit("edit a")
	repo.Push()
	resp, err := http.Post(env.Root+"/_emulator/spaces/space-1/git-sync", "application/json", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("git-sync: %v %v", resp, err)
	}
	resp.Body.Close()
	rev, _ = c.CurrentRevision(ctx, "space-1")
	if rev.Git == nil || rev.Git.OID != pushed.String() {
		t.Fatalf("after a push the revision is %+v, want commit %s", rev.Git, pushed)
	}
	pages, _ := c.Pages(ctx, "space-1")
	if a, _ := c.PageMarkdown(ctx, "space-1", pages[1].ID); !strings.Contains(a.Markdown, "Second.") {
		t.Errorf("page A = %q, want the pushed text", a.Markdown)
	}

	// A merged change request is exported as GitBook's integration names it.
	cr, _ := c.CreateChangeRequest(ctx, "space-1", "Explain A")
	if _, err := c.ApplyChanges(ctx, "space-1", cr.ID, []gitbook.Change{{Operation: gitbook.OpUpdatePage, Page: pages[1].ID, Document: &gitbook.Markdown{Markdown: "Third.\n"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MergeChangeRequest(ctx, "space-1", cr.ID); err != nil {
		t.Fatal(err)
	}
	env.Server.Wait()
	head := headCommit(t, bare)
	if head.Message != "GITBOOK-1: Explain A" || head.Author.Name != "gitbook-bot" || head.ParentHashes[0] != pushed {
		t.Errorf("export commit %q by %s on %v, want GITBOOK-1: Explain A by gitbook-bot on %s", head.Message, head.Author.Name, head.ParentHashes, pushed)
	}
	if got := commitFiles(t, bare)["docs/a.md"]; got != "# A\n\nThird.\n" {
		t.Errorf("docs/a.md = %q", got)
	}
	rev, _ = c.CurrentRevision(ctx, "space-1")
	if rev.Git == nil || rev.Git.OID != head.Hash.String() || !rev.Git.CreatedByGitBook {
		t.Errorf("merged revision git = %+v, want GitBook's commit %s", rev.Git, head.Hash)
	}
	// GitBook does not import its own commit back.
	if err := env.Server.SyncNow("space-1"); err != nil {
		t.Fatal(err)
	}
	if again, _ := c.CurrentRevision(ctx, "space-1"); again.ID != rev.ID {
		t.Errorf("GitBook imported its own export (revision %s -> %s)", rev.ID, again.ID)
	}
}

// TestGitSyncPolls: with a poll interval GitBook notices pushes itself.
func TestGitSyncPolls(t *testing.T) {
	t.Parallel()
	repo := testrepo.New(t).Write(map[string]string{"README.md": "# Home\n"})
	repo.Commit("docs")
	bare := repo.Bare()
	repo.Push()
	srv, err := emulator.New(syncedSeed(bare, ""), emulator.Options{GitSyncPoll: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	repo.Write(map[string]string{"README.md": "# Welcome\n"})
	pushed := repo.Commit("rename")
	repo.Push()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		rec := httptestGet(t, srv, "/v1/spaces/space-1/content")
		var rev struct {
			Git struct {
				OID string `json:"oid"`
			} `json:"git"`
		}
		_ = json.Unmarshal(rec, &rev)
		if rev.Git.OID == pushed.String() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the push of %s was not imported", pushed)
}

// TestGitSyncSeed: Git Sync needs its repository; none is the default.
func TestGitSyncSeed(t *testing.T) {
	t.Parallel()
	seed := emulator.DefaultSeed()
	seed.Organizations[0].Spaces[0].GitSync = "gitlab"
	if _, err := emulator.New(seed, emulator.Options{}); err == nil || !strings.Contains(err.Error(), "needs repository") {
		t.Errorf("gitlab without a repository: %v", err)
	}
	_, c := start(t, emulator.Seed{}, emulator.Options{})
	if _, err := c.GitInfo(ctx, "space-1"); !gitbook.IsNotFound(err) {
		t.Errorf("git/info without Git Sync: %v, want 404", err)
	}
}
