package emulator_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/emulatortest"
	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
)

var ctx = context.Background()

func importRepo(t *testing.T, c *gitbook.Client, url string, req gitbook.ImportRequest) *gitbook.GitOperation {
	t.Helper()
	req.URL = url
	if req.Ref == "" {
		req.Ref = "refs/heads/main"
	}
	if err := c.Import(ctx, "space-1", req); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		info, err := c.GitInfo(ctx, "space-1")
		if err != nil {
			t.Fatal(err)
		}
		if info.Operation.State != gitbook.OperationRunning {
			return info.Operation
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("import did not finish")
	return nil
}

// outline renders a page tree as indented "title <path>" lines.
func outline(pages []gitbook.Page) string {
	var b strings.Builder
	var walk func(list []gitbook.Page, depth int)
	walk = func(list []gitbook.Page, depth int) {
		for _, p := range list {
			path := ""
			if p.Git != nil {
				path = " <" + p.Git.Path + ">"
			}
			if p.Type == gitbook.PageLink {
				path = " -> " + p.Href
			}
			fmt.Fprintf(&b, "%s%s [%s]%s\n", strings.Repeat("  ", depth), p.Title, p.Type, path)
			walk(p.Pages, depth+1)
		}
	}
	walk(pages, 0)
	return b.String()
}

func TestImportBuildsPageTree(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		dir   string
		want  string
	}{
		{
			name: "custom root, readme and summary name, groups, nesting, links",
			files: map[string]string{
				".gitbook.yaml":            "root: ./docs/\nstructure:\n  readme: intro.md\n  summary: toc.md\n",
				"docs/intro.md":            "# Intro\n",
				"docs/toc.md":              "# Table of contents\n\n* [Intro](intro.md)\n\n## Guides\n\n* [Setup](setup/README.md)\n  * [Linux \\(x86\\)](setup/linux.md \"Linux\")\n    * [Deep](setup/linux/deep.md)\n* [Site](https://example.com)\n",
				"docs/setup/README.md":     "# Setup\n",
				"docs/setup/linux.md":      "Notes without a leading heading: the SUMMARY title names the page.\n",
				"docs/setup/linux/deep.md": "# Deep\n",
				"README.md":                "# not the readme\n",
			},
			want: "Intro [document] <intro.md>\nGuides [group]\n  Setup [document] <setup/README.md>\n    Linux (x86) [document] <setup/linux.md>\n      Deep [document] <setup/linux/deep.md>\n  Site [link] -> https://example.com\n",
		},
		{
			name: "project directory in a monorepo",
			dir:  "site/docs",
			files: map[string]string{
				"site/docs/README.md":  "# Home\n",
				"site/docs/SUMMARY.md": "* [Home](README.md)\n* [API](api.md#top)\n",
				"site/docs/api.md":     "# API\n",
			},
			want: "Home [document] <README.md>\nAPI [document] <api.md>\n",
		},
		{
			name: "no summary: the tree follows the folders",
			files: map[string]string{
				"README.md":       "# Home\n",
				"guide/README.md": "# The guide\n",
				"guide/first.md":  "# First steps\n",
				"reference.md":    "# Reference\n",
			},
			want: "Home [document] <README.md>\nThe guide [document] <guide/README.md>\n  First steps [document] <guide/first.md>\nReference [document] <reference.md>\n",
		},
		{
			name: "readme missing from the summary comes first, named by its heading",
			files: map[string]string{
				"README.md":  "# Home\n",
				"SUMMARY.md": "* [Other](other.md)\n",
				"other.md":   "# Other\n",
			},
			want: "Home [document] <README.md>\nOther [document] <other.md>\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := testrepo.New(t).Write(tt.files)
			repo.Commit("docs")
			env := emulatortest.Start(t, emulator.Seed{}, emulator.Options{})
			c := env.Client(t, nil)
			op := importRepo(t, c, repo.Dir, gitbook.ImportRequest{RepoProjectDirectory: tt.dir})
			if op.State != gitbook.OperationSuccess {
				t.Fatalf("import: %+v", op)
			}
			pages, err := c.Pages(ctx, "space-1")
			if err != nil {
				t.Fatal(err)
			}
			if got := outline(pages); got != tt.want {
				t.Errorf("tree:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestImportKeepsPageIDsAndHonoursTimestamps(t *testing.T) {
	repo := testrepo.New(t).Write(map[string]string{"README.md": "# Home\n", "SUMMARY.md": "* [Home](README.md)\n* [A](a.md)\n", "a.md": "# A\n"})
	repo.Commit("one")
	env := emulatortest.Start(t, emulator.Seed{}, emulator.Options{OperationDelay: 20 * time.Millisecond})
	c := env.Client(t, nil)
	t1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	importRepo(t, c, "file://"+repo.Dir, gitbook.ImportRequest{Timestamp: &t1})
	first, _ := c.Pages(ctx, "space-1")

	repo.Write(map[string]string{"a.md": "# A\n\nchanged\n", "SUMMARY.md": "* [Home](README.md)\n* [B](b.md)\n* [A](a.md)\n", "b.md": "# B\n"})
	repo.Commit("two")
	t2 := t1.Add(time.Hour)
	importRepo(t, c, "file://"+repo.Dir, gitbook.ImportRequest{Timestamp: &t2})
	second, _ := c.Pages(ctx, "space-1")
	if first[1].ID != second[2].ID || first[0].ID != second[0].ID {
		t.Errorf("page IDs changed across imports: %s,%s then %s,%s", first[0].ID, first[1].ID, second[0].ID, second[2].ID)
	}
	rev, _ := c.CurrentRevision(ctx, "space-1")

	// An import stamped before the last applied one is skipped.
	repo.Write(map[string]string{"a.md": "# A\n\nstale\n"})
	repo.Commit("three")
	importRepo(t, c, repo.Dir, gitbook.ImportRequest{Timestamp: &t1})
	if again, _ := c.CurrentRevision(ctx, "space-1"); again.ID != rev.ID {
		t.Errorf("a stale import changed the space (revision %s -> %s)", rev.ID, again.ID)
	}
	// force overrides the order check.
	importRepo(t, c, repo.Dir, gitbook.ImportRequest{Timestamp: &t1, Force: true})
	if again, _ := c.CurrentRevision(ctx, "space-1"); again.ID == rev.ID {
		t.Error("a forced import did not apply")
	}
	// standalone makes a revision but leaves the space as it is.
	cur, _ := c.CurrentRevision(ctx, "space-1")
	importRepo(t, c, repo.Dir, gitbook.ImportRequest{Standalone: true, Force: true})
	if again, _ := c.CurrentRevision(ctx, "space-1"); again.ID != cur.ID {
		t.Error("a standalone import changed the space")
	}
}

func TestImportFailures(t *testing.T) {
	repo := testrepo.New(t).Write(map[string]string{"SUMMARY.md": "* [A](a.md)\n", "a.md": "# A\n"})
	repo.Commit("no readme")
	env := emulatortest.Start(t, emulator.Seed{}, emulator.Options{})
	c := env.Client(t, nil)
	for _, tc := range []struct{ url, ref, want string }{
		{repo.Dir, "", "README"},
		{repo.Dir, "refs/heads/nope", "not found"},
		{filepath.Join(t.TempDir(), "missing"), "", "open repository"},
	} {
		op := importRepo(t, c, tc.url, gitbook.ImportRequest{Ref: tc.ref, Force: true})
		if op.State != gitbook.OperationFailure || !strings.Contains(op.Error, tc.want) {
			t.Errorf("import %s %s: %+v, want failure mentioning %q", tc.url, tc.ref, op, tc.want)
		}
	}
}

// TestExportCommitsPages merges an edit made in GitBook and exports it: the
// commit's files are the pages, with a matching SUMMARY.md.
func TestExportCommitsPages(t *testing.T) {
	repo := testrepo.New(t).Write(map[string]string{
		"README.md": "# Home\n", "SUMMARY.md": "* [Home](README.md)\n* [Guide](guide/README.md)\n  * [Old](guide/old.md)\n",
		"guide/README.md": "# Guide\n", "guide/old.md": "# Old\n", "LICENSE": "keep me\n",
	})
	repo.Commit("docs")
	bare := repo.Bare()
	repo.Push()
	env := emulatortest.Start(t, emulator.Seed{}, emulator.Options{})
	c := env.Client(t, nil)
	importRepo(t, c, bare, gitbook.ImportRequest{})
	pages, _ := c.Pages(ctx, "space-1")
	guide, old := pages[1], pages[1].Pages[0]

	cr, _ := c.CreateChangeRequest(ctx, "space-1", "Rework the guide")
	desc := "All about it"
	if _, err := c.ApplyChanges(ctx, "space-1", cr.ID, []gitbook.Change{
		{Operation: gitbook.OpDeletePage, Page: old.ID},
		{Operation: gitbook.OpInsertPage, Title: "New Page", Into: gitbook.Into(guide.ID), Document: &gitbook.Markdown{Markdown: "# New Page\n\nFresh.\n"}},
		{Operation: gitbook.OpUpdatePage, Page: guide.ID, Description: &desc},
	}); err != nil {
		t.Fatal(err)
	}
	if m, err := c.MergeChangeRequest(ctx, "space-1", cr.ID); err != nil || m.Result != "merge" {
		t.Fatalf("merge: %+v %v", m, err)
	}
	if err := c.Export(ctx, "space-1", gitbook.ExportRequest{URL: bare, Ref: "refs/heads/main", CommitMessage: "GITBOOK-1: Rework the guide"}); err != nil {
		t.Fatal(err)
	}
	env.Server.Wait()
	info, _ := c.GitInfo(ctx, "space-1")
	if info.Operation.State != gitbook.OperationSuccess {
		t.Fatalf("export: %+v", info.Operation)
	}
	files := commitFiles(t, bare)
	want := map[string]string{
		"README.md":         "# Home\n",
		"guide/README.md":   "---\ndescription: All about it\n---\n\n# Guide\n",
		"guide/new-page.md": "# New Page\n\nFresh.\n",
		"LICENSE":           "keep me\n",
		"SUMMARY.md":        "# Table of contents\n\n* [Home](README.md)\n* [Guide](guide/README.md)\n  * [New Page](guide/new-page.md)\n",
	}
	if len(files) != len(want) {
		t.Errorf("commit has files %v, want %d files", keys(files), len(want))
	}
	for p, w := range want {
		if files[p] != w {
			t.Errorf("%s = %q, want %q", p, files[p], w)
		}
	}
	rev, _ := c.CurrentRevision(ctx, "space-1")
	r, _ := git.PlainOpen(bare)
	head, _ := r.Head()
	if rev.Git == nil || rev.Git.OID != head.Hash().String() || !rev.Git.CreatedByGitBook {
		t.Errorf("revision git = %+v, want exported commit %s", rev.Git, head.Hash())
	}
	// Exporting to the checked-out branch of a work tree is refused, as git does.
	if err := c.Export(ctx, "space-1", gitbook.ExportRequest{URL: repo.Dir, Ref: "refs/heads/main", CommitMessage: "x"}); err != nil {
		t.Fatal(err)
	}
	env.Server.Wait()
	info, _ = c.GitInfo(ctx, "space-1")
	if info.Operation.State != gitbook.OperationFailure || !strings.Contains(info.Operation.Error, "checked out") {
		t.Errorf("export to a work tree: %+v", info.Operation)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func commitFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	head, err := r.Head()
	if err != nil {
		t.Fatal(err)
	}
	commit, _ := r.CommitObject(head.Hash())
	tree, _ := commit.Tree()
	out := map[string]string{}
	_ = tree.Files().ForEach(func(f *object.File) error {
		s, _ := f.Contents()
		out[f.Name] = s
		return nil
	})
	return out
}

func setupCR(t *testing.T) (*emulatortest.Env, *gitbook.Client, []gitbook.Page, *gitbook.ChangeRequest) {
	repo := testrepo.New(t).Write(map[string]string{"README.md": "# Home\n", "SUMMARY.md": "* [Home](README.md)\n* [A](a.md)\n* [B](b.md)\n", "a.md": "# A\n", "b.md": "# B\n"})
	repo.Commit("docs")
	env := emulatortest.Start(t, emulator.Seed{}, emulator.Options{})
	c := env.Client(t, nil)
	importRepo(t, c, repo.Dir, gitbook.ImportRequest{})
	pages, _ := c.Pages(ctx, "space-1")
	cr, err := c.CreateChangeRequest(ctx, "space-1", "Edit")
	if err != nil {
		t.Fatal(err)
	}
	return env, c, pages, cr
}

func TestBatchIsAtomic(t *testing.T) {
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
	// The client refuses to send what GitBook's contract forbids.
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
	srv, err := emulator.New(emulator.DefaultSeed(), emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	call := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, hs.URL+"/v1"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer test-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(data)
	}
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

func TestMerge(t *testing.T) {
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
			env, c, pages, cr := setupCR(t)
			if _, err := c.ApplyChanges(ctx, "space-1", cr.ID, []gitbook.Change{
				{Operation: gitbook.OpUpdatePage, Page: pages[1].ID, Document: &gitbook.Markdown{Markdown: "# A\n\nfrom the CR\n"}},
			}); err != nil {
				t.Fatal(err)
			}
			if tt.livePath != "" {
				if _, err := env.Server.EditPage("space-1", tt.livePath, "", "# live edit\n"); err != nil {
					t.Fatal(err)
				}
			}
			m, err := c.MergeChangeRequest(ctx, "space-1", cr.ID)
			if err != nil || m.Result != tt.wantResult {
				t.Fatalf("merge = %+v, %v; want %s", m, err, tt.wantResult)
			}
			got, _ := c.ChangeRequest(ctx, "space-1", cr.ID)
			a, _ := c.PageMarkdown(ctx, "space-1", pages[1].ID)
			if tt.wantResult == "merge" {
				if got.Status != gitbook.CRMerged || !strings.Contains(a.Markdown, "from the CR") {
					t.Errorf("after merge: status %s, page A %q", got.Status, a.Markdown)
				}
				if tt.livePath == "b.md" {
					if b, _ := c.PageMarkdown(ctx, "space-1", pages[2].ID); !strings.Contains(b.Markdown, "live edit") {
						t.Errorf("the live edit of B was lost: %q", b.Markdown)
					}
				}
			} else if got.Status != gitbook.CROpen || strings.Contains(a.Markdown, "from the CR") {
				t.Errorf("after conflicts: status %s, page A %q", got.Status, a.Markdown)
			}
		})
	}
}

func TestArchivedChangeRequestIsFrozen(t *testing.T) {
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
	if _, err := c.RequestReviewers(ctx, "space-1", cr.ID, []string{"nobody"}); gitbook.StatusOf(err) != 400 {
		t.Errorf("unknown reviewer: %v, want 400", err)
	}
}

func TestOpenAPIProcessing(t *testing.T) {
	env := emulatortest.Start(t, emulator.Seed{}, emulator.Options{})
	c := env.Client(t, nil)
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

// sharedCorpus is read in place; tests skip without it.
const sharedCorpus = "../../../shared/corpus"

// summaryLinks lists the Markdown files a SUMMARY links to, with a plain
// regular expression independent of the content package's parser.
func summaryLinks(t *testing.T, summary string) []string {
	data, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^\s*[*-] \[.*\]\(<?([^)>" ]+\.md)`)
	var out []string
	seen := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		p := strings.ReplaceAll(m[1], "%20", " ")
		if !seen[p] { // a file is one page, however often it is linked
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

func TestCorpusImports(t *testing.T) {
	if _, err := os.Stat(sharedCorpus); err != nil {
		t.Skip("../shared/corpus not present")
	}
	tests := []struct {
		name, dir, project, summary string
		titles                      []string // some titles that must appear
	}{
		{"GitBook public docs", "GitbookIO-public-docs", "documentation", "documentation/SUMMARY.md", nil},
		{"BrainMonkey", "Brain-WP-BrainMonkey", "", "docs/summary.md", []string{"Patching functions with when()"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := filepath.Join(sharedCorpus, tt.dir)
			repo := testrepo.New(t)
			testrepo.CopyDir(t, src, repo.Dir)
			repo.Commit("corpus")
			env := emulatortest.Start(t, emulator.Seed{}, emulator.Options{})
			c := env.Client(t, nil)
			op := importRepo(t, c, repo.Dir, gitbook.ImportRequest{RepoProjectDirectory: tt.project})
			if op.State != gitbook.OperationSuccess {
				t.Fatalf("import: %+v", op)
			}
			pages, err := c.Pages(ctx, "space-1")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			titles := map[string]bool{}
			gitbook.Walk(pages, func(p *gitbook.Page, _ *gitbook.Page, _ int) {
				titles[p.Title] = true
				if p.Git != nil {
					got = append(got, p.Git.Path)
				}
			})
			want := summaryLinks(t, filepath.Join(src, tt.summary))
			root := strings.TrimPrefix(filepath.Dir(strings.TrimPrefix(tt.summary, tt.project+"/")), ".")
			for i := range want {
				want[i] = strings.TrimPrefix(filepath.Join(root, want[i]), "/")
				want[i] = strings.TrimPrefix(want[i], root+"/")
			}
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("imported %d pages, SUMMARY lists %d files\n got: %v\nwant: %v", len(got), len(want), got, want)
			}
			for _, title := range tt.titles {
				if !titles[title] {
					t.Errorf("no page titled %q", title)
				}
			}
		})
	}
}
