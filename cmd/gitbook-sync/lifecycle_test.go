package main

// The pull request lifecycle end to end (issue 10): the built binary runs in
// working copies laid out by internal/cilayout exactly as actions/checkout@v4
// and GitLab Runner lay them out, with the variables and event payloads the
// runners give, against the GitBook emulator (gitSync: none, so gitbook-sync
// drives imports) and a strict fake GitHub or GitLab (internal/fakehost).
// Every scenario uses the README's own .gitbook-sync.yaml, workflow and
// GitLab job, written into the repository from README.md itself, and the
// Action's step as action.yml defines it.

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"go.yaml.in/yaml/v4"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/internal/cilayout"
	"github.com/gitbook-sync/gitbook-sync/internal/fakehost"
)

// TestLifecycle runs the scenarios in testdata/lifecycle: a pull request's
// whole life in working copies laid out as the runners lay them out.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	snippets, err := loadREADME("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	action, err := loadAction("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/lifecycle",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Values[stateKey{}] = &scriptState{}
			env.Values[snippetsKey{}] = snippets
			env.Values[actionKey{}] = action
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"host-init":         cmdHostInit,
			"gitbook-start":     cmdGitBookStart,
			"host-switch":       cmdHostSwitch,
			"host-push":         cmdHostPush,
			"host-open-pr":      cmdHostOpenPR,
			"host-open-fork-pr": cmdHostOpenForkPR,
			"host-merge-pr":     cmdHostMergePR,
			"host-close-pr":     cmdHostClosePR,
			"gha-run":           cmdGHARun,
			"gitlab-run":        cmdGitLabRun,
			"gha-output":        cmdGHAOutput,
			"space-commit":      cmdSpaceCommit,
			"change-requests":   cmdChangeRequests,
			"live-page":         cmdLivePage,
			"live-pages":        cmdLivePages,
			"pr-comments":       cmdPRComments,
			"cr-page":           cmdCRPage,
			"gha-summary":       cmdGHASummary,
			"local":             cmdLocal,
			"no-leaks":          cmdNoLeaks,
			"writes":            cmdWrites,
			"forget-writes":     cmdForgetWrites,
		},
	})
}

type (
	snippetsKey struct{}
	actionKey   struct{}
)

// world is one scenario's host, fakes and emulator.
type world struct {
	host     *cilayout.Host
	dev      string // the writer's clone
	snippets readmeSnippets
	action   *actionStep

	github  *fakehost.GitHub
	gitlab  *fakehost.GitLab
	hostAPI string // GITHUB_API_URL or CI_API_V4_URL

	emu          *emulator.Server
	gitbookURL   string
	gitbookToken string
	space        string
	projectDir   string // the config's path

	runs    int
	run     *cilayout.Run // the last run
	secrets []string      // every token handed out
}

var (
	worldsMu sync.Mutex
	worlds   = map[*testscript.TestScript]*world{}
)

func getWorld(ts *testscript.TestScript) *world {
	worldsMu.Lock()
	defer worldsMu.Unlock()
	w := worlds[ts]
	if w == nil {
		ts.Fatalf("no host: call host-init first")
	}
	return w
}

// Tokens of a scenario. CANARY marks them so that scripts can check that
// none is ever printed.
const (
	gitbookToken = "gb_api_CANARY_lifecycle"
	gitlabBot    = "glpat-CANARY-project-bot"
)

// gitlabBotUser is the project access token's bot, who writes the note.
var gitlabBotUser = fakehost.User{Login: "project_42_bot_5e1d", ID: 4242, Name: "gitbook-sync", Bot: true}

// host-init github|gitlab makes $WORK/repo (the files under repo/ in the
// script, plus the README's .gitbook-sync.yaml and its workflow or GitLab
// job) the first commit of acme/docs on a host, and starts the host's
// fake API.
func cmdHostInit(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: host-init github|gitlab")
	}
	provider := cilayout.Provider(args[0])
	work := ts.Getenv("WORK")
	h, err := cilayout.NewHost(filepath.Join(work, "server"), provider, "acme/docs", "main")
	ts.Check(err)
	w := &world{host: h, dev: filepath.Join(work, "repo"), secrets: []string{gitbookToken, gitlabBot}, snippets: ts.Value(snippetsKey{}).(readmeSnippets), action: ts.Value(actionKey{}).(*actionStep)}
	files := map[string]string{".gitbook-sync.yaml": w.snippets.Config}
	if provider == cilayout.GitHub {
		files[".github/workflows/gitbook.yml"] = w.snippets.Workflow
	} else {
		files[".gitlab-ci.yml"] = w.snippets.GitLabCI
	}
	for name, body := range files {
		p := filepath.Join(w.dev, filepath.FromSlash(name))
		ts.Check(os.MkdirAll(filepath.Dir(p), 0o755))
		ts.Check(os.WriteFile(p, []byte(body), 0o644))
	}
	var srv *httptest.Server
	if provider == cilayout.GitHub {
		w.github = fakehost.NewGitHub()
		srv = httptest.NewServer(w.github)
		w.hostAPI = srv.URL + fakehost.GitHubPrefix
	} else {
		w.gitlab = fakehost.NewGitLab(fakehost.Project{ID: h.ProjectID, Path: h.Repository, WebURL: h.ProjectURL(), DefaultBranch: "main"})
		w.gitlab.AddToken(gitlabBot, fakehost.Token{User: gitlabBotUser})
		srv = httptest.NewServer(w.gitlab)
		w.hostAPI = srv.URL + fakehost.GitLabPrefix
	}
	ts.Defer(func() {
		srv.Close()
		var problems []string
		if w.github != nil {
			problems = w.github.Problems()
		} else {
			problems = w.gitlab.Problems()
		}
		if len(problems) > 0 {
			ts.Fatalf("the fake %s received requests the real one would refuse:\n%s", provider, strings.Join(problems, "\n"))
		}
	})
	sha, err := h.Init(w.dev)
	ts.Check(err)
	ts.Setenv("HEAD_MAIN", sha)
	worldsMu.Lock()
	worlds[ts] = w
	worldsMu.Unlock()
}

// gitbook-start [gitsync=none|github|gitlab] starts the GitBook emulator
// with the organization and space of the README's configuration. The
// default, gitSync none, is a space without Git Sync: gitbook-sync drives
// its imports.
func cmdGitBookStart(ts *testscript.TestScript, neg bool, args []string) {
	w := getWorld(ts)
	gitSync := "none"
	for _, a := range args {
		v, ok := strings.CutPrefix(a, "gitsync=")
		if !ok {
			ts.Fatalf("usage: gitbook-start [gitsync=none|github|gitlab]")
		}
		gitSync = v
	}
	cfg, err := w.snippets.config()
	ts.Check(err)
	w.space, w.projectDir = cfg.Space, cfg.Path
	seed := emulator.Seed{Token: gitbookToken, Organizations: []emulator.OrgSeed{{
		ID: cfg.Organization, Title: "Acme",
		Members: []emulator.MemberSeed{{ID: "user-1", DisplayName: "Docs Reviewer", Email: "reviewer@example.com"}},
		Spaces:  []emulator.SpaceSeed{{ID: cfg.Space, Title: "Docs", GitSync: gitSync}},
	}}}
	srv, base := startEmulator(ts, seed)
	w.emu, w.gitbookURL, w.gitbookToken = srv, base+"/v1", seed.Token
	state(ts).emulator = srv
}

// host-switch BRANCH checks out BRANCH in the writer's clone ($WORK/repo),
// creating it from the current commit.
func cmdHostSwitch(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: host-switch BRANCH")
	}
	w := getWorld(ts)
	ts.Check(w.host.Switch(w.dev, args[0]))
}

// host-push MESSAGE commits everything in $WORK/repo and pushes the
// current branch; HEAD_<BRANCH> is its new commit. The host updates the
// pull requests from the branch as it does (head, test merge).
func cmdHostPush(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: host-push MESSAGE")
	}
	w := getWorld(ts)
	sha, err := w.host.Push(w.dev, args[0])
	ts.Check(err)
	branch, err := cilayout.Git(w.dev, "symbolic-ref", "--short", "HEAD")
	ts.Check(err)
	ts.Setenv("HEAD_"+envName(branch), sha)
	w.publish(ts)
}

// host-open-pr N BRANCH TITLE opens pull (merge) request N from BRANCH
// into main.
func cmdHostOpenPR(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 {
		ts.Fatalf("usage: host-open-pr N BRANCH TITLE")
	}
	w := getWorld(ts)
	_, err := w.host.OpenPull(atoi(ts, args[0]), args[1], strings.Join(args[2:], " "))
	ts.Check(err)
	w.publish(ts)
}

// host-open-fork-pr N FORK BRANCH TITLE opens pull request N from BRANCH of
// the fork FORK (owner/name); the branch moves from acme/docs to the fork.
func cmdHostOpenForkPR(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 4 {
		ts.Fatalf("usage: host-open-fork-pr N FORK BRANCH TITLE")
	}
	w := getWorld(ts)
	_, err := w.host.OpenForkPull(atoi(ts, args[0]), args[1], args[2], strings.Join(args[3:], " "))
	ts.Check(err)
	w.publish(ts)
}

// host-merge-pr N [squash] merges pull request N with the host's button;
// MERGED_<N> is the commit it made on main, HEAD_MAIN too.
func cmdHostMergePR(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: host-merge-pr N [squash]")
	}
	w := getWorld(ts)
	method := cilayout.MergeCommit
	if len(args) == 2 {
		method = args[1]
	}
	sha, err := w.host.MergePull(atoi(ts, args[0]), method)
	ts.Check(err)
	ts.Setenv("MERGED_"+args[0], sha)
	ts.Setenv("HEAD_MAIN", sha)
	w.publish(ts)
}

// host-close-pr N closes pull request N without merging it.
func cmdHostClosePR(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: host-close-pr N")
	}
	w := getWorld(ts)
	ts.Check(w.host.ClosePull(atoi(ts, args[0])))
	w.publish(ts)
}

// publish shows the host's pull requests through its fake API.
func (w *world) publish(ts *testscript.TestScript) {
	h := w.host
	for _, p := range h.Pulls {
		if w.github != nil {
			w.github.SetPull(h.Repository, fakehost.PullRequest{Number: p.Number, Title: p.Title, State: p.State, Merged: p.Merged,
				MergeCommitSHA: cmp.Or(p.MergeCommitSHA, p.TestMerge), HeadRepo: p.HeadRepo, HeadRef: p.HeadBranch, HeadSHA: p.HeadSHA,
				BaseRef: p.Base, BaseSHA: p.BaseSHA, HTMLURL: h.PullURL(p.Number), Author: fakehost.User{Login: "writer", ID: 1001},
				Commits: p.Commits})
			continue
		}
		state := "opened"
		switch {
		case p.Merged:
			state = "merged"
		case p.State == "closed":
			state = "closed"
		}
		base, err := h.Git("merge-base", p.BaseSHA, p.HeadSHA)
		ts.Check(err)
		mr := fakehost.MergeRequest{IID: p.Number, Title: p.Title, State: state, SourceBranch: p.HeadBranch, TargetBranch: p.Base,
			SHA: p.HeadSHA, DiffBaseSHA: base, WebURL: h.PullURL(p.Number), Author: fakehost.User{Login: "writer", ID: 1001}, Commits: p.Commits}
		if p.Merged && len(strings.Fields(mustGitOut(ts, h.Dir(), "rev-list", "--parents", "-n1", p.MergeCommitSHA))) == 2 {
			mr.SquashCommitSHA = p.MergeCommitSHA
		} else if p.Merged {
			mr.MergeCommitSHA = p.MergeCommitSHA
		}
		w.gitlab.SetMergeRequest(h.ProjectID, mr)
	}
}

// gha-run push BRANCH | pull_request ACTION N  [fetch-depth=N] [trigger=any]
//
// lays out a GitHub Actions run of the README's workflow in a fresh
// runner directory, sets every variable the runner sets and the env of
// action.yml's gitbook-sync step (inputs from the workflow's `with:`,
// secrets.GITBOOK_TOKEN, the run's own GITHUB_TOKEN), and makes the
// workspace the current directory: `exec gitbook-sync action` is the step.
// The emulator stands in for api.gitbook.com (GITBOOK_API_URL). The run is
// refused when the workflow's `on:` would not start it, unless
// trigger=any; fetch-depth=N replaces the checkout's `fetch-depth`
// (fetch-depth=1 is a workflow without it: the checkout's default).
func cmdGHARun(ts *testscript.TestScript, neg bool, args []string) {
	w := getWorld(ts)
	if w.github == nil {
		ts.Fatalf("gha-run on a %s host", w.host.Provider)
	}
	opts, args := options(args)
	var ev cilayout.GitHubEvent
	switch {
	case len(args) == 2 && args[0] == "push":
		ev = cilayout.GitHubEvent{Name: "push", Branch: args[1]}
	case len(args) == 3 && args[0] == "pull_request":
		ev = cilayout.GitHubEvent{Name: "pull_request", Action: args[1], Number: atoi(ts, args[2])}
	default:
		ts.Fatalf("usage: gha-run push BRANCH | pull_request ACTION N  [fetch-depth=N] [trigger=any]")
	}
	wf, err := w.snippets.workflow()
	ts.Check(err)
	if opts["trigger"] != "any" {
		base := ""
		if p := w.host.Pulls[ev.Number]; p != nil {
			base = p.Base
		}
		if !wf.triggers(ev, base) {
			ts.Fatalf("the README's workflow does not run on %v (its `on:` is %v); add trigger=any for a workflow that does", ev, wf.On)
		}
	}
	depth := wf.fetchDepth
	if d, ok := opts["fetch-depth"]; ok {
		depth = atoi(ts, d)
	}
	w.runs++
	fork := ev.Name == "pull_request" && w.host.Pulls[ev.Number].Fork(w.host)
	token := fmt.Sprintf("ghs_CANARY_run%d", w.runs)
	w.secrets = append(w.secrets, token)
	// Runs for a fork's pull request get a read-only token and no secrets.
	w.github.AddToken(token, fakehost.Token{User: fakehost.GitHubActionsBot, Installation: true, ReadOnly: fork})
	run, err := w.host.GitHubRun(filepath.Join(ts.Getenv("WORK"), fmt.Sprintf("runner%d", w.runs)), ev,
		cilayout.GitHubOptions{FetchDepth: depth, Token: token, APIURL: w.hostAPI, RunNumber: w.runs})
	ts.Check(err)
	secrets := map[string]string{"GITBOOK_TOKEN": w.gitbookToken}
	if fork {
		secrets = map[string]string{}
	}
	env, err := w.action.env(wf.with, secrets, token, run.Dir)
	ts.Check(err)
	env["GITBOOK_API_URL"] = w.gitbookURL
	w.apply(ts, run, env)
}

// gitlab-run push BRANCH | merge_request IID [merged-result]  [git-depth=N|default] [rules=any]
//
// lays out a job of the README's GitLab CI configuration as GitLab Runner
// does, with GitLab's predefined variables, the job's `variables:`, and the
// project's masked variables the README asks for (GITBOOK_TOKEN,
// GITBOOK_SYNC_GITLAB_TOKEN), and makes CI_PROJECT_DIR the current
// directory: `exec gitbook-sync sync` is the job's script. git-depth=N
// replaces the job's GIT_DEPTH; git-depth=default drops it (GitLab's
// project default, 20). The job is refused when its rules do not match,
// unless rules=any.
func cmdGitLabRun(ts *testscript.TestScript, neg bool, args []string) {
	w := getWorld(ts)
	if w.gitlab == nil {
		ts.Fatalf("gitlab-run on a %s host", w.host.Provider)
	}
	opts, args := options(args)
	var pl cilayout.GitLabPipeline
	switch {
	case len(args) == 2 && args[0] == "push":
		pl = cilayout.GitLabPipeline{Source: "push", Branch: args[1]}
	case (len(args) == 2 || len(args) == 3 && args[2] == "merged-result") && args[0] == "merge_request":
		pl = cilayout.GitLabPipeline{Source: "merge_request_event", IID: atoi(ts, args[1]), MergedResult: len(args) == 3}
	default:
		ts.Fatalf("usage: gitlab-run push BRANCH | merge_request IID [merged-result]  [git-depth=N|default] [rules=any]")
	}
	job, err := w.snippets.job()
	ts.Check(err)
	vars := stringMap(job.Variables)
	switch d := opts["git-depth"]; d {
	case "":
	case "default":
		delete(vars, "GIT_DEPTH")
	default:
		vars["GIT_DEPTH"] = d
	}
	depth := cilayout.GitLabDefaultDepth
	if d, ok := vars["GIT_DEPTH"]; ok {
		depth = atoi(ts, d)
	}
	w.runs++
	jobToken := fmt.Sprintf("job-CANARY-%d", w.runs)
	w.secrets = append(w.secrets, jobToken)
	w.gitlab.AddToken(jobToken, fakehost.Token{Job: true})
	run, err := w.host.GitLabRun(filepath.Join(ts.Getenv("WORK"), fmt.Sprintf("runner%d", w.runs)), pl, cilayout.GitLabOptions{Depth: depth, APIURL: w.hostAPI, JobToken: jobToken})
	ts.Check(err)
	if opts["rules"] != "any" {
		ok, err := job.runs(run.Env)
		ts.Check(err)
		if !ok {
			ts.Fatalf("the README's job has no rule for this pipeline (%s %s); add rules=any for a job that does", pl.Source, cmp.Or(pl.Branch, "!"+strconv.Itoa(pl.IID)))
		}
	}
	env := map[string]string{"GITBOOK_TOKEN": w.gitbookToken, "GITBOOK_SYNC_GITLAB_TOKEN": gitlabBot, "GITBOOK_API_URL": w.gitbookURL}
	for k, v := range vars {
		env[k] = v
	}
	w.apply(ts, run, env)
}

// apply makes run the current job: every CI variable is set (or emptied,
// as testscript cannot unset) and the working copy is the directory.
func (w *world) apply(ts *testscript.TestScript, run *cilayout.Run, extra map[string]string) {
	for _, k := range slices.Concat(cilayout.GitHubVariables, cilayout.GitLabVariables, w.action.envNames(),
		[]string{"GITBOOK_TOKEN", "GITBOOK_API_URL", "GITBOOK_SYNC_GITLAB_TOKEN", "GITHUB_TOKEN"}) {
		ts.Setenv(k, "")
	}
	for k, v := range run.Env {
		ts.Setenv(k, v)
	}
	for k, v := range extra {
		ts.Setenv(k, v)
	}
	if len(run.Commands) > 0 {
		ts.Logf("%s run %d:\n%s", w.host.Provider, w.runs, strings.Join(run.Commands, "\n"))
	}
	ts.Check(ts.Chdir(run.Dir))
	w.run = run
}

// no-leaks asserts that no token handed out, in any form the runners or
// gitbook-sync may carry it (as is, base64, in actions/checkout's basic
// credential), appears in the last command's output (but for GitHub's
// ::add-mask:: commands, which exist to carry them), the step's outputs
// and summary, or a comment on the host.
func cmdNoLeaks(ts *testscript.TestScript, neg bool, args []string) {
	w := getWorld(ts)
	places := map[string]string{"stdout": ts.ReadFile("stdout"), "stderr": ts.ReadFile("stderr")}
	for name, text := range places {
		var kept []string
		for _, line := range strings.Split(text, "\n") {
			if !strings.HasPrefix(line, "::add-mask::") {
				kept = append(kept, line)
			}
		}
		places[name] = strings.Join(kept, "\n")
	}
	if w.run != nil {
		for _, k := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
			if f := w.run.Env[k]; f != "" {
				data, _ := os.ReadFile(f)
				places[k] = string(data)
			}
		}
	}
	var comments []fakehost.Comment
	for n := range w.host.Pulls {
		if w.github != nil {
			comments = append(comments, w.github.Comments(w.host.Repository, n)...)
		} else {
			comments = append(comments, w.gitlab.Notes(w.host.ProjectID, n)...)
		}
	}
	for _, c := range comments {
		places[fmt.Sprintf("comment %d", c.ID)] += c.Body
	}
	for _, secret := range w.secrets {
		forms := []string{secret, base64.StdEncoding.EncodeToString([]byte(secret)), base64.StdEncoding.EncodeToString([]byte("x-access-token:" + secret))}
		for place, text := range places {
			for _, f := range forms {
				if strings.Contains(text, f) {
					ts.Fatalf("%s shows a secret (%s)", place, f)
				}
			}
		}
	}
}

// forget-writes forgets the requests the emulator received so far, for a
// later `writes N`.
func cmdForgetWrites(ts *testscript.TestScript, neg bool, args []string) {
	srv := server(ts)
	srv.Wait()
	srv.ResetRequests()
}

// gha-output KEY REGEXP matches the last run's step output KEY.
func cmdGHAOutput(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: gha-output KEY REGEXP")
	}
	w := getWorld(ts)
	data, err := os.ReadFile(w.run.Env["GITHUB_OUTPUT"])
	ts.Check(err)
	outputs := parseOutputs(string(data))
	v, ok := outputs[args[0]]
	matched := ok && regexp.MustCompile(args[1]).MatchString(v)
	if matched == neg {
		ts.Fatalf("output %s=%q (set: %v), want %s%q; outputs: %v", args[0], v, ok, map[bool]string{true: "no match for ", false: ""}[neg], args[1], outputs)
	}
}

// parseOutputs reads GITHUB_OUTPUT: name=value lines and name<<DELIM blocks.
func parseOutputs(s string) map[string]string {
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			out[name] = strings.Join(val, "\n")
		} else if name, val, ok := strings.Cut(lines[i], "="); ok {
			out[name] = val
		}
	}
	return out
}

// gitbook GETs a GitBook API path from the emulator, as a client would.
func (w *world) gitbook(ts *testscript.TestScript, p string, v any) {
	if w.emu == nil {
		ts.Fatalf("no emulator: call gitbook-start first")
	}
	w.emu.Wait()
	req, err := http.NewRequest(http.MethodGet, w.gitbookURL+p, nil)
	ts.Check(err)
	req.Header.Set("Authorization", "Bearer "+w.gitbookToken)
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	ts.Check(err)
	if resp.StatusCode != http.StatusOK {
		ts.Fatalf("GET %s: %s\n%s", p, resp.Status, body)
	}
	ts.Check(json.Unmarshal(body, v))
}

// space-commit SHA asserts the commit GitBook records for the space's
// current revision (git.oid).
func cmdSpaceCommit(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: space-commit SHA")
	}
	w := getWorld(ts)
	var rev struct {
		Git *struct {
			OID string `json:"oid"`
		} `json:"git"`
	}
	w.gitbook(ts, "/spaces/"+w.space+"/content", &rev)
	got := "(none)"
	if rev.Git != nil {
		got = rev.Git.OID
	}
	if (got == args[0]) == neg {
		ts.Fatalf("the space's commit is %s, want %s%s", got, map[bool]string{true: "anything but ", false: ""}[neg], args[0])
	}
}

// change-requests STATUS N asserts how many change requests of the space
// have STATUS (open, merged, archived, or done: merged or archived).
func cmdChangeRequests(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: change-requests open|merged|archived|done N")
	}
	w := getWorld(ts)
	statuses := []string{args[0]}
	if args[0] == "done" {
		statuses = []string{"merged", "archived"}
	}
	n := 0
	var seen []string
	for _, st := range statuses {
		var list struct {
			Items []struct {
				Number  int    `json:"number"`
				Subject string `json:"subject"`
				Status  string `json:"status"`
			} `json:"items"`
		}
		w.gitbook(ts, "/spaces/"+w.space+"/change-requests?status="+st+"&limit=100", &list)
		n += len(list.Items)
		for _, cr := range list.Items {
			seen = append(seen, fmt.Sprintf("#%d %s %q", cr.Number, cr.Status, cr.Subject))
		}
	}
	if (n == atoi(ts, args[1])) == neg {
		ts.Fatalf("%d change requests %s, want %s: %v", n, args[0], args[1], seen)
	}
}

// cr-page TITLE REGEXP asserts that the open change request (there must be
// one) has a page whose title matches TITLE and whose Markdown matches
// REGEXP.
func cmdCRPage(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: cr-page TITLE REGEXP")
	}
	w := getWorld(ts)
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	w.gitbook(ts, "/spaces/"+w.space+"/change-requests?status=open&limit=100", &list)
	if len(list.Items) != 1 {
		ts.Fatalf("%d open change requests, want one", len(list.Items))
	}
	base := "/spaces/" + w.space + "/change-requests/" + list.Items[0].ID + "/content"
	var rev struct {
		Pages []gitbook.Page `json:"pages"`
	}
	w.gitbook(ts, base+"/pages", &rev)
	title := regexp.MustCompile(args[0])
	var titles []string
	var found string
	gitbook.Walk(rev.Pages, func(p *gitbook.Page, _ *gitbook.Page, _ int) {
		titles = append(titles, p.Title)
		if p.Type == gitbook.PageDocument && found == "" && title.MatchString(p.Title) {
			found = p.ID
		}
	})
	body := ""
	if found != "" {
		var p struct {
			Markdown string `json:"markdown"`
		}
		w.gitbook(ts, base+"/page/"+found+"?format=markdown", &p)
		body = p.Markdown
	}
	matched := found != "" && regexp.MustCompile(args[1]).MatchString(body)
	if matched == neg {
		ts.Fatalf("change request page %q (titles %q) does%s match %q:\n%s", args[0], titles, map[bool]string{true: "", false: " not"}[matched], args[1], body)
	}
}

// gha-summary REGEXP matches the last run's step summary.
func cmdGHASummary(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: gha-summary REGEXP")
	}
	w := getWorld(ts)
	data, err := os.ReadFile(w.run.Env["GITHUB_STEP_SUMMARY"])
	ts.Check(err)
	if regexp.MustCompile(args[0]).Match(data) == neg {
		ts.Fatalf("step summary does%s match %q:\n%s", map[bool]string{true: "", false: " not"}[neg], args[0], data)
	}
}

// local leaves CI: every CI variable is emptied, the GitBook token and the
// emulator's URL are set as a person would export them, and the writer's
// clone ($WORK/repo) is the current directory.
func cmdLocal(ts *testscript.TestScript, neg bool, args []string) {
	w := getWorld(ts)
	w.apply(ts, &cilayout.Run{Dir: w.dev}, map[string]string{"GITBOOK_TOKEN": w.gitbookToken, "GITBOOK_API_URL": w.gitbookURL})
	w.run = nil
}

// livePages lists the current revision's document pages by their file,
// relative to the project directory.
func (w *world) livePages(ts *testscript.TestScript) map[string]string {
	var rev struct {
		Pages []gitbook.Page `json:"pages"`
	}
	w.gitbook(ts, "/spaces/"+w.space+"/content/pages?metadata=true", &rev)
	out := map[string]string{}
	gitbook.Walk(rev.Pages, func(p *gitbook.Page, _ *gitbook.Page, _ int) {
		if p.Type != gitbook.PageDocument {
			return
		}
		key := "(no file) " + p.Title
		if p.Git != nil && p.Git.Path != "" {
			key = strings.TrimPrefix(p.Git.Path, strings.Trim(w.projectDir, "/")+"/")
		}
		if _, dup := out[key]; dup {
			key += " (again)"
		}
		out[key] = p.ID
	})
	return out
}

// live-pages prints the live document pages' files, one a line, sorted;
// pages GitBook knows no file of are "(no file) TITLE".
func cmdLivePages(ts *testscript.TestScript, neg bool, args []string) {
	w := getWorld(ts)
	for _, k := range slices.Sorted(maps.Keys(w.livePages(ts))) {
		fmt.Fprintln(ts.Stdout(), k)
	}
}

// live-page FILE REGEXP asserts that the live page of FILE (relative to the
// project directory) has Markdown matching REGEXP.
func cmdLivePage(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: live-page FILE REGEXP")
	}
	w := getWorld(ts)
	pages := w.livePages(ts)
	id, ok := pages[args[0]]
	body := ""
	if ok {
		var p struct {
			Markdown string `json:"markdown"`
		}
		w.gitbook(ts, "/spaces/"+w.space+"/content/page/"+id+"?format=markdown", &p)
		body = p.Markdown
	}
	matched := ok && regexp.MustCompile(args[1]).MatchString(body)
	if matched == neg {
		ts.Fatalf("live page %s (found: %v) does%s match %q:\n%s\nlive pages: %v", args[0], ok, map[bool]string{true: "", false: " not"}[matched], args[1], body, slices.Sorted(maps.Keys(pages)))
	}
}

// pr-comments N COUNT [REGEXP] asserts how many comments (notes) the bot
// wrote on pull (merge) request N, and that the newest matches REGEXP.
func cmdPRComments(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: pr-comments N COUNT [REGEXP]")
	}
	w := getWorld(ts)
	n := atoi(ts, args[0])
	var all []fakehost.Comment
	bot := gitlabBotUser.Login
	if w.github != nil {
		all, bot = w.github.Comments(w.host.Repository, n), fakehost.GitHubActionsBot.Login
	} else {
		all = w.gitlab.Notes(w.host.ProjectID, n)
	}
	var ours []fakehost.Comment
	for _, c := range all {
		if c.Author.Login == bot {
			ours = append(ours, c)
		}
	}
	ok := len(ours) == atoi(ts, args[1])
	if ok && len(args) == 3 {
		ok = len(ours) > 0 && regexp.MustCompile(args[2]).MatchString(ours[len(ours)-1].Body)
	}
	if ok == neg {
		var last string
		if len(ours) > 0 {
			last = ours[len(ours)-1].Body
		}
		ts.Fatalf("%d comments by %s on #%d, want %s%s (%q); newest:\n%s", len(ours), bot, n, map[bool]string{true: "not ", false: ""}[neg], args[1], args[2:], last)
	}
}

func options(args []string) (map[string]string, []string) {
	opts := map[string]string{}
	var rest []string
	for _, a := range args {
		if k, v, ok := strings.Cut(a, "="); ok {
			opts[k] = v
			continue
		}
		rest = append(rest, a)
	}
	return opts, rest
}

func atoi(ts *testscript.TestScript, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		ts.Fatalf("%q is not a number", s)
	}
	return n
}

var nonAlnum = regexp.MustCompile(`[^A-Za-z0-9]+`)

func envName(s string) string { return strings.ToUpper(nonAlnum.ReplaceAllString(s, "_")) }

func stringMap(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = fmt.Sprint(v)
	}
	return out
}

func mustGitOut(ts *testscript.TestScript, dir string, args ...string) string {
	out, err := cilayout.Git(dir, args...)
	ts.Check(err)
	return out
}

// ---- The README's snippets and action.yml ----

// readmeSnippets are the fenced blocks the README shows users.
type readmeSnippets struct {
	Config   string // under "### Configuration: `.gitbook-sync.yaml`"
	Workflow string // marked <!-- example: examples/github-workflow.yml -->
	GitLabCI string // marked <!-- example: examples/gitlab-ci.yml -->
}

// The configuration is the first ```yaml block under its heading. The
// workflow and the GitLab job are files of examples/ that the README shows
// byte for byte (TestREADMEShowsTheExamples keeps them identical).
const configHeading = "### Configuration: `.gitbook-sync.yaml`"

var lifecycleExamples = [...]string{"examples/github-workflow.yml", "examples/gitlab-ci.yml"}

func loadREADME(file string) (readmeSnippets, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return readmeSnippets{}, err
	}
	var out readmeSnippets
	if out.Config, err = fencedBlock(string(data), configHeading, "yaml"); err != nil {
		return readmeSnippets{}, fmt.Errorf("%s: %w", file, err)
	}
	for i, dst := range []*string{&out.Workflow, &out.GitLabCI} {
		example, err := os.ReadFile(filepath.Join(filepath.Dir(file), lifecycleExamples[i]))
		if err != nil {
			return readmeSnippets{}, err
		}
		*dst = string(example)
	}
	return out, nil
}

// fencedBlock returns the body of the first ```lang block after the line
// heading (a heading or a marker comment), stopping at the next heading.
func fencedBlock(doc, heading, lang string) (string, error) {
	lines := strings.Split(doc, "\n")
	start := slices.Index(lines, heading)
	if start < 0 {
		return "", fmt.Errorf("no line %q: the lifecycle scenarios use the snippet under it (keep it, or update lifecycle_test.go)", heading)
	}
	for i := start + 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "#") {
			break
		}
		if strings.TrimSpace(lines[i]) != "```"+lang {
			continue
		}
		for j := i + 1; j < len(lines); j++ {
			if strings.TrimSpace(lines[j]) == "```" {
				return strings.Join(lines[i+1:j], "\n") + "\n", nil
			}
		}
		return "", fmt.Errorf("the ```%s block under %q is not closed", lang, heading)
	}
	return "", fmt.Errorf("no ```%s block under %q before the next heading", lang, heading)
}

// readmeConfig is what the scenarios read from the configuration.
type readmeConfig struct {
	Space, Organization, Path, Branch string
}

func (s readmeSnippets) config() (readmeConfig, error) {
	var f struct {
		Spaces []struct {
			Space        string `yaml:"space"`
			Organization string `yaml:"organization"`
			Path         string `yaml:"path"`
			Branch       string `yaml:"branch"`
		} `yaml:"spaces"`
	}
	if err := yaml.Unmarshal([]byte(s.Config), &f); err != nil {
		return readmeConfig{}, fmt.Errorf("README configuration: %w", err)
	}
	if len(f.Spaces) != 1 {
		return readmeConfig{}, fmt.Errorf("README configuration: %d spaces, the scenarios expect one", len(f.Spaces))
	}
	sp := f.Spaces[0]
	return readmeConfig{Space: sp.Space, Organization: sp.Organization, Path: sp.Path, Branch: sp.Branch}, nil
}

// ghWorkflow is what the scenarios read from the README's workflow.
type ghWorkflow struct {
	On map[string]struct {
		Branches []string `yaml:"branches"`
		Types    []string `yaml:"types"`
	} `yaml:"on"`
	Jobs map[string]struct {
		Steps []struct {
			Uses string            `yaml:"uses"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
	fetchDepth int               // the checkout's fetch-depth
	with       map[string]string // the gitbook-sync step's inputs
}

func (s readmeSnippets) workflow() (*ghWorkflow, error) {
	var wf ghWorkflow
	if err := yaml.Unmarshal([]byte(s.Workflow), &wf); err != nil {
		return nil, fmt.Errorf("README workflow: %w", err)
	}
	checkout, action := false, false
	wf.fetchDepth = 1 // actions/checkout's default
	for _, job := range wf.Jobs {
		for _, st := range job.Steps {
			switch {
			case st.Uses == "actions/checkout@v4":
				checkout = true
				if d, ok := st.With["fetch-depth"]; ok {
					n, err := strconv.Atoi(d)
					if err != nil {
						return nil, fmt.Errorf("README workflow: fetch-depth %q", d)
					}
					wf.fetchDepth = n
				}
			case strings.HasPrefix(st.Uses, "gitbook-sync/gitbook-sync@"):
				action, wf.with = true, st.With
			}
		}
	}
	if !checkout || !action {
		return nil, fmt.Errorf("README workflow: want a step using actions/checkout@v4 (the layout the scenarios copy) and one using gitbook-sync/gitbook-sync@...")
	}
	return &wf, nil
}

// triggers reports whether the workflow's `on:` starts a run for ev;
// base is a pull request's base branch.
func (wf *ghWorkflow) triggers(ev cilayout.GitHubEvent, base string) bool {
	on, ok := wf.On[ev.Name]
	if !ok {
		return false
	}
	branch, types := ev.Branch, on.Types
	if ev.Name == "pull_request" {
		branch = base
		if len(types) == 0 {
			types = []string{"opened", "synchronize", "reopened"}
		}
		if !slices.Contains(types, ev.Action) {
			return false
		}
	}
	if len(on.Branches) == 0 {
		return true
	}
	return slices.ContainsFunc(on.Branches, func(glob string) bool {
		ok, _ := path.Match(glob, branch)
		return ok
	})
}

// glJob is the README's GitLab job.
type glJob struct {
	Variables map[string]any `yaml:"variables"`
	Script    []string       `yaml:"script"`
	Rules     []struct {
		If string `yaml:"if"`
	} `yaml:"rules"`
}

func (s readmeSnippets) job() (*glJob, error) {
	var top map[string]yaml.Node
	if err := yaml.Unmarshal([]byte(s.GitLabCI), &top); err != nil {
		return nil, fmt.Errorf("README GitLab CI: %w", err)
	}
	var jobs []*glJob
	for name, node := range top {
		if strings.HasPrefix(name, ".") || slices.Contains([]string{"default", "include", "stages", "variables", "workflow"}, name) {
			continue
		}
		var j glJob
		if err := node.Decode(&j); err != nil {
			return nil, fmt.Errorf("README GitLab CI job %s: %w", name, err)
		}
		jobs = append(jobs, &j)
	}
	if len(jobs) != 1 {
		return nil, fmt.Errorf("README GitLab CI: %d jobs, the scenarios expect one", len(jobs))
	}
	return jobs[0], nil
}

var ruleExpr = regexp.MustCompile(`^\s*(\$\w+|"[^"]*"|'[^']*')\s*(==|!=)\s*(\$\w+|"[^"]*"|'[^']*')\s*$`)

// runs evaluates the job's rules for a pipeline's variables: the first
// rule whose `if` holds runs the job. Only comparisons of variables and
// strings are understood.
func (j *glJob) runs(env map[string]string) (bool, error) {
	if len(j.Rules) == 0 {
		return true, nil
	}
	value := func(s string) string {
		if name, ok := strings.CutPrefix(s, "$"); ok {
			return env[name]
		}
		return s[1 : len(s)-1]
	}
	for _, r := range j.Rules {
		m := ruleExpr.FindStringSubmatch(r.If)
		if m == nil {
			return false, fmt.Errorf("README GitLab CI rule %q: only $VAR == \"string\" or $VAR == $VAR comparisons are understood here", r.If)
		}
		if (value(m[1]) == value(m[3])) == (m[2] == "==") {
			return true, nil
		}
	}
	return false, nil
}

// actionStep is action.yml's step that runs gitbook-sync.
type actionStep struct {
	Run      string
	Env      map[string]string
	defaults map[string]string // inputs' defaults
}

func loadAction(file string) (*actionStep, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var a struct {
		Inputs map[string]struct {
			Default string `yaml:"default"`
		} `yaml:"inputs"`
		Runs struct {
			Steps []struct {
				Run string            `yaml:"run"`
				Env map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	step := &actionStep{defaults: map[string]string{}}
	for name, in := range a.Inputs {
		step.defaults[name] = in.Default
	}
	// The step runs the binary the install step put in GITBOOK_SYNC_BIN.
	for _, st := range a.Runs.Steps {
		run := strings.TrimSpace(st.Run)
		if bin, ok := strings.CutPrefix(run, `"$GITBOOK_SYNC_BIN" `); ok {
			step.Run, step.Env = "gitbook-sync "+bin, st.Env
			return step, nil
		}
	}
	return nil, fmt.Errorf("%s: no step runs gitbook-sync; the scenarios run that step", file)
}

var expr = regexp.MustCompile(`\$\{\{\s*([\w.-]+)\s*\}\}`)

// env evaluates the step's env for a run: inputs from the workflow's
// `with:` (else their defaults), the run's secrets and token.
func (a *actionStep) env(with, secrets map[string]string, token, workspace string) (map[string]string, error) {
	var errs []error
	var eval func(s string) string
	eval = func(s string) string {
		return expr.ReplaceAllStringFunc(s, func(m string) string {
			name := expr.FindStringSubmatch(m)[1]
			if input, ok := strings.CutPrefix(name, "inputs."); ok {
				// An input is the workflow's `with:` value, else the
				// default, itself possibly an expression.
				val, given := with[input]
				if !given {
					val = a.defaults[input]
				}
				return eval(val)
			}
			switch {
			case name == "github.token":
				return token
			case name == "github.workspace":
				return workspace
			case name == "steps.install.outputs.path":
				return "gitbook-sync" // the binary the scenarios run in-process
			case strings.HasPrefix(name, "secrets."):
				return secrets[strings.TrimPrefix(name, "secrets.")]
			}
			errs = append(errs, fmt.Errorf("expression %s is not understood here", m))
			return ""
		})
	}
	out := map[string]string{}
	for k, v := range a.Env {
		out[k] = eval(v)
	}
	return out, errors.Join(errs...)
}

func (a *actionStep) envNames() []string { return slices.Collect(maps.Keys(a.Env)) }

// TestLifecycleREADME keeps the README's snippets usable by the lifecycle
// scenarios: found by the rule above, parsed, and shaped as the scenarios
// need. It runs without the gate.
func TestLifecycleREADME(t *testing.T) {
	t.Parallel()
	s, err := loadREADME("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.config()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Branch != "main" || cfg.Space == "" || cfg.Organization == "" || cfg.Path != "docs" {
		t.Errorf("README configuration %+v: the scenarios expect branch main, a space, an organization, and their pages under docs/", cfg)
	}
	wf, err := s.workflow()
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []cilayout.GitHubEvent{{Name: "push", Branch: "main"}, {Name: "pull_request", Action: "opened"},
		{Name: "pull_request", Action: "synchronize"}, {Name: "pull_request", Action: "closed"}} {
		if !wf.triggers(ev, "main") {
			t.Errorf("README workflow does not run on %+v: the lifecycle needs it", ev)
		}
	}
	if wf.triggers(cilayout.GitHubEvent{Name: "push", Branch: "feature"}, "") {
		t.Errorf("README workflow runs on pushes to any branch: scenarios of other branches assume it does not")
	}
	if wf.with["gitbook-token"] != "${{ secrets.GITBOOK_TOKEN }}" {
		t.Errorf("README workflow passes gitbook-token %q, want ${{ secrets.GITBOOK_TOKEN }}", wf.with["gitbook-token"])
	}
	job, err := s.job()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(job.Script, []string{"gitbook-sync sync"}) {
		t.Errorf("README GitLab job script %q: the scenarios run `gitbook-sync sync`", job.Script)
	}
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"CI_PIPELINE_SOURCE": "merge_request_event"}, true},
		{map[string]string{"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main"}, true},
		{map[string]string{"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "feature", "CI_DEFAULT_BRANCH": "main"}, false},
	} {
		if got, err := job.runs(tc.env); err != nil || got != tc.want {
			t.Errorf("README GitLab rules on %v: %v %v, want %v", tc.env, got, err, tc.want)
		}
	}
	a, err := loadAction("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	if a.Run != "gitbook-sync action" {
		t.Errorf("action.yml runs %q: the scenarios run `gitbook-sync action`", a.Run)
	}
	env, err := a.env(wf.with, map[string]string{"GITBOOK_TOKEN": "gb"}, "ghs", "/w")
	if err != nil {
		t.Fatal(err)
	}
	if env["GITBOOK_TOKEN"] != "gb" || env["GITHUB_TOKEN"] != "ghs" {
		t.Errorf("action.yml's step env, evaluated for the README's workflow: %v", env)
	}
}

func TestFencedBlock(t *testing.T) {
	t.Parallel()
	doc := "# T\n\n### A\n\ntext\n\n```sh\nno\n```\n\n```yaml\nkey: 1\n```\n\n```yaml\nsecond: 2\n```\n### B\n\n```yaml\nunclosed\n"
	tests := []struct {
		heading, want, err string
	}{
		{"### A", "key: 1\n", ""},
		{"### C", "", `no line "### C"`},
		{"### B", "", "is not closed"},
		{"# T", "", "no ```yaml block"},
	}
	for _, tt := range tests {
		got, err := fencedBlock(doc, tt.heading, "yaml")
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("fencedBlock(%q) = %q, %v; want %q, %q", tt.heading, got, err, tt.want, tt.err)
		}
	}
}

func TestActionEnv(t *testing.T) {
	t.Parallel()
	a := &actionStep{Env: map[string]string{"A": "${{ inputs.a }}", "B": "${{ inputs.b }}", "T": "${{ github.token }}", "X": "${{ github.event.x }}"},
		defaults: map[string]string{"a": "def-a", "b": "${{ github.token }}"}}
	env, err := a.env(map[string]string{"a": "${{ secrets.S }}"}, map[string]string{"S": "sec"}, "tok", "/w")
	if env["A"] != "sec" || env["B"] != "tok" || env["T"] != "tok" || err == nil || !strings.Contains(err.Error(), "github.event.x") {
		t.Errorf("env %v, err %v", env, err)
	}
}

func TestParseOutputs(t *testing.T) {
	t.Parallel()
	got := parseOutputs("state<<ghadelim_1\nin sync\nghadelim_1\nplain=value\nmulti<<EOF\na\nb\nEOF\n")
	want := map[string]string{"state": "in sync", "plain": "value", "multi": "a\nb"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outputs %v, want %v", got, want)
	}
}
