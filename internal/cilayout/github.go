package cilayout

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// GitHubEvent is what triggered a workflow run.
type GitHubEvent struct {
	Name   string // push or pull_request
	Action string // pull_request: opened, synchronize, reopened or closed
	Number int    // pull_request: the pull request
	Branch string // push: the pushed branch
}

// GitHubOptions are the run's settings.
type GitHubOptions struct {
	// FetchDepth is actions/checkout's fetch-depth: 0 for all history, 1
	// (its default) for one commit.
	FetchDepth int
	// Token is the run's GITHUB_TOKEN; checkout keeps it in .git/config.
	Token string
	// APIURL is GITHUB_API_URL (a fake GitHub in tests).
	APIURL string
	// RunNumber tells runs apart in GITHUB_RUN_ID and the like.
	RunNumber int
}

// Run is one CI job: the working copy, the variables the runner sets for
// every step, and the git commands that laid it out.
type Run struct {
	Dir      string
	Env      map[string]string
	Commands []string
}

// GitHubVariables are every variable a GitHubRun sets, so that a caller
// switching from one run to the next can clear those the next one lacks.
var GitHubVariables = []string{
	"CI", "GITHUB_ACTIONS", "GITHUB_ACTOR", "GITHUB_TRIGGERING_ACTOR", "GITHUB_API_URL", "GITHUB_GRAPHQL_URL",
	"GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_REPOSITORY_OWNER", "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH",
	"GITHUB_REF", "GITHUB_REF_NAME", "GITHUB_REF_TYPE", "GITHUB_REF_PROTECTED", "GITHUB_SHA", "GITHUB_HEAD_REF",
	"GITHUB_BASE_REF", "GITHUB_WORKSPACE", "GITHUB_WORKFLOW", "GITHUB_JOB", "GITHUB_RUN_ID", "GITHUB_RUN_NUMBER",
	"GITHUB_RUN_ATTEMPT", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE",
	"RUNNER_OS", "RUNNER_TEMP",
}

// GitHubRun lays out the working copy of a workflow run triggered by ev,
// under root (standing for the runner's /home/runner/work), as
// actions/checkout@v4 does with its default inputs and opt.FetchDepth.
func (h *Host) GitHubRun(root string, ev GitHubEvent, opt GitHubOptions) (*Run, error) {
	if h.Provider != GitHub {
		return nil, fmt.Errorf("a GitHub run on a %s host", h.Provider)
	}
	owner, name, _ := strings.Cut(h.Repository, "/")
	workspace := filepath.Join(root, "work", name, name)
	temp := filepath.Join(root, "work", "_temp")
	for _, d := range []string{workspace, filepath.Join(temp, "_github_workflow"), filepath.Join(temp, "_runner_file_commands")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	v := map[string]string{}
	var payload any
	var err error
	switch ev.Name {
	case "push":
		payload, err = h.pushEvent(ev, v)
	case "pull_request":
		payload, err = h.pullRequestEvent(ev, v)
	default:
		err = fmt.Errorf("GitHub event %q: want push or pull_request", ev.Name)
	}
	if err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(payload, "", "  ")
	if err != nil {
		return nil, err
	}
	eventPath := filepath.Join(temp, "_github_workflow", "event.json")
	if err := os.WriteFile(eventPath, data, 0o644); err != nil {
		return nil, err
	}
	commands, err := h.checkout(workspace, v["GITHUB_REF"], v["GITHUB_SHA"], opt)
	if err != nil {
		return nil, err
	}
	run := strconv.Itoa(opt.RunNumber)
	files := filepath.Join(temp, "_runner_file_commands")
	for k, val := range map[string]string{
		"CI": "true", "GITHUB_ACTIONS": "true", "RUNNER_OS": "Linux", "RUNNER_TEMP": temp,
		"GITHUB_ACTOR": "writer", "GITHUB_TRIGGERING_ACTOR": "writer",
		"GITHUB_API_URL": opt.APIURL, "GITHUB_GRAPHQL_URL": graphQLURL(opt.APIURL),
		"GITHUB_SERVER_URL": h.ServerURL(), "GITHUB_REPOSITORY": h.Repository, "GITHUB_REPOSITORY_OWNER": owner,
		"GITHUB_EVENT_NAME": ev.Name, "GITHUB_EVENT_PATH": eventPath, "GITHUB_REF_TYPE": "branch", "GITHUB_REF_PROTECTED": "false",
		"GITHUB_WORKSPACE": workspace, "GITHUB_WORKFLOW": "gitbook", "GITHUB_JOB": "sync",
		"GITHUB_RUN_ID": "9000" + run, "GITHUB_RUN_NUMBER": run, "GITHUB_RUN_ATTEMPT": "1",
		"GITHUB_OUTPUT": filepath.Join(files, "set_output_"+run), "GITHUB_STEP_SUMMARY": filepath.Join(files, "step_summary_"+run),
		"GITHUB_ENV": filepath.Join(files, "set_env_"+run), "GITHUB_PATH": filepath.Join(files, "add_path_"+run),
		"GITHUB_STATE": filepath.Join(files, "save_state_"+run),
	} {
		v[k] = val
	}
	for _, f := range []string{v["GITHUB_OUTPUT"], v["GITHUB_STEP_SUMMARY"], v["GITHUB_ENV"], v["GITHUB_PATH"], v["GITHUB_STATE"]} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			return nil, err
		}
	}
	return &Run{Dir: workspace, Env: v, Commands: commands}, nil
}

// pushEvent sets the push's ref and commit: the branch's tip.
func (h *Host) pushEvent(ev GitHubEvent, v map[string]string) (any, error) {
	sha := h.Tip(ev.Branch)
	if sha == "" {
		return nil, fmt.Errorf("push to %s: no such branch", ev.Branch)
	}
	before := h.Before(ev.Branch)
	v["GITHUB_REF"], v["GITHUB_REF_NAME"], v["GITHUB_SHA"] = "refs/heads/"+ev.Branch, ev.Branch, sha
	v["GITHUB_HEAD_REF"], v["GITHUB_BASE_REF"] = "", ""
	rng := sha
	if before != zeroSHA {
		rng = before + ".." + sha
	}
	commits, err := h.commitsJSON("--reverse", "--max-count=20", rng)
	if err != nil {
		return nil, err
	}
	head, err := h.commitsJSON("--max-count=1", sha)
	if err != nil {
		return nil, err
	}
	repo := h.repoJSON(h.Repository)
	repo.MasterBranch = h.DefaultBranch
	return ghPushEvent{Ref: v["GITHUB_REF"], Before: before, After: sha, Created: before == zeroSHA,
		Compare: h.ServerURL() + "/" + h.Repository + "/compare/" + before[:12] + "..." + sha[:12],
		Commits: commits, HeadCommit: &head[0], Repository: repo,
		Pusher: ghPusher{Name: "writer", Email: Developer.Email}, Sender: writer}, nil
}

// pullRequestEvent sets a pull_request run's ref and commit as GitHub
// documents them: the test merge at refs/pull/N/merge, except for a pull
// request closed by merging, whose run is on the base branch at the merge
// commit.
func (h *Host) pullRequestEvent(ev GitHubEvent, v map[string]string) (any, error) {
	p := h.Pulls[ev.Number]
	if p == nil {
		return nil, fmt.Errorf("pull_request: no pull request %d", ev.Number)
	}
	switch ev.Action {
	case "opened", "synchronize", "reopened":
		if p.State != "open" {
			return nil, fmt.Errorf("pull_request %s: pull request %d is %s", ev.Action, p.Number, p.State)
		}
		if p.TestMerge == "" {
			return nil, fmt.Errorf("pull request %d conflicts with %s: GitHub runs no pull_request workflow until the conflict is resolved", p.Number, p.Base)
		}
	case "closed":
		if p.State != "closed" {
			return nil, fmt.Errorf("pull_request closed: pull request %d is open", p.Number)
		}
	default:
		return nil, fmt.Errorf("pull_request action %q: want opened, synchronize, reopened or closed", ev.Action)
	}
	v["GITHUB_HEAD_REF"], v["GITHUB_BASE_REF"] = p.HeadBranch, p.Base
	if p.Merged {
		v["GITHUB_REF"], v["GITHUB_REF_NAME"], v["GITHUB_SHA"] = "refs/heads/"+p.Base, p.Base, p.MergeCommitSHA
	} else {
		v["GITHUB_REF"], v["GITHUB_REF_NAME"], v["GITHUB_SHA"] = fmt.Sprintf("refs/pull/%d/merge", p.Number), fmt.Sprintf("%d/merge", p.Number), p.TestMerge
	}
	ev2 := ghPullEvent{Action: ev.Action, Number: p.Number, PullRequest: h.pullJSON(p, ev.Action == "opened"), Repository: h.repoJSON(h.Repository), Sender: writer}
	if ev.Action == "synchronize" {
		ev2.Before, ev2.After = p.Before, p.HeadSHA
	}
	return ev2, nil
}

// checkout runs actions/checkout@v4's git commands for ref at commit.
func (h *Host) checkout(workspace, ref, commit string, opt GitHubOptions) ([]string, error) {
	r := &recorder{dir: workspace, env: gitEnv()}
	r.run("init", workspace)
	r.run("remote", "add", "origin", h.ProjectURL())
	r.run("config", "--local", "gc.auto", "0")
	cred := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + opt.Token))
	r.run("config", "--local", "http.https://github.com/.extraheader", "AUTHORIZATION: basic "+cred)
	fetch := func(depth int, refspecs ...string) {
		args := []string{"-c", "protocol.version=2", "fetch"}
		if !slices.Contains(refspecs, tagsRefSpec) {
			args = append(args, "--no-tags")
		}
		args = append(args, "--prune", "--no-recurse-submodules", "--progress")
		if depth > 0 {
			args = append(args, "--depth="+strconv.Itoa(depth))
		}
		r.run(append(append(args, "origin"), refspecs...)...)
	}
	pull, isPull := strings.CutPrefix(ref, "refs/pull/")
	branch, isBranch := strings.CutPrefix(ref, "refs/heads/")
	if !isPull && !isBranch {
		return nil, fmt.Errorf("checkout of %s: only branches and pull requests are laid out", ref)
	}
	target := "refs/remotes/origin/" + branch
	if isPull {
		target = "refs/remotes/pull/" + pull
	}
	if opt.FetchDepth <= 0 {
		specs := []string{"+refs/heads/*:refs/remotes/origin/*", tagsRefSpec}
		if isPull {
			specs = append(specs, "+"+commit+":"+target)
		}
		fetch(0, specs...)
		// The branch may have moved since the event: fetch the event's commit.
		if r.err == nil && isBranch {
			if got, _ := git(workspace, gitEnv(), "rev-parse", "--verify", "--quiet", target); got != commit {
				fetch(0, "+"+commit+":"+target)
			}
		}
	} else {
		fetch(opt.FetchDepth, "+"+commit+":"+target)
	}
	r.run("sparse-checkout", "disable")
	r.commands = append(r.commands, "git config --local --unset-all extensions.worktreeConfig")
	_, _ = git(workspace, gitEnv(), "config", "--local", "--unset-all", "extensions.worktreeConfig")
	if isPull {
		r.run("checkout", "--progress", "--force", target)
	} else {
		r.run("checkout", "--progress", "--force", "-B", branch, target)
	}
	return r.commands, r.err
}

const tagsRefSpec = "+refs/tags/*:refs/tags/*"

// GitHub's webhook payloads, with the fields GitHub documents for them.
type (
	ghUser struct {
		Login string `json:"login"`
		ID    int64  `json:"id"`
		Type  string `json:"type"`
	}
	ghRepo struct {
		ID            int64  `json:"id"`
		Name          string `json:"name"`
		FullName      string `json:"full_name"`
		Private       bool   `json:"private"`
		Owner         ghUser `json:"owner"`
		HTMLURL       string `json:"html_url"`
		URL           string `json:"url"`
		Fork          bool   `json:"fork"`
		CloneURL      string `json:"clone_url"`
		DefaultBranch string `json:"default_branch"`
		MasterBranch  string `json:"master_branch,omitempty"` // push events only
	}
	ghBranch struct {
		Label string  `json:"label"`
		Ref   string  `json:"ref"`
		SHA   string  `json:"sha"`
		User  ghUser  `json:"user"`
		Repo  *ghRepo `json:"repo"`
	}
	ghPull struct {
		URL            string   `json:"url"`
		ID             int64    `json:"id"`
		HTMLURL        string   `json:"html_url"`
		Number         int      `json:"number"`
		State          string   `json:"state"`
		Locked         bool     `json:"locked"`
		Title          string   `json:"title"`
		User           ghUser   `json:"user"`
		Body           *string  `json:"body"`
		CreatedAt      string   `json:"created_at"`
		UpdatedAt      string   `json:"updated_at"`
		ClosedAt       *string  `json:"closed_at"`
		MergedAt       *string  `json:"merged_at"`
		MergeCommitSHA *string  `json:"merge_commit_sha"`
		Draft          bool     `json:"draft"`
		Head           ghBranch `json:"head"`
		Base           ghBranch `json:"base"`
		Merged         bool     `json:"merged"`
		Mergeable      *bool    `json:"mergeable"`
		MergedBy       *ghUser  `json:"merged_by"`
		Commits        int      `json:"commits"`
	}
	ghPullEvent struct {
		Action      string `json:"action"`
		Number      int    `json:"number"`
		Before      string `json:"before,omitempty"` // synchronize only
		After       string `json:"after,omitempty"`
		PullRequest ghPull `json:"pull_request"`
		Repository  ghRepo `json:"repository"`
		Sender      ghUser `json:"sender"`
	}
	ghGitUser struct {
		Name     string `json:"name"`
		Email    string `json:"email"`
		Username string `json:"username,omitempty"`
	}
	ghCommit struct {
		ID        string    `json:"id"`
		TreeID    string    `json:"tree_id"`
		Distinct  bool      `json:"distinct"`
		Message   string    `json:"message"`
		Timestamp string    `json:"timestamp"`
		URL       string    `json:"url"`
		Author    ghGitUser `json:"author"`
		Committer ghGitUser `json:"committer"`
	}
	ghPusher struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	ghPushEvent struct {
		Ref        string     `json:"ref"`
		Before     string     `json:"before"`
		After      string     `json:"after"`
		Created    bool       `json:"created"`
		Deleted    bool       `json:"deleted"`
		Forced     bool       `json:"forced"`
		BaseRef    *string    `json:"base_ref"`
		Compare    string     `json:"compare"`
		Commits    []ghCommit `json:"commits"`
		HeadCommit *ghCommit  `json:"head_commit"`
		Repository ghRepo     `json:"repository"`
		Pusher     ghPusher   `json:"pusher"`
		Sender     ghUser     `json:"sender"`
	}
)

// writer is the person who pushes and opens pull requests.
var writer = ghUser{Login: "writer", ID: 1001, Type: "User"}

func (h *Host) repoJSON(full string) ghRepo {
	owner, name, _ := strings.Cut(full, "/")
	id := int64(500)
	if full != h.Repository {
		id = 501
	}
	web := h.ServerURL() + "/" + full
	return ghRepo{ID: id, Name: name, FullName: full, Owner: ghUser{Login: owner, ID: id + 100, Type: "Organization"},
		HTMLURL: web, URL: strings.TrimSuffix(h.ServerURL(), "/") + "/repos/" + full, Fork: full != h.Repository,
		CloneURL: web + ".git", DefaultBranch: h.DefaultBranch}
}

// PullURL is a pull request's web address.
func (h *Host) PullURL(n int) string {
	if h.Provider == GitLab {
		return fmt.Sprintf("%s/-/merge_requests/%d", h.ProjectURL(), n)
	}
	return fmt.Sprintf("%s/pull/%d", h.ProjectURL(), n)
}

func (h *Host) pullJSON(p *Pull, opened bool) ghPull {
	head, base := h.repoJSON(p.HeadRepo), h.repoJSON(h.Repository)
	owner, _, _ := strings.Cut(p.HeadRepo, "/")
	baseOwner, _, _ := strings.Cut(h.Repository, "/")
	at := h.clock.Format("2006-01-02T15:04:05Z")
	out := ghPull{URL: base.URL + "/pulls/" + strconv.Itoa(p.Number), ID: int64(7000 + p.Number), HTMLURL: h.PullURL(p.Number),
		Number: p.Number, State: p.State, Title: p.Title, User: writer, CreatedAt: at, UpdatedAt: at,
		Head:   ghBranch{Label: owner + ":" + p.HeadBranch, Ref: p.HeadBranch, SHA: p.HeadSHA, User: head.Owner, Repo: &head},
		Base:   ghBranch{Label: baseOwner + ":" + p.Base, Ref: p.Base, SHA: p.BaseSHA, User: base.Owner, Repo: &base},
		Merged: p.Merged, Commits: len(p.Commits)}
	// GitHub computes mergeability in the background: the opened event
	// carries no result yet, later ones the test merge made before.
	if p.TestMerge != "" && !opened {
		out.MergeCommitSHA = &p.TestMerge
	}
	if p.State == "closed" {
		out.ClosedAt = &at
	}
	if p.Merged {
		out.MergedAt, out.MergeCommitSHA, out.MergedBy = &at, &p.MergeCommitSHA, &writer
	}
	return out
}

// commitsJSON describes the commits git log lists for args.
func (h *Host) commitsJSON(args ...string) ([]ghCommit, error) {
	const sep = "\x1e"
	out, err := h.Git(append([]string{"log", "--format=%H%x00%T%x00%an%x00%ae%x00%cn%x00%ce%x00%cI%x00%B" + sep}, args...)...)
	if err != nil {
		return nil, err
	}
	var list []ghCommit
	for _, rec := range strings.Split(out, sep) {
		f := strings.SplitN(strings.TrimSpace(rec), "\x00", 8)
		if len(f) < 8 {
			continue
		}
		list = append(list, ghCommit{ID: f[0], TreeID: f[1], Distinct: true, Message: strings.TrimSpace(f[7]), Timestamp: f[6],
			URL:    h.ProjectURL() + "/commit/" + f[0],
			Author: ghGitUser{Name: f[2], Email: f[3]}, Committer: ghGitUser{Name: f[4], Email: f[5]}})
	}
	return list, nil
}

// graphQLURL is where the runner points GITHUB_GRAPHQL_URL: beside the REST
// API on github.com (api.github.com/graphql), at /api/graphql on GitHub
// Enterprise, whose REST API is /api/v3.
func graphQLURL(api string) string {
	api = strings.TrimSuffix(api, "/")
	if base, ok := strings.CutSuffix(api, "/api/v3"); ok {
		return base + "/api/graphql"
	}
	return api + "/graphql"
}
