package changerequest_test

import (
	"net/http"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/httpfault"
)

func get(suffix string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.Method == http.MethodGet && strings.Contains(r.URL.Path, suffix) }
}

// opened is a fixture with the pull request's change request made and
// complete, before the pull request is merged or closed.
func opened(t *testing.T) (*fixture, *changerequest.Result) {
	t.Helper()
	f := newFixture(t, "")
	f.write(map[string]string{"guide/usage.md": "# Usage\n\nUse it well.\n"})
	f.repo.Commit("edit")
	c, _ := f.client(nil)
	res, err := f.update(f.opts(c))
	if err != nil {
		t.Fatal(err)
	}
	return f, res
}

func (f *fixture) status(id string) string {
	f.t.Helper()
	cr, err := f.raw.ChangeRequest(ctx, "space-1", id)
	if err != nil {
		f.t.Fatal(err)
	}
	return cr.Status
}

// liveUsage is the usage page as it is live.
func (f *fixture) liveUsage() string {
	f.t.Helper()
	rev, err := f.raw.CurrentRevision(ctx, "space-1")
	if err != nil {
		f.t.Fatal(err)
	}
	var id string
	gitbook.Walk(rev.Pages, func(p *gitbook.Page, _ *gitbook.Page, _ int) {
		if p.Git != nil && p.Git.Path == "guide/usage.md" {
			id = p.ID
		}
	})
	p, err := f.raw.PageMarkdown(ctx, "space-1", id)
	if err != nil {
		f.t.Fatal(err)
	}
	return p.Markdown
}

// Two runs finish one change request at once: the closed run of a merged
// pull request twice, or the closed run and the run of the push that
// archives it. Another writer acts just before this run's write; GitBook
// refuses the write, and the run ends without an error on what the other
// did, which also finishes its work.
func TestAnotherRunFinishesItFirst(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		before    func(*http.Request) bool // the write the other writer overtakes
		other     string                   // what it does: merge, archive
		outdated  bool                     // live moved on: the change request is rebased first
		archiving bool                     // this run archives (the push's run), else merges
		want      string                   // the change request's status at the end
	}{
		{name: "merged by the other closed run", before: writeTo("/merge"), other: "merge", want: gitbook.CRMerged},
		{name: "archived by the push's run", before: writeTo("/merge"), other: "archive", want: gitbook.CRArchived},
		{name: "merged by the other closed run before the rebase", before: writeTo("/update"), other: "merge", outdated: true, want: gitbook.CRMerged},
		{name: "merged by the closed run while the push's run archives", before: func(r *http.Request) bool { return r.Method == http.MethodPatch },
			other: "merge", archiving: true, want: gitbook.CRMerged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, cr := opened(t)
			if tt.outdated {
				if _, err := f.env.Server.EditPage("space-1", "README.md", "", "# Home\n\nEdited live.\n"); err != nil {
					t.Fatal(err)
				}
			}
			c, w := f.client(httpfault.First(tt.before, func(*http.Request) {
				var err error
				if tt.other == "merge" {
					_, err = f.raw.MergeChangeRequest(ctx, "space-1", cr.ID)
				} else {
					_, err = f.raw.UpdateChangeRequest(ctx, "space-1", cr.ID, gitbook.ChangeRequestUpdate{Status: gitbook.CRArchived})
				}
				if err != nil {
					t.Errorf("the other run: %v", err)
				}
			}))
			finish := changerequest.Merge
			if tt.archiving {
				finish = changerequest.Archive
			}
			res, err := finish(ctx, f.opts(c))
			if err != nil {
				t.Fatalf("this run: %v (writes %v)", err, w.take())
			}
			if res.Number != cr.Number || res.Already != tt.want || res.Merged != (tt.want == gitbook.CRMerged) || res.Archived != (tt.want == gitbook.CRArchived) {
				t.Errorf("result %+v, want #%d already %s", res, cr.Number, tt.want)
			}
			if got := f.status(cr.ID); got != tt.want {
				t.Errorf("change request #%d is %s, want %s", cr.Number, got, tt.want)
			}
			if live := f.liveUsage(); strings.Contains(live, "well") != (tt.want == gitbook.CRMerged) {
				t.Errorf("live usage page %q after the change request was %s", live, tt.want)
			}
		})
	}
}

// A merge answered 503 may or may not have been carried out: the change
// request read again tells. Merged: done, with a word to check for
// conflicts. Still open: merged once more, from what it holds now.
func TestMergeAnswered503(t *testing.T) {
	t.Parallel()
	for _, carried := range []bool{false, true} {
		name := "refused"
		if carried {
			name = "carried out"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, cr := opened(t)
			c, w := f.client(httpfault.Answer503(writeTo("/merge"), carried))
			res, err := changerequest.Merge(ctx, f.opts(c))
			if err != nil {
				t.Fatal(err)
			}
			// Refused, it is sent again; carried out, never.
			wantSent := 2
			if carried {
				wantSent = 1
			}
			if got := lastSegments(w.take()); !slices.Equal(got, []string{"POST merge"}) || res.Writes != wantSent {
				t.Errorf("writes that reached GitBook %v, %d sent; want one, %d sent", got, res.Writes, wantSent)
			}
			if !res.Merged || res.Already != "" || (len(res.Warnings) == 1) != carried {
				t.Errorf("result %+v", res)
			}
			if got := f.status(cr.ID); got != gitbook.CRMerged || !strings.Contains(f.liveUsage(), "well") {
				t.Errorf("change request #%d is %s, live usage %q", cr.Number, got, f.liveUsage())
			}
		})
	}
}

// Writes answered 503, before or after GitBook carried them out: the run
// reads what the change request holds and plans again, and ends with one
// complete change request, never a write sent twice blindly.
func TestWritesAnswered503(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		match      func(*http.Request) bool
		carried    bool
		wantCreate int // that reached GitBook
	}{
		{"the create, refused", writeTo("/change-requests"), false, 1},
		{"the create, carried out", writeTo("/change-requests"), true, 1},
		{"the first batch, refused", writeTo("/content"), false, 1},
		{"the first batch, carried out", writeTo("/content"), true, 1},
		{"the request for reviewers, refused", writeTo("/requested-reviewers"), false, 1},
		{"the request for reviewers, carried out", writeTo("/requested-reviewers"), true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "")
			want := f.rework()
			c, w := f.client(httpfault.Answer503(tt.match, tt.carried))
			opts := f.opts(c)
			opts.Reviewers = []string{"reviewer@example.com"}
			res, err := f.update(opts)
			if err != nil {
				t.Fatal(err)
			}
			writes := w.take()
			if n := countOf(writes, "POST /change-requests"); n != tt.wantCreate || res.Number != 1 {
				t.Errorf("%d creates, change request #%d; writes %v", n, res.Number, writes)
			}
			f.complete(res, want)
			rr, err := f.raw.RequestedReviewers(ctx, "space-1", res.ID)
			if err != nil || len(rr) != 1 {
				t.Errorf("requested reviewers %+v, %v", rr, err)
			}
		})
	}
}

// pageID finds the page of a file in the change request crID, or live
// when crID is "".
func (f *fixture) pageID(crID, gitPath string) string {
	f.t.Helper()
	var pages []gitbook.Page
	var err error
	if crID == "" {
		pages, err = f.raw.Pages(ctx, "space-1")
	} else {
		pages, err = f.raw.ChangeRequestPages(ctx, "space-1", crID)
	}
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
		f.t.Fatalf("no page for %s", gitPath)
	}
	return id
}

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// Bodies are read from the revision whose page tree was read: another
// writer changing the content between the two (a merge making another
// revision live, a run at the same time writing to the change request)
// cannot make a listed page vanish from under the run.
func TestBodiesAreReadFromTheRevisionListed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// existing: the change request exists, and the pull request has
		// moved on since, so its bodies are read.
		existing bool
	}{
		{"live content, before the change request exists", false},
		{"the change request's content", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "")
			want := f.rework()
			var crID string
			if tt.existing {
				c, _ := f.client(nil)
				res, err := f.update(f.opts(c))
				if err != nil {
					t.Fatal(err)
				}
				crID = res.ID
				f.write(map[string]string{"guide/install.md": "# Install\n\nStep one.\nStep two.\nStep three.\n"})
				f.repo.Commit("one more step")
				want = f.importedOutline("refs/heads/pr")
			}
			// Just before the body of the page the pull request changes is
			// read, the page goes: deleted by a merge live, or by another
			// run in the change request.
			install := f.pageID(crID, "guide/install.md")
			c, _ := f.client(httpfault.First(get("/page/"+install), func(r *http.Request) {
				del := []gitbook.Change{{Operation: gitbook.OpDeletePage, Page: path.Base(r.URL.Path)}}
				if tt.existing {
					if _, err := f.raw.ApplyChanges(ctx, "space-1", crID, del); err != nil {
						t.Errorf("the other run: %v", err)
					}
					return
				}
				other, err := f.raw.CreateChangeRequest(ctx, "space-1", "Tidy up")
				if err == nil {
					_, err = f.raw.ApplyChanges(ctx, "space-1", other.ID, del)
				}
				if err == nil {
					_, err = f.raw.MergeChangeRequest(ctx, "space-1", other.ID)
				}
				if err != nil {
					t.Errorf("the merge live: %v", err)
				}
			}))
			res, err := f.update(f.opts(c))
			if err != nil {
				t.Fatal(err)
			}
			f.complete(res, want)
		})
	}
}
