package ci

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// ErrNoToken is returned by host lookups when no token is at hand.
var ErrNoToken = errors.New("no token for the host's API")

// GitHubClient is a go-github client for the repository's host (GitHub or
// GitHub Enterprise: GITHUB_API_URL is the API root on both).
func (c *Context) GitHubClient() (*github.Client, error) {
	if c.GitHubToken == "" {
		return nil, fmt.Errorf("%w: pass the workflow's token as GITHUB_TOKEN", ErrNoToken)
	}
	gc := github.NewClient(c.httpClient()).WithAuthToken(c.GitHubToken)
	if c.APIURL != "" {
		u, err := url.Parse(strings.TrimSuffix(c.APIURL, "/") + "/")
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("GITHUB_API_URL %q is not a URL", c.APIURL)
		}
		gc.BaseURL = u
	}
	return gc, nil
}

// GitLabClient is a client for the project's GitLab: with GitLab's token,
// else the job's.
func (c *Context) GitLabClient() (*gitlab.Client, error) {
	opts := []gitlab.ClientOptionFunc{gitlab.WithCustomRetryMax(3), gitlab.WithHTTPClient(c.httpClient())}
	if c.APIURL != "" {
		opts = append(opts, gitlab.WithBaseURL(c.APIURL))
	}
	switch {
	case c.GitLabToken != "":
		return gitlab.NewClient(c.GitLabToken, opts...)
	case c.JobToken != "":
		return gitlab.NewJobClient(c.JobToken, opts...)
	}
	return nil, fmt.Errorf("%w: set GITBOOK_SYNC_GITLAB_TOKEN", ErrNoToken)
}

func (c *Context) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return &http.Client{Timeout: 60 * time.Second}
}

// GraphQL is GitHub's GraphQL endpoint: GITHUB_GRAPHQL_URL, else beside
// the REST API as GitHub lays them out (api.github.com/graphql; on
// Enterprise, HOST/api/v3 → HOST/api/graphql).
func (c *Context) GraphQL() string {
	if c.GraphQLURL != "" {
		return c.GraphQLURL
	}
	base := strings.TrimSuffix(cmp.Or(c.APIURL, "https://api.github.com"), "/")
	if b, ok := strings.CutSuffix(base, "/v3"); ok {
		return b + "/graphql"
	}
	return base + "/graphql"
}

// Project is the GitLab project as the API takes it: its ID, else its
// path.
func (c *Context) Project() string { return cmp.Or(c.ProjectID, c.Repository) }

// OpenPullRequest finds the open pull (merge) request whose source is the
// pushed branch, at commit sha: GitHub's pull requests of a commit
// (GET /repos/{o}/{r}/commits/{sha}/pulls), GitLab's CI_OPEN_MERGE_REQUESTS.
// It returns nil when there is none.
func (c *Context) OpenPullRequest(ctx context.Context, sha string) (*PullRequest, error) {
	switch c.Provider {
	case GitLab:
		if len(c.OpenMergeRequests) == 0 {
			return nil, nil
		}
		n := slices.Min(c.OpenMergeRequests)
		return &PullRequest{Number: n, URL: c.WebURL + "/-/merge_requests/" + strconv.Itoa(n), State: "open",
			HeadSHA: sha, Source: c.Branch, Target: c.DefaultBranch, HeadRef: "refs/merge-requests/" + strconv.Itoa(n) + "/head"}, nil
	case GitHub:
		prs, err := c.githubPulls(ctx, sha)
		if err != nil {
			return nil, err
		}
		for _, pr := range prs {
			if pr.GetState() == "open" && pr.GetHead().GetRef() == c.Branch {
				return &PullRequest{Number: pr.GetNumber(), URL: pr.GetHTMLURL(), Title: pr.GetTitle(), State: "open",
					BaseSHA: pr.GetBase().GetSHA(), HeadSHA: sha, Target: pr.GetBase().GetRef(), Source: c.Branch,
					HeadRef: fmt.Sprintf("refs/pull/%d/head", pr.GetNumber())}, nil
			}
		}
	}
	return nil, nil
}

// MergedPullRequests lists the pull (merge) requests that commit sha
// merged: GitHub's pull requests of the commit, GitLab's merge requests of
// the commit (GET /projects/:id/repository/commits/:sha/merge_requests).
// Squash merges are found too, where ancestry cannot tell.
func (c *Context) MergedPullRequests(ctx context.Context, sha string) ([]int, error) {
	var out []int
	switch c.Provider {
	case GitHub:
		prs, err := c.githubPulls(ctx, sha)
		if err != nil {
			return nil, err
		}
		for _, pr := range prs {
			if pr.MergedAt != nil {
				out = append(out, pr.GetNumber())
			}
		}
	case GitLab:
		gl, err := c.GitLabClient()
		if err != nil {
			return nil, err
		}
		mrs, _, err := gl.Commits.ListMergeRequestsByCommit(c.Project(), sha, gitlab.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("merge requests of commit %s: %w", short(sha), err)
		}
		for _, mr := range mrs {
			if mr.State == "merged" {
				out = append(out, int(mr.IID))
			}
		}
	}
	return out, nil
}

func (c *Context) githubPulls(ctx context.Context, sha string) ([]*github.PullRequest, error) {
	gh, err := c.GitHubClient()
	if err != nil {
		return nil, err
	}
	owner, name, _ := strings.Cut(c.Repository, "/")
	prs, _, err := gh.PullRequests.ListPullRequestsWithCommit(ctx, owner, name, sha, &github.ListOptions{PerPage: 100})
	if err != nil {
		return nil, fmt.Errorf("pull requests of commit %s: %w", short(sha), err)
	}
	return prs, nil
}

// AdoptOpenPullRequest makes a push to a branch that is not a source
// branch act for that branch's open pull request, when it has one: the
// run then proposes, reports and comments for it.
func (c *Context) AdoptOpenPullRequest(ctx context.Context, sources []string) error {
	if c.PullRequest != nil || c.Branch == "" || c.SHA == "" || len(sources) == 0 || slices.Contains(sources, c.Branch) {
		return nil
	}
	pr, err := c.OpenPullRequest(ctx, c.SHA)
	if err != nil {
		return fmt.Errorf("look for an open %s of branch %s: %w", c.Noun(), c.Branch, err)
	}
	c.PullRequest = pr
	return nil
}

func short(sha string) string { return sha[:min(len(sha), 7)] }
