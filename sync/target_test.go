package sync

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/ci"
	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

// git runs the git CLI in dir, as the CI runners do.
func gitCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com",
		"GIT_COMMITTER_NAME=A", "GIT_COMMITTER_EMAIL=a@example.com", "GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// host is a bare repository standing for GitHub or GitLab: main with a
// few commits, a branch "install" with a pull request's commit, main
// moved on after the branch left it, and the refs the hosts keep for pull
// requests (refs/pull/7/head and the test merge refs/pull/7/merge;
// refs/merge-requests/7/head).
type host struct {
	bare                        string
	base, mainTip, head, merged string // commits
}

func newHost(t *testing.T) *host {
	t.Helper()
	root := t.TempDir()
	h := &host{bare: filepath.Join(root, "host.git")}
	work := filepath.Join(root, "work")
	gitCLI(t, root, "init", "-q", "--bare", "-b", "main", h.bare)
	gitCLI(t, h.bare, "config", "uploadpack.allowReachableSHA1InWant", "true")
	gitCLI(t, root, "init", "-q", "-b", "main", work)
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(work, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		gitCLI(t, work, "add", "-A")
		gitCLI(t, work, "commit", "-q", "-m", "edit "+name)
	}
	write("docs/README.md", "# Welcome\n")
	write("docs/SUMMARY.md", "* [Welcome](README.md)\n* [Install](guide/install.md)\n")
	for i := range 3 {
		write("docs/guide/install.md", "# Install\n\nRun it"+strings.Repeat(".", i+1)+"\n")
	}
	h.base = gitCLI(t, work, "rev-parse", "HEAD")
	gitCLI(t, work, "checkout", "-q", "-b", "install")
	write("docs/guide/install.md", "# Install\n\nDownload it, then run it.\n")
	h.head = gitCLI(t, work, "rev-parse", "HEAD")
	gitCLI(t, work, "checkout", "-q", "main")
	write("docs/README.md", "# Welcome\n\nA warm welcome.\n")
	h.mainTip = gitCLI(t, work, "rev-parse", "HEAD")
	// GitHub's test merge of the pull request into main.
	gitCLI(t, work, "checkout", "-q", "--detach", h.mainTip)
	gitCLI(t, work, "merge", "-q", "--no-ff", "-m", "Merge "+h.head+" into "+h.mainTip, h.head)
	h.merged = gitCLI(t, work, "rev-parse", "HEAD")
	gitCLI(t, work, "push", "-q", h.bare, "main", "install", h.head+":refs/pull/7/head", h.merged+":refs/pull/7/merge", h.head+":refs/merge-requests/7/head")
	return h
}

// checkout lays out a working copy with the commands of a CI runner.
func (h *host) checkout(t *testing.T, layout string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ci")
	gitCLI(t, filepath.Dir(dir), "init", "-q", dir)
	gitCLI(t, dir, "remote", "add", "origin", "file://"+h.bare)
	fetch := func(args ...string) {
		gitCLI(t, dir, append([]string{"-c", "protocol.version=2", "fetch", "-q", "--no-tags", "--prune", "--no-recurse-submodules"}, args...)...)
	}
	switch layout {
	case "github-pr-depth1": // actions/checkout@v4 default on pull_request
		fetch("--depth=1", "origin", "+"+h.merged+":refs/remotes/pull/7/merge")
		gitCLI(t, dir, "checkout", "-q", "--force", "refs/remotes/pull/7/merge")
	case "github-pr-depth0": // fetch-depth: 0
		fetch("origin", "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*")
		fetch("origin", "+"+h.merged+":refs/remotes/pull/7/merge")
		gitCLI(t, dir, "checkout", "-q", "--force", "refs/remotes/pull/7/merge")
	case "github-push-depth1":
		fetch("--depth=1", "origin", "+"+h.mainTip+":refs/remotes/origin/main")
		gitCLI(t, dir, "checkout", "-q", "--force", "-B", "main", "refs/remotes/origin/main")
	// GitLab Runner, GIT_DEPTH 20: a merge request pipeline fetches its
	// pipeline ref alone (internal/cilayout cites the sources), and checks
	// out its commit detached.
	case "gitlab-mr": // at the merge request's head
		fetch("--depth=20", "origin", "+"+h.head+":refs/pipelines/1")
		gitCLI(t, dir, "checkout", "-q", "-f", h.head)
	case "gitlab-merged-results": // at the merge commit GitLab made
		fetch("--depth=20", "origin", "+"+h.merged+":refs/pipelines/1")
		gitCLI(t, dir, "checkout", "-q", "-f", h.merged)
	default:
		t.Fatalf("no layout %s", layout)
	}
	return dir
}

func TestResolveTarget(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	tests := []struct {
		layout string
		ci     ci.Context
		pr     *PullRequest
		// wanted
		head, branch, base string
		event              Event
	}{
		{layout: "github-pr-depth1", ci: ci.Context{Provider: ci.GitHub, Branch: "install", DefaultBranch: "main"},
			pr:   &PullRequest{URL: "https://github.com/acme/docs/pull/7", State: PROpen, HeadSHA: h.head, BaseSHA: h.mainTip, Branch: "install", Target: "main", HeadRef: "refs/pull/7/head"},
			head: h.head, branch: "install", base: h.base, event: EventOpen},
		{layout: "github-pr-depth0", ci: ci.Context{Provider: ci.GitHub, Branch: "install", DefaultBranch: "main"},
			pr:   &PullRequest{URL: "https://github.com/acme/docs/pull/7", State: PROpen, HeadSHA: h.head, BaseSHA: h.mainTip, Branch: "install", Target: "main", HeadRef: "refs/pull/7/head"},
			head: h.head, branch: "install", base: h.base, event: EventOpen},
		{layout: "gitlab-mr", ci: ci.Context{Provider: ci.GitLab, Branch: "install", DefaultBranch: "main"},
			pr:   &PullRequest{URL: "https://gitlab.example/acme/docs/-/merge_requests/7", State: PROpen, HeadSHA: h.head, Branch: "install", Target: "main", HeadRef: "refs/merge-requests/7/head"},
			head: h.head, branch: "install", base: h.base, event: EventOpen},
		{layout: "gitlab-merged-results", ci: ci.Context{Provider: ci.GitLab, Branch: "install", DefaultBranch: "main"},
			pr:   &PullRequest{URL: "https://gitlab.example/acme/docs/-/merge_requests/7", State: PROpen, HeadSHA: h.head, Branch: "install", Target: "main", HeadRef: "refs/merge-requests/7/head"},
			head: h.head, branch: "install", base: h.base, event: EventOpen},
		// A push checkout: the run's branch from the CI, never a local branch required.
		{layout: "github-push-depth1", ci: ci.Context{Provider: ci.GitHub, Branch: "main", DefaultBranch: "main"},
			head: h.mainTip, branch: "main", event: EventPush},
		// The same commit seen from a push to another branch.
		{layout: "github-push-depth1", ci: ci.Context{Provider: ci.GitHub, Branch: "docs-fix", DefaultBranch: "main"},
			head: h.mainTip, branch: "docs-fix", event: EventBranch},
		// Outside CI, detached: the branch whose tip it is.
		{layout: "github-push-depth1", head: h.mainTip, branch: "main", event: EventPush},
	}
	for _, tt := range tests {
		t.Run(tt.layout+"/"+string(tt.event)+"/"+tt.branch, func(t *testing.T) {
			t.Parallel()
			repo, err := OpenRepo(h.checkout(t, tt.layout))
			if err != nil {
				t.Fatal(err)
			}
			c := tt.ci
			opts := withDefaults(Options{Repo: repo, CI: &c, PullRequest: tt.pr, Redactor: &redact.Redactor{}})
			tg, err := resolveTarget(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			sp := config.Space{Space: "s", Path: "docs"}
			if got := tg.head.Hash.String(); got != tt.head {
				t.Errorf("head %s, want %s", got, tt.head)
			}
			if tg.branch != tt.branch || tg.event(sp) != tt.event {
				t.Errorf("branch %q event %q, want %q %q", tg.branch, tg.event(sp), tt.branch, tt.event)
			}
			if tt.pr == nil {
				return
			}
			if tg.pr.Number != 7 {
				t.Errorf("number %d, want 7 (from the URL)", tg.pr.Number)
			}
			base, why := tg.mergeBase(context.Background(), opts, tt.pr.Target, tt.pr.BaseSHA)
			if base == nil || base.Hash.String() != tt.base {
				t.Fatalf("merge base %v (%s), want %s", base, why, tt.base)
			}
			// The pull request's own change, not main's later one.
			d, err := repo.DiffCommits(base, tg.head, "docs", false)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Pages) != 1 || d.Pages[0].Path != "guide/install.md" {
				t.Errorf("the pull request's pages: %+v", d.Pages)
			}
		})
	}
}

// TestResolveTargetWithoutOrigin: a shallow checkout whose origin cannot
// be reached fails with a message saying what is missing and what to do,
// and a base that cannot be fetched is unknown, never guessed.
func TestResolveTargetWithoutOrigin(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	dir := h.checkout(t, "github-pr-depth1")
	gitCLI(t, dir, "remote", "set-url", "origin", filepath.Join(t.TempDir(), "gone"))
	repo, err := OpenRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	pr := &PullRequest{URL: "https://github.com/acme/docs/pull/7", State: PROpen, HeadSHA: h.head, Target: "main", HeadRef: "refs/pull/7/head"}
	opts := withDefaults(Options{Repo: repo, CI: &ci.Context{Provider: ci.GitHub}, PullRequest: pr})
	_, err = resolveTarget(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "head commit "+h.head[:7]+" is not in this checkout and could not be fetched") {
		t.Fatalf("err = %v", err)
	}
	// Head here (the merge's parent is not, the merge is): the base cannot be found.
	pr.HeadSHA = ""
	tg, err := resolveTarget(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if base, why := tg.mergeBase(context.Background(), opts, "main", h.mainTip); base != nil || !strings.Contains(why, "could not be fetched") {
		t.Errorf("base %v (%s): want none, and why", base, why)
	}
}
