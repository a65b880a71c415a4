// Package ci reads the CI environment in one place: GitHub Actions (its
// variables and the event payload) or GitLab CI, into one Context. It owns
// the tokens, the provider and the host's URLs. Errors name the variable
// to set.
package ci

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
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
	// Provider is GitHub or GitLab: known from the CI's variables (or given
	// by the caller), never guessed from a host name. "" outside CI.
	Provider   string
	Event      string // push, pull_request, merge_request_event, ...
	RepoURL    string // clone URL without credentials
	WebURL     string // the repository's web address: https://github.com/acme/docs
	Repository string // owner/name (GitHub) or group/project (GitLab)
	ProjectID  string // GitLab project ID
	// SHA is the commit the CI checked out (GITHUB_SHA, CI_COMMIT_SHA): for
	// GitHub pull requests a merge commit GitHub made, not the head.
	SHA string
	// Branch is the branch the run is for: the pushed branch, or the pull
	// request's source branch. "" for tags and unknown.
	Branch string
	// DefaultBranch is the repository's default branch, when the CI says.
	DefaultBranch string
	// Before is the commit the branch was at before the push, "" for a
	// new branch (GitLab gives all zeros then).
	Before string
	APIURL string // GitHub or GitLab API base
	// GraphQLURL is GitHub's GraphQL endpoint (GITHUB_GRAPHQL_URL); see
	// GraphQL for the default.
	GraphQLURL string
	// HTTPClient carries the requests to the host's API; nil uses a plain
	// client with a 60 s timeout.
	HTTPClient *http.Client
	// PullRequest is set for pull (merge) request events.
	PullRequest *PullRequest
	// OpenMergeRequests are the open merge requests of this project whose
	// source is the pushed branch (GitLab's CI_OPEN_MERGE_REQUESTS).
	OpenMergeRequests []int
	// StepSummary and Output are GitHub Actions' files, when set.
	StepSummary, Output string
	// Tokens. GitHubToken and GitLabToken talk to the host's API;
	// GitToken is what GitBook uses to read and write the repository
	// (never the GitBook token); JobToken is GitLab's CI_JOB_TOKEN.
	GitHubToken, GitLabToken, GitToken, JobToken string
}

// PullRequest is a pull or merge request.
type PullRequest struct {
	Number  int
	URL     string
	Title   string
	State   string // open, closed or merged
	BaseSHA string // the target branch's commit (GitLab: the diff's merge base)
	// HeadSHA is the pull request's own last commit: the event's
	// head.sha, CI_MERGE_REQUEST_SOURCE_BRANCH_SHA or CI_COMMIT_SHA.
	HeadSHA string
	// Target is the branch it merges into; Source the branch it comes from.
	Target, Source string
	// MergeCommitSHA is the commit that merged it (GitHub, once merged).
	MergeCommitSHA string
	// HeadRef is where the host keeps the pull request's head, readable
	// from the base repository even for forks.
	HeadRef string
	// Fork is true when the pull request comes from another repository:
	// its token is read-only and secrets are not available.
	Fork bool
}

// SecretVariables are the environment variables that may hold a secret:
// every one is masked in all output.
var SecretVariables = []string{"GITBOOK_TOKEN", "GITBOOK_SYNC_GIT_TOKEN", "GITBOOK_SYNC_GITHUB_TOKEN", "GITHUB_TOKEN",
	"GITBOOK_SYNC_GITLAB_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN"}

// Detect reads the environment. Outside CI it returns a Context with only
// the tokens.
func Detect(getenv func(string) string) (*Context, error) {
	var c *Context
	var err error
	switch {
	case getenv("GITHUB_ACTIONS") == "true":
		c, err = fromGitHub(getenv)
	case getenv("GITLAB_CI") == "true":
		c, err = fromGitLab(getenv)
	default:
		c = &Context{}
	}
	if err != nil {
		return nil, err
	}
	c.GitHubToken = cmp.Or(getenv("GITBOOK_SYNC_GITHUB_TOKEN"), getenv("GITHUB_TOKEN"))
	c.GitLabToken = cmp.Or(getenv("GITBOOK_SYNC_GITLAB_TOKEN"), getenv("GITLAB_TOKEN"))
	c.JobToken = getenv("CI_JOB_TOKEN")
	host := c.GitHubToken
	if c.Provider == GitLab || (c.Provider == "" && host == "") {
		host = c.GitLabToken
	}
	c.GitToken = cmp.Or(getenv("GITBOOK_SYNC_GIT_TOKEN"), host)
	return c, nil
}

// event is the part of a GitHub event payload read here: pull_request
// events carry the pull request, every event the repository.
type event struct {
	github.PullRequestEvent
	Repository struct {
		DefaultBranch string `json:"default_branch"`
	} `json:"repository"`
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
	server := strings.TrimSuffix(cmp.Or(gc.ServerURL, "https://github.com"), "/")
	c := &Context{Provider: GitHub, Event: gc.EventName, Repository: gc.Repository, SHA: gc.SHA,
		RepoURL: server + "/" + gc.Repository + ".git", WebURL: server + "/" + gc.Repository,
		APIURL: cmp.Or(gc.APIURL, "https://api.github.com"), GraphQLURL: getenv("GITHUB_GRAPHQL_URL"),
		StepSummary: getenv("GITHUB_STEP_SUMMARY"), Output: getenv("GITHUB_OUTPUT")}
	// GITHUB_REF is refs/heads/<branch> for pushes (and for the run of a
	// merged pull request's closing), refs/tags/... for tags.
	if b, ok := strings.CutPrefix(gc.Ref, "refs/heads/"); ok {
		c.Branch = b
	}
	var ev event
	if gc.EventPath != "" {
		if data, err := os.ReadFile(gc.EventPath); err == nil {
			if err := json.Unmarshal(data, &ev); err != nil {
				return nil, fmt.Errorf("GITHUB_EVENT_PATH %s: %w", gc.EventPath, err)
			}
		} else if strings.HasPrefix(c.Event, "pull_request") {
			return nil, fmt.Errorf("read GITHUB_EVENT_PATH: %w", err)
		}
	}
	c.DefaultBranch = ev.Repository.DefaultBranch
	if !strings.HasPrefix(c.Event, "pull_request") {
		return c, nil
	}
	if gc.EventPath == "" {
		return nil, fmt.Errorf("GITHUB_EVENT_PATH is not set: a %s run needs the event payload", c.Event)
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
		BaseSHA: pr.GetBase().GetSHA(), HeadSHA: pr.GetHead().GetSHA(),
		Target: cmp.Or(gc.BaseRef, pr.GetBase().GetRef()), Source: cmp.Or(gc.HeadRef, pr.GetHead().GetRef()),
		HeadRef: fmt.Sprintf("refs/pull/%d/head", pr.GetNumber()),
		Fork:    head != nil && (head.GetFork() || !strings.EqualFold(head.GetFullName(), gc.Repository))}
	if state == "merged" {
		c.PullRequest.MergeCommitSHA = pr.GetMergeCommitSHA()
	}
	if c.PullRequest.URL == "" {
		c.PullRequest.URL = fmt.Sprintf("%s/pull/%d", c.WebURL, c.PullRequest.Number)
	}
	if state == "open" {
		// The run is for the pull request's branch; a merged one's closing
		// run is on the target branch (GITHUB_REF refs/heads/<target>).
		c.Branch = c.PullRequest.Source
	}
	return c, nil
}

func fromGitLab(getenv func(string) string) (*Context, error) {
	project := strings.TrimSuffix(getenv("CI_PROJECT_URL"), "/")
	if project == "" {
		return nil, fmt.Errorf("CI_PROJECT_URL is not set: is this a GitLab CI job?")
	}
	c := &Context{Provider: GitLab, Event: getenv("CI_PIPELINE_SOURCE"), Repository: getenv("CI_PROJECT_PATH"),
		ProjectID: getenv("CI_PROJECT_ID"), SHA: getenv("CI_COMMIT_SHA"), Branch: getenv("CI_COMMIT_BRANCH"),
		DefaultBranch: getenv("CI_DEFAULT_BRANCH"),
		RepoURL:       project + ".git", WebURL: project, APIURL: getenv("CI_API_V4_URL"), Before: getenv("CI_COMMIT_BEFORE_SHA")}
	if strings.Trim(c.Before, "0") == "" {
		c.Before = ""
	}
	c.OpenMergeRequests = openMergeRequests(getenv("CI_OPEN_MERGE_REQUESTS"), c.Repository)
	iid := getenv("CI_MERGE_REQUEST_IID")
	if iid == "" {
		return c, nil
	}
	n, err := strconv.Atoi(iid)
	if err != nil {
		return nil, fmt.Errorf("CI_MERGE_REQUEST_IID=%q is not a number", iid)
	}
	// Merge request pipelines run for open merge requests only; a merge
	// shows as a branch pipeline on the target branch. In merged-results
	// pipelines CI_COMMIT_SHA is a merge commit GitLab made and the source
	// branch's own commit is CI_MERGE_REQUEST_SOURCE_BRANCH_SHA.
	c.PullRequest = &PullRequest{Number: n, Title: getenv("CI_MERGE_REQUEST_TITLE"), State: "open",
		URL:     project + "/-/merge_requests/" + iid,
		BaseSHA: getenv("CI_MERGE_REQUEST_DIFF_BASE_SHA"), HeadSHA: cmp.Or(getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA"), c.SHA),
		Target: getenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"), Source: getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"),
		HeadRef: "refs/merge-requests/" + iid + "/head",
		Fork:    getenv("CI_MERGE_REQUEST_SOURCE_PROJECT_ID") != "" && getenv("CI_MERGE_REQUEST_SOURCE_PROJECT_ID") != c.ProjectID}
	c.Branch = c.PullRequest.Source
	return c, nil
}

// openMergeRequests reads CI_OPEN_MERGE_REQUESTS ("group/docs!3,other/x!9")
// and keeps the merge requests of project.
func openMergeRequests(list, project string) []int {
	var out []int
	for _, item := range strings.Split(list, ",") {
		path, num, ok := strings.Cut(strings.TrimSpace(item), "!")
		if n, err := strconv.Atoi(num); ok && err == nil && (project == "" || strings.EqualFold(path, project)) {
			out = append(out, n)
		}
	}
	return out
}

// What the hosts call a pull request.
const (
	PullRequestNoun  = "pull request"
	MergeRequestNoun = "merge request" // GitLab's
)

// Noun is what the host calls a pull request.
func (c *Context) Noun() string {
	if c.Provider == GitLab {
		return MergeRequestNoun
	}
	return PullRequestNoun
}

// RequestName names request n as its host does, given what the host calls
// it (Noun): "pull request #7", "merge request !7".
func RequestName(noun string, n int) string {
	if noun == MergeRequestNoun {
		return fmt.Sprintf("%s !%d", noun, n)
	}
	return fmt.Sprintf("%s #%d", noun, n)
}

// GitUser is the basic-auth user that goes with GitToken in an https URL.
func (c *Context) GitUser() string {
	if c.Provider == GitLab {
		if c.GitToken == "" || c.GitToken == c.JobToken {
			return "gitlab-ci-token"
		}
		return "oauth2"
	}
	return "x-access-token"
}

// FetchAuth is the user and token for fetching from the repository:
// GitHub's workflow token, or GitLab's token (else the job's).
func (c *Context) FetchAuth() (user, token string) {
	switch c.Provider {
	case GitHub:
		return "x-access-token", c.GitHubToken
	case GitLab:
		if c.GitLabToken != "" {
			return "oauth2", c.GitLabToken
		}
		return "gitlab-ci-token", c.JobToken
	}
	return "", ""
}

// TreeURL is the web address of dir on branch, and CommitURL the prefix of
// a commit's, as GitBook links them (repoTreeURL, repoCommitURL). Both are
// "" when the host is not known.
func (c *Context) TreeURL(branch, dir string) string {
	base := c.webPrefix()
	if base == "" || branch == "" {
		return ""
	}
	u := base + "blob/" + branch + "/"
	if dir != "" {
		u += dir + "/"
	}
	return u
}

// BranchURL is the web address of a branch, or "" when the host is not
// known.
func (c *Context) BranchURL(branch string) string {
	if base := c.webPrefix(); base != "" && branch != "" {
		return base + "tree/" + branch
	}
	return ""
}

// CommitURL is the prefix of a commit's web address.
func (c *Context) CommitURL() string {
	if base := c.webPrefix(); base != "" {
		return base + "commit/"
	}
	return ""
}

func (c *Context) webPrefix() string {
	switch {
	case c.WebURL == "":
		return ""
	case c.Provider == GitLab:
		return c.WebURL + "/-/"
	case c.Provider == GitHub:
		return c.WebURL + "/"
	}
	return ""
}

var pullNumber = regexp.MustCompile(`/(?:pull|pulls|merge_requests)/(\d+)(?:[/?#]|$)`)

// NumberFromURL reads a pull or merge request's number from its web
// address (…/pull/7, …/-/merge_requests/7), or 0.
func NumberFromURL(u string) int {
	m := pullNumber.FindStringSubmatch(u)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// IsMergeRequestURL reports whether u is a GitLab merge request's address.
func IsMergeRequestURL(u string) bool { return strings.Contains(u, "/merge_requests/") }
