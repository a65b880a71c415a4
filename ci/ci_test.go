package ci

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestOutsideCI(t *testing.T) {
	t.Parallel()
	c, err := Detect(env(nil))
	if err != nil || c.Provider != "" || c.PullRequest != nil {
		t.Fatalf("%+v %v", c, err)
	}
}

func writeEvent(t *testing.T, body string) string {
	p := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGitHubPullRequest(t *testing.T) {
	tests := []struct {
		name, action string
		merged       bool
		headRepo     string
		wantState    string
		wantFork     bool
		ref          string // GITHUB_REF
		wantBranch   string
	}{
		{"opened", "opened", false, "acme/docs", "open", false, "refs/pull/12/merge", "guide"},
		{"synchronize", "synchronize", false, "acme/docs", "open", false, "refs/pull/12/merge", "guide"},
		{"closed", "closed", false, "acme/docs", "closed", false, "refs/pull/12/merge", ""},
		// GitHub runs a merged pull request's closing on the target branch.
		{"merged", "closed", true, "acme/docs", "merged", false, "refs/heads/main", "main"},
		{"from a fork", "opened", false, "someone/docs", "open", true, "refs/pull/12/merge", "guide"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			state := "open"
			if tt.action == "closed" {
				state = "closed"
			}
			ev := writeEvent(t, `{"action":"`+tt.action+`","number":12,"pull_request":{"number":12,"html_url":"https://github.com/acme/docs/pull/12",
				"title":"Docs: new guide","state":"`+state+`","merged":`+map[bool]string{true: "true", false: "false"}[tt.merged]+`,
				"merge_commit_sha":"mmm","base":{"sha":"aaa","ref":"main"},"head":{"sha":"bbb","ref":"guide","repo":{"full_name":"`+tt.headRepo+`","fork":`+map[bool]string{true: "true", false: "false"}[tt.wantFork]+`}}},
				"repository":{"full_name":"acme/docs","default_branch":"main"}}`)
			c, err := Detect(env(map[string]string{
				"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": ev,
				"GITHUB_REPOSITORY": "acme/docs", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_API_URL": "https://ghe.example/api/v3",
				"GITHUB_SHA": "ccc", "GITHUB_HEAD_REF": "guide", "GITHUB_BASE_REF": "main", "GITHUB_OUTPUT": "/tmp/out", "GITHUB_REF": tt.ref,
			}))
			if err != nil {
				t.Fatal(err)
			}
			pr := c.PullRequest
			if pr == nil || pr.Number != 12 || pr.State != tt.wantState || pr.Fork != tt.wantFork || pr.BaseSHA != "aaa" || pr.Title != "Docs: new guide" {
				t.Fatalf("pull request: %+v", pr)
			}
			if pr.HeadRef != "refs/pull/12/head" || pr.HeadSHA != "bbb" || pr.Target != "main" || pr.Source != "guide" {
				t.Errorf("pull request: %+v", pr)
			}
			if wantMerge := map[bool]string{true: "mmm"}[tt.merged]; pr.MergeCommitSHA != wantMerge {
				t.Errorf("merge commit %q, want %q", pr.MergeCommitSHA, wantMerge)
			}
			if c.APIURL != "https://ghe.example/api/v3" || c.RepoURL != "https://github.com/acme/docs.git" || c.Branch != tt.wantBranch ||
				c.Output != "/tmp/out" || c.DefaultBranch != "main" || c.WebURL != "https://github.com/acme/docs" {
				t.Errorf("context: %+v", c)
			}
		})
	}
}

func TestGitHubErrorsNameTheVariable(t *testing.T) {
	t.Parallel()
	_, err := Detect(env(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push"}))
	if err == nil || !strings.Contains(err.Error(), "GITHUB_REPOSITORY") {
		t.Errorf("err = %v", err)
	}
	_, err = Detect(env(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_REPOSITORY": "a/b",
		"GITHUB_EVENT_PATH": writeEvent(t, `{"action":"opened"}`)}))
	if err == nil || !strings.Contains(err.Error(), "GITHUB_EVENT_PATH") {
		t.Errorf("err = %v", err)
	}
}

func TestGitLab(t *testing.T) {
	t.Parallel()
	base := map[string]string{"GITLAB_CI": "true", "CI_PROJECT_URL": "https://gitlab.com/acme/docs", "CI_PROJECT_PATH": "acme/docs",
		"CI_PROJECT_ID": "42", "CI_COMMIT_SHA": "ccc", "CI_API_V4_URL": "https://gitlab.com/api/v4", "CI_COMMIT_BRANCH": "main"}
	c, err := Detect(env(base))
	if err != nil || c.Provider != GitLab || c.PullRequest != nil || c.Branch != "main" || c.RepoURL != "https://gitlab.com/acme/docs.git" {
		t.Fatalf("branch pipeline: %+v %v", c, err)
	}
	mr := map[string]string{"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "5", "CI_MERGE_REQUEST_TITLE": "New guide",
		"CI_MERGE_REQUEST_DIFF_BASE_SHA": "aaa", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "guide", "CI_MERGE_REQUEST_SOURCE_PROJECT_ID": "42"}
	for k, v := range base {
		mr[k] = v
	}
	c, err = Detect(env(mr))
	if err != nil || c.PullRequest == nil || c.PullRequest.URL != "https://gitlab.com/acme/docs/-/merge_requests/5" || c.PullRequest.Fork || c.Branch != "guide" || c.PullRequest.HeadRef != "refs/merge-requests/5/head" {
		t.Fatalf("merge request pipeline: %+v %v", c.PullRequest, err)
	}
	base["CI_COMMIT_BEFORE_SHA"] = "0000000000000000000000000000000000000000"
	if c, _ := Detect(env(base)); c.Before != "" {
		t.Errorf("zeros mean no previous commit, got %q", c.Before)
	}
	base["CI_COMMIT_BEFORE_SHA"] = "0a00"
	if c, _ := Detect(env(base)); c.Before != "0a00" {
		t.Errorf("a real SHA is the previous commit, got %q", c.Before)
	}
}

func TestGitHubPush(t *testing.T) {
	t.Parallel()
	ev := writeEvent(t, `{"ref":"refs/heads/fix","after":"ccc","repository":{"full_name":"acme/docs","default_branch":"trunk"}}`)
	c, err := Detect(env(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": ev,
		"GITHUB_REPOSITORY": "acme/docs", "GITHUB_REF": "refs/heads/fix", "GITHUB_SHA": "ccc", "GITHUB_TOKEN": "ghs_x"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Branch != "fix" || c.DefaultBranch != "trunk" || c.PullRequest != nil || c.SHA != "ccc" {
		t.Errorf("push: %+v", c)
	}
	if c.GitHubToken != "ghs_x" || c.GitToken != "ghs_x" || c.GitUser() != "x-access-token" || c.Noun() != "pull request" {
		t.Errorf("tokens: %+v %s", c, c.GitUser())
	}
	if got := c.TreeURL("main", "docs"); got != "https://github.com/acme/docs/blob/main/docs/" {
		t.Errorf("tree URL %s", got)
	}
	if got := c.CommitURL(); got != "https://github.com/acme/docs/commit/" {
		t.Errorf("commit URL %s", got)
	}
	tag, _ := Detect(env(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_REPOSITORY": "acme/docs", "GITHUB_REF": "refs/tags/v1"}))
	if tag.Branch != "" {
		t.Errorf("a tag is no branch: %q", tag.Branch)
	}
}

func TestGitLabPipelines(t *testing.T) {
	t.Parallel()
	base := map[string]string{"GITLAB_CI": "true", "CI_PROJECT_URL": "https://git.example.org/acme/docs", "CI_PROJECT_PATH": "acme/docs",
		"CI_PROJECT_ID": "42", "CI_COMMIT_SHA": "ccc", "CI_API_V4_URL": "https://git.example.org/api/v4", "CI_DEFAULT_BRANCH": "main",
		"CI_JOB_TOKEN": "job-token"}
	with := func(extra map[string]string) *Context {
		t.Helper()
		m := maps.Clone(base)
		maps.Copy(m, extra)
		c, err := Detect(env(m))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// A host without "gitlab" in its name is GitLab because the CI says so.
	push := with(map[string]string{"CI_COMMIT_BRANCH": "fix", "CI_OPEN_MERGE_REQUESTS": "acme/docs!9,other/x!3,acme/docs!4"})
	if push.Provider != GitLab || push.Branch != "fix" || push.DefaultBranch != "main" || !slices.Equal(push.OpenMergeRequests, []int{9, 4}) {
		t.Errorf("branch pipeline: %+v", push)
	}
	if push.Noun() != "merge request" || push.GitUser() != "gitlab-ci-token" || push.TreeURL("main", "") != "https://git.example.org/acme/docs/-/blob/main/" {
		t.Errorf("GitLab wording and URLs: %s %s %s", push.Noun(), push.GitUser(), push.TreeURL("main", ""))
	}
	if u, tok := push.FetchAuth(); u != "gitlab-ci-token" || tok != "job-token" {
		t.Errorf("fetch auth %s %s", u, tok)
	}
	pr, err := push.OpenPullRequest(context.Background(), "ccc")
	if err != nil || pr == nil || pr.Number != 4 || pr.URL != "https://git.example.org/acme/docs/-/merge_requests/4" || pr.HeadRef != "refs/merge-requests/4/head" {
		t.Errorf("open merge request: %+v %v", pr, err)
	}
	withToken := with(map[string]string{"GITLAB_TOKEN": "glpat-x"})
	if u, tok := withToken.FetchAuth(); u != "oauth2" || tok != "glpat-x" || withToken.GitToken != "glpat-x" || withToken.GitUser() != "oauth2" {
		t.Errorf("token: %s %s %s", u, tok, withToken.GitToken)
	}

	mr := with(map[string]string{"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "5",
		"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "guide", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_MERGE_REQUEST_DIFF_BASE_SHA": "aaa"})
	if p := mr.PullRequest; p == nil || p.HeadSHA != "ccc" || p.Target != "main" || p.Source != "guide" || p.BaseSHA != "aaa" || mr.Branch != "guide" {
		t.Errorf("merge request pipeline: %+v", mr.PullRequest)
	}
	// Merged results: CI_COMMIT_SHA is GitLab's merge commit.
	merged := with(map[string]string{"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "5", "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA": "bbb",
		"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "guide", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"})
	if merged.PullRequest.HeadSHA != "bbb" || merged.SHA != "ccc" {
		t.Errorf("merged results: head %s, checked out %s", merged.PullRequest.HeadSHA, merged.SHA)
	}
}

func TestNumberFromURL(t *testing.T) {
	t.Parallel()
	for u, want := range map[string]int{
		"https://github.com/acme/docs/pull/7":                 7,
		"https://github.com/acme/docs/pull/7/files":           7,
		"https://gitlab.com/acme/docs/-/merge_requests/12":    12,
		"https://gitlab.com/acme/docs/-/merge_requests/12#x":  12,
		"https://github.com/acme/docs/tree/pull/7x":           0,
		"https://github.com/acme/docs":                        0,
		"https://ghe.example/api/v3/repos/acme/docs/pulls/31": 31,
	} {
		if got := NumberFromURL(u); got != want {
			t.Errorf("NumberFromURL(%s) = %d, want %d", u, got, want)
		}
	}
}

func TestRequestName(t *testing.T) {
	t.Parallel()
	github, gitlab := (&Context{Provider: GitHub}).Noun(), (&Context{Provider: GitLab}).Noun()
	if got := RequestName(github, 7); got != "pull request #7" {
		t.Errorf("GitHub: %q", got)
	}
	if got := RequestName(gitlab, 5); got != "merge request !5" {
		t.Errorf("GitLab: %q", got)
	}
}

// GitHub's GraphQL endpoint: the runner's variable, else beside the REST
// API on github.com and on Enterprise.
func TestGraphQL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		c    Context
		want string
	}{
		{Context{GraphQLURL: "https://ghe.example/api/graphql", APIURL: "https://x/api/v3"}, "https://ghe.example/api/graphql"},
		{Context{APIURL: "https://api.github.com"}, "https://api.github.com/graphql"},
		{Context{APIURL: "https://ghe.example/api/v3/"}, "https://ghe.example/api/graphql"},
		{Context{}, "https://api.github.com/graphql"},
	} {
		if got := tt.c.GraphQL(); got != tt.want {
			t.Errorf("%+v: %s, want %s", tt.c, got, tt.want)
		}
	}
	c, err := Detect(env(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/docs", "GITHUB_EVENT_NAME": "push",
		"GITHUB_API_URL": "https://ghe.example/api/v3", "GITHUB_GRAPHQL_URL": "https://ghe.example/api/graphql"}))
	if err != nil || c.GraphQLURL != "https://ghe.example/api/graphql" {
		t.Errorf("from the runner: %+v, %v", c, err)
	}
}

func TestHostLookups(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v3/repos/acme/docs/commits/ccc/pulls", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer ghs_x" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `[{"number":3,"state":"closed","merged_at":"2026-01-01T00:00:00Z","head":{"ref":"old"}},
			{"number":8,"state":"open","title":"Fix","html_url":"https://github.com/acme/docs/pull/8","head":{"ref":"fix","sha":"ccc"},"base":{"ref":"main","sha":"aaa"}}]`)
	})
	mux.HandleFunc("GET /api/v4/projects/42/repository/commits/ccc/merge_requests", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"iid":5,"state":"merged"},{"iid":6,"state":"opened"}]`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()

	gh := &Context{Provider: GitHub, Repository: "acme/docs", APIURL: srv.URL + "/api/v3", GitHubToken: "ghs_x", Branch: "fix", SHA: "ccc"}
	if err := gh.AdoptOpenPullRequest(ctx, []string{"main"}); err != nil || gh.PullRequest == nil || gh.PullRequest.Number != 8 || gh.PullRequest.Target != "main" {
		t.Errorf("adopt: %+v %v", gh.PullRequest, err)
	}
	if merged, err := gh.MergedPullRequests(ctx, "ccc"); err != nil || !slices.Equal(merged, []int{3}) {
		t.Errorf("merged on GitHub: %v %v", merged, err)
	}
	onSource := &Context{Provider: GitHub, Repository: "acme/docs", APIURL: srv.URL + "/api/v3", GitHubToken: "ghs_x", Branch: "main", SHA: "ccc"}
	if err := onSource.AdoptOpenPullRequest(ctx, []string{"main"}); err != nil || onSource.PullRequest != nil {
		t.Errorf("a source branch adopts nothing: %+v %v", onSource.PullRequest, err)
	}
	gl := &Context{Provider: GitLab, ProjectID: "42", APIURL: srv.URL + "/api/v4", GitLabToken: "glpat-x"}
	if merged, err := gl.MergedPullRequests(ctx, "ccc"); err != nil || !slices.Equal(merged, []int{5}) {
		t.Errorf("merged on GitLab: %v %v", merged, err)
	}
	if _, err := (&Context{Provider: GitHub, Repository: "acme/docs"}).MergedPullRequests(ctx, "ccc"); !errors.Is(err, ErrNoToken) {
		t.Errorf("without a token: %v", err)
	}
}
