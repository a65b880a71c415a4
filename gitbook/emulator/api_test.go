package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/emulatortest"
	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
)

// setupCR imports three pages and opens a change request.
func setupCR(t *testing.T) (*emulatortest.Env, *gitbook.Client, []gitbook.Page, *gitbook.ChangeRequest) {
	t.Helper()
	repo := testrepo.New(t).Write(map[string]string{"README.md": "# Home\n", "SUMMARY.md": "* [Home](README.md)\n* [A](a.md)\n* [B](b.md)\n", "a.md": "# A\n", "b.md": "# B\n",
		".gitbook/assets/pic.png": "png"})
	repo.Commit("docs")
	env, c := start(t, emulator.Seed{}, emulator.Options{})
	importRepo(t, env, c, repo.Dir, gitbook.ImportRequest{})
	pages, _ := c.Pages(ctx, "space-1")
	cr, err := c.CreateChangeRequest(ctx, "space-1", "Edit")
	if err != nil {
		t.Fatal(err)
	}
	return env, c, pages, cr
}

// TestBodiesOnlyFromPageReads: page lists (and revisions) carry no
// Markdown, as GitBook's description sends callers to getPageById or
// getPageByPath for a page's content.
func TestBodiesOnlyFromPageReads(t *testing.T) {
	t.Parallel()
	env, _, pages, cr := setupCR(t)
	for _, path := range []string{"/spaces/space-1/content/pages", "/spaces/space-1/content", "/spaces/space-1/change-requests/" + cr.ID + "/content/pages",
		"/spaces/space-1/content/page/" + pages[1].ID} {
		if body := fmt.Sprint(getJSON(t, env, path)); strings.Contains(body, "markdown:") {
			t.Errorf("%s carries a body: %s", path, body)
		}
	}
	for _, path := range []string{"/spaces/space-1/content/page/" + pages[1].ID, "/spaces/space-1/content/path/a",
		"/spaces/space-1/change-requests/" + cr.ID + "/content/page/" + pages[1].ID, "/spaces/space-1/change-requests/" + cr.ID + "/content/path/a"} {
		if md := getJSON(t, env, path+"?format=markdown")["markdown"]; md != "# A\n\n" {
			t.Errorf("%s?format=markdown: markdown = %q, want the title heading and the (empty) document", path, md)
		}
	}
	if p := getJSON(t, env, "/spaces/space-1/content/path/"+url.PathEscape("b")); p["id"] != pages[2].ID {
		t.Errorf("content/path/b = %v, want page %s", p["id"], pages[2].ID)
	}
	files := getJSON(t, env, "/spaces/space-1/content/files?limit=1")
	items := asList(files["items"])
	if len(items) != 1 || items[0].(map[string]any)["name"] != "pic.png" || files["count"] != 1.0 {
		t.Fatalf("files = %v", files)
	}
	f := items[0].(map[string]any)
	if git := f["git"].(map[string]any); git["path"] != ".gitbook/assets/pic.png" || git["oid"] == "" {
		t.Errorf("file git = %v", git)
	}
	if one := getJSON(t, env, "/spaces/space-1/change-requests/"+cr.ID+"/content/files/"+f["id"].(string)); one["name"] != "pic.png" {
		t.Errorf("file by ID = %v", one)
	}
}

// TestWritesAreNormalised: GitBook stores Markdown in its own form; what
// is read back may differ from what was sent.
func TestWritesAreNormalised(t *testing.T) {
	t.Parallel()
	env, c, pages, cr := setupCR(t)
	sent := "---\ndescription: Sent\n---\nIntro with *emphasis* and __strong__ text.  \nNext line\r\n\n- one\n- two\n\nSection\n-------\n\n___\n\n```\nkeep   *this*   \n```\n"
	if _, err := c.ApplyChanges(ctx, "space-1", cr.ID, []gitbook.Change{{Operation: gitbook.OpUpdatePage, Page: pages[1].ID, Document: &gitbook.Markdown{Markdown: sent}}}); err != nil {
		t.Fatal(err)
	}
	got := getJSON(t, env, "/spaces/space-1/change-requests/"+cr.ID+"/content/page/"+pages[1].ID+"?format=markdown")
	want := "# A\n\nIntro with _emphasis_ and **strong** text.\\\nNext line\n\n* one\n* two\n\n## Section\n\n***\n\n```\nkeep   *this*   \n```\n"
	if got["markdown"] != want {
		t.Errorf("stored markdown:\n%q\nwant:\n%q", got["markdown"], want)
	}
	if got["description"] != "Sent" {
		t.Errorf("description = %v, want the front matter's", got["description"])
	}
}

// TestSpecViolationsRefused sends, past the client and the contract
// checker, what GitBook's description does not allow, and gets GitBook's
// error shape back.
func TestSpecViolationsRefused(t *testing.T) {
	t.Parallel()
	call := rawServer(t, emulator.DefaultSeed())
	if code, body := call("POST", "/spaces/space-1/change-requests", `{"subject":"x"}`); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	insert := func(extra string) string {
		return `{"changes":[{"operation":"insert_page","title":"P","document":{"markdown":"x"}` + extra + `}]}`
	}
	huge := strings.Repeat("x", 1<<20)
	tests := []struct {
		name, method, path, body, want string
		status                         int
	}{
		{"slug over 100", "POST", "/spaces/space-1/change-requests/1/content", insert(`,"slug":"` + strings.Repeat("s", 101) + `"`), "slug: at most 100", 400},
		{"icon over 50", "POST", "/spaces/space-1/change-requests/1/content", insert(`,"icon":"` + strings.Repeat("i", 51) + `"`), "icon: at most 50", 400},
		{"emoji over 50", "POST", "/spaces/space-1/change-requests/1/content", insert(`,"emoji":"` + strings.Repeat("e", 51) + `"`), "emoji: at most 50", 400},
		{"empty title", "POST", "/spaces/space-1/change-requests/1/content", `{"changes":[{"operation":"update_page","page":"x","title":""}]}`, "title: must not be empty", 400},
		{"trailing bytes", "POST", "/spaces/space-1/change-requests", `{"subject":"x"}{"subject":"y"}`, "unexpected data after the JSON value", 400},
		{"trailing garbage", "POST", "/spaces/space-1/change-requests", `{"subject":"x"} x`, "Invalid request body", 400},
		{"limit over 1000", "GET", "/orgs/org-1/members?limit=1001", "", "limit: must be a number from 0 to 1000", 400},
		{"limit not a number", "GET", "/spaces/space-1/content/files?limit=ten", "", "limit: must be a number", 400},
		{"file by url and base64", "POST", "/spaces/space-1/change-requests/1/content", `{"changes":[{"operation":"insert_files","files":[{"name":"a.png","url":"https://example.com/a.png","base64":"eA=="}]}]}`, "exactly one of url and base64", 400},
		{"description not a document", "PATCH", "/spaces/space-1/change-requests/1", `{"description":{"object":"doc","data":{},"nodes":[]}}`, `description: object must be \"document\"`, 400},
		{"description without data", "PATCH", "/spaces/space-1/change-requests/1", `{"description":{"object":"document","nodes":[]}}`, "description: data: an object is required", 400},
		{"description with a bare text node", "PATCH", "/spaces/space-1/change-requests/1", `{"description":{"object":"document","data":{},"nodes":[{"object":"text"}]}}`, "description: nodes[0]: a block", 400},
		{"description's schemaVersion", "PATCH", "/spaces/space-1/change-requests/1", `{"description":{"object":"document","data":{"schemaVersion":"1"},"nodes":[]}}`, "schemaVersion must be an integer", 400},
		{"update of a missing change request", "POST", "/spaces/space-1/change-requests/9/update", "", "not found", 404},
		{"unknown operation echoed short", "POST", "/spaces/space-1/change-requests/1/content", `{"changes":[{"operation":"` + huge + `"}]}`, "unknown operation", 400},
	}
	for _, tt := range tests {
		code, body := call(tt.method, tt.path, tt.body)
		if code != tt.status || !strings.Contains(body, tt.want) || !strings.Contains(body, fmt.Sprintf(`"code":%d`, tt.status)) {
			t.Errorf("%s: %d %.300s; want %d with %q in GitBook's error shape", tt.name, code, body, tt.status, tt.want)
		}
		if len(body) > 2000 {
			t.Errorf("%s: the error echoes the input (%d bytes)", tt.name, len(body))
		}
	}
}

// A PATCH that is refused changes nothing: the subject and links sent
// beside a bad status are not kept.
func TestRefusedPatchChangesNothing(t *testing.T) {
	t.Parallel()
	call := rawServer(t, emulator.DefaultSeed())
	if code, body := call("POST", "/spaces/space-1/change-requests", `{"subject":"before"}`); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	patch := `{"subject":"after","links":[{"ref":{"kind":"url","url":"https://example.com/pr/1"},"title":"PR"}],"status":"closed"}`
	if code, body := call("PATCH", "/spaces/space-1/change-requests/1", patch); code != 400 || !strings.Contains(body, "status must be") {
		t.Fatalf("patch: %d %s; want the status refused", code, body)
	}
	code, body := call("GET", "/spaces/space-1/change-requests/1", "")
	if code != 200 || !strings.Contains(body, `"subject":"before"`) || strings.Contains(body, "example.com/pr/1") {
		t.Errorf("after a refused patch: %d %s", code, body)
	}
}

// TestAcceptsWhatTheSpecAllows: revert_page, and insert_files by URL (the
// emulator does not fetch it: the file keeps the address).
func TestAcceptsWhatTheSpecAllows(t *testing.T) {
	t.Parallel()
	env, c, pages, cr := setupCR(t)
	if _, err := c.ApplyChanges(ctx, "space-1", cr.ID, []gitbook.Change{
		{Operation: gitbook.OpUpdatePage, Page: pages[1].ID, Document: &gitbook.Markdown{Markdown: "changed\n"}},
		{Operation: gitbook.OpDeletePage, Page: pages[2].ID},
		{Operation: gitbook.OpInsertPage, Title: "Added", Document: &gitbook.Markdown{Markdown: "new\n"}},
		{Operation: gitbook.OpInsertFiles, Files: []gitbook.FileUpload{{Name: "diagram.png", URL: "https://example.com/diagram.png", Ref: "diagram"}}},
	}); err != nil {
		t.Fatal(err)
	}
	crPages, _ := c.ChangeRequestPages(ctx, "space-1", cr.ID)
	added := crPages[len(crPages)-1]
	var reverts []gitbook.Change
	for _, id := range []string{pages[1].ID, pages[2].ID, added.ID} {
		reverts = append(reverts, gitbook.Change{Operation: "revert_page", Page: id})
	}
	if _, err := c.ApplyChanges(ctx, "space-1", cr.ID, reverts); err != nil {
		t.Fatal(err)
	}
	after, _ := c.ChangeRequestPages(ctx, "space-1", cr.ID)
	if got, want := outline(after), outline(pages); got != want {
		t.Errorf("after revert_page:\n%s\nwant the base:\n%s", got, want)
	}
	files := asList(getJSON(t, env, "/spaces/space-1/change-requests/"+cr.ID+"/content/files")["items"])
	var byURL map[string]any
	for _, f := range files {
		if f.(map[string]any)["name"] == "diagram.png" {
			byURL = f.(map[string]any)
		}
	}
	if byURL == nil || byURL["downloadURL"] != "https://example.com/diagram.png" || byURL["contentType"] != "image/png" {
		t.Errorf("file inserted by URL = %v", byURL)
	}
}

func TestBatchIsAtomic(t *testing.T) {
	t.Parallel()
	_, c, pages, cr := setupCR(t)
	md := &gitbook.Markdown{Markdown: "# A\n\nchanged\n"}
	_, err := c.ApplyChanges(ctx, "space-1", cr.ID, []gitbook.Change{
		{Operation: gitbook.OpUpdatePage, Page: pages[1].ID, Document: md},
		{Operation: gitbook.OpDeletePage, Page: "no-such-page"},
	})
	if gitbook.StatusOf(err) != 400 || !strings.Contains(err.Error(), "changes[1]") {
		t.Fatalf("err = %v, want a 400 naming changes[1]", err)
	}
	got, _ := c.ChangeRequestPageMarkdown(ctx, "space-1", cr.ID, pages[1].ID)
	if strings.Contains(got.Markdown, "changed") {
		t.Error("the valid half of a rejected batch was applied")
	}
	var many []gitbook.Change
	for i := 0; i < 51; i++ {
		many = append(many, gitbook.Change{Operation: gitbook.OpInsertPage, Title: fmt.Sprintf("P%d", i), Document: &gitbook.Markdown{Markdown: "x"}})
	}
	if _, err := c.ApplyChanges(ctx, "space-1", cr.ID, many); err == nil || !strings.Contains(err.Error(), "at most 50") {
		t.Fatalf("51 changes: err = %v, want the client to refuse", err)
	}
	if _, err := c.ApplyChanges(ctx, "space-1", cr.ID, many[:50]); err != nil {
		t.Fatalf("50 changes: %v", err)
	}
}

// TestEmulatorRejectsOversizedBatch sends, past the client and the contract
// checker, the 51-change batch GitBook refuses.
func TestEmulatorRejectsOversizedBatch(t *testing.T) {
	t.Parallel()
	call := rawServer(t, emulator.DefaultSeed())
	if code, body := call("POST", "/spaces/space-1/change-requests", `{"subject":"x"}`); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	changes := strings.Repeat(`{"operation":"insert_page","title":"P","document":{"markdown":"x"}},`, 51)
	code, body := call("POST", "/spaces/space-1/change-requests/1/content", `{"changes":[`+strings.TrimSuffix(changes, ",")+`]}`)
	if code != 400 || !strings.Contains(body, `"code":400`) || !strings.Contains(body, "at most 50") {
		t.Fatalf("51 changes: %d %s", code, body)
	}
	if _, body := call("GET", "/spaces/space-1/change-requests/1/content/pages", ""); strings.Contains(body, `"title":"P"`) {
		t.Error("a rejected batch left pages behind")
	}
}

// TestMerge: a merge whose result is "conflicts" was still applied, as
// GitBook's description says; the change request's side is kept.
func TestMerge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		livePath   string // page edited in GitBook's editor meanwhile ("" for none)
		wantResult string
	}{
		{"nothing changed live", "", "merge"},
		{"another page changed live", "b.md", "merge"},
		{"the same page changed live", "a.md", "conflicts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, c, pages, cr := setupCR(t)
			if _, err := c.ApplyChanges(ctx, "space-1", cr.ID, []gitbook.Change{
				{Operation: gitbook.OpUpdatePage, Page: pages[1].ID, Document: &gitbook.Markdown{Markdown: "from the CR\n"}},
			}); err != nil {
				t.Fatal(err)
			}
			if tt.livePath != "" {
				if _, err := env.Server.EditPage("space-1", tt.livePath, "", "live edit\n"); err != nil {
					t.Fatal(err)
				}
			}
			m, err := c.MergeChangeRequest(ctx, "space-1", cr.ID)
			if err != nil || m.Result != tt.wantResult {
				t.Fatalf("merge = %+v, %v; want %s", m, err, tt.wantResult)
			}
			got, _ := c.ChangeRequest(ctx, "space-1", cr.ID)
			a, _ := c.PageMarkdown(ctx, "space-1", pages[1].ID)
			if got.Status != gitbook.CRMerged || !strings.Contains(a.Markdown, "from the CR") {
				t.Errorf("after %s: status %s, page A %q", m.Result, got.Status, a.Markdown)
			}
			if tt.livePath == "b.md" {
				if b, _ := c.PageMarkdown(ctx, "space-1", pages[2].ID); !strings.Contains(b.Markdown, "live edit") {
					t.Errorf("the live edit of B was lost: %q", b.Markdown)
				}
			}
		})
	}
}

// TestUpdateChangeRequest: updateChangeRequest rebases a change request
// onto the live content: live changes come in, its own stay, a page
// changed on both sides is a conflict resolved as a merge resolves it, and
// the change request is no longer outdated. A merge afterwards counts its
// changes from the new base.
func TestUpdateChangeRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		livePath     string // page edited in GitBook's editor meanwhile ("" for none)
		wantOutdated bool
		wantResult   string
	}{
		{"nothing changed live", "", false, gitbook.RebaseDone},
		{"another page changed live", "b.md", true, gitbook.RebaseDone},
		{"the same page changed live", "a.md", true, gitbook.MergeConflicts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, c, pages, cr := setupCR(t)
			edited, err := c.ApplyChanges(ctx, "space-1", cr.ID, []gitbook.Change{
				{Operation: gitbook.OpUpdatePage, Page: pages[1].ID, Document: &gitbook.Markdown{Markdown: "from the CR\n"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			if tt.livePath != "" {
				if _, err := env.Server.EditPage("space-1", tt.livePath, "", "live edit\n"); err != nil {
					t.Fatal(err)
				}
			}
			live, _ := c.CurrentRevision(ctx, "space-1")
			before, _ := c.ChangeRequest(ctx, "space-1", cr.ID)
			if before.Outdated != tt.wantOutdated {
				t.Errorf("outdated before = %v, want %v", before.Outdated, tt.wantOutdated)
			}
			u, err := c.RebaseChangeRequest(ctx, "space-1", cr.ID)
			if err != nil || u.Result != tt.wantResult {
				t.Fatalf("update = %+v, %v; want %s", u, err, tt.wantResult)
			}
			after, _ := c.ChangeRequest(ctx, "space-1", cr.ID)
			if after.Outdated || after.Revision != u.Revision || after.RevisionInitial != cr.RevisionInitial {
				t.Errorf("after: outdated %v, revision %s (answer %s), initial %s (was %s)", after.Outdated, after.Revision, u.Revision, after.RevisionInitial, cr.RevisionInitial)
			}
			if (tt.livePath == "") != (u.Revision == edited.ChangeRequest.Revision) {
				t.Errorf("revision %s after %s: a new one only when live moved", u.Revision, edited.ChangeRequest.Revision)
			}
			if tt.livePath != "" && after.RevisionMergedAncestor != live.ID {
				t.Errorf("revisionMergedAncestor = %q, want the live revision %s", after.RevisionMergedAncestor, live.ID)
			}
			a, _ := c.ChangeRequestPageMarkdown(ctx, "space-1", cr.ID, pages[1].ID)
			b, _ := c.ChangeRequestPageMarkdown(ctx, "space-1", cr.ID, pages[2].ID)
			if !strings.Contains(a.Markdown, "from the CR") || strings.Contains(b.Markdown, "live edit") != (tt.livePath == "b.md") {
				t.Errorf("change request after %s: A %q, B %q", u.Result, a.Markdown, b.Markdown)
			}
			if m, err := c.MergeChangeRequest(ctx, "space-1", cr.ID); err != nil || m.Result != gitbook.MergeDone {
				t.Errorf("merge after the update = %+v, %v; want a clean merge", m, err)
			}
			a, _ = c.PageMarkdown(ctx, "space-1", pages[1].ID)
			b, _ = c.PageMarkdown(ctx, "space-1", pages[2].ID)
			if !strings.Contains(a.Markdown, "from the CR") || strings.Contains(b.Markdown, "live edit") != (tt.livePath == "b.md") {
				t.Errorf("live after the merge: A %q, B %q", a.Markdown, b.Markdown)
			}
			if _, err := c.RebaseChangeRequest(ctx, "space-1", cr.ID); gitbook.StatusOf(err) != 400 {
				t.Errorf("update of a merged change request: %v, want 400", err)
			}
		})
	}
}

// TestDescriptionKept: a change request keeps the description it is given
// (a JSONDocument whose data may carry any keys) and gives it back when
// read and listed; an update without one leaves it.
func TestDescriptionKept(t *testing.T) {
	t.Parallel()
	_, c, _, cr := setupCR(t)
	doc := &gitbook.Document{Object: "document", Data: map[string]json.RawMessage{"tool": json.RawMessage(`{"version":1,"pages":{"p":"a b"}}`)},
		Nodes: []json.RawMessage{gitbook.Paragraph("Kept in step with PR #7.")}}
	if _, err := c.UpdateChangeRequest(ctx, "space-1", cr.ID, gitbook.ChangeRequestUpdate{Description: doc}); err != nil {
		t.Fatal(err)
	}
	subject := "Renamed"
	if _, err := c.UpdateChangeRequest(ctx, "space-1", cr.ID, gitbook.ChangeRequestUpdate{Subject: &subject}); err != nil {
		t.Fatal(err)
	}
	got, err := c.ChangeRequest(ctx, "space-1", cr.ID)
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ChangeRequests(ctx, "space-1", gitbook.CROpen)
	if err != nil || len(list) != 1 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	for name, d := range map[string]*gitbook.Document{"GET": got.Description, "list": list[0].Description} {
		if d == nil || string(d.Data["tool"]) != `{"version":1,"pages":{"p":"a b"}}` || len(d.Nodes) != 1 || !strings.Contains(string(d.Nodes[0]), "PR #7") {
			t.Errorf("%s: description = %+v", name, d)
		}
	}
}

func TestArchivedChangeRequestIsFrozen(t *testing.T) {
	t.Parallel()
	_, c, pages, cr := setupCR(t)
	if _, err := c.UpdateChangeRequest(ctx, "space-1", cr.ID, gitbook.ChangeRequestUpdate{Status: gitbook.CRArchived}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MergeChangeRequest(ctx, "space-1", cr.ID); gitbook.StatusOf(err) != 400 {
		t.Errorf("merge of archived: %v, want 400", err)
	}
	if _, err := c.ApplyChanges(ctx, "space-1", cr.ID, []gitbook.Change{{Operation: gitbook.OpDeletePage, Page: pages[1].ID}}); gitbook.StatusOf(err) != 400 {
		t.Errorf("edit of archived: %v, want 400", err)
	}
	if _, err := c.RebaseChangeRequest(ctx, "space-1", cr.ID); gitbook.StatusOf(err) != 400 {
		t.Errorf("update of archived: %v, want 400", err)
	}
	if _, err := c.RequestReviewers(ctx, "space-1", cr.ID, []string{"nobody"}); gitbook.StatusOf(err) != 400 {
		t.Errorf("unknown reviewer: %v, want 400", err)
	}
}

func TestOpenAPIProcessing(t *testing.T) {
	t.Parallel()
	env, c := start(t, emulator.Seed{}, emulator.Options{})
	if _, err := c.PutOpenAPISpec(ctx, "org-1", "bad--slug", gitbook.OpenAPISource{Text: "x"}); gitbook.StatusOf(err) != 400 {
		t.Errorf("bad slug: %v, want 400", err)
	}
	if _, err := c.PutOpenAPISpec(ctx, "org-1", "notes", gitbook.OpenAPISource{Text: "title: just some yaml\n"}); err != nil {
		t.Fatal(err)
	}
	env.Server.Wait()
	s, err := c.OpenAPISpec(ctx, "org-1", "notes")
	if err != nil || s.ProcessingState != gitbook.SpecComplete || s.LastProcessErrorCode != "PARSE_ERROR" || len(s.LastProcessedErrors) == 0 || s.LastVersion != "" {
		t.Errorf("spec = %+v, %v; want PARSE_ERROR and no version", s, err)
	}
	if _, err := c.LatestOpenAPIRaw(ctx, "org-1", "notes"); !gitbook.IsNotFound(err) {
		t.Errorf("raw of unprocessed spec: %v, want 404", err)
	}
}

// TestAppURL: "app" links start with Options.AppURL.
func TestAppURL(t *testing.T) {
	t.Parallel()
	_, c := start(t, emulator.Seed{}, emulator.Options{AppURL: "http://localhost:9/app/"})
	sp, err := c.Space(ctx, "space-1")
	if err != nil {
		t.Fatal(err)
	}
	if sp.URLs.App != "http://localhost:9/app/o/org-1/s/space-1" {
		t.Errorf("app URL = %s", sp.URLs.App)
	}
}
