package sync_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"

	cfg "github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/emulatortest"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

var ctx = context.Background()

type fixture struct {
	t    *testing.T
	env  *emulatortest.Env
	repo *testrepo.Repo
	bare string
	c    *gitbook.Client
}

var baseDocs = map[string]string{
	"README.md":        "# Home\n\nWelcome.\n",
	"SUMMARY.md":       "* [Home](README.md)\n* [Guide](guide/README.md)\n  * [Install](guide/install.md)\n  * [Usage](guide/usage.md)\n",
	"guide/README.md":  "# Guide\n",
	"guide/install.md": "# Install\n\nStep one.\nStep two.\n",
	"guide/usage.md":   "# Usage\n\nUse it.\n",
}

// apiSeed is the emulator's default seed with no Git Sync installed on any
// space (git/info 404): gitbook-sync drives the sync through the API.
func apiSeed() emulator.Seed {
	seed := emulator.DefaultSeed()
	for i := range seed.Organizations {
		for j := range seed.Organizations[i].Spaces {
			seed.Organizations[i].Spaces[j].GitSync = "none"
		}
	}
	return seed
}

func newFixture(t *testing.T, seed emulator.Seed, files map[string]string) *fixture {
	t.Helper()
	repo := testrepo.New(t).Write(files)
	repo.Commit("docs")
	bare := repo.Bare()
	env := emulatortest.Start(t, seed, emulator.Options{})
	return &fixture{t: t, env: env, repo: repo, bare: bare, c: env.Client(t, nil)}
}

func (f *fixture) opts(dryRun bool) gbsync.Options {
	f.t.Helper()
	r, err := gbsync.OpenRepo(f.repo.Dir)
	if err != nil {
		f.t.Fatal(err)
	}
	return gbsync.Options{Client: f.c, Repo: r, Redactor: &redact.Redactor{}, RepoURL: "file://" + f.bare,
		DryRun: dryRun, Poll: gitbook.Poll{Initial: 5 * time.Millisecond}, Wait: 20 * time.Second}
}

func (f *fixture) run(dryRun bool, sp cfg.Space) gbsync.Result {
	f.t.Helper()
	if sp.Space == "" {
		sp.Space = "space-1"
	}
	if sp.Path == "" {
		sp.Path = "."
	}
	return gbsync.Run(ctx, f.opts(dryRun), []cfg.Space{sp})[0]
}

func (f *fixture) commitAndPush(files map[string]string, msg string) {
	f.repo.Write(files)
	f.repo.Commit(msg)
	f.repo.Push()
}

func (f *fixture) syncNow(sp cfg.Space) {
	f.t.Helper()
	if r := f.run(false, sp); r.Outcome != gbsync.Imported {
		f.t.Fatalf("setup sync: %+v", r)
	}
}

func diffString(d *content.Diff) string {
	if d == nil {
		return ""
	}
	var parts []string
	for _, p := range d.Pages {
		s := fmt.Sprintf("%s %s +%d -%d", p.Op, p.Path, p.Added, p.Removed)
		if p.OldPath != "" {
			s += " from " + p.OldPath
		}
		parts = append(parts, s)
	}
	if len(d.NotPages) > 0 {
		parts = append(parts, "not pages: "+strings.Join(d.NotPages, ","))
	}
	return strings.Join(parts, "; ")
}

func writes(env *emulatortest.Env) []string {
	var out []string
	for _, r := range env.Server.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

func TestStates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		seed          func(*emulator.Seed)
		files         map[string]string
		path          string
		mode          string
		force         bool
		setup         func(f *fixture)
		wantState     gbsync.State
		wantDecision  gbsync.Decision
		wantDiff      string
		wantReason    string
		wantSpaceDiff string
		wantOutcome   gbsync.Outcome // of the real run
	}{
		{
			name:      "never synced: everything is added, then imported",
			wantState: gbsync.NeverSynced, wantDecision: gbsync.DoImport, wantOutcome: gbsync.Imported,
			wantDiff: "added README.md +3 -0; added guide/README.md +1 -0; added guide/install.md +4 -0; added guide/usage.md +3 -0",
		},
		{
			name:      "in sync",
			setup:     func(f *fixture) { f.syncNow(cfg.Space{}) },
			wantState: gbsync.InSync, wantDecision: gbsync.Nothing, wantOutcome: gbsync.Unchanged,
		},
		{
			name: "repo ahead: edit, add, delete, rename, and a file outside the summary",
			setup: func(f *fixture) {
				f.syncNow(cfg.Space{})
				f.repo.Write(map[string]string{
					"guide/install.md": "# Install\n\nStep one.\nStep 2.\nStep three.\n",
					"guide/faq.md":     "# FAQ\n",
					"guide/usage.md":   "",
					"guide/use.md":     "# Usage\n\nUse it.\n",
					"notes.md":         "# scratch\n",
					"SUMMARY.md":       "* [Home](README.md)\n* [Guide](guide/README.md)\n  * [Install](guide/install.md)\n  * [Usage](guide/use.md)\n  * [FAQ](guide/faq.md)\n",
				})
				f.repo.Commit("rework guide")
				f.repo.Push()
			},
			wantState: gbsync.RepoAhead, wantDecision: gbsync.DoImport, wantOutcome: gbsync.Imported,
			wantDiff: "modified guide/install.md +2 -1; renamed guide/use.md +0 -0 from guide/usage.md; added guide/faq.md +1 -0; not pages: notes.md",
		},
		{
			name: "a page moved to another parent",
			setup: func(f *fixture) {
				f.syncNow(cfg.Space{})
				f.commitAndPush(map[string]string{"SUMMARY.md": "* [Home](README.md)\n* [Guide](guide/README.md)\n  * [Install](guide/install.md)\n* [Usage](guide/usage.md)\n"}, "move")
			},
			wantState: gbsync.RepoAhead, wantDecision: gbsync.DoImport, wantOutcome: gbsync.Imported,
			wantDiff: "moved guide/usage.md +0 -0",
		},
		{
			name:  "commits outside the project directory change nothing",
			files: map[string]string{"docs/README.md": "# Home\n", "docs/SUMMARY.md": "* [Home](README.md)\n", "src/main.go": "package main\n"},
			path:  "docs",
			setup: func(f *fixture) {
				f.syncNow(cfg.Space{Path: "docs"})
				f.commitAndPush(map[string]string{"src/main.go": "package main // changed\n"}, "code only")
			},
			wantState: gbsync.InSync, wantDecision: gbsync.Nothing, wantOutcome: gbsync.Unchanged, wantReason: "change nothing under docs/",
		},
		{
			name: "history with a merge commit",
			setup: func(f *fixture) {
				f.syncNow(cfg.Space{})
				mergeBranch(f)
			},
			wantState: gbsync.RepoAhead, wantDecision: gbsync.DoImport, wantOutcome: gbsync.Imported,
			wantDiff: "modified guide/install.md +1 -0; modified guide/usage.md +1 -0",
		},
		{
			name: "diverged: edited in GitBook, auto stops and writes nothing",
			setup: func(f *fixture) {
				f.syncNow(cfg.Space{})
				if _, err := f.env.Server.EditPage("space-1", "guide/usage.md", "", "# Usage\n\nEdited in GitBook.\n"); err != nil {
					f.t.Fatal(err)
				}
			},
			wantState: gbsync.Diverged, wantDecision: gbsync.Stop, wantOutcome: gbsync.Stopped,
			wantDiff: "modified guide/usage.md +1 -1", wantReason: "never overwrites GitBook edits",
		},
		{
			name: "diverged, mode import without --force stops", mode: cfg.ModeImport,
			setup: func(f *fixture) {
				f.syncNow(cfg.Space{})
				_, _ = f.env.Server.EditPage("space-1", "guide/usage.md", "", "# Usage\n\nEdited.\n")
			},
			wantState: gbsync.Diverged, wantDecision: gbsync.Stop, wantOutcome: gbsync.Stopped, wantReason: "--force",
		},
		{
			name: "diverged, mode import with --force overwrites", mode: cfg.ModeImport, force: true,
			setup: func(f *fixture) {
				f.syncNow(cfg.Space{})
				_, _ = f.env.Server.EditPage("space-1", "guide/usage.md", "", "# Usage\n\nEdited.\n")
			},
			wantState: gbsync.Diverged, wantDecision: gbsync.DoImport, wantOutcome: gbsync.Imported,
		},
		{
			name: "diverged, mode export sends GitBook's edits to the repository", mode: cfg.ModeExport,
			setup: func(f *fixture) {
				f.syncNow(cfg.Space{})
				_, _ = f.env.Server.EditPage("space-1", "guide/usage.md", "", "# Usage\n\nEdited.\n")
			},
			wantState: gbsync.Diverged, wantDecision: gbsync.DoExport, wantOutcome: gbsync.Exported,
		},
		{
			name: "space ahead: GitBook exported a commit this checkout lacks",
			setup: func(f *fixture) {
				f.syncNow(cfg.Space{})
				_, _ = f.env.Server.EditPage("space-1", "guide/usage.md", "", "# Usage\n\nEdited.\n")
				if r := f.run(false, cfg.Space{Mode: cfg.ModeExport}); r.Outcome != gbsync.Exported {
					f.t.Fatalf("export: %+v", r)
				}
			},
			wantState: gbsync.SpaceAhead, wantDecision: gbsync.Stop, wantOutcome: gbsync.Stopped, wantReason: "git pull",
		},
		{
			name: "space ahead and pulled: in sync again",
			setup: func(f *fixture) {
				f.syncNow(cfg.Space{})
				_, _ = f.env.Server.EditPage("space-1", "guide/usage.md", "", "# Usage\n\nEdited.\n")
				f.run(false, cfg.Space{Mode: cfg.ModeExport})
				pull(f)
			},
			wantState: gbsync.InSync, wantDecision: gbsync.Nothing, wantOutcome: gbsync.Unchanged,
		},
		{
			name: "both moved: GitBook exported while the repository got a commit",
			setup: func(f *fixture) {
				f.syncNow(cfg.Space{})
				_, _ = f.env.Server.EditPage("space-1", "guide/usage.md", "", "# Usage\n\nEdited.\n")
				f.run(false, cfg.Space{Mode: cfg.ModeExport})
				fetch(f)
				f.repo.Write(map[string]string{"guide/install.md": "# Install\n\nLocal.\n"})
				f.repo.Commit("local edit")
			},
			wantState: gbsync.Diverged, wantDecision: gbsync.DoChangeRequest, wantOutcome: gbsync.Proposed,
			// GitBook's export writes its own format: the group page gains
			// a line too.
			wantDiff: "modified guide/install.md +1 -2", wantSpaceDiff: "modified guide/README.md +1 -0; modified guide/usage.md +1 -1",
		},
		{
			name:      "not connected to Git Sync: state comes from the revision, import works",
			seed:      func(s *emulator.Seed) { s.Organizations[0].Spaces[0].GitSync = "none" },
			wantState: gbsync.NeverSynced, wantDecision: gbsync.DoImport, wantOutcome: gbsync.Imported,
			wantDiff: "added README.md +3 -0; added guide/README.md +1 -0; added guide/install.md +4 -0; added guide/usage.md +3 -0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			seed := apiSeed()
			if tt.seed != nil {
				tt.seed(&seed)
			}
			files := tt.files
			if files == nil {
				files = baseDocs
			}
			f := newFixture(t, seed, files)
			if tt.setup != nil {
				tt.setup(f)
			}
			sp := cfg.Space{Space: "space-1", Path: tt.path, Mode: tt.mode}
			if sp.Path == "" {
				sp.Path = "."
			}
			f.env.Server.ResetRequests()
			opts := f.opts(true)
			opts.Force = tt.force
			plan := gbsync.Run(ctx, opts, []cfg.Space{sp})[0]
			if w := writes(f.env); len(w) > 0 {
				t.Errorf("the plan wrote: %v", w)
			}
			if plan.Err != nil {
				t.Fatalf("plan failed: %s", plan.ErrorText())
			}
			if plan.State != tt.wantState || plan.Decision != tt.wantDecision {
				t.Errorf("plan: state %q decision %q (%s), want %q %q", plan.State, plan.Decision, plan.Reason(), tt.wantState, tt.wantDecision)
			}
			if tt.wantDiff != "" && diffString(plan.Diff) != tt.wantDiff {
				t.Errorf("diff:\n got %s\nwant %s", diffString(plan.Diff), tt.wantDiff)
			}
			if tt.wantSpaceDiff != "" && diffString(plan.SpaceDiff) != tt.wantSpaceDiff {
				t.Errorf("GitBook's side:\n got %s\nwant %s", diffString(plan.SpaceDiff), tt.wantSpaceDiff)
			}
			if tt.wantReason != "" && !strings.Contains(plan.Reason(), tt.wantReason) {
				t.Errorf("reason %q lacks %q", plan.Reason(), tt.wantReason)
			}
			opts.DryRun = false
			res := gbsync.Run(ctx, opts, []cfg.Space{sp})[0]
			if res.Outcome != tt.wantOutcome {
				t.Fatalf("sync: outcome %q (%s %s), want %q", res.Outcome, res.Reason(), res.ErrorText(), tt.wantOutcome)
			}
			if res.Outcome == gbsync.Stopped && len(writes(f.env)) > 0 {
				t.Errorf("a stopped run wrote: %v", writes(f.env))
			}
			if res.Outcome == gbsync.Imported {
				again := gbsync.Run(ctx, f.opts(true), []cfg.Space{sp})[0]
				if again.State != gbsync.InSync {
					t.Errorf("after import: %q (%s)", again.State, again.Reason())
				}
			}
		})
	}
}

// mergeBranch makes a feature branch and a main commit, then merges them
// with a merge commit, and pushes.
func mergeBranch(f *fixture) {
	r := f.repo.Git
	wt, _ := r.Worktree()
	main, _ := r.Head()
	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("feature"), Create: true}); err != nil {
		f.t.Fatal(err)
	}
	f.repo.Write(map[string]string{"guide/usage.md": "# Usage\n\nUse it.\nMore.\n"})
	feature := f.repo.Commit("feature")
	if err := wt.Checkout(&git.CheckoutOptions{Branch: main.Name()}); err != nil {
		f.t.Fatal(err)
	}
	f.repo.Write(map[string]string{"guide/install.md": "# Install\n\nStep one.\nStep two.\nStep three.\n", "guide/usage.md": "# Usage\n\nUse it.\nMore.\n"})
	hash := f.repo.CommitMerge("merge feature", feature)
	_ = hash
	f.repo.Push()
}

func fetch(f *fixture) {
	err := f.repo.Git.Fetch(&git.FetchOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{"+refs/heads/*:refs/remotes/origin/*"}})
	if err != nil && err != git.NoErrAlreadyUpToDate {
		f.t.Fatal(err)
	}
}

// pull fast-forwards main to origin/main.
func pull(f *fixture) {
	fetch(f)
	ref, err := f.repo.Git.Reference(plumbing.NewRemoteReferenceName("origin", "main"), true)
	if err != nil {
		f.t.Fatal(err)
	}
	wt, _ := f.repo.Git.Worktree()
	if err := wt.Reset(&git.ResetOptions{Commit: ref.Hash(), Mode: git.HardReset}); err != nil {
		f.t.Fatal(err)
	}
}

func TestShallowClone(t *testing.T) {
	t.Parallel()
	f := newFixture(t, apiSeed(), baseDocs)
	f.repo.Push()
	f.syncNow(cfg.Space{})
	f.commitAndPush(map[string]string{"guide/usage.md": "# Usage\n\nUse it well.\n"}, "edit")

	// A CI-style clone with only the last commit.
	dir := filepath.Join(t.TempDir(), "ci")
	if _, err := git.PlainClone(dir, false, &git.CloneOptions{URL: f.bare, Depth: 1}); err != nil {
		t.Fatal(err)
	}
	r, err := gbsync.OpenRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Shallow() {
		t.Fatal("clone is not shallow")
	}
	opts := f.opts(true)
	opts.Repo = r
	res := gbsync.Run(ctx, opts, []cfg.Space{{Space: "space-1", Path: "."}})[0]
	if res.State != gbsync.RepoAhead || res.DiffSource != "git" || diffString(res.Diff) != "modified guide/usage.md +1 -1" {
		t.Errorf("deepened shallow clone: %q via %q: %s %v", res.State, res.DiffSource, diffString(res.Diff), res.Reasons)
	}

	// Without a reachable origin the diff comes from GitBook's pages.
	dir2 := filepath.Join(t.TempDir(), "ci2")
	if _, err := git.PlainClone(dir2, false, &git.CloneOptions{URL: f.bare, Depth: 1}); err != nil {
		t.Fatal(err)
	}
	r2, _ := gbsync.OpenRepo(dir2)
	_ = r2.Git.DeleteRemote("origin")
	_, _ = r2.Git.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{filepath.Join(t.TempDir(), "gone")}})
	opts.Repo = r2
	res = gbsync.Run(ctx, opts, []cfg.Space{{Space: "space-1", Path: "."}})[0]
	if res.State != gbsync.RepoAhead || res.DiffSource != "api" || diffString(res.Diff) != "modified guide/usage.md +1 -1" || !strings.Contains(res.Reason(), "could not be fetched") {
		t.Errorf("unreachable origin: %q via %q: %s %v", res.State, res.DiffSource, diffString(res.Diff), res.Reasons)
	}
}

// TestGitSyncInstalled: with GitBook's own Git Sync on the space, GitBook
// imports pushes itself. A plan while its import runs says so; a run waits
// for it and does not import a second time; the next push is followed,
// not imported.
func TestGitSyncInstalled(t *testing.T) {
	t.Parallel()
	repo := testrepo.New(t).Write(baseDocs)
	repo.Commit("docs")
	bare := repo.Bare()
	seed := emulator.DefaultSeed()
	seed.Organizations[0].Spaces[0].GitSync = "github"
	seed.Organizations[0].Spaces[0].Repository = &emulator.RepositorySeed{URL: bare, Branch: "main"}
	// GitBook's import of the branch starts with the emulator.
	// The first plan must run while that import does: a second gives a
	// loaded machine (the race detector, other packages) time to get there.
	env := emulatortest.Start(t, seed, emulator.Options{OperationDelay: time.Second, GitSyncPoll: 400 * time.Millisecond})
	c := env.Client(t, nil)
	r, _ := gbsync.OpenRepo(repo.Dir)
	opts := gbsync.Options{Client: c, Repo: r, RepoURL: bare, DryRun: true, Poll: gitbook.Poll{Initial: 5 * time.Millisecond}, Wait: 10 * time.Second}
	sp := []cfg.Space{{Space: "space-1", Path: "."}}
	res := gbsync.Run(ctx, opts, sp)[0]
	if res.State != gbsync.OperationRunning || res.Decision != gbsync.Stop {
		t.Errorf("plan during GitBook's import: %q %q", res.State, res.Decision)
	}
	opts.DryRun = false
	env.Server.ResetRequests()
	res = gbsync.Run(ctx, opts, sp)[0]
	if res.State != gbsync.InSync || res.Outcome != gbsync.Unchanged {
		t.Errorf("sync after waiting: %q %q %s %s", res.State, res.Outcome, res.Reason(), res.ErrorText())
	}
	// A push: GitBook imports it, gitbook-sync follows.
	repo.Write(map[string]string{"guide/usage.md": "# Usage\n\nUse it well.\n"})
	repo.Commit("better usage")
	repo.Push()
	if err := env.Server.SyncNow("space-1"); err != nil {
		t.Fatal(err)
	}
	opts.Repo, _ = gbsync.OpenRepo(repo.Dir)
	res = gbsync.Run(ctx, opts, sp)[0]
	if res.State != gbsync.InSync || res.Outcome != gbsync.Unchanged || res.SyncedCommit != repo.Head().String() {
		t.Errorf("after GitBook imported the push: %q %q %s %s", res.State, res.Decision, res.Reason(), res.ErrorText())
	}
	// Another push, with the run faster than GitBook: it follows GitBook's
	// import to its end and reports it.
	repo.Write(map[string]string{"guide/install.md": "# Install\n\nStep one.\n"})
	repo.Commit("shorter install")
	repo.Push()
	opts.Repo, _ = gbsync.OpenRepo(repo.Dir)
	res = gbsync.Run(ctx, opts, sp)[0]
	followed := res.Decision == gbsync.DoFollow && res.Outcome == gbsync.Imported && strings.Contains(res.Reason(), "GitBook's Git Sync imported")
	// Under load GitBook may already be importing when the run looks: it
	// then waits for that import instead.
	waited := res.State == gbsync.InSync && strings.Contains(res.Reason(), "waited for GitBook's import")
	if !followed && !waited {
		t.Errorf("following GitBook's import: %q %q %q %s %s", res.State, res.Decision, res.Outcome, res.Reason(), res.ErrorText())
	}
	for _, w := range writes(env) {
		if strings.HasSuffix(w, "/git/import") {
			t.Errorf("gitbook-sync imported beside GitBook's Git Sync: %v", writes(env))
		}
	}
}

func TestSeveralSpaces(t *testing.T) {
	t.Parallel()
	seed := apiSeed()
	seed.Organizations[0].Spaces = append(seed.Organizations[0].Spaces, emulator.SpaceSeed{ID: "space-2", Title: "API", GitSync: "none"})
	f := newFixture(t, seed, map[string]string{
		"docs/README.md": "# Docs\n", "docs/SUMMARY.md": "* [Docs](README.md)\n",
		"api/README.md": "# API\n", "api/SUMMARY.md": "* [API](README.md)\n",
	})
	spaces := []cfg.Space{
		{Space: "space-1", Path: "docs"},
		{Space: "missing", Path: "docs"},
		{Space: "space-2", Path: "api"},
	}
	results := gbsync.Run(ctx, f.opts(false), spaces)
	if results[0].Outcome != gbsync.Imported || results[2].Outcome != gbsync.Imported {
		t.Errorf("outcomes: %+v %+v", results[0], results[2])
	}
	if results[1].Outcome != gbsync.Failed || !strings.Contains(results[1].ErrorText(), "missing") {
		t.Errorf("missing space: %+v", results[1])
	}
	pages, _ := f.c.Pages(ctx, "space-2")
	if len(pages) != 1 || pages[0].Title != "API" {
		t.Errorf("space-2 pages: %+v", pages)
	}
	if got := gbsync.Shard(spaces, 2, 2); len(got) != 1 || got[0].Space != "missing" {
		t.Errorf("shard 2/2 = %+v", got)
	}
}

func TestImportFailureIsReported(t *testing.T) {
	t.Parallel()
	f := newFixture(t, apiSeed(), map[string]string{"SUMMARY.md": "* [A](a.md)\n", "a.md": "# A\n"})
	res := f.run(false, cfg.Space{})
	if res.Outcome != gbsync.Failed || !strings.Contains(res.ErrorText(), "README") {
		t.Errorf("result: %+v", res)
	}
}

// TestPullRequestEvents drives a pull request through its life: opened,
// pushed to again, merged; and another closed without merging.
func TestPullRequestEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t, apiSeed(), baseDocs)
	f.syncNow(cfg.Space{})
	base := f.repo.Head().String()
	f.repo.Write(map[string]string{"guide/usage.md": "# Usage\n\nUse it well.\n"})
	f.repo.Commit("better usage")
	pr := &gbsync.PullRequest{URL: "https://github.com/acme/docs/pull/3", Title: "Better usage", Number: 3, State: gbsync.PROpen, BaseSHA: base}
	run := func(dry bool, pr *gbsync.PullRequest, mode string) gbsync.Result {
		t.Helper()
		opts := f.opts(dry)
		opts.PullRequest = pr
		return gbsync.Run(ctx, opts, []cfg.Space{{Space: "space-1", Path: ".", Mode: mode, Organization: "org-1", Reviewers: []string{"reviewer@example.com"}}})[0]
	}
	f.env.Server.ResetRequests()
	plan := run(true, pr, "")
	if plan.Decision != gbsync.DoChangeRequest || plan.Outcome != gbsync.Planned || plan.ChangeRequest == nil || len(plan.ChangeRequest.Pages) != 1 || len(writes(f.env)) != 0 {
		t.Fatalf("plan: %+v, writes %v", plan, writes(f.env))
	}
	res := run(false, pr, "")
	if res.Outcome != gbsync.Proposed || res.ChangeRequest.Number != 1 || !res.ChangeRequest.Created {
		t.Fatalf("opened: %+v %+v", res, res.ChangeRequest)
	}
	if again := run(false, pr, ""); again.Outcome != gbsync.Unchanged || !strings.Contains(again.Reason(), "#1 is up to date") {
		t.Errorf("re-run: %q %s", again.Outcome, again.Reason())
	}
	// GitHub runs the merged pull request's closing on main, at the commit
	// that merged it: the change request is merged, then that commit is
	// imported so the space records it.
	f.repo.Push()
	pr.State = gbsync.PRMerged
	merged := run(false, pr, "")
	if merged.Outcome != gbsync.Merged || !merged.ChangeRequest.Merged || merged.NewRevision == "" || !strings.Contains(merged.Reason(), "then imported") {
		t.Fatalf("merged: %+v %s", merged, merged.ErrorText())
	}
	if rev, _ := f.c.CurrentRevision(ctx, "space-1"); rev.Git == nil || rev.Git.OID != f.repo.Head().String() {
		t.Errorf("the space does not end at the merge commit: %+v", rev.Git)
	}
	// The push that lands it, whenever it runs: in sync.
	if push := run(false, nil, ""); push.State != gbsync.InSync || push.Decision != gbsync.Nothing || push.Outcome != gbsync.Unchanged {
		t.Errorf("push after merge: %q %q %q (%s)", push.State, push.Decision, push.Outcome, push.Reason())
	}
	if again := run(false, pr, ""); again.Outcome != gbsync.Unchanged || again.ErrorText() != "" {
		t.Errorf("the closing run again: %q %s %s", again.Outcome, again.Reason(), again.ErrorText())
	}
	closed := &gbsync.PullRequest{URL: "https://github.com/acme/docs/pull/4", Title: "Abandoned", Number: 4, State: gbsync.PROpen, BaseSHA: f.repo.Head().String()}
	f.repo.Write(map[string]string{"guide/install.md": "# Install\n\nNope.\n"})
	f.repo.Commit("abandoned idea")
	if r := run(false, closed, ""); r.Outcome != gbsync.Proposed {
		t.Fatalf("second pull request: %+v", r)
	}
	closed.State = gbsync.PRClosed
	if r := run(false, closed, ""); r.Outcome != gbsync.Archived {
		t.Errorf("closed: %+v", r)
	}
	if open, _ := f.c.ChangeRequests(ctx, "space-1", ""); len(open) != 0 {
		t.Errorf("%d change requests still open", len(open))
	}
}

// TestPreviewStandalone builds a standalone revision of a pull request and
// leaves the live content alone.
func TestPreviewStandalone(t *testing.T) {
	t.Parallel()
	f := newFixture(t, apiSeed(), baseDocs)
	f.repo.Push()
	f.syncNow(cfg.Space{})
	live, _ := f.c.CurrentRevision(ctx, "space-1")
	wt, _ := f.repo.Git.Worktree()
	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("preview-me"), Create: true}); err != nil {
		t.Fatal(err)
	}
	f.repo.Write(map[string]string{"guide/usage.md": "# Usage\n\nPreviewed.\n"})
	f.repo.Commit("preview")
	if err := f.repo.Git.Push(&git.PushOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{"refs/heads/preview-me:refs/heads/preview-me"}}); err != nil {
		t.Fatal(err)
	}
	opts := f.opts(false)
	opts.PullRequest = &gbsync.PullRequest{URL: "https://github.com/acme/docs/pull/5", Number: 5, State: gbsync.PROpen, Branch: "preview-me", BaseSHA: "main"}
	f.env.Server.ResetRequests()
	res := gbsync.Run(ctx, opts, []cfg.Space{{Space: "space-1", Path: ".", Preview: "standalone"}})[0]
	if res.Decision != gbsync.DoPreview || res.Outcome != gbsync.Previewed {
		t.Fatalf("preview: %q %q %s %s", res.Decision, res.Outcome, res.Reason(), res.ErrorText())
	}
	if after, _ := f.c.CurrentRevision(ctx, "space-1"); after.ID != live.ID {
		t.Errorf("the preview changed the live content: %s -> %s", live.ID, after.ID)
	}
	if w := writes(f.env); len(w) != 1 || w[0] != "POST /v1/spaces/space-1/git/import" {
		t.Errorf("writes: %v", w)
	}
}
