package changerequest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/emulatortest"
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

type fixture struct {
	t    *testing.T
	env  *emulatortest.Env
	c    *gitbook.Client
	repo *testrepo.Repo
	base plumbing.Hash
	dir  string // project directory
}

// newFixture imports base into space-1 and leaves the repository on a
// pull request branch.
func newFixture(t *testing.T, seed emulator.Seed) *fixture {
	t.Helper()
	if seed.Token == "" {
		seed = emulator.DefaultSeed()
	}
	repo := testrepo.New(t).Write(base)
	h := repo.Commit("base")
	env := emulatortest.Start(t, seed, emulator.Options{})
	c := env.Client(t, nil)
	if err := c.Import(ctx, "space-1", gitbook.ImportRequest{URL: repo.Dir, Ref: "refs/heads/main"}); err != nil {
		t.Fatal(err)
	}
	env.Server.Wait()
	wt, _ := repo.Git.Worktree()
	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("pr"), Create: true}); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, env: env, c: c, repo: repo, base: h}
}

func (f *fixture) opts() changerequest.Options {
	return changerequest.Options{Client: f.c, Space: "space-1", Organization: "org-1", Link: prURL, LinkTitle: "PR #7", Subject: "Rework the guide"}
}

// update runs a change request update for the branch as it is now.
func (f *fixture) update(opts changerequest.Options) (*changerequest.Result, error) {
	f.t.Helper()
	r, err := gbsync.OpenRepo(f.repo.Dir)
	if err != nil {
		f.t.Fatal(err)
	}
	baseC, _ := r.Git.CommitObject(f.base)
	head, _, err := r.Head("")
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
	desired, _, err := changerequest.Desired(proj, files)
	if err != nil {
		f.t.Fatal(err)
	}
	f.env.Server.ResetRequests()
	return changerequest.Update(ctx, opts, desired, changerequest.ScopeOf(diff))
}

func (f *fixture) writes() []string {
	var out []string
	for _, r := range f.env.Server.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// outline renders a page tree with titles, slug paths and bodies.
func outline(pages []gitbook.Page) string {
	var b strings.Builder
	gitbook.Walk(pages, func(p *gitbook.Page, parent *gitbook.Page, _ int) {
		depth := strings.Count(p.Path, "/")
		fmt.Fprintf(&b, "%s%s /%s %q\n", strings.Repeat("  ", depth), p.Title, p.Path, strings.TrimSpace(p.Markdown))
	})
	return b.String()
}

// importedOutline imports the branch head into a fresh space and returns
// its outline: what GitBook makes of the same commit.
func (f *fixture) importedOutline() string {
	f.t.Helper()
	return f.importedOutlineOf("refs/heads/pr")
}

func (f *fixture) importedOutlineOf(ref string) string {
	f.t.Helper()
	seed := emulator.DefaultSeed()
	env := emulatortest.Start(f.t, seed, emulator.Options{})
	c := env.Client(f.t, nil)
	if err := c.Import(ctx, "space-1", gitbook.ImportRequest{URL: f.repo.Dir, Ref: ref, RepoProjectDirectory: f.dir}); err != nil {
		f.t.Fatal(err)
	}
	env.Server.Wait()
	pages, err := c.Pages(ctx, "space-1")
	if err != nil {
		f.t.Fatal(err)
	}
	return outline(pages)
}

func (f *fixture) crOutline(id string) string {
	pages, err := f.c.ChangeRequestPages(ctx, "space-1", id)
	if err != nil {
		f.t.Fatal(err)
	}
	return outline(pages)
}

func TestPullRequestBecomesChangeRequest(t *testing.T) {
	f := newFixture(t, emulator.Seed{})
	f.repo.Write(map[string]string{
		"guide/install.md":      "---\ndescription: Set it up\n---\n\n# Install\n\nStep one.\nStep two.\n",
		"guide/usage.md":        "",
		"guide/use.md":          "# Usage\n\nUse it.\n",
		"old.md":                "",
		"faq/README.md":         "# FAQ\n\nQuestions.\n",
		"faq/first.md":          "# First question\n\nAnswer.\n",
		"faq/second/README.md":  "# Second question\n",
		"faq/second/details.md": "# Details\n\nMore.\n",
		"SUMMARY.md":            "* [Home](README.md)\n* [Guide](guide/README.md)\n  * [Usage](guide/use.md)\n  * [Install](guide/install.md)\n* [FAQ](faq/README.md)\n  * [First question](faq/first.md)\n  * [Second question](faq/second/README.md)\n    * [Details](faq/second/details.md)\n",
	})
	f.repo.Commit("rework")
	res, err := f.update(f.opts())
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
	want := "moved guide/use.md, modified guide/install.md, added faq/README.md, added faq/first.md, added faq/second/README.md, added faq/second/details.md, deleted old.md"
	if got := strings.Join(ops, ", "); !strings.Contains(got, "added faq/second/details.md") || !strings.Contains(got, "deleted old.md") || !strings.Contains(got, "modified guide/install.md") {
		t.Errorf("pages: %s\nwant like: %s", got, want)
	}
	if got, want := f.crOutline(res.ID), f.importedOutline(); got != want {
		t.Errorf("change request tree:\n%s\nimport of the same commit:\n%s", got, want)
	}
	// The rename is an update of the same page, not a delete and an insert.
	crPages, _ := f.c.ChangeRequestPages(ctx, "space-1", res.ID)
	live, _ := f.c.Pages(ctx, "space-1")
	if crPages[1].Pages[0].ID != live[1].Pages[1].ID {
		t.Errorf("the renamed page has a new ID: %s, was %s", crPages[1].Pages[0].ID, live[1].Pages[1].ID)
	}
	cr, _ := f.c.ChangeRequest(ctx, "space-1", res.ID)
	if cr.Subject != "Rework the guide" || len(cr.Links) != 1 || cr.Links[0].Ref.URL != prURL {
		t.Errorf("change request: %+v", cr)
	}
	// Nested inserts need their parent's ID first: one batch per level.
	if res.Batches < 3 {
		t.Errorf("%d batches; nested inserts need at least 3", res.Batches)
	}

	// Run again with nothing new: no write at all.
	again, err := f.update(f.opts())
	if err != nil {
		t.Fatal(err)
	}
	if w := f.writes(); len(w) != 0 || again.Created || again.Number != 1 {
		t.Errorf("re-run wrote %v (%+v)", w, again)
	}

	// A new push: only the change is sent.
	f.repo.Write(map[string]string{"faq/first.md": "# First question\n\nA better answer.\n"})
	f.repo.Commit("better answer")
	delta, err := f.update(f.opts())
	if err != nil {
		t.Fatal(err)
	}
	if w := f.writes(); len(w) != 1 || len(delta.Pages) != 1 || delta.Pages[0].Path != "faq/first.md" {
		t.Errorf("delta: writes %v, pages %+v", w, delta.Pages)
	}
	if crs, _ := f.c.ChangeRequests(ctx, "space-1", ""); len(crs) != 1 {
		t.Errorf("%d change requests, want 1", len(crs))
	}
}

func TestManyPagesStayWithinTheWriteBudget(t *testing.T) {
	for _, n := range []int{1, 49, 50, 51, 120} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f := newFixture(t, emulator.Seed{})
			files := map[string]string{}
			summary := base["SUMMARY.md"]
			for i := 0; i < n; i++ {
				p := fmt.Sprintf("many/p%03d.md", i)
				files[p] = fmt.Sprintf("# Page %d\n", i)
				summary += fmt.Sprintf("* [Page %d](%s)\n", i, p)
			}
			files["SUMMARY.md"] = summary
			f.repo.Write(files)
			f.repo.Commit("many")
			res, err := f.update(f.opts())
			if err != nil {
				t.Fatal(err)
			}
			budget := (n+49)/50 + 4
			if w := len(f.writes()); w > budget {
				t.Errorf("%d pages: %d writes, budget %d: %v", n, w, budget, f.writes())
			}
			t.Logf("%d pages: %d writes (%d batches), budget %d", n, len(f.writes()), res.Batches, budget)
			pages, _ := f.c.ChangeRequestPages(ctx, "space-1", res.ID)
			if len(pages) != 3+n {
				t.Errorf("%d root pages, want %d", len(pages), 3+n)
			}
			if got, want := f.crOutline(res.ID), f.importedOutline(); got != want {
				t.Errorf("order or content differs from an import:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestInterruptedRunIsCompleted(t *testing.T) {
	f := newFixture(t, emulator.Seed{})
	files := map[string]string{}
	summary := base["SUMMARY.md"]
	for i := 0; i < 80; i++ {
		p := fmt.Sprintf("many/p%03d.md", i)
		files[p] = fmt.Sprintf("# Page %d\n", i)
		summary += fmt.Sprintf("* [Page %d](%s)\n", i, p)
	}
	files["SUMMARY.md"] = summary
	f.repo.Write(files)
	f.repo.Commit("many")

	// A client that fails on the second content batch, as a killed run.
	failing := f.opts()
	failing.Client = failAfter(t, f.env, 1)
	if _, err := f.update(failing); err == nil || !strings.Contains(err.Error(), "next run completes the rest") {
		t.Fatalf("interrupted run: %v", err)
	}
	res, err := f.update(f.opts())
	if err != nil {
		t.Fatal(err)
	}
	if res.Created || res.Number != 1 {
		t.Errorf("the second run made a new change request: %+v", res)
	}
	if got, want := f.crOutline(res.ID), f.importedOutline(); got != want {
		t.Errorf("after completion:\n%s\nwant:\n%s", got, want)
	}
}

func TestReviewers(t *testing.T) {
	f := newFixture(t, emulator.Seed{})
	f.repo.Write(map[string]string{"guide/usage.md": "# Usage\n\nUse it well.\n"})
	f.repo.Commit("edit")
	opts := f.opts()
	opts.Reviewers = []string{"nobody@example.com"}
	if _, err := f.update(opts); err == nil || !strings.Contains(err.Error(), "nobody@example.com is not a member") {
		t.Fatalf("unknown reviewer: %v", err)
	}
	if w := f.writes(); len(w) != 0 {
		t.Errorf("an unknown reviewer still caused writes: %v", w)
	}
	opts.Reviewers = []string{"REVIEWER@example.com", "bot-1"}
	opts.Review = "approve"
	res, err := f.update(opts)
	if err != nil {
		t.Fatal(err)
	}
	rr, _ := f.c.RequestedReviewers(ctx, "space-1", res.ID)
	if len(rr) != 2 || rr[0].User.ID != "user-1" {
		t.Errorf("requested reviewers: %+v", rr)
	}
	reviews, _ := f.c.Reviews(ctx, "space-1", res.ID)
	if len(reviews) != 1 || reviews[0].Status != gitbook.ReviewApproved {
		t.Errorf("reviews: %+v", reviews)
	}
	if _, err := f.update(opts); err != nil || len(f.writes()) != 0 {
		t.Errorf("re-run asked reviewers again: %v %v", f.writes(), err)
	}
}

func TestMergeArchiveAndGitBookEdits(t *testing.T) {
	tests := []struct {
		name     string
		before   string // page edited in GitBook before the change request
		after    string // page edited in GitBook after it was opened
		wantNote string
		wantErr  error
	}{
		{name: "merge"},
		{name: "GitBook edited another page: kept", before: "README.md"},
		{name: "GitBook edited the same page before: flagged", before: "guide/usage.md", wantNote: "also edited in GitBook"},
		{name: "GitBook edited the same page after: conflicts", after: "guide/usage.md", wantErr: changerequest.ErrConflicts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, emulator.Seed{})
			if tt.before != "" {
				if _, err := f.env.Server.EditPage("space-1", tt.before, "", "# Edited live\n"); err != nil {
					t.Fatal(err)
				}
			}
			f.repo.Write(map[string]string{"guide/usage.md": "# Usage\n\nUse it well.\n"})
			f.repo.Commit("edit")
			res, err := f.update(f.opts())
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Pages) != 1 {
				t.Fatalf("the change request touches %d pages, want only the edited one: %+v", len(res.Pages), res.Pages)
			}
			if !strings.Contains(res.Pages[0].Note, tt.wantNote) {
				t.Errorf("note %q, want %q", res.Pages[0].Note, tt.wantNote)
			}
			if tt.after != "" {
				if _, err := f.env.Server.EditPage("space-1", tt.after, "", "# Edited live\n"); err != nil {
					t.Fatal(err)
				}
			}
			m, err := changerequest.Merge(ctx, f.opts())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("merge: %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && !m.Merged {
				t.Errorf("not merged: %+v", m)
			}
			live, _ := f.c.Pages(ctx, "space-1")
			if tt.before == "README.md" && !strings.Contains(live[0].Markdown, "Edited live") {
				t.Errorf("the merge lost GitBook's edit: %q", live[0].Markdown)
			}
		})
	}
	t.Run("closed pull request archives", func(t *testing.T) {
		f := newFixture(t, emulator.Seed{})
		f.repo.Write(map[string]string{"guide/usage.md": "# Usage\n\nx\n"})
		f.repo.Commit("edit")
		if _, err := f.update(f.opts()); err != nil {
			t.Fatal(err)
		}
		a, err := changerequest.Archive(ctx, f.opts())
		if err != nil || !a.Archived {
			t.Fatalf("archive: %+v %v", a, err)
		}
		if crs, _ := f.c.ChangeRequests(ctx, "space-1", ""); len(crs) != 0 {
			t.Errorf("%d open change requests after archiving", len(crs))
		}
	})
}

func TestImagesAreUploadedOnce(t *testing.T) {
	f := newFixture(t, emulator.Seed{})
	f.repo.Write(map[string]string{
		".gitbook/assets/diagram one.png": "PNG-bytes",
		".gitbook/assets/unused.png":      "not referenced",
		"guide/usage.md":                  "# Usage\n\n![Diagram](../.gitbook/assets/diagram%20one.png)\n",
	})
	f.repo.Commit("diagram")
	res, err := f.update(f.opts())
	if err != nil {
		t.Fatal(err)
	}
	rev, _ := f.c.ChangeRequestRevision(ctx, "space-1", res.ID)
	var names []string
	for _, file := range rev.Files {
		names = append(names, file.Name)
	}
	if len(names) != 1 || names[0] != "diagram one.png" {
		t.Errorf("files in the change request: %v", names)
	}
	if w := len(f.writes()); w > 4 {
		t.Errorf("%d writes: %v", w, f.writes())
	}
	if _, err := f.update(f.opts()); err != nil || len(f.writes()) != 0 {
		t.Errorf("re-run uploaded again: %v %v", f.writes(), err)
	}
}
