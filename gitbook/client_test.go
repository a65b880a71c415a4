package gitbook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/emulatortest"
	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
)

func waitOp(t *testing.T, c *gitbook.Client, space string) *gitbook.GitOperation {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < 500; i++ {
		info, err := c.GitInfo(ctx, space)
		if err != nil {
			t.Fatal(err)
		}
		if info.Operation != nil && info.Operation.State != gitbook.OperationRunning {
			return info.Operation
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("operation did not finish")
	return nil
}

func docsRepo(t *testing.T) *testrepo.Repo {
	r := testrepo.New(t)
	r.Write(map[string]string{
		"README.md":               "# Welcome\n\nHello.\n",
		"SUMMARY.md":              "# Table of contents\n\n* [Welcome](README.md)\n* [Guide](guide/README.md)\n  * [Install](guide/install.md)\n",
		"guide/README.md":         "# Guide\n",
		"guide/install.md":        "---\ndescription: How to install\n---\n\n# Install\n\nRun it.\n",
		".gitbook/assets/a.png":   "PNG",
		"notes/not-in-summary.md": "# Orphan\n",
	})
	r.Commit("initial docs")
	return r
}

// TestEveryEndpoint drives each client method against the emulator with the
// contract checked on both sides.
func TestEveryEndpoint(t *testing.T) {
	env := emulatortest.Start(t, emulator.Seed{}, emulator.Options{})
	c := env.Client(t, nil)
	ctx := context.Background()
	repo := docsRepo(t)
	bare := repo.Bare()
	repo.Push()

	sp, err := c.Space(ctx, "space-1")
	if err != nil || sp.Title != "Docs" {
		t.Fatalf("Space = %+v, %v", sp, err)
	}
	// Without GitBook's Git Sync (the default), git/info answers 404 and
	// imports are followed through the space's revision.
	if info, err := c.GitInfo(ctx, "space-1"); !errors.Is(err, gitbook.ErrNoGitProvider) {
		t.Fatalf("GitInfo = %+v, %v", info, err)
	}
	if err := c.Import(ctx, "space-1", gitbook.ImportRequest{URL: "file://" + bare, Ref: "refs/heads/main"}); err != nil {
		t.Fatal(err)
	}
	env.Server.Wait()
	rev, err := c.CurrentRevision(ctx, "space-1")
	if err != nil {
		t.Fatal(err)
	}
	if rev.Git == nil || rev.Git.OID != repo.Head().String() || rev.Git.CreatedByGitBook || rev.Git.Message != "initial docs" {
		t.Fatalf("revision git = %+v, want commit %s", rev.Git, repo.Head())
	}
	pages, err := c.Pages(ctx, "space-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := treeString(pages); got != "Welcome(README.md) Guide(guide/README.md)[Install(guide/install.md)]" {
		t.Fatalf("pages = %s", got)
	}
	install := pages[1].Pages[0]
	pm, err := c.PageMarkdown(ctx, "space-1", install.ID)
	if err != nil || !strings.Contains(pm.Markdown, "Run it.") || pm.Description != "How to install" {
		t.Fatalf("PageMarkdown = %+v, %v", pm, err)
	}

	cr, err := c.CreateChangeRequest(ctx, "space-1", "Update install guide")
	if err != nil || cr.Number != 1 || cr.Status != gitbook.CROpen {
		t.Fatalf("CreateChangeRequest = %+v, %v", cr, err)
	}
	subject := "Update install guide (#7)"
	cr, err = c.UpdateChangeRequest(ctx, "space-1", cr.ID, gitbook.ChangeRequestUpdate{Subject: &subject,
		Links: []gitbook.ChangeRequestLink{gitbook.NewLink("https://github.com/acme/docs/pull/7", "PR #7")}})
	if err != nil || cr.Subject != subject || len(cr.Links) != 1 || cr.Links[0].Ref.URL != "https://github.com/acme/docs/pull/7" {
		t.Fatalf("UpdateChangeRequest = %+v, %v", cr, err)
	}
	upd, err := c.ApplyChanges(ctx, "space-1", cr.ID, []gitbook.Change{
		{Operation: gitbook.OpUpdatePage, Page: install.ID, Document: &gitbook.Markdown{Markdown: "# Install\n\nRun it twice.\n"}},
		{Operation: gitbook.OpInsertPage, Ref: "faq", Title: "FAQ", Into: gitbook.Into(pages[1].ID), Document: &gitbook.Markdown{Markdown: "# FAQ\n"}},
		{Operation: gitbook.OpInsertFiles, Files: []gitbook.FileUpload{{Name: "b.png", ContentType: "image/png", Base64: "UE5H"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(upd.Changes) != 2 || upd.Changes[0].PageID() != install.ID || upd.Changes[1].Ref != "faq" || len(upd.InsertedFiles) != 1 {
		t.Fatalf("ApplyChanges = %+v", upd)
	}
	crPages, err := c.ChangeRequestPages(ctx, "space-1", cr.ID)
	if err != nil || treeString(crPages) != "Welcome(README.md) Guide(guide/README.md)[Install(guide/install.md) FAQ()]" {
		t.Fatalf("ChangeRequestPages = %s, %v", treeString(crPages), err)
	}
	crPage, err := c.ChangeRequestPageMarkdown(ctx, "space-1", cr.ID, install.ID)
	if err != nil || !strings.Contains(crPage.Markdown, "twice") {
		t.Fatalf("ChangeRequestPageMarkdown = %+v, %v", crPage, err)
	}
	if crRev, err := c.ChangeRequestRevision(ctx, "space-1", cr.ID); err != nil || crRev.ID != upd.ChangeRequest.Revision {
		t.Fatalf("ChangeRequestRevision = %v, %v", crRev, err)
	}
	members, err := c.Members(ctx, "org-1", "reviewer@")
	if err != nil || len(members) != 1 || members[0].ID != "user-1" {
		t.Fatalf("Members = %+v, %v", members, err)
	}
	if _, err := c.RequestReviewers(ctx, "space-1", cr.ID, []string{members[0].ID}); err != nil {
		t.Fatal(err)
	}
	if rr, err := c.RequestedReviewers(ctx, "space-1", cr.ID); err != nil || len(rr) != 1 || rr[0].User.ID != "user-1" {
		t.Fatalf("RequestedReviewers = %+v, %v", rr, err)
	}
	if _, err := c.SubmitReview(ctx, "space-1", cr.ID, gitbook.ReviewApproved); err != nil {
		t.Fatal(err)
	}
	if rv, err := c.Reviews(ctx, "space-1", cr.ID); err != nil || len(rv) != 1 || rv[0].Status != gitbook.ReviewApproved {
		t.Fatalf("Reviews = %+v, %v", rv, err)
	}
	if list, err := c.ChangeRequests(ctx, "space-1", ""); err != nil || len(list) != 1 {
		t.Fatalf("ChangeRequests = %+v, %v", list, err)
	}
	if got, err := c.ChangeRequest(ctx, "space-1", "1"); err != nil || got.ID != cr.ID {
		t.Fatalf("ChangeRequest by number = %+v, %v", got, err)
	}
	// Live moves on: the change request is outdated until it is brought
	// up to date with it.
	if _, err := env.Server.EditPage("space-1", "README.md", "", "# Welcome\n\nEdited live.\n"); err != nil {
		t.Fatal(err)
	}
	if got, err := c.ChangeRequest(ctx, "space-1", cr.ID); err != nil || !got.Outdated {
		t.Fatalf("after a live edit: %+v, %v; want outdated", got, err)
	}
	rb, err := c.RebaseChangeRequest(ctx, "space-1", cr.ID)
	if err != nil || rb.Result != gitbook.RebaseDone || rb.Revision == upd.ChangeRequest.Revision {
		t.Fatalf("RebaseChangeRequest = %+v, %v", rb, err)
	}
	if got, err := c.ChangeRequest(ctx, "space-1", cr.ID); err != nil || got.Outdated || got.Revision != rb.Revision {
		t.Fatalf("after the rebase: %+v, %v", got, err)
	}
	m, err := c.MergeChangeRequest(ctx, "space-1", cr.ID)
	if err != nil || m.Result != "merge" {
		t.Fatalf("Merge = %+v, %v", m, err)
	}
	live, err := c.CurrentRevision(ctx, "space-1")
	if err != nil || live.Type != "merge" || live.Git != nil || live.MergedFrom == nil || live.MergedFrom.Number != 1 {
		t.Fatalf("revision after merge = %+v, %v", live, err)
	}
	// A revision keeps its pages whatever came after: the live content's
	// before the merge, and a change request's own (GitBook's renderer
	// reads a change request's pages by its revision).
	for _, tt := range []struct{ revision, want string }{
		{rev.ID, "Run it."}, {upd.ChangeRequest.Revision, "Run it twice."}, {live.ID, "Run it twice."}} {
		if p, err := c.RevisionPageMarkdown(ctx, "space-1", tt.revision, install.ID); err != nil || !strings.Contains(p.Markdown, tt.want) || p.ID != install.ID {
			t.Errorf("RevisionPageMarkdown(%s) = %+v, %v; want %q", tt.revision, p, err, tt.want)
		}
	}
	if _, err := c.RevisionPageMarkdown(ctx, "space-1", "rev-none", install.ID); !gitbook.IsNotFound(err) {
		t.Errorf("RevisionPageMarkdown of an unknown revision: %v, want 404", err)
	}
	ids := []string{install.ID, pages[0].ID}
	if bodies, err := c.RevisionPagesMarkdown(ctx, "space-1", rev.ID, ids); err != nil || len(bodies) != 2 || !strings.Contains(bodies[install.ID], "Run it.") || bodies[pages[0].ID] == "" {
		t.Errorf("RevisionPagesMarkdown = %q, %v", bodies, err)
	}
	if _, err := c.RevisionPagesMarkdown(ctx, "space-1", rev.ID, append(ids, "page-none")); !gitbook.IsNotFound(err) || !strings.Contains(err.Error(), "page-none") {
		t.Errorf("RevisionPagesMarkdown with an unknown page: %v, want 404 naming it", err)
	}

	if err := c.Export(ctx, "space-1", gitbook.ExportRequest{URL: "file://" + bare, Ref: "refs/heads/main", CommitMessage: "GITBOOK-1: Update install guide"}); err != nil {
		t.Fatal(err)
	}
	env.Server.Wait()
	live, err = c.CurrentRevision(ctx, "space-1")
	if err != nil || live.Git == nil || !live.Git.CreatedByGitBook || live.Git.Message != "GITBOOK-1: Update install guide" {
		t.Fatalf("revision after export = %+v, %v", live.Git, err)
	}

	spec, err := c.PutOpenAPISpec(ctx, "org-1", "pets", gitbook.OpenAPISource{Text: specText})
	if err != nil || spec.Slug != "pets" {
		t.Fatalf("PutOpenAPISpec = %+v, %v", spec, err)
	}
	env.Server.Wait()
	if spec, err = c.OpenAPISpec(ctx, "org-1", "pets"); err != nil || spec.ProcessingState != gitbook.SpecComplete || spec.LastVersion == "" {
		t.Fatalf("OpenAPISpec = %+v, %v", spec, err)
	}
	if specs, err := c.OpenAPISpecs(ctx, "org-1"); err != nil || len(specs) != 1 {
		t.Fatalf("OpenAPISpecs = %+v, %v", specs, err)
	}
	if vs, err := c.OpenAPISpecVersions(ctx, "org-1", "pets"); err != nil || len(vs) != 1 || vs[0].ID != spec.LastVersion {
		t.Fatalf("OpenAPISpecVersions = %+v, %v", vs, err)
	}
	if raw, err := c.LatestOpenAPIRaw(ctx, "org-1", "pets"); err != nil || raw.Text != specText || raw.Format != "yaml" {
		t.Fatalf("LatestOpenAPIRaw = %+v, %v", raw, err)
	}
}

func treeString(pages []gitbook.Page) string {
	var parts []string
	for _, p := range pages {
		path := ""
		if p.Git != nil {
			path = p.Git.Path
		}
		s := fmt.Sprintf("%s(%s)", p.Title, path)
		if len(p.Pages) > 0 {
			s += "[" + treeString(p.Pages) + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// withGitSync is the default seed with GitBook's own Git Sync installed on
// space-1, syncing the bare repository at bare.
func withGitSync(bare string) emulator.Seed {
	seed := emulator.DefaultSeed()
	seed.Organizations[0].Spaces[0].GitSync = "github"
	seed.Organizations[0].Spaces[0].Repository = &emulator.RepositorySeed{URL: "file://" + bare, Branch: "main"}
	return seed
}

func TestGitInfo(t *testing.T) {
	ctx := context.Background()
	env := emulatortest.Start(t, emulator.DefaultSeed(), emulator.Options{})
	_, err := env.Client(t, nil).GitInfo(ctx, "space-1")
	if !errors.Is(err, gitbook.ErrNoGitProvider) || !gitbook.IsNotFound(err) {
		t.Fatalf("err = %v, want ErrNoGitProvider and a 404", err)
	}
	_, err = env.Client(t, nil).GitInfo(ctx, "no-such-space")
	if !gitbook.IsNotFound(err) {
		t.Fatalf("err = %v, want 404", err)
	}
	repo := docsRepo(t)
	synced := emulatortest.Start(t, withGitSync(repo.Bare()), emulator.Options{})
	if info, err := synced.Client(t, nil).GitInfo(ctx, "space-1"); err != nil || info.InstallationProvider != "github" {
		t.Fatalf("GitInfo with Git Sync = %+v, %v", info, err)
	}
}

// TestFaults checks what the client resends and how often.
func TestFaults(t *testing.T) {
	const (
		get   = "GET"
		post  = "POST"  // create a change request
		patch = "PATCH" // change its subject: the same twice
		put   = "PUT"   // a spec version: one more each time
	)
	tests := []struct {
		name      string
		faults    emulator.Faults
		call      string
		wantErr   error // nil: success
		wantCalls int   // requests the emulator received for the call under test
		wantWaits int
	}{
		{"429 then success (GET)", emulator.Faults{RateLimitEvery: 2, RateLimitReset: 3 * time.Second}, get, nil, 2, 1},
		{"429 then success (POST is safe to resend)", emulator.Faults{RateLimitEvery: 2}, post, nil, 2, 1},
		{"Retry-After honoured", emulator.Faults{RateLimitEvery: 2, RateLimitReset: 7 * time.Second, RetryAfter: true}, get, nil, 2, 1},
		{"always 429 gives up after 5 attempts", emulator.Faults{RateLimitEvery: 1}, get, errAny, 5, 4},
		{"503 on GET is retried", emulator.Faults{ServerErrorEvery: 2}, get, nil, 2, 1},
		{"503 on PATCH is retried", emulator.Faults{ServerErrorEvery: 2}, patch, nil, 2, 1},
		// GitBook may have acted on a write answered 503: the caller,
		// which can look, decides.
		{"503 on POST is an unknown outcome, not resent", emulator.Faults{ServerErrorEvery: 2}, post, gitbook.ErrOutcomeUnknown, 1, 0},
		{"503 on a spec PUT is an unknown outcome, not resent", emulator.Faults{ServerErrorEvery: 2}, put, gitbook.ErrOutcomeUnknown, 1, 0},
		// net/http itself resends an idempotent request whose reused
		// connection closed unanswered, so the client need not wait.
		{"dropped GET is retried", emulator.Faults{DropEvery: 2}, get, nil, 2, 0},
		{"dropped POST is not resent", emulator.Faults{DropEvery: 2}, post, gitbook.ErrOutcomeUnknown, 1, 0},
		{"dropped spec PUT is not resent", emulator.Faults{DropEvery: 2}, put, gitbook.ErrOutcomeUnknown, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := emulatortest.Start(t, emulator.Seed{}, emulator.Options{Faults: tt.faults})
			var waits []time.Duration
			c := env.Client(t, &waits)
			ctx := context.Background()
			// Request 1 succeeds (unless every request fails); the fault hits request 2.
			var cr *gitbook.ChangeRequest
			var err error
			if tt.call == patch {
				cr, err = c.CreateChangeRequest(ctx, "space-1", "x")
			} else {
				_, err = c.Space(ctx, "space-1")
			}
			if err != nil && tt.faults.RateLimitEvery != 1 {
				t.Fatal(err)
			}
			env.Server.ResetRequests()
			waits = nil
			switch tt.call {
			case post:
				_, err = c.CreateChangeRequest(ctx, "space-1", "x")
			case patch:
				subject := "y"
				_, err = c.UpdateChangeRequest(ctx, "space-1", cr.ID, gitbook.ChangeRequestUpdate{Subject: &subject})
			case put:
				_, err = c.PutOpenAPISpec(ctx, "org-1", "pets", gitbook.OpenAPISource{Text: specText})
			default:
				_, err = c.Space(ctx, "space-1")
			}
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr == errAny && err == nil, tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.faults.ServerErrorEvery > 0 && err != nil && gitbook.StatusOf(err) != http.StatusServiceUnavailable {
				t.Errorf("err = %v, want GitBook's 503 in it", err)
			}
			if got := len(env.Server.Requests()); got != tt.wantCalls {
				t.Errorf("emulator received %d requests, want %d", got, tt.wantCalls)
			}
			if len(waits) != tt.wantWaits {
				t.Errorf("client waited %d times (%v), want %d", len(waits), waits, tt.wantWaits)
			}
			if tt.faults.RetryAfter && len(waits) == 1 && waits[0] != 7*time.Second {
				t.Errorf("wait = %v, want Retry-After's 7s", waits[0])
			}
			if tt.faults.RateLimitReset == 3*time.Second && len(waits) == 1 && (waits[0] < 1*time.Second || waits[0] > 4*time.Second) {
				t.Errorf("wait = %v, want about 3s until X-RateLimit-Reset", waits[0])
			}
			env.Server.Wait()
			switch tt.call {
			case post:
				// A POST is never applied twice: exactly one change request
				// exists, even when the answer was lost.
				if crs := countCRs(t, env); crs != 1-boolInt(tt.faults.ServerErrorEvery > 0) {
					t.Errorf("%d change requests exist", crs)
				}
			case put:
				// Nor a spec version: one at most.
				if n := countVersions(t, env); n > 1 {
					t.Errorf("%d versions of the spec exist", n)
				}
			}
		})
	}
}

// countVersions asks the emulator directly, past any injected fault.
func countVersions(t *testing.T, env *emulatortest.Env) int {
	t.Helper()
	c, err := gitbook.New(gitbook.Options{BaseURL: env.URL, Token: env.Token, MaxAttempts: 10, Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.OpenAPISpecVersions(context.Background(), "org-1", "pets")
	if err != nil && !gitbook.IsNotFound(err) {
		t.Fatal(err)
	}
	return len(v)
}

// TestRebaseIsResent: a rebase whose answer was lost is sent again, as a
// second one does nothing more (GitBook's updateChangeRequest).
func TestRebaseIsResent(t *testing.T) {
	// Requests: the create, then the rebase (lost), then its resend.
	env := emulatortest.Start(t, emulator.Seed{}, emulator.Options{Faults: emulator.Faults{DropEvery: 2}})
	var waits []time.Duration
	c := env.Client(t, &waits)
	ctx := context.Background()
	cr, err := c.CreateChangeRequest(ctx, "space-1", "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Server.EditPage("space-1", "README.md", "Home", "live\n"); err != nil {
		t.Fatal(err)
	}
	env.Server.ResetRequests()
	rb, err := c.RebaseChangeRequest(ctx, "space-1", cr.ID)
	if err != nil || rb.Result != gitbook.RebaseDone {
		t.Fatalf("RebaseChangeRequest = %+v, %v", rb, err)
	}
	if got := len(env.Server.Requests()); got != 2 || len(waits) != 1 {
		t.Errorf("emulator received %d requests after %d waits, want 2 after 1", got, len(waits))
	}
}

var errAny = errors.New("any error")

const specText = "openapi: 3.0.3\ninfo: {title: Pets, version: '1'}\npaths: {}\n"

// countCRs asks the emulator directly, past any injected fault.
func countCRs(t *testing.T, env *emulatortest.Env) int {
	t.Helper()
	c, err := gitbook.New(gitbook.Options{BaseURL: env.URL, Token: env.Token, MaxAttempts: 10, Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	crs, err := c.ChangeRequests(context.Background(), "space-1", "")
	if err != nil {
		t.Fatal(err)
	}
	return len(crs)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestNoSecretInErrors sends a canary token and credentials through every
// error path the client has.
func TestNoSecretInErrors(t *testing.T) {
	const canary = "gb_api_CANARY_7f3a9c1e5d"
	const repoSecret = "s3cr3t-CANARY-pass"
	env := emulatortest.Start(t, emulator.Seed{}, emulator.Options{})
	ctx := context.Background()
	check := func(name string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: want an error", name)
			return
		}
		if strings.Contains(err.Error(), canary) || strings.Contains(err.Error(), repoSecret) {
			t.Errorf("%s: error shows a secret: %v", name, err)
		}
	}
	bad, err := gitbook.New(gitbook.Options{BaseURL: env.URL, Token: canary, HTTPClient: env.HTTP})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Space(ctx, "space-1")
	check("401", err)
	if gitbook.StatusOf(err) != http.StatusUnauthorized {
		t.Errorf("status = %d, want 401", gitbook.StatusOf(err))
	}
	_, err = gitbook.New(gitbook.Options{BaseURL: "not a url " + canary, Token: canary})
	check("invalid base URL", err)
	unreachable, _ := gitbook.New(gitbook.Options{BaseURL: "http://user:" + repoSecret + "@127.0.0.1:1/v1", Token: canary, MaxAttempts: 1})
	_, err = unreachable.Space(ctx, "space-1")
	check("connection refused", err)

	// An echoing server puts the token in its error message.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":{"code":400,"message":"bad header %s"}}`, r.Header.Get("Authorization"))
	}))
	defer echo.Close()
	echoing, _ := gitbook.New(gitbook.Options{BaseURL: echo.URL + "/v1", Token: canary})
	_, err = echoing.Space(ctx, "space-1")
	check("echoed token", err)

	// A failed import with credentials in the URL reports its error without
	// them, in git/info's operation (a space with Git Sync has one).
	synced := emulatortest.Start(t, withGitSync(docsRepo(t).Bare()), emulator.Options{})
	c := synced.Client(t, nil)
	if err := c.Import(ctx, "space-1", gitbook.ImportRequest{URL: "https://x-access-token:" + repoSecret + "@github.invalid/acme/docs.git", Ref: "refs/heads/main"}); err != nil {
		t.Fatal(err)
	}
	op := waitOp(t, c, "space-1")
	if op.State != gitbook.OperationFailure || strings.Contains(op.Error, repoSecret) {
		t.Errorf("operation = %+v: want a failure without the secret", op)
	}
}

func TestPagination(t *testing.T) {
	seed := emulator.DefaultSeed()
	for i := 0; i < 120; i++ {
		seed.Organizations[0].Members = append(seed.Organizations[0].Members, emulator.MemberSeed{ID: fmt.Sprintf("m-%03d", i), DisplayName: fmt.Sprintf("Member %d", i)})
	}
	env := emulatortest.Start(t, seed, emulator.Options{})
	members, err := env.Client(t, nil).Members(context.Background(), "org-1", "")
	if err != nil || len(members) != 122 {
		t.Fatalf("Members = %d, %v; want 122", len(members), err)
	}
	if n := len(env.Server.Requests()); n != 3 {
		t.Errorf("%d requests, want 3 pages of 50", n)
	}

	loop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"items":[],"next":{"page":"same"}}`)
	}))
	defer loop.Close()
	c, _ := gitbook.New(gitbook.Options{BaseURL: loop.URL + "/v1", Token: "t"})
	if _, err := c.Members(context.Background(), "org-1", ""); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("err = %v, want a repeated-cursor error", err)
	}
}

// An answer over the client's limit fails with the limit named, never a
// truncated decode; a write that was carried out says so.
func TestAnswerOverTheLimit(t *testing.T) {
	t.Parallel()
	big := `{"pages":[{"id":"p","title":"` + strings.Repeat("x", 2048) + `","type":"document"}]}`
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, big)
	}))
	defer hs.Close()
	ctx := context.Background()
	for _, limit := range []int64{1 << 10, int64(len(big)) - 1, int64(len(big))} {
		c, err := gitbook.New(gitbook.Options{BaseURL: hs.URL, MaxAnswer: limit, MaxAttempts: 3,
			Sleep: func(context.Context, time.Duration) error { t.Error("retried"); return nil }})
		if err != nil {
			t.Fatal(err)
		}
		pages, err := c.Pages(ctx, "s")
		if limit >= int64(len(big)) {
			if err != nil || len(pages) != 1 {
				t.Errorf("limit %d: %v", limit, err)
			}
			continue
		}
		if !errors.Is(err, gitbook.ErrAnswerTooLarge) || !strings.Contains(err.Error(), fmt.Sprintf("more than %d", limit)) && !strings.Contains(err.Error(), "1 KiB") {
			t.Errorf("limit %d: %v", limit, err)
		}
		_, err = c.CreateChangeRequest(ctx, "s", "x")
		if !errors.Is(err, gitbook.ErrAnswerTooLarge) || !strings.Contains(err.Error(), "carried out") {
			t.Errorf("limit %d, create: %v", limit, err)
		}
	}
}
