package cilayout

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// history is how many commits the default branch has before a test's
// pull request: more than GitLab's default depth, so that depth matters.
const history = 25

// world is a host with a long main, a branch "feature" with one commit and
// pull (merge) request 7 from it.
type world struct {
	h       *Host
	dev     string
	root    string
	mainTip string // main before the pull request is merged
	headTip string // the pull request's head
}

// templates are the worlds built once per provider; tests get copies, as
// building one costs some twenty git processes.
var (
	templatesMu sync.Mutex
	templates   = map[Provider]*world{}
	templateDir string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cilayout-worlds-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	templateDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func newWorld(t *testing.T, p Provider) *world {
	t.Helper()
	templatesMu.Lock()
	tmpl := templates[p]
	if tmpl == nil {
		var err error
		if tmpl, err = buildWorld(filepath.Join(templateDir, string(p)), p); err != nil {
			templatesMu.Unlock()
			t.Fatal(err)
		}
		templates[p] = tmpl
	}
	templatesMu.Unlock()
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(tmpl.root)); err != nil {
		t.Fatal(err)
	}
	h := *tmpl.h
	h.Root, h.Pulls, h.before = filepath.Join(root, "server"), map[int]*Pull{}, maps.Clone(tmpl.h.before)
	// CopyFS follows the link owner/name -> name.git: make it a link again.
	link := filepath.Join(h.Root, "acme", "docs")
	if err := os.RemoveAll(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("docs.git", link); err != nil {
		t.Fatal(err)
	}
	w := &world{h: &h, dev: filepath.Join(root, "dev"), root: root, mainTip: tmpl.mainTip, headTip: tmpl.headTip}
	mustGit(t, w.dev, "remote", "set-url", "origin", h.URL())
	return w
}

// buildWorld makes a host with a long main and a branch "feature".
func buildWorld(root string, p Provider) (*world, error) {
	h, err := NewHost(filepath.Join(root, "server"), p, "acme/docs", "main")
	if err != nil {
		return nil, err
	}
	dev := filepath.Join(root, "dev")
	if err := os.MkdirAll(filepath.Join(dev, "docs"), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dev, "docs", "README.md"), []byte("# Home\n"), 0o644); err != nil {
		return nil, err
	}
	if _, err := h.Init(dev); err != nil {
		return nil, err
	}
	// A long history in one git command rather than one push per commit.
	var stream strings.Builder
	for i := range history {
		body := fmt.Sprintf("# Page %d\n", i)
		fmt.Fprintf(&stream, "commit refs/heads/main\ncommitter Writer <writer@example.com> %d +0000\ndata %d\n%s\n", 1772000000+i*60, len("edit\n"), "edit")
		if i == 0 {
			stream.WriteString("from refs/heads/main^0\n")
		}
		fmt.Fprintf(&stream, "M 100644 inline docs/page%d.md\ndata %d\n%s\n", i, len(body), body)
	}
	if err := runStdin(dev, stream.String(), "fast-import", "--quiet"); err != nil {
		return nil, err
	}
	for _, args := range [][]string{{"reset", "--quiet", "--hard", "main"}, {"push", "--quiet", "origin", "main"}} {
		if _, err := git(dev, gitEnv(), args...); err != nil {
			return nil, err
		}
	}
	w := &world{h: h, dev: dev, root: root, mainTip: h.Tip("main")}
	if err := h.Switch(dev, "feature"); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dev, "docs", "install.md"), []byte("# Install\n"), 0o644); err != nil {
		return nil, err
	}
	if w.headTip, err = h.Push(dev, "Explain installing"); err != nil {
		return nil, err
	}
	return w, nil
}

func writeFile(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := git(dir, commitEnv(Developer, Developer, testTime), args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var testTime = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)

func runStdin(dir, stdin string, args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, gitEnv()
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("git %v: %w\n%s", args, err, out)
	}
	return nil
}

// layout is what a working copy looks like.
type layout struct {
	head    string   // the commit checked out
	branch  string   // HEAD's branch, "" when detached
	shallow bool     // git rev-parse --is-shallow-repository
	refs    []string // every ref
}

func inspect(t *testing.T, dir string) layout {
	t.Helper()
	var l layout
	l.head = mustGit(t, dir, "rev-parse", "HEAD")
	if b, err := git(dir, gitEnv(), "symbolic-ref", "--quiet", "--short", "HEAD"); err == nil {
		l.branch = b
	}
	l.shallow = mustGit(t, dir, "rev-parse", "--is-shallow-repository") == "true"
	l.refs = strings.Fields(mustGit(t, dir, "for-each-ref", "--format=%(refname)"))
	return l
}

func has(dir, sha string) bool {
	_, err := git(dir, gitEnv(), "cat-file", "-e", sha+"^{commit}")
	return err == nil
}

func TestGitHubRuns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, w *world) GitHubEvent
		depth int
		// want computes the expected layout and variables from the world.
		want func(w *world) (layout, map[string]string)
		// present and absent are commits that must or must not be there.
		present, absent func(w *world) []string
	}{{
		name: "push to the default branch, depth 1",
		setup: func(t *testing.T, w *world) GitHubEvent {
			return GitHubEvent{Name: "push", Branch: "main"}
		},
		depth: 1,
		want: func(w *world) (layout, map[string]string) {
			return layout{head: w.mainTip, branch: "main", shallow: true, refs: []string{"refs/heads/main", "refs/remotes/origin/main"}},
				map[string]string{"GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main", "GITHUB_SHA": w.mainTip, "GITHUB_HEAD_REF": "", "GITHUB_BASE_REF": ""}
		},
	}, {
		name: "push to the default branch, depth 0",
		setup: func(t *testing.T, w *world) GitHubEvent {
			return GitHubEvent{Name: "push", Branch: "main"}
		},
		want: func(w *world) (layout, map[string]string) {
			return layout{head: w.mainTip, branch: "main", refs: []string{"refs/heads/main", "refs/remotes/origin/feature", "refs/remotes/origin/main"}},
				map[string]string{"GITHUB_REF": "refs/heads/main", "GITHUB_SHA": w.mainTip}
		},
	}, {
		name:  "pull request opened, depth 1: the test merge alone",
		setup: openPR,
		depth: 1,
		want: func(w *world) (layout, map[string]string) {
			m := w.h.Pulls[7].TestMerge
			return layout{head: m, shallow: true, refs: []string{"refs/remotes/pull/7/merge"}},
				map[string]string{"GITHUB_REF": "refs/pull/7/merge", "GITHUB_REF_NAME": "7/merge", "GITHUB_SHA": m,
					"GITHUB_HEAD_REF": "feature", "GITHUB_BASE_REF": "main", "GITHUB_EVENT_NAME": "pull_request"}
		},
		absent: func(w *world) []string { return []string{w.headTip, w.mainTip} },
	}, {
		name: "pull request synchronize, depth 0: every branch as origin/*, no local branch",
		setup: func(t *testing.T, w *world) GitHubEvent {
			openPR(t, w)
			writeFile(t, w.dev, "docs/install.md", "# Install\n\nRun it.\n")
			var err error
			if w.headTip, err = w.h.Push(w.dev, "More on installing"); err != nil {
				t.Fatal(err)
			}
			return GitHubEvent{Name: "pull_request", Action: "synchronize", Number: 7}
		},
		want: func(w *world) (layout, map[string]string) {
			return layout{head: w.h.Pulls[7].TestMerge, refs: []string{"refs/remotes/origin/feature", "refs/remotes/origin/main", "refs/remotes/pull/7/merge"}},
				map[string]string{"GITHUB_REF": "refs/pull/7/merge", "GITHUB_SHA": w.h.Pulls[7].TestMerge}
		},
		present: func(w *world) []string { return []string{w.headTip, w.mainTip} },
	}, {
		name: "closed by merging: the base branch at the merge commit",
		setup: func(t *testing.T, w *world) GitHubEvent {
			openPR(t, w)
			if _, err := w.h.MergePull(7, MergeCommit); err != nil {
				t.Fatal(err)
			}
			return GitHubEvent{Name: "pull_request", Action: "closed", Number: 7}
		},
		depth: 1,
		want: func(w *world) (layout, map[string]string) {
			m := w.h.Pulls[7].MergeCommitSHA
			return layout{head: m, branch: "main", shallow: true, refs: []string{"refs/heads/main", "refs/remotes/origin/main"}},
				map[string]string{"GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main", "GITHUB_SHA": m, "GITHUB_HEAD_REF": "feature", "GITHUB_BASE_REF": "main"}
		},
		absent: func(w *world) []string { return []string{w.headTip} },
	}, {
		name: "closed by merging, run after main moved on, depth 0: still the merge commit",
		setup: func(t *testing.T, w *world) GitHubEvent {
			openPR(t, w)
			if _, err := w.h.MergePull(7, MergeCommit); err != nil {
				t.Fatal(err)
			}
			mustGit(t, w.dev, "checkout", "--quiet", "main")
			mustGit(t, w.dev, "pull", "--quiet", "--ff-only", "origin", "main")
			writeFile(t, w.dev, "docs/later.md", "# Later\n")
			if _, err := w.h.Push(w.dev, "A later change"); err != nil {
				t.Fatal(err)
			}
			return GitHubEvent{Name: "pull_request", Action: "closed", Number: 7}
		},
		want: func(w *world) (layout, map[string]string) {
			m := w.h.Pulls[7].MergeCommitSHA
			return layout{head: m, branch: "main", refs: []string{"refs/heads/main", "refs/remotes/origin/feature", "refs/remotes/origin/main"}},
				map[string]string{"GITHUB_REF": "refs/heads/main", "GITHUB_SHA": m}
		},
	}, {
		name: "closed without merging: the last test merge",
		setup: func(t *testing.T, w *world) GitHubEvent {
			openPR(t, w)
			if err := w.h.ClosePull(7); err != nil {
				t.Fatal(err)
			}
			return GitHubEvent{Name: "pull_request", Action: "closed", Number: 7}
		},
		depth: 1,
		want: func(w *world) (layout, map[string]string) {
			m := w.h.Pulls[7].TestMerge
			return layout{head: m, shallow: true, refs: []string{"refs/remotes/pull/7/merge"}},
				map[string]string{"GITHUB_REF": "refs/pull/7/merge", "GITHUB_SHA": m}
		},
	}, {
		name: "a fork's pull request, depth 0: its branch is not in origin/*",
		setup: func(t *testing.T, w *world) GitHubEvent {
			if _, err := w.h.OpenForkPull(7, "contrib/docs", "feature", "Explain installing"); err != nil {
				t.Fatal(err)
			}
			return GitHubEvent{Name: "pull_request", Action: "opened", Number: 7}
		},
		want: func(w *world) (layout, map[string]string) {
			return layout{head: w.h.Pulls[7].TestMerge, refs: []string{"refs/remotes/origin/main", "refs/remotes/pull/7/merge"}},
				map[string]string{"GITHUB_HEAD_REF": "feature", "GITHUB_BASE_REF": "main"}
		},
		present: func(w *world) []string { return []string{w.headTip} },
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, GitHub)
			ev := tt.setup(t, w)
			run, err := w.h.GitHubRun(filepath.Join(w.root, "runner"), ev, GitHubOptions{FetchDepth: tt.depth, Token: "ghs_secret", APIURL: "http://api.test", RunNumber: 1})
			if err != nil {
				t.Fatal(err)
			}
			wantLayout, wantEnv := tt.want(w)
			checkLayout(t, run, wantLayout)
			checkEnv(t, run.Env, wantEnv)
			if tt.present != nil {
				for _, c := range tt.present(w) {
					if !has(run.Dir, c) {
						t.Errorf("commit %s is missing", c)
					}
				}
			}
			if tt.absent != nil {
				for _, c := range tt.absent(w) {
					if has(run.Dir, c) {
						t.Errorf("commit %s is present; a depth-%d checkout lacks it", c, tt.depth)
					}
				}
			}
			if got := mustGit(t, run.Dir, "config", "--local", "http.https://github.com/.extraheader"); got != "AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX3NlY3JldA==" {
				t.Errorf("auth header %q: actions/checkout persists the token", got)
			}
			checkPayload(t, w, ev, run)
		})
	}
}

func openPR(t *testing.T, w *world) GitHubEvent {
	t.Helper()
	if _, err := w.h.OpenPull(7, "feature", "Explain installing"); err != nil {
		t.Fatal(err)
	}
	return GitHubEvent{Name: "pull_request", Action: "opened", Number: 7}
}

func checkLayout(t *testing.T, run *Run, want layout) {
	t.Helper()
	got := inspect(t, run.Dir)
	slices.Sort(want.refs)
	if got.head != want.head || got.branch != want.branch || got.shallow != want.shallow || !slices.Equal(got.refs, want.refs) {
		t.Errorf("layout\n got %+v\nwant %+v\ncommands:\n%s", got, want, strings.Join(run.Commands, "\n"))
	}
}

func checkEnv(t *testing.T, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s=%q, want %q", k, got[k], v)
		}
	}
}

// checkPayload reads the event as an action would and checks the fields
// GitHub documents.
func checkPayload(t *testing.T, w *world, ev GitHubEvent, run *Run) {
	t.Helper()
	data, err := os.ReadFile(run.Env["GITHUB_EVENT_PATH"])
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	field := func(path ...string) any {
		var v any = got
		for _, k := range path {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		return v
	}
	if field("repository", "default_branch") != "main" || field("repository", "full_name") != "acme/docs" {
		t.Errorf("repository: %v", field("repository"))
	}
	if ev.Name == "push" {
		if field("ref") != run.Env["GITHUB_REF"] || field("after") != run.Env["GITHUB_SHA"] || field("head_commit", "id") != run.Env["GITHUB_SHA"] {
			t.Errorf("push payload: ref %v after %v", field("ref"), field("after"))
		}
		return
	}
	p := w.h.Pulls[ev.Number]
	checks := map[string][2]any{
		"action":        {field("action"), ev.Action},
		"number":        {field("number"), float64(ev.Number)},
		"merged":        {field("pull_request", "merged"), p.Merged},
		"head.sha":      {field("pull_request", "head", "sha"), p.HeadSHA},
		"head.ref":      {field("pull_request", "head", "ref"), p.HeadBranch},
		"head.repo":     {field("pull_request", "head", "repo", "full_name"), p.HeadRepo},
		"head.fork":     {field("pull_request", "head", "repo", "fork"), p.HeadRepo != "acme/docs"},
		"base.ref":      {field("pull_request", "base", "ref"), "main"},
		"base.sha":      {field("pull_request", "base", "sha"), p.BaseSHA},
		"html_url":      {field("pull_request", "html_url"), w.h.PullURL(ev.Number)},
		"state":         {field("pull_request", "state"), p.State},
		"merge_commit":  {field("pull_request", "merge_commit_sha") != nil, ev.Action != "opened"},
		"merged commit": {field("pull_request", "merge_commit_sha") == p.MergeCommitSHA, p.Merged},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("pull_request payload %s: %v, want %v", name, c[0], c[1])
		}
	}
}

func TestGitLabRuns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		pl    GitLabPipeline
		depth int
		want  func(w *world, pipeline string) (layout, map[string]string)
	}{{
		name:  "branch pipeline on the default branch, GIT_DEPTH 20",
		pl:    GitLabPipeline{Source: "push", Branch: "main"},
		depth: GitLabDefaultDepth,
		want: func(w *world, pl string) (layout, map[string]string) {
			return layout{head: w.mainTip, shallow: true, refs: []string{pl, "refs/remotes/origin/main"}},
				map[string]string{"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main", "CI_COMMIT_REF_NAME": "main",
					"CI_COMMIT_SHA": w.mainTip, "CI_DEFAULT_BRANCH": "main", "CI_MERGE_REQUEST_IID": "", "CI_OPEN_MERGE_REQUESTS": ""}
		},
	}, {
		name:  "branch pipeline on the merge request's branch: names the open merge request",
		pl:    GitLabPipeline{Source: "push", Branch: "feature"},
		depth: GitLabDefaultDepth,
		want: func(w *world, pl string) (layout, map[string]string) {
			return layout{head: w.headTip, shallow: true, refs: []string{pl, "refs/remotes/origin/feature"}},
				map[string]string{"CI_COMMIT_BRANCH": "feature", "CI_OPEN_MERGE_REQUESTS": "acme/docs!7"}
		},
	}, {
		name:  "merge request pipeline, GIT_DEPTH 20: the pipeline ref alone",
		pl:    GitLabPipeline{Source: "merge_request_event", IID: 7},
		depth: GitLabDefaultDepth,
		want: func(w *world, pl string) (layout, map[string]string) {
			return layout{head: w.headTip, shallow: true, refs: []string{pl}},
				map[string]string{"CI_PIPELINE_SOURCE": "merge_request_event", "CI_COMMIT_SHA": w.headTip, "CI_COMMIT_BRANCH": "",
					"CI_COMMIT_REF_NAME": "feature", "CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_EVENT_TYPE": "detached",
					"CI_MERGE_REQUEST_SOURCE_BRANCH_SHA": "", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
					"CI_MERGE_REQUEST_DIFF_BASE_SHA": w.mainTip, "CI_MERGE_REQUEST_REF_PATH": "refs/merge-requests/7/head",
					"CI_OPEN_MERGE_REQUESTS": "acme/docs!7"}
		},
	}, {
		name: "merge request pipeline, GIT_DEPTH 0: every branch as origin/*",
		pl:   GitLabPipeline{Source: "merge_request_event", IID: 7},
		want: func(w *world, pl string) (layout, map[string]string) {
			return layout{head: w.headTip, refs: []string{pl, "refs/remotes/origin/feature", "refs/remotes/origin/main"}},
				map[string]string{"CI_COMMIT_SHA": w.headTip}
		},
	}, {
		name:  "merged results pipeline: GitLab's merge commit",
		pl:    GitLabPipeline{Source: "merge_request_event", IID: 7, MergedResult: true},
		depth: GitLabDefaultDepth,
		want: func(w *world, pl string) (layout, map[string]string) {
			m := w.h.Pulls[7].TestMerge
			return layout{head: m, shallow: true, refs: []string{pl}},
				map[string]string{"CI_COMMIT_SHA": m, "CI_MERGE_REQUEST_EVENT_TYPE": "merged_result",
					"CI_MERGE_REQUEST_SOURCE_BRANCH_SHA": w.headTip, "CI_MERGE_REQUEST_TARGET_BRANCH_SHA": w.mainTip}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, GitLab)
			if _, err := w.h.OpenPull(7, "feature", "Explain installing"); err != nil {
				t.Fatal(err)
			}
			run, err := w.h.GitLabRun(filepath.Join(w.root, "runner"), tt.pl, GitLabOptions{Depth: tt.depth, APIURL: "http://gitlab.test/api/v4", JobToken: "job"})
			if err != nil {
				t.Fatal(err)
			}
			pipeline := "refs/pipelines/" + run.Env["CI_PIPELINE_ID"]
			wantLayout, wantEnv := tt.want(w, pipeline)
			checkLayout(t, run, wantLayout)
			checkEnv(t, run.Env, wantEnv)
			if got := mustGit(t, w.h.Dir(), "rev-parse", pipeline); got != run.Env["CI_COMMIT_SHA"] {
				t.Errorf("%s is %s on the host, want CI_COMMIT_SHA %s", pipeline, got, run.Env["CI_COMMIT_SHA"])
			}
			if tt.pl.MergedResult {
				parents := strings.Fields(mustGit(t, w.h.Dir(), "rev-list", "--parents", "-n1", run.Env["CI_COMMIT_SHA"]))[1:]
				if !slices.Equal(parents, []string{w.mainTip, w.headTip}) {
					t.Errorf("merge ref parents %v, want target then source", parents)
				}
			}
		})
	}
}

func TestMergePull(t *testing.T) {
	t.Parallel()
	for _, p := range []Provider{GitHub, GitLab} {
		for _, method := range []string{MergeCommit, Squash} {
			t.Run(string(p)+"/"+method, func(t *testing.T) {
				t.Parallel()
				w := newWorld(t, p)
				if _, err := w.h.OpenPull(7, "feature", "Explain installing"); err != nil {
					t.Fatal(err)
				}
				sha, err := w.h.MergePull(7, method)
				if err != nil {
					t.Fatal(err)
				}
				if w.h.Tip("main") != sha || w.h.Before("main") != w.mainTip {
					t.Errorf("main at %s (before %s), want the merge %s after %s", w.h.Tip("main"), w.h.Before("main"), sha, w.mainTip)
				}
				parents := strings.Fields(mustGit(t, w.h.Dir(), "rev-list", "--parents", "-n1", sha))[1:]
				want := []string{w.mainTip, w.headTip}
				if method == Squash {
					want = want[:1]
				}
				if !slices.Equal(parents, want) {
					t.Errorf("parents %v, want %v", parents, want)
				}
				msg := mustGit(t, w.h.Dir(), "show", "-s", "--format=%B", sha)
				wantMsg := map[string]string{"github/merge": "Merge pull request #7 from acme/feature", "gitlab/merge": "Merge branch 'feature' into 'main'",
					"github/squash": "Explain installing (#7)", "gitlab/squash": "Explain installing (#7)"}[string(p)+"/"+method]
				if !strings.HasPrefix(msg, wantMsg) {
					t.Errorf("message %q, want %q", msg, wantMsg)
				}
				if pr := w.h.Pulls[7]; pr.State != "closed" || !pr.Merged || pr.MergeCommitSHA != sha {
					t.Errorf("pull request after merge: %+v", pr)
				}
			})
		}
	}
}

func TestConflictingPullRequestHasNoRun(t *testing.T) {
	t.Parallel()
	w := newWorld(t, GitHub)
	mustGit(t, w.dev, "checkout", "--quiet", "main")
	writeFile(t, w.dev, "docs/install.md", "# Setup\n")
	if _, err := w.h.Push(w.dev, "Conflicting install page"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.h.OpenPull(7, "feature", "Explain installing"); err != nil {
		t.Fatal(err)
	}
	if w.h.Pulls[7].TestMerge != "" {
		t.Fatalf("a conflicting pull request has test merge %s", w.h.Pulls[7].TestMerge)
	}
	_, err := w.h.GitHubRun(filepath.Join(w.root, "runner"), GitHubEvent{Name: "pull_request", Action: "opened", Number: 7}, GitHubOptions{FetchDepth: 1})
	if err == nil || !strings.Contains(err.Error(), "conflicts") {
		t.Fatalf("run of a conflicting pull request: %v", err)
	}
}
