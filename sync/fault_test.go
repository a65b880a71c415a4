package sync_test

import (
	"context"
	"net/http"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"

	cfg "github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/httpfault"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// hooked is a client of the fixture's emulator whose requests go through
// wrap first.
func (f *fixture) hooked(wrap httpfault.Wrap) *gitbook.Client {
	f.t.Helper()
	c, err := gitbook.New(gitbook.Options{BaseURL: f.env.URL, Token: f.env.Token, HTTPClient: &http.Client{Transport: wrap(http.DefaultTransport)},
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func post(suffix string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, suffix)
	}
}

// pageOf finds the live page of a file.
func (f *fixture) pageOf(gitPath string) string {
	f.t.Helper()
	pages, err := f.c.Pages(ctx, "space-1")
	if err != nil {
		f.t.Fatal(err)
	}
	id := ""
	gitbook.Walk(pages, func(p *gitbook.Page, _ *gitbook.Page, _ int) {
		if p.Git != nil && p.Git.Path == gitPath {
			id = p.ID
		}
	})
	if id == "" {
		f.t.Fatalf("no live page for %s", gitPath)
	}
	return id
}

// The pages of a space compared through the API are read from the
// revision listed: a change request merged meanwhile (by the closed run
// of a pull request, at the same time as the push's run) makes another
// revision live, without the page, and the run still compares what it
// listed.
func TestBodiesAreReadFromTheRevisionListed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, apiSeed(), baseDocs)
	f.repo.Push()
	f.syncNow(cfg.Space{})
	// Edited in GitBook: the space records no commit, so its pages are
	// compared with HEAD's through the API.
	if _, err := f.env.Server.EditPage("space-1", "guide/usage.md", "", "# Usage\n\nEdited in GitBook.\n"); err != nil {
		t.Fatal(err)
	}
	install := f.pageOf("guide/install.md")
	opts := f.opts(true)
	readsInstall := func(r *http.Request) bool { return r.Method == http.MethodGet && path.Base(r.URL.Path) == install }
	opts.Client = f.hooked(httpfault.First(readsInstall, func(*http.Request) {
		cr, err := f.c.CreateChangeRequest(ctx, "space-1", "Drop the install guide")
		if err == nil {
			_, err = f.c.ApplyChanges(ctx, "space-1", cr.ID, []gitbook.Change{{Operation: gitbook.OpDeletePage, Page: install}})
		}
		if err == nil {
			_, err = f.c.MergeChangeRequest(ctx, "space-1", cr.ID)
		}
		if err != nil {
			t.Errorf("the merge at the same time: %v", err)
		}
	}))
	res := gbsync.Run(ctx, opts, []cfg.Space{{Space: "space-1", Path: "."}})[0]
	if res.Err != nil || res.State != gbsync.Diverged || res.DiffSource != "api" || diffString(res.Diff) != "modified guide/usage.md +1 -1" {
		t.Errorf("plan: %q via %q: %s; %s", res.State, res.DiffSource, diffString(res.Diff), res.ErrorText())
	}
}

// An import or a preview answered 503 may or may not have started. The
// space says: an import that shows (landed) is followed, one that does
// not is sent again; a preview, which nothing can show on a space without
// Git Sync, is never sent twice.
func TestOperationAnswered503(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		preview     bool
		carried     bool
		wantOutcome gbsync.Outcome
		wantImports int // that reached GitBook
	}{
		{name: "import, refused: sent again", wantOutcome: gbsync.Imported, wantImports: 1},
		{name: "import, carried out: followed", carried: true, wantOutcome: gbsync.Imported, wantImports: 1},
		{name: "preview, refused: not sent again", preview: true, wantOutcome: gbsync.Failed, wantImports: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, apiSeed(), baseDocs)
			f.repo.Push()
			f.syncNow(cfg.Space{})
			sp := cfg.Space{Space: "space-1", Path: "."}
			opts := f.opts(false)
			if tt.preview {
				wt, _ := f.repo.Git.Worktree()
				if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("preview-me"), Create: true}); err != nil {
					t.Fatal(err)
				}
				f.repo.Write(map[string]string{"guide/usage.md": "# Usage\n\nPreviewed.\n"})
				f.repo.Commit("preview")
				if err := f.repo.Git.Push(&git.PushOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{"refs/heads/preview-me:refs/heads/preview-me"}}); err != nil {
					t.Fatal(err)
				}
				opts = f.opts(false)
				opts.PullRequest = &gbsync.PullRequest{URL: "https://github.com/acme/docs/pull/5", Number: 5, State: gbsync.PROpen, Branch: "preview-me", BaseSHA: "main"}
				sp.Preview = "standalone"
			} else {
				f.commitAndPush(map[string]string{"guide/usage.md": "# Usage\n\nUse it well.\n"}, "edit")
				opts = f.opts(false)
			}
			opts.Client = f.hooked(httpfault.Answer503(post("/git/import"), tt.carried))
			f.env.Server.ResetRequests()
			res := gbsync.Run(ctx, opts, []cfg.Space{sp})[0]
			f.env.Server.Wait()
			if res.Outcome != tt.wantOutcome {
				t.Errorf("outcome %q, want %q: %s %s", res.Outcome, tt.wantOutcome, res.Reason(), res.ErrorText())
			}
			imports := 0
			for _, w := range writes(f.env) {
				if strings.HasSuffix(w, "/git/import") {
					imports++
				}
			}
			if imports != tt.wantImports {
				t.Errorf("%d imports reached GitBook, want %d", imports, tt.wantImports)
			}
			if tt.wantOutcome == gbsync.Failed && !strings.Contains(res.ErrorText(), "outcome is unknown") {
				t.Errorf("error %q does not say the outcome is unknown", res.ErrorText())
			}
			if !tt.preview {
				if rev, _ := f.c.CurrentRevision(ctx, "space-1"); rev.Git == nil || rev.Git.OID != f.repo.Head().String() {
					t.Errorf("the space is at %+v, want %s", rev.Git, f.repo.Head())
				}
			}
		})
	}
}

// A space's error never names the space: the report, the terminal and
// the comment put each error under its space already.
func TestErrorsDoNotNameTheirSpace(t *testing.T) {
	t.Parallel()
	f := newFixture(t, apiSeed(), baseDocs)
	f.repo.Push()
	f.syncNow(cfg.Space{})
	f.repo.Write(map[string]string{"guide/usage.md": "# Usage\n\nUse it well.\n"})
	f.repo.Commit("better usage")
	tests := []struct {
		name string
		sp   cfg.Space
		pr   *gbsync.PullRequest
	}{
		{"the space cannot be read", cfg.Space{Space: "space-404", Path: "."}, nil},
		{"the change request cannot be made", cfg.Space{Space: "space-1", Path: ".", Organization: "org-1", Reviewers: []string{"nobody@example.com"}},
			&gbsync.PullRequest{URL: "https://github.com/acme/docs/pull/3", Title: "Better usage", Number: 3, State: gbsync.PROpen, BaseSHA: "main"}},
	}
	for _, tt := range tests {
		opts := f.opts(false)
		opts.PullRequest = tt.pr
		res := gbsync.Run(ctx, opts, []cfg.Space{tt.sp})[0]
		if res.Outcome != gbsync.Failed || strings.Contains(res.ErrorText(), "space "+tt.sp.Space+":") {
			t.Errorf("%s: %q, error %q names its space", tt.name, res.Outcome, res.ErrorText())
		}
	}
}
