// Package ci reads the CI environment in one place: GitHub Actions (its
// variables and the event payload) or GitLab CI, into one Context. Errors
// name the variable to set.
package ci

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/google/go-github/v66/github"
	"github.com/sethvargo/go-githubactions"
)

// Providers.
const (
	GitHub = "github"
	GitLab = "gitlab"
)

// Context is what a run needs from its CI.
type Context struct {
	Provider   string // GitHub, GitLab, or "" outside CI
	Event      string // push, pull_request, merge_request_event, ...
	RepoURL    string // clone URL without credentials
	Repository string // owner/name (GitHub) or group/project (GitLab)
	ProjectID  string // GitLab project ID
	SHA        string
	Branch     string
	// Before is the commit the branch was at before the push, "" for a
	// new branch (GitLab gives all zeros then).
	Before string
	APIURL string // GitHub or GitLab API base
	// PullRequest is set for pull (merge) request events.
	PullRequest *PullRequest
	// StepSummary and Output are GitHub Actions' files, when set.
	StepSummary, Output string
}

// PullRequest is a pull or merge request.
type PullRequest struct {
	Number  int
	URL     string
	Title   string
	State   string // open, closed or merged
	BaseSHA string
	HeadSHA string
	// HeadRef is where the host keeps the pull request's head, readable
	// from the base repository even for forks.
	HeadRef string
	// Fork is true when the pull request comes from another repository:
	// its token is read-only and secrets are not available.
	Fork bool
}

// Detect reads the environment. Outside CI it returns an empty Context.
func Detect(getenv func(string) string) (*Context, error) {
	switch {
	case getenv("GITHUB_ACTIONS") == "true":
		return fromGitHub(getenv)
	case getenv("GITLAB_CI") == "true":
		return fromGitLab(getenv)
	}
	return &Context{}, nil
}

func fromGitHub(getenv func(string) string) (*Context, error) {
	a := githubactions.New(githubactions.WithGetenv(getenv))
	gc, err := a.Context()
	if err != nil {
		return nil, fmt.Errorf("GitHub Actions context (GITHUB_EVENT_PATH=%s): %w", getenv("GITHUB_EVENT_PATH"), err)
	}
	if gc.Repository == "" {
		return nil, fmt.Errorf("GITHUB_REPOSITORY is not set: it should be owner/name")
	}
	server := strings.TrimSuffix(gc.ServerURL, "/")
	if server == "" {
		server = "https://github.com"
	}
	c := &Context{Provider: GitHub, Event: gc.EventName, Repository: gc.Repository, SHA: gc.SHA,
		RepoURL: server + "/" + gc.Repository + ".git", APIURL: gc.APIURL,
		StepSummary: getenv("GITHUB_STEP_SUMMARY"), Output: getenv("GITHUB_OUTPUT")}
	if c.APIURL == "" {
		c.APIURL = "https://api.github.com"
	}
	c.Branch = gc.RefName
	if strings.HasPrefix(c.Event, "pull_request") {
		if gc.EventPath == "" {
			return nil, fmt.Errorf("GITHUB_EVENT_PATH is not set: a %s run needs the event payload", c.Event)
		}
		data, err := os.ReadFile(gc.EventPath)
		if err != nil {
			return nil, fmt.Errorf("read GITHUB_EVENT_PATH: %w", err)
		}
		var ev github.PullRequestEvent
		if err := json.Unmarshal(data, &ev); err != nil {
			return nil, fmt.Errorf("GITHUB_EVENT_PATH %s: not a pull request event: %w", gc.EventPath, err)
		}
		pr := ev.GetPullRequest()
		if pr == nil {
			return nil, fmt.Errorf("GITHUB_EVENT_PATH %s: the event has no pull_request", gc.EventPath)
		}
		state := "open"
		switch {
		case pr.GetMerged():
			state = "merged"
		case pr.GetState() == "closed" || ev.GetAction() == "closed":
			state = "closed"
		}
		head := pr.GetHead().GetRepo()
		c.PullRequest = &PullRequest{Number: pr.GetNumber(), URL: pr.GetHTMLURL(), Title: pr.GetTitle(), State: state,
			BaseSHA: pr.GetBase().GetSHA(), HeadSHA: pr.GetHead().GetSHA(), HeadRef: fmt.Sprintf("refs/pull/%d/head", pr.GetNumber()),
			Fork: head != nil && (head.GetFork() || !strings.EqualFold(head.GetFullName(), gc.Repository))}
		c.Branch = gc.HeadRef
	}
	return c, nil
}

func fromGitLab(getenv func(string) string) (*Context, error) {
	project := getenv("CI_PROJECT_URL")
	if project == "" {
		return nil, fmt.Errorf("CI_PROJECT_URL is not set: is this a GitLab CI job?")
	}
	c := &Context{Provider: GitLab, Event: getenv("CI_PIPELINE_SOURCE"), Repository: getenv("CI_PROJECT_PATH"),
		ProjectID: getenv("CI_PROJECT_ID"), SHA: getenv("CI_COMMIT_SHA"), Branch: getenv("CI_COMMIT_BRANCH"),
		RepoURL: project + ".git", APIURL: getenv("CI_API_V4_URL"), Before: getenv("CI_COMMIT_BEFORE_SHA")}
	if strings.Trim(c.Before, "0") == "" {
		c.Before = ""
	}
	if iid := getenv("CI_MERGE_REQUEST_IID"); iid != "" {
		n, err := strconv.Atoi(iid)
		if err != nil {
			return nil, fmt.Errorf("CI_MERGE_REQUEST_IID=%q is not a number", iid)
		}
		// Merge request pipelines run for open merge requests only; a merge
		// shows as a branch pipeline on the target branch.
		c.PullRequest = &PullRequest{Number: n, Title: getenv("CI_MERGE_REQUEST_TITLE"), State: "open",
			URL:     project + "/-/merge_requests/" + iid,
			BaseSHA: getenv("CI_MERGE_REQUEST_DIFF_BASE_SHA"), HeadSHA: c.SHA, HeadRef: "refs/merge-requests/" + iid + "/head",
			Fork: getenv("CI_MERGE_REQUEST_SOURCE_PROJECT_ID") != "" && getenv("CI_MERGE_REQUEST_SOURCE_PROJECT_ID") != c.ProjectID}
		c.Branch = getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
	}
	return c, nil
}
