package sync

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/ci"
	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// fakeGitBook answers the engine's GitBook calls from memory: what the
// emulator does, without a server, for unit tests of the engine.
type fakeGitBook struct {
	mu      stdsync.Mutex
	info    *gitbook.GitInfo // nil: no Git Sync (git/info 404)
	rev     gitbook.Revision
	bodies  map[string]string // by page ID
	reads   []string          // page IDs whose body was read
	imports []gitbook.ImportRequest
	// onImport is what GitBook does with an import: by default the space
	// then records the ref's commit, given by importOID.
	importOID string
	panicky   bool
}

func (f *fakeGitBook) GitInfo(_ context.Context, _ string) (*gitbook.GitInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panicky {
		panic("boom")
	}
	if f.info == nil {
		return nil, gitbook.ErrNoGitProvider
	}
	info := *f.info
	return &info, nil
}

func (f *fakeGitBook) CurrentRevision(context.Context, string) (*gitbook.Revision, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rev := f.rev
	return &rev, nil
}

func (f *fakeGitBook) RevisionPagesMarkdown(_ context.Context, _ string, revision string, ids []string) (map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if revision != f.rev.ID {
		return nil, fmt.Errorf("revision %q is not the space's (%q)", revision, f.rev.ID)
	}
	bodies := map[string]string{}
	for _, id := range ids {
		f.reads = append(f.reads, id)
		body, ok := f.bodies[id]
		if !ok {
			return nil, fmt.Errorf("no page %s", id)
		}
		bodies[id] = body
	}
	return bodies, nil
}

func (f *fakeGitBook) Import(_ context.Context, _ string, r gitbook.ImportRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.imports = append(f.imports, r)
	f.rev.ID += "+"
	f.rev.Git = &gitbook.GitCommit{OID: f.importOID}
	return nil
}

func (f *fakeGitBook) Export(context.Context, string, gitbook.ExportRequest) error {
	return fmt.Errorf("not in these tests")
}

// fakeChangeRequests records what the engine asked for.
type fakeChangeRequests struct {
	mu    stdsync.Mutex
	open  []changerequest.Tracked
	calls []string
	notes []string // the Reason each call was given
	scope changerequest.Scope
	// also is what every result reports beside the work done.
	also changerequest.Result
}

func (f *fakeChangeRequests) record(what string, o changerequest.Options) *changerequest.Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, what+" "+o.Link)
	f.notes = append(f.notes, o.Reason)
	r := f.also
	r.Number, r.Writes = 1, 1
	return &r
}

func (f *fakeChangeRequests) Propose(_ context.Context, o changerequest.Options, _ *content.Project, _ content.Files, scope changerequest.Scope) (*changerequest.Result, diag.List, error) {
	f.scope = scope
	return f.record("propose", o), nil, nil
}

func (f *fakeChangeRequests) Merge(_ context.Context, o changerequest.Options) (*changerequest.Result, error) {
	r := f.record("merge", o)
	r.Merged = true
	return r, nil
}

func (f *fakeChangeRequests) Archive(_ context.Context, o changerequest.Options) (*changerequest.Result, error) {
	r := f.record("archive", o)
	r.Archived = true
	return r, nil
}

func (f *fakeChangeRequests) Open(context.Context, string) ([]changerequest.Tracked, error) {
	return f.open, nil
}

// run runs the engine over one space of the checkout at dir.
func runFake(t *testing.T, dir string, gb *fakeGitBook, crs *fakeChangeRequests, c *ci.Context, pr *PullRequest, sp config.Space) Result {
	t.Helper()
	repo, err := OpenRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if crs == nil {
		crs = &fakeChangeRequests{}
	}
	opts := Options{GitBook: gb, ChangeRequests: crs, Repo: repo, CI: c, PullRequest: pr, RepoURL: "https://github.com/acme/docs.git",
		Poll: gitbook.Poll{Initial: time.Millisecond}, Wait: 2 * time.Second}
	return Run(context.Background(), opts, []config.Space{sp})[0]
}

var docsSpace = config.Space{Space: "s", Path: "docs"}

// pushTo moves a branch of the host to commit (as a push or a merge does).
func (h *host) pushTo(t *testing.T, branch, commit string) {
	t.Helper()
	gitCLI(t, h.bare, "update-ref", "refs/heads/"+branch, commit)
}

// commitOnMain commits files on main in the host (as GitBook's export
// does) and returns the commit.
func (h *host) commitOnMain(t *testing.T, msg string, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "w")
	gitCLI(t, filepath.Dir(dir), "clone", "-q", "file://"+h.bare, dir)
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitCLI(t, dir, "add", "-A")
	gitCLI(t, dir, "commit", "-q", "--allow-empty", "-m", msg)
	gitCLI(t, dir, "push", "-q", "origin", "main")
	return gitCLI(t, dir, "rev-parse", "HEAD")
}

// pages of the space as GitBook shows them after an import of the host's
// main at mainTip (titles from the leading headings).
func importedPages(gitPath func(string) string) ([]gitbook.Page, map[string]string) {
	pages := []gitbook.Page{
		{ID: "p1", Title: "Welcome", Type: gitbook.PageDocument, Path: "", Git: &gitbook.GitBlob{Path: gitPath("README.md")}},
		{ID: "p2", Title: "Install", Type: gitbook.PageDocument, Path: "install", Git: &gitbook.GitBlob{Path: gitPath("guide/install.md")}},
	}
	return pages, map[string]string{"p1": "# Welcome\n\nA warm welcome.\n", "p2": "# Install\n\nRun it...\n"}
}

// TestCompareThroughTheAPI: when the space names no commit, its pages are
// compared with HEAD by one rule for titles (the leading heading wins over
// SUMMARY's text) and identity (git.path from either root; pages a merged
// change request created, which have none, by their place).
func TestCompareThroughTheAPI(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	dir := h.checkout(t, "github-push-depth1")
	for _, root := range []string{"repository", "project"} {
		t.Run(root, func(t *testing.T) {
			t.Parallel()
			gitPath := func(p string) string { return "docs/" + p }
			if root == "project" {
				gitPath = func(p string) string { return p }
			}
			pages, bodies := importedPages(gitPath)
			gb := &fakeGitBook{rev: gitbook.Revision{ID: "r1", Pages: pages}, bodies: bodies, importOID: h.mainTip}
			res := runFake(t, dir, gb, nil, &ci.Context{Branch: "main", DefaultBranch: "main"}, nil, docsSpace)
			if res.State != InSync || res.Decision != DoImport || res.Outcome != Imported || len(res.Diff.Pages) != 0 {
				t.Errorf("%q %q %q %v %s", res.State, res.Decision, res.Outcome, res.Reasons, res.ErrorText())
			}
			if len(gb.reads) != 2 {
				t.Errorf("bodies read: %v", gb.reads)
			}
		})
	}
	t.Run("a page a change request created", func(t *testing.T) {
		t.Parallel()
		pages, bodies := importedPages(func(p string) string { return "docs/" + p })
		pages[1].Git = nil // inserted through the API: no file yet
		gb := &fakeGitBook{rev: gitbook.Revision{ID: "r1", Pages: pages}, bodies: bodies}
		res := runFake(t, dir, gb, nil, &ci.Context{Branch: "main", DefaultBranch: "main"}, nil, config.Space{Space: "s", Path: "docs", Mode: config.ModeExport})
		if res.State != InSync || len(res.Diff.Pages) != 0 {
			t.Errorf("%q: %+v", res.State, res.Diff.Pages)
		}
	})
	t.Run("a title that differs", func(t *testing.T) {
		t.Parallel()
		pages, bodies := importedPages(func(p string) string { return "docs/" + p })
		pages[1].Title = "Installing"
		gb := &fakeGitBook{rev: gitbook.Revision{ID: "r1", Pages: pages}, bodies: bodies}
		res := runFake(t, dir, gb, nil, &ci.Context{Branch: "main", DefaultBranch: "main"}, nil, docsSpace)
		if res.State != Diverged || len(res.Diff.Pages) != 1 || res.Diff.Pages[0].Note != "title in the space: Installing" {
			t.Errorf("%q: %+v", res.State, res.Diff.Pages)
		}
	})
}

// TestMergedChangeRequestThenMain: GitBook merged the change request of
// pull request 7, whose head is in HEAD's history; HEAD has more (main
// moved on): importing HEAD brings both.
func TestMergedChangeRequestThenMain(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	h.pushTo(t, "main", h.merged)
	dir := h.checkout(t, "github-pr-depth0") // at the merge
	pages, bodies := importedPages(func(p string) string { return "docs/" + p })
	bodies["p1"] = "# Welcome\n" // main's later change is not in the space
	bodies["p2"] = "# Install\n\nDownload it, then run it.\n"
	cr := &gitbook.ChangeRequest{Number: 3, Links: []gitbook.ChangeRequestLink{gitbook.NewLink("https://github.com/acme/docs/pull/7", "Pull request #7")}}
	gb := &fakeGitBook{rev: gitbook.Revision{ID: "r1", Pages: pages, MergedFrom: cr}, bodies: bodies, importOID: h.merged}
	res := runFake(t, dir, gb, nil, &ci.Context{Provider: ci.GitHub, Branch: "main", DefaultBranch: "main", WebURL: "https://github.com/acme/docs"}, nil, docsSpace)
	if res.State != RepoAhead || res.Outcome != Imported || !strings.Contains(res.Reason(), "pull request #7 is merged into HEAD") {
		t.Errorf("%q %q %v %s", res.State, res.Outcome, res.Reasons, res.ErrorText())
	}
}

// TestGitBookExportCommit: GitBook's Git Sync exported a merged change
// request as a commit after this checkout was made, with HEAD's content:
// that is not "space ahead".
func TestGitBookExportCommit(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	dir := h.checkout(t, "github-push-depth1")
	exported := h.commitOnMain(t, "GITBOOK-3: Better install", nil)
	rev := gitbook.Revision{ID: "r2", Git: &gitbook.GitCommit{OID: exported, Message: "GITBOOK-3: Better install", CreatedByGitBook: true}}
	gb := &fakeGitBook{info: &gitbook.GitInfo{InstallationProvider: "github"}, rev: rev}
	res := runFake(t, dir, gb, nil, &ci.Context{Provider: ci.GitHub, Branch: "main", DefaultBranch: "main"}, nil, docsSpace)
	if res.State != InSync || res.Decision != Nothing || !strings.Contains(res.Reason(), "GitBook exported commit") {
		t.Errorf("%q %q %v %s", res.State, res.Decision, res.Reasons, res.ErrorText())
	}
	// An export that changed the docs is GitBook's edits: written to the
	// branch by Git Sync, they come with the next push.
	edited := h.commitOnMain(t, "GITBOOK-4: Edit", map[string]string{"docs/README.md": "# Welcome\n\nEdited in GitBook.\n"})
	gb.rev.Git = &gitbook.GitCommit{OID: edited, CreatedByGitBook: true}
	dir = h.checkout(t, "github-push-depth1")
	res = runFake(t, dir, gb, nil, &ci.Context{Provider: ci.GitHub, Branch: "main", DefaultBranch: "main"}, nil, docsSpace)
	if res.State != SpaceAhead || res.Decision != Nothing || len(gb.imports) != 0 {
		t.Errorf("%q %q %v imports %v", res.State, res.Decision, res.Reasons, gb.imports)
	}
}

// TestPushFinishesMergedChangeRequests: the push that merged pull request
// 7 imports, then archives its change request (its content went live with
// the import), whatever the order of the runs; another pull request's is
// left alone.
func TestPushFinishesMergedChangeRequests(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	h.pushTo(t, "main", h.merged)
	for _, layout := range []string{"github-push-depth1", "github-pr-depth0"} {
		t.Run(layout, func(t *testing.T) {
			t.Parallel()
			dir := h.checkout(t, layout)
			if layout == "github-push-depth1" {
				gitCLI(t, dir, "-c", "protocol.version=2", "fetch", "-q", "--depth=1", "origin", "+"+h.merged+":refs/remotes/origin/main")
				gitCLI(t, dir, "checkout", "-q", "--force", "-B", "main", "refs/remotes/origin/main")
			}
			gb := &fakeGitBook{rev: gitbook.Revision{ID: "r1", Git: &gitbook.GitCommit{OID: h.base}}, importOID: h.merged}
			crs := &fakeChangeRequests{open: []changerequest.Tracked{
				{Number: 1, Link: "https://github.com/acme/docs/pull/7"},
				{Number: 2, Link: "https://github.com/acme/docs/pull/8"},
				{Number: 4, Link: "https://github.com/acme/docs/tree/other"},
			}}
			c := &ci.Context{Provider: ci.GitHub, Branch: "main", DefaultBranch: "main", WebURL: "https://github.com/acme/docs"}
			res := runFake(t, dir, gb, crs, c, nil, docsSpace)
			if res.Outcome != Imported || res.Err != nil {
				t.Fatalf("%q %q %v %s", res.State, res.Outcome, res.Reasons, res.ErrorText())
			}
			if !slices.Equal(crs.calls, []string{"archive https://github.com/acme/docs/pull/7"}) || len(res.Finished) != 1 {
				t.Errorf("calls %v, finished %d", crs.calls, len(res.Finished))
			}
			if !strings.Contains(res.Reason(), "pull request #7 is merged into main and its content went live") {
				t.Errorf("reasons %v", res.Reasons)
			}
			// The change request says why it was archived.
			if len(crs.notes) != 1 || !strings.Contains(crs.notes[0], "Pull request #7 (https://github.com/acme/docs/pull/7) is merged into main, and its content went live with commit "+h.merged[:7]) {
				t.Errorf("archive note %q", crs.notes)
			}
		})
	}
}

// TestBranchPush: a push to another branch says so and does nothing, or,
// in change-request mode, proposes the branch's own changes keyed by the
// branch.
func TestBranchPush(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	dir := h.checkout(t, "gitlab-mr") // detached at the branch's head
	c := &ci.Context{Provider: ci.GitLab, Branch: "install", DefaultBranch: "main", WebURL: "https://gitlab.example/acme/docs"}
	gb := &fakeGitBook{rev: gitbook.Revision{ID: "r1", Git: &gitbook.GitCommit{OID: h.base}}}
	res := runFake(t, dir, gb, nil, c, nil, docsSpace)
	if res.Event != EventBranch || res.Decision != Nothing || !strings.Contains(res.Reason(), "branch install is not the source branch (main)") || len(gb.imports) != 0 {
		t.Errorf("%q %q %v", res.Event, res.Decision, res.Reasons)
	}
	crs := &fakeChangeRequests{}
	sp := docsSpace
	sp.Mode = config.ModeChangeRequest
	res = runFake(t, dir, gb, crs, c, nil, sp)
	if res.Decision != DoChangeRequest || !slices.Equal(crs.calls, []string{"propose https://gitlab.example/acme/docs/-/tree/install"}) {
		t.Errorf("%q %v %s", res.Decision, crs.calls, res.ErrorText())
	}
	if !crs.scope.Paths["guide/install.md"] || len(crs.scope.Paths) != 1 {
		t.Errorf("scope %+v: want the branch's own page only", crs.scope)
	}
}

// TestChangeRequestNotes: what the change request package reports beside
// its work reaches the result, where reports show it: conflicts and
// superseded change requests as reasons, warnings as diagnostics.
func TestChangeRequestNotes(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	dir := h.checkout(t, "gitlab-mr")
	c := &ci.Context{Provider: ci.GitLab, Branch: "install", DefaultBranch: "main", WebURL: "https://gitlab.example/acme/docs"}
	gb := &fakeGitBook{rev: gitbook.Revision{ID: "r1", Git: &gitbook.GitCommit{OID: h.base}}}
	crs := &fakeChangeRequests{also: changerequest.Result{Conflicts: true, Superseded: []int{2, 3},
		Warnings: []string{"GitBook's answer to the merge was lost"}}}
	sp := docsSpace
	sp.Mode = config.ModeChangeRequest
	res := runFake(t, dir, gb, crs, c, nil, sp)
	for _, want := range []string{"change request #1 has conflicts to resolve in GitBook",
		"change requests #2, #3, also made for branch install (by runs at the same time, or left by lost answers), were archived: #1 carries it"} {
		if !slices.Contains(res.Reasons, want) {
			t.Errorf("reasons %q lack %q", res.Reasons, want)
		}
	}
	if !slices.ContainsFunc(res.Diagnostics, func(d diag.Diagnostic) bool {
		return d.Severity == diag.Warning && d.Message == "GitBook's answer to the merge was lost"
	}) {
		t.Errorf("diagnostics %+v lack the warning", res.Diagnostics)
	}
}

// TestGuarded: a crash in one space is that space's failure; the others
// are done and reported.
func TestGuarded(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	repo, err := OpenRepo(h.checkout(t, "github-push-depth1"))
	if err != nil {
		t.Fatal(err)
	}
	good := &fakeGitBook{rev: gitbook.Revision{ID: "r1", Git: &gitbook.GitCommit{OID: h.mainTip}}}
	bad := &fakeGitBook{panicky: true}
	byCall := &perSpace{spaces: map[string]*fakeGitBook{"good": good, "bad": bad}}
	results := Run(context.Background(), Options{GitBook: byCall, ChangeRequests: &fakeChangeRequests{}, Repo: repo, CI: &ci.Context{Branch: "main"}},
		[]config.Space{{Space: "bad", Path: "docs"}, {Space: "good", Path: "docs"}})
	if results[0].Outcome != Failed || !strings.Contains(results[0].ErrorText(), "internal error") || !strings.Contains(results[0].ErrorText(), "boom") {
		t.Errorf("bad space: %q %s", results[0].Outcome, results[0].ErrorText())
	}
	if results[1].Outcome != Unchanged || results[1].State != InSync {
		t.Errorf("good space: %q %q %s", results[1].Outcome, results[1].State, results[1].ErrorText())
	}
}

// perSpace sends each space's calls to its own fake.
type perSpace struct{ spaces map[string]*fakeGitBook }

func (p *perSpace) GitInfo(ctx context.Context, s string) (*gitbook.GitInfo, error) {
	return p.spaces[s].GitInfo(ctx, s)
}

func (p *perSpace) CurrentRevision(ctx context.Context, s string) (*gitbook.Revision, error) {
	return p.spaces[s].CurrentRevision(ctx, s)
}

func (p *perSpace) RevisionPagesMarkdown(ctx context.Context, s, revision string, ids []string) (map[string]string, error) {
	return p.spaces[s].RevisionPagesMarkdown(ctx, s, revision, ids)
}

func (p *perSpace) Import(ctx context.Context, s string, r gitbook.ImportRequest) error {
	return p.spaces[s].Import(ctx, s, r)
}

func (p *perSpace) Export(ctx context.Context, s string, r gitbook.ExportRequest) error {
	return p.spaces[s].Export(ctx, s, r)
}

// TestSpecsOutsideTheRepository: a spec file outside the repository, by
// path or through a symbolic link, is refused before anything is read or
// sent, naming the file and the field.
func TestSpecsOutsideTheRepository(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	dir := h.checkout(t, "github-push-depth1")
	secret := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(secret, []byte("openapi: 3.0.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "linked.yaml")); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(dir, secret)
	for _, file := range []string{rel, "linked.yaml"} {
		sp := config.Space{Space: "s", Path: "docs", Organization: "o", OpenAPI: []config.OpenAPI{{Spec: "pets", File: file}}}
		gb := &fakeGitBook{rev: gitbook.Revision{ID: "r1", Git: &gitbook.GitCommit{OID: h.mainTip}}}
		res := runFake(t, dir, gb, nil, &ci.Context{Branch: "main"}, nil, sp)
		if res.Outcome != Failed || !strings.Contains(res.ErrorText(), file+": ") || !strings.Contains(res.ErrorText(), "outside the repository") {
			t.Errorf("%s: %q %s", file, res.Outcome, res.ErrorText())
		}
		if len(res.Diagnostics) != 1 || res.Diagnostics[0].File != file || res.Diagnostics[0].Field != "openapi.file" {
			t.Errorf("%s: diagnostics %+v", file, res.Diagnostics)
		}
	}
}

func TestInsideRelativePaths(t *testing.T) {
	h := newHost(t)
	dir := h.checkout(t, "github-push-depth1")
	t.Chdir(dir)
	repo, err := OpenRepo(".")
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.inside(filepath.Join(".", "docs/README.md")); err != nil {
		t.Errorf("a file of the repository, by a relative path: %v", err)
	}
	if err := repo.inside("../outside.yaml"); err == nil {
		t.Error("../outside.yaml is inside?")
	}
}

// TestFinishedMeanwhile: the change request of a merged pull request that
// another run (the closed run of the pull request) merged while this
// push's run was archiving it: no failure, and the reason says so.
func TestFinishedMeanwhile(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	h.pushTo(t, "main", h.merged)
	dir := h.checkout(t, "github-pr-depth0")
	gb := &fakeGitBook{rev: gitbook.Revision{ID: "r1", Git: &gitbook.GitCommit{OID: h.base}}, importOID: h.merged}
	crs := &fakeChangeRequests{open: []changerequest.Tracked{{Number: 1, Link: "https://github.com/acme/docs/pull/7"}},
		also: changerequest.Result{Already: gitbook.CRMerged}}
	c := &ci.Context{Provider: ci.GitHub, Branch: "main", DefaultBranch: "main", WebURL: "https://github.com/acme/docs"}
	res := runFake(t, dir, gb, crs, c, nil, docsSpace)
	if res.Outcome != Imported || res.Err != nil {
		t.Fatalf("%q %q %v %s", res.State, res.Outcome, res.Reasons, res.ErrorText())
	}
	if want := "pull request #7 is merged into main: change request #1 was merged meanwhile, by another run or a person"; !slices.Contains(res.Reasons, want) {
		t.Errorf("reasons %q lack %q", res.Reasons, want)
	}
}
