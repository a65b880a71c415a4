package changerequest_test

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/emulatortest"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/gitformat"
	"github.com/gitbook-sync/gitbook-sync/internal/httpfault"
	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

var ctx = context.Background()

const prURL = "https://github.com/acme/docs/pull/7"

var base = map[string]string{
	"README.md":        "# Home\n\nWelcome.\n",
	"SUMMARY.md":       "* [Home](README.md)\n* [Guide](guide/README.md)\n  * [Install](guide/install.md)\n  * [Usage](guide/usage.md)\n* [Old](old.md)\n",
	"guide/README.md":  "# Guide\n",
	"guide/install.md": "# Install\n\nStep one.\n",
	"guide/usage.md":   "# Usage\n\nUse it.\n",
	"old.md":           "# Old\n\nGoing away.\n",
}

// fixture is a repository imported into space-1 of an emulator, on a pull
// request branch.
type fixture struct {
	t    *testing.T
	env  *emulatortest.Env
	raw  *gitbook.Client // straight to the emulator, to look at its state
	repo *testrepo.Repo
	base plumbing.Hash
	dir  string // project directory
}

func newFixture(t *testing.T, dir string) *fixture {
	t.Helper()
	f := &fixture{t: t, repo: testrepo.New(t), dir: dir}
	f.write(base)
	f.base = f.repo.Commit("base")
	f.start("main")
	wt, _ := f.repo.Git.Worktree()
	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("pr"), Create: true}); err != nil {
		t.Fatal(err)
	}
	return f
}

// start runs an emulator with branch imported into space-1.
func (f *fixture) start(branch string) {
	f.env = emulatortest.Start(f.t, emulator.Seed{}, emulator.Options{})
	f.raw = f.env.Client(f.t, nil)
	if err := f.raw.Import(ctx, "space-1", gitbook.ImportRequest{URL: f.repo.Dir, Ref: "refs/heads/" + branch, RepoProjectDirectory: f.dir}); err != nil {
		f.t.Fatal(err)
	}
	f.env.Server.Wait()
}

func (f *fixture) write(files map[string]string) {
	in := map[string]string{}
	for p, c := range files {
		in[content.Join(f.dir, p)] = c
	}
	f.repo.Write(in)
}

// client is a client of the emulator; wrap, when not nil, wraps its
// transport (faults). writes lists the writes it sent.
func (f *fixture) client(wrap httpfault.Wrap) (*gitbook.Client, *writes) {
	w := &writes{next: http.DefaultTransport}
	var rt http.RoundTripper = w
	if wrap != nil {
		rt = wrap(rt)
	}
	c, err := gitbook.New(gitbook.Options{BaseURL: f.env.URL, Token: f.env.Token, HTTPClient: &http.Client{Transport: rt},
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	if err != nil {
		f.t.Fatal(err)
	}
	return c, w
}

// writes records the writes that reach the API.
type writes struct {
	next http.RoundTripper
	mu   sync.Mutex
	list []string
}

func (w *writes) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet {
		_, p, _ := strings.Cut(r.URL.Path, "/spaces/space-1")
		w.mu.Lock()
		w.list = append(w.list, r.Method+" "+p)
		w.mu.Unlock()
	}
	return w.next.RoundTrip(r)
}

// lastSegments shortens writes to their method and last path segment.
func lastSegments(writes []string) []string {
	out := make([]string, len(writes))
	for i, wr := range writes {
		method, p, _ := strings.Cut(wr, " ")
		out[i] = method + " " + path.Base(p)
	}
	return out
}

func (w *writes) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.list
	w.list = nil
	return out
}

func (f *fixture) opts(c *gitbook.Client) changerequest.Options {
	return changerequest.Options{Client: c, Space: "space-1", Organization: "org-1", Link: prURL, LinkTitle: "PR #7", Subject: "Rework the guide"}
}

// update runs a change request update for the branch as it is now.
func (f *fixture) update(opts changerequest.Options) (*changerequest.Result, error) {
	f.t.Helper()
	tree, scope := f.desired()
	return changerequest.Update(ctx, opts, tree, scope)
}

func (f *fixture) desired() (*changerequest.Tree, changerequest.Scope) {
	f.t.Helper()
	r, err := gbsync.OpenRepo(f.repo.Dir)
	if err != nil {
		f.t.Fatal(err)
	}
	baseC, _ := r.Git.CommitObject(f.base)
	head, _, err := r.HeadCommit()
	if err != nil {
		f.t.Fatal(err)
	}
	diff, err := r.DiffCommits(baseC, head, f.dir, true)
	if err != nil {
		f.t.Fatal(err)
	}
	proj, files, err := r.Project(head, f.dir)
	if err != nil {
		f.t.Fatal(err)
	}
	tree, _, err := changerequest.Desired(proj, files)
	if err != nil {
		f.t.Fatal(err)
	}
	return tree, changerequest.ScopeOf(diff)
}

// outline renders a page tree with titles, slug paths and bodies in
// GitBook's normal form, reading each body with getPageById; edit, when
// not nil, rewrites each body first.
func outline(t *testing.T, pages []gitbook.Page, body func(id string) (*gitbook.Page, error), edit func(p *gitbook.Page, md string) string) string {
	t.Helper()
	var b strings.Builder
	gitbook.Walk(pages, func(p *gitbook.Page, parent *gitbook.Page, _ int) {
		md := ""
		if p.Type == gitbook.PageDocument {
			full, err := body(p.ID)
			if err != nil {
				t.Fatal(err)
			}
			md = full.Markdown
			if edit != nil {
				md = edit(p, md)
			}
			// The title is compared on its own: through the API it is plain
			// text, where a file's heading may format it.
			md = strings.TrimSpace(leadingTitle.ReplaceAllString(gitformat.Normalize(md), ""))
		}
		fmt.Fprintf(&b, "%s%s /%s %q\n", strings.Repeat("  ", strings.Count(p.Path, "/")), p.Title, p.Path, md)
	})
	return b.String()
}

func (f *fixture) crOutline(id string) string {
	f.t.Helper()
	pages, err := f.raw.ChangeRequestPages(ctx, "space-1", id)
	if err != nil {
		f.t.Fatal(err)
	}
	return outline(f.t, pages, func(page string) (*gitbook.Page, error) {
		return f.raw.ChangeRequestPageMarkdown(ctx, "space-1", id, page)
	}, nil)
}

// importedOutline imports ref into a fresh space and returns its outline:
// what GitBook makes of the same commit. GitBook's API leaves a link that
// names no page of the change request as plain text, where its import
// keeps it: so do the pages in sent (content paths), which the change
// request received through the API.
func (f *fixture) importedOutline(ref string, sent ...string) string {
	f.t.Helper()
	env := emulatortest.Start(f.t, emulator.Seed{}, emulator.Options{})
	c := env.Client(f.t, nil)
	if err := c.Import(ctx, "space-1", gitbook.ImportRequest{URL: f.repo.Dir, Ref: ref, RepoProjectDirectory: f.dir}); err != nil {
		f.t.Fatal(err)
	}
	env.Server.Wait()
	pages, err := c.Pages(ctx, "space-1")
	if err != nil {
		f.t.Fatal(err)
	}
	files := map[string]bool{}
	gitbook.Walk(pages, func(p *gitbook.Page, _ *gitbook.Page, _ int) {
		if p.Git != nil {
			files[p.Git.Path] = true
		}
	})
	unlink := func(p *gitbook.Page, md string) string {
		if p.Git == nil || !slices.Contains(sent, strings.TrimPrefix(p.Git.Path, f.dir+"/")) {
			return md
		}
		return mdLink.ReplaceAllStringFunc(md, func(l string) string {
			m := mdLink.FindStringSubmatch(l)
			if m[2] == "" {
				return l // code
			}
			target, _, _ := strings.Cut(m[2], "#")
			switch {
			case target == "" || strings.Contains(target, ":") || strings.HasPrefix(target, "/"):
				return l // not a relative link
			case path.Ext(target) == "":
				target = path.Join(target, "README.md") // a folder names its page
			case path.Ext(target) != ".md":
				return l // a file, not a page
			}
			if files[path.Join(path.Dir(p.Git.Path), target)] {
				return l
			}
			return m[1]
		})
	}
	return outline(f.t, pages, func(page string) (*gitbook.Page, error) { return c.PageMarkdown(ctx, "space-1", page) }, unlink)
}

var leadingTitle = regexp.MustCompile(`^\s*# [^\n]*\n*`)

// mdLink matches a Markdown link, or code (left alone).
var mdLink = regexp.MustCompile("(?s)```.*?```|`[^`\n]*`|" + `\[([^\]]*)\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)

// open lists the open change requests as "#N subject".
func (f *fixture) open() []string {
	f.t.Helper()
	crs, err := f.raw.ChangeRequests(ctx, "space-1", gitbook.CROpen)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, cr := range crs {
		out = append(out, fmt.Sprintf("#%d %s", cr.Number, cr.Subject))
	}
	slices.Sort(out)
	return out
}

var rework = map[string]string{
	"guide/install.md":      "---\ndescription: Set it up\n---\n\n# Install\n\nStep one.\nStep two.\n",
	"guide/usage.md":        "",
	"guide/use.md":          "# Usage\n\nUse it.\n",
	"old.md":                "",
	"faq/README.md":         "# FAQ\n\nQuestions:\n\n- how\n- why\n",
	"faq/first.md":          "# First question\n\n__Answer__.\n",
	"faq/second/README.md":  "# Second question\n",
	"faq/second/details.md": "# Details\n\nMore.\n",
	"SUMMARY.md":            "* [Home](README.md)\n* [Guide](guide/README.md)\n  * [Usage](guide/use.md)\n  * [Install](guide/install.md)\n* [FAQ](faq/README.md)\n  * [First question](faq/first.md)\n  * [Second question](faq/second/README.md)\n    * [Details](faq/second/details.md)\n",
}

// A pull request in a project directory becomes a change request that
// matches an import of the same commit, against a GitBook that normalises
// Markdown and gives git.path from the repository root; a re-run sends
// nothing, a new push only its change.
func TestPullRequestBecomesChangeRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "docs")
	want := f.rework()
	c, w := f.client(nil)
	res, err := f.update(f.opts(c))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Number != 1 {
		t.Fatalf("result: %+v", res)
	}
	var ops []string
	for _, p := range res.Pages {
		ops = append(ops, p.Op+" "+p.Path)
	}
	for _, want := range []string{"renamed guide/use.md", "modified guide/install.md", "added faq/second/details.md", "deleted old.md"} {
		if !slices.Contains(ops, want) {
			t.Errorf("pages %v: no %q", ops, want)
		}
	}
	if got := f.crOutline(res.ID); got != want {
		t.Errorf("change request tree:\n%s\nimport of the same commit:\n%s", got, want)
	}
	// The rename is an update of the same page, not a delete and an insert.
	crPages, _ := f.raw.ChangeRequestPages(ctx, "space-1", res.ID)
	live, _ := f.raw.Pages(ctx, "space-1")
	if crPages[1].Pages[0].ID != live[1].Pages[1].ID {
		t.Errorf("the renamed page has a new ID: %s, was %s", crPages[1].Pages[0].ID, live[1].Pages[1].ID)
	}
	cr, _ := c.ChangeRequest(ctx, "space-1", res.ID)
	if cr.Subject != "Rework the guide ["+changerequest.Key(prURL)+"]" || len(cr.Links) != 1 || cr.Links[0].Ref.URL != prURL {
		t.Errorf("change request: subject %q, links %+v", cr.Subject, cr.Links)
	}
	// create, three levels of nested inserts, then subject, link and record.
	if got := w.take(); len(got) != res.Writes || res.Batches < 3 || got[0] != "POST /change-requests" || got[len(got)-1] != "PATCH /change-requests/"+res.ID {
		t.Errorf("writes %v (%d counted, %d batches)", got, res.Writes, res.Batches)
	}

	again, err := f.update(f.opts(c))
	if err != nil {
		t.Fatal(err)
	}
	if got := w.take(); len(got) != 0 || again.Writes != 0 || again.Created || again.Number != 1 {
		t.Errorf("re-run wrote %v (%+v)", got, again)
	}

	f.write(map[string]string{"faq/first.md": "# First question\n\n- A better answer.\n"})
	f.repo.Commit("better answer")
	delta, err := f.update(f.opts(c))
	if err != nil {
		t.Fatal(err)
	}
	wantWrites := []string{"POST /change-requests/" + res.ID + "/content", "PATCH /change-requests/" + res.ID}
	if got := w.take(); !slices.Equal(got, wantWrites) || len(delta.Pages) != 1 || delta.Pages[0].Path != "faq/first.md" {
		t.Errorf("delta: writes %v, want %v; pages %+v", got, wantWrites, delta.Pages)
	}
	if open := f.open(); len(open) != 1 {
		t.Errorf("open change requests: %v", open)
	}
}

// The write budget the README states: ⌈N/50⌉ content batches, the create,
// and one write for subject, link and record; a re-run writes nothing
// (while still reading each page in scope).
func TestWriteBudget(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 49, 50, 51, 120} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "")
			files := map[string]string{}
			summary := base["SUMMARY.md"]
			for i := range n {
				p := fmt.Sprintf("many/p%03d.md", i)
				files[p] = fmt.Sprintf("# Page %d\n\n- item\n", i)
				summary += fmt.Sprintf("* [Page %d](%s)\n", i, p)
			}
			files["SUMMARY.md"] = summary
			f.write(files)
			f.repo.Commit("many")
			c, w := f.client(nil)
			res, err := f.update(f.opts(c))
			if err != nil {
				t.Fatal(err)
			}
			budget := (n+49)/50 + 2
			if got := len(w.take()); got != budget || res.Writes != budget {
				t.Errorf("%d pages: %d writes (%d counted), want %d", n, got, res.Writes, budget)
			}
			t.Logf("%d pages: %d writes (%d batches)", n, res.Writes, res.Batches)
			if pages, _ := f.raw.ChangeRequestPages(ctx, "space-1", res.ID); len(pages) != 3+n {
				t.Errorf("%d root pages, want %d", len(pages), 3+n)
			}
			if n != 51 {
				return // one re-run, across a batch boundary, is enough
			}
			again, err := f.update(f.opts(c))
			if got := w.take(); err != nil || len(got) != 0 || again.Writes != 0 {
				t.Errorf("re-run: %v, writes %v", err, got)
			}
			t.Logf("%d pages, re-run: %d writes", n, again.Writes)
		})
	}
}

func TestReviewers(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	f.write(map[string]string{"guide/usage.md": "# Usage\n\nUse it well.\n"})
	f.repo.Commit("edit")
	c, w := f.client(nil)
	opts := f.opts(c)
	opts.Reviewers = []string{"nobody@example.com"}
	if _, err := f.update(opts); err == nil || !strings.Contains(err.Error(), "nobody@example.com is not a member") {
		t.Fatalf("unknown reviewer: %v", err)
	}
	if got := w.take(); len(got) != 0 {
		t.Errorf("an unknown reviewer still caused writes: %v", got)
	}
	opts.Reviewers = []string{"REVIEWER@example.com", "bot-1"}
	opts.Review = "approve"
	res, err := f.update(opts)
	if err != nil {
		t.Fatal(err)
	}
	rr, _ := f.raw.RequestedReviewers(ctx, "space-1", res.ID)
	if len(rr) != 2 || rr[0].User.ID != "user-1" {
		t.Errorf("requested reviewers: %+v", rr)
	}
	reviews, _ := f.raw.Reviews(ctx, "space-1", res.ID)
	if len(reviews) != 1 || reviews[0].Status != gitbook.ReviewApproved {
		t.Errorf("reviews: %+v", reviews)
	}
	w.take()
	if _, err := f.update(opts); err != nil || len(w.take()) != 0 {
		t.Errorf("re-run asked reviewers again: %v", err)
	}
}

func TestMergeArchiveAndGitBookEdits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		before        string // page edited in GitBook before the change request
		after         string // page edited in GitBook after it was opened
		wantNote      string
		wantConflicts bool
		wantWrites    []string
	}{
		{name: "GitBook edited another page: kept", before: "README.md", wantWrites: []string{"POST merge"}},
		{name: "GitBook edited the same page before: flagged", before: "guide/usage.md", wantNote: "also edited in GitBook",
			wantWrites: []string{"POST merge"}},
		// The change request is outdated then: brought up to date first.
		{name: "GitBook edited another page after: kept", after: "README.md",
			wantWrites: []string{"POST update", "POST merge"}},
		{name: "GitBook edited the same page after: merged with conflicts", after: "guide/usage.md", wantConflicts: true,
			wantWrites: []string{"POST update", "POST merge"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "")
			if tt.before != "" {
				if _, err := f.env.Server.EditPage("space-1", tt.before, "", "# Edited live\n"); err != nil {
					t.Fatal(err)
				}
			}
			f.write(map[string]string{"guide/usage.md": "# Usage\n\nUse it well.\n"})
			f.repo.Commit("edit")
			c, w := f.client(nil)
			res, err := f.update(f.opts(c))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Pages) != 1 || !strings.Contains(res.Pages[0].Note, tt.wantNote) {
				t.Fatalf("pages %+v, want only the edited one, note %q", res.Pages, tt.wantNote)
			}
			if tt.after != "" {
				if _, err := f.env.Server.EditPage("space-1", tt.after, "", "# Edited live\n"); err != nil {
					t.Fatal(err)
				}
			}
			w.take()
			m, err := changerequest.Merge(ctx, f.opts(c))
			if err != nil || !m.Merged || m.Conflicts != tt.wantConflicts || m.Number != res.Number {
				t.Fatalf("merge: %+v, %v", m, err)
			}
			if got := lastSegments(w.take()); !slices.Equal(got, tt.wantWrites) || m.Writes != len(got) {
				t.Errorf("merge writes %v (%d counted), want %v (no retry)", got, m.Writes, tt.wantWrites)
			}
			if tt.wantConflicts != (len(m.Warnings) == 1 && strings.Contains(m.Warnings[0], res.URL)) {
				t.Errorf("conflicts reported as %q, want the change request's link %s", m.Warnings, res.URL)
			}
			if tt.before == "README.md" || tt.after == "README.md" {
				live, _ := f.raw.Pages(ctx, "space-1")
				if home, err := f.raw.PageMarkdown(ctx, "space-1", live[0].ID); err != nil || !strings.Contains(home.Markdown, "Edited live") {
					t.Errorf("the merge lost GitBook's edit: %+v, %v", home, err)
				}
			}
		})
	}
	t.Run("closed pull request archives with a note", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, "")
		f.write(map[string]string{"guide/usage.md": "# Usage\n\nx\n"})
		f.repo.Commit("edit")
		c, _ := f.client(nil)
		if _, err := f.update(f.opts(c)); err != nil {
			t.Fatal(err)
		}
		opts := f.opts(c)
		opts.Reason = "its content went live by import."
		a, err := changerequest.Archive(ctx, opts)
		if err != nil || !a.Archived || a.Writes != 1 {
			t.Fatalf("archive: %+v %v", a, err)
		}
		if open := f.open(); len(open) != 0 {
			t.Errorf("open after archiving: %v", open)
		}
		cr, _ := c.ChangeRequest(ctx, "space-1", a.ID)
		if cr.Description == nil || !strings.Contains(string(cr.Description.Nodes[0]), "went live by import") {
			t.Errorf("no note in the description: %+v", cr.Description)
		}
	})
}

// TestOutdatedChangeRequestIsRebased: when live content moves on (the
// target branch's push imported), the next update brings the change
// request up to date with it before planning: the pages the pull request
// does not touch show what is live, its own stay, and only its new
// changes are sent. A dry run writes nothing.
func TestOutdatedChangeRequestIsRebased(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	f.write(map[string]string{"guide/usage.md": "# Usage\n\nUse it well.\n"})
	f.repo.Commit("edit")
	c, w := f.client(nil)
	res, err := f.update(f.opts(c))
	if err != nil {
		t.Fatal(err)
	}
	w.take()
	if _, err := f.env.Server.EditPage("space-1", "README.md", "", "# Home\n\nA warm welcome.\n"); err != nil {
		t.Fatal(err)
	}
	dry := f.opts(c)
	dry.DryRun = true
	if plan, err := f.update(dry); err != nil || len(plan.Pages) != 0 || len(w.take()) != 0 {
		t.Errorf("dry run: %+v, %v; want nothing to do and no writes", plan, err)
	}
	again, err := f.update(f.opts(c))
	if got := lastSegments(w.take()); err != nil || !slices.Equal(got, []string{"POST update"}) || again.Writes != 1 || again.Conflicts {
		t.Fatalf("update after live moved: %v, writes %v, %+v", err, got, again)
	}
	f.write(map[string]string{"guide/install.md": "# Install\n\nStep one, then two.\n"})
	f.repo.Commit("second")
	if _, err := f.update(f.opts(c)); err != nil {
		t.Fatal(err)
	}
	if got := lastSegments(w.take()); len(got) != 2 || got[0] != "POST content" {
		t.Errorf("writes for one more page: %v, want one batch and the record", got)
	}
	out := f.crOutline(res.ID)
	for _, want := range []string{`A warm welcome.`, `Use it well.`, `Step one, then two.`} {
		if !strings.Contains(out, want) {
			t.Errorf("change request lacks %q:\n%s", want, out)
		}
	}
	if cr, _ := f.raw.ChangeRequest(ctx, "space-1", res.ID); cr.Outdated {
		t.Error("still outdated")
	}
	if _, err := f.update(f.opts(c)); err != nil || len(w.take()) != 0 {
		t.Errorf("re-run: %v, writes", err)
	}
}

func TestImagesAreUploadedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	f.write(map[string]string{
		".gitbook/assets/diagram one.png": "PNG-bytes",
		".gitbook/assets/unused.png":      "not referenced",
		"guide/usage.md":                  "# Usage\n\n![Diagram](../.gitbook/assets/diagram%20one.png)\n",
	})
	f.repo.Commit("diagram")
	c, w := f.client(nil)
	res, err := f.update(f.opts(c))
	if err != nil {
		t.Fatal(err)
	}
	rev, _ := f.raw.ChangeRequestRevision(ctx, "space-1", res.ID)
	var names []string
	for _, file := range rev.Files {
		names = append(names, file.Name)
	}
	if len(names) != 1 || names[0] != "diagram one.png" {
		t.Errorf("files in the change request: %v", names)
	}
	if got := w.take(); len(got) != 3 {
		t.Errorf("writes %v, want create, one batch, record", got)
	}
	if _, err := f.update(f.opts(c)); err != nil || len(w.take()) != 0 {
		t.Errorf("re-run uploaded again: %v", err)
	}
}
