package ci

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestOutsideCI(t *testing.T) {
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
	}{
		{"opened", "opened", false, "acme/docs", "open", false},
		{"synchronize", "synchronize", false, "acme/docs", "open", false},
		{"closed", "closed", false, "acme/docs", "closed", false},
		{"merged", "closed", true, "acme/docs", "merged", false},
		{"from a fork", "opened", false, "someone/docs", "open", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := "open"
			if tt.action == "closed" {
				state = "closed"
			}
			ev := writeEvent(t, `{"action":"`+tt.action+`","number":12,"pull_request":{"number":12,"html_url":"https://github.com/acme/docs/pull/12",
				"title":"Docs: new guide","state":"`+state+`","merged":`+map[bool]string{true: "true", false: "false"}[tt.merged]+`,
				"base":{"sha":"aaa","ref":"main"},"head":{"sha":"bbb","ref":"guide","repo":{"full_name":"`+tt.headRepo+`","fork":`+map[bool]string{true: "true", false: "false"}[tt.wantFork]+`}}}}`)
			c, err := Detect(env(map[string]string{
				"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": ev,
				"GITHUB_REPOSITORY": "acme/docs", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_API_URL": "https://ghe.example/api/v3",
				"GITHUB_SHA": "ccc", "GITHUB_HEAD_REF": "guide", "GITHUB_OUTPUT": "/tmp/out",
			}))
			if err != nil {
				t.Fatal(err)
			}
			pr := c.PullRequest
			if pr == nil || pr.Number != 12 || pr.State != tt.wantState || pr.Fork != tt.wantFork || pr.BaseSHA != "aaa" || pr.Title != "Docs: new guide" {
				t.Fatalf("pull request: %+v", pr)
			}
			if pr.HeadRef != "refs/pull/12/head" {
				t.Errorf("head ref %q", pr.HeadRef)
			}
			if c.APIURL != "https://ghe.example/api/v3" || c.RepoURL != "https://github.com/acme/docs.git" || c.Branch != "guide" || c.Output != "/tmp/out" {
				t.Errorf("context: %+v", c)
			}
		})
	}
}

func TestGitHubErrorsNameTheVariable(t *testing.T) {
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
