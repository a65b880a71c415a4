package report

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// Comment outcomes.
const (
	CommentCreated   = "created"
	CommentUpdated   = "updated"
	CommentUnchanged = "unchanged"
)

// MarkerLine is the hidden first line that makes a comment ours.
func MarkerLine(marker string) string {
	return "<!-- gitbook-sync:" + escapeMarker(marker) + " -->"
}

// isOurs reports whether a comment body starts with our marker line; a
// marker further down (quoted by a person) does not count.
func isOurs(body, marker string) bool {
	return strings.HasPrefix(strings.TrimLeft(body, "\r\n "), MarkerLine(marker))
}

// GitHubComments keeps one sticky comment per marker on a pull request.
type GitHubComments struct {
	Client      *github.Client
	Owner, Repo string
	Number      int
}

// NewGitHubComments makes a poster for owner/name, honouring GitHub
// Enterprise API URLs. Rate-limited requests wait and are retried.
func NewGitHubComments(apiURL, token, repository string, number int) (*GitHubComments, error) {
	owner, name, ok := strings.Cut(repository, "/")
	if !ok {
		return nil, fmt.Errorf("repository %q: want owner/name", repository)
	}
	hc := &http.Client{Transport: &RateLimitTransport{Base: http.DefaultTransport}, Timeout: 60 * time.Second}
	c := github.NewClient(hc).WithAuthToken(token)
	if apiURL != "" {
		// GITHUB_API_URL is the API root, on github.com and Enterprise alike.
		u, err := url.Parse(strings.TrimSuffix(apiURL, "/") + "/")
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("GITHUB_API_URL %q is not a URL", apiURL)
		}
		c.BaseURL = u
	}
	return &GitHubComments{Client: c, Owner: owner, Repo: name, Number: number}, nil
}

// Upsert creates the comment, or edits ours in place, or leaves it when
// the body is unchanged. Duplicates (from concurrent runs) are removed,
// keeping the oldest. Writes are sent one at a time.
func (g *GitHubComments) Upsert(ctx context.Context, marker, body string) (url, outcome string, err error) {
	var ours []*github.IssueComment
	opt := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		page, resp, err := g.Client.Issues.ListComments(ctx, g.Owner, g.Repo, g.Number, opt)
		if err != nil {
			return "", "", fmt.Errorf("list comments of pull request #%d: %w", g.Number, err)
		}
		for _, c := range page {
			if isOurs(c.GetBody(), marker) {
				ours = append(ours, c)
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if len(ours) == 0 {
		c, _, err := g.Client.Issues.CreateComment(ctx, g.Owner, g.Repo, g.Number, &github.IssueComment{Body: &body})
		if err != nil {
			return "", "", fmt.Errorf("comment on pull request #%d: %w", g.Number, err)
		}
		return c.GetHTMLURL(), CommentCreated, nil
	}
	keep := ours[0] // GitHub lists comments oldest first
	outcome = CommentUnchanged
	if keep.GetBody() != body {
		if _, _, err := g.Client.Issues.EditComment(ctx, g.Owner, g.Repo, keep.GetID(), &github.IssueComment{Body: &body}); err != nil {
			return "", "", fmt.Errorf("update comment %d: %w", keep.GetID(), err)
		}
		outcome = CommentUpdated
	}
	for _, dup := range ours[1:] {
		if _, err := g.Client.Issues.DeleteComment(ctx, g.Owner, g.Repo, dup.GetID()); err != nil {
			return keep.GetHTMLURL(), outcome, fmt.Errorf("remove duplicate comment %d: %w", dup.GetID(), err)
		}
	}
	return keep.GetHTMLURL(), outcome, nil
}

// RateLimitTransport waits and retries when GitHub says a request was not
// processed: 429, or 403 with Retry-After or an exhausted rate limit
// (go-github itself only reports 403 primary limits, and does not wait).
type RateLimitTransport struct {
	Base     http.RoundTripper
	MaxWait  time.Duration // per wait; default 60s
	Attempts int           // default 3
	Sleep    func(context.Context, time.Duration) error
}

func (t *RateLimitTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	attempts, maxWait := t.Attempts, t.MaxWait
	if attempts <= 0 {
		attempts = 3
	}
	if maxWait <= 0 {
		maxWait = 60 * time.Second
	}
	sleep := t.Sleep
	if sleep == nil {
		sleep = func(ctx context.Context, d time.Duration) error {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(d):
				return nil
			}
		}
	}
	for i := 1; ; i++ {
		if i > 1 && r.GetBody != nil {
			body, err := r.GetBody()
			if err != nil {
				return nil, err
			}
			r.Body = body
		}
		resp, err := t.Base.RoundTrip(r)
		if err != nil || i >= attempts {
			return resp, err
		}
		wait, limited := limitWait(resp)
		if !limited || wait > maxWait {
			return resp, nil
		}
		resp.Body.Close()
		if err := sleep(r.Context(), wait); err != nil {
			return nil, err
		}
	}
}

func limitWait(resp *http.Response) (time.Duration, bool) {
	h := resp.Header
	limited := resp.StatusCode == http.StatusTooManyRequests ||
		(resp.StatusCode == http.StatusForbidden && (h.Get("Retry-After") != "" || h.Get("X-RateLimit-Remaining") == "0"))
	if !limited {
		return 0, false
	}
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil {
		return time.Duration(s) * time.Second, true
	}
	if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		return max(time.Until(time.Unix(reset, 0)), time.Second), true
	}
	return time.Minute, true // GitHub's advice for secondary limits without a hint
}

// GitLabNotes keeps one sticky note per marker on a merge request.
type GitLabNotes struct {
	Client  *gitlab.Client
	Project string
	MR      int64
	// JobToken is true when the token is CI_JOB_TOKEN, which GitLab does
	// not let write notes.
	JobToken bool
}

// NewGitLabNotes makes a poster for project (ID or path) at apiURL.
func NewGitLabNotes(apiURL, token string, jobToken bool, project string, mr int) (*GitLabNotes, error) {
	opts := []gitlab.ClientOptionFunc{gitlab.WithCustomRetryMax(3)}
	if apiURL != "" {
		opts = append(opts, gitlab.WithBaseURL(apiURL))
	}
	var c *gitlab.Client
	var err error
	if jobToken {
		c, err = gitlab.NewJobClient(token, opts...)
	} else {
		c, err = gitlab.NewClient(token, opts...)
	}
	if err != nil {
		return nil, fmt.Errorf("GitLab client: %w", err)
	}
	return &GitLabNotes{Client: c, Project: project, MR: int64(mr), JobToken: jobToken}, nil
}

// Upsert creates or edits our note, as GitHubComments.Upsert does.
func (g *GitLabNotes) Upsert(ctx context.Context, marker, body string) (url, outcome string, err error) {
	var ours []*gitlab.Note
	opt := &gitlab.ListMergeRequestNotesOptions{ListOptions: gitlab.ListOptions{PerPage: 100}, Sort: gitlab.Ptr("asc"), OrderBy: gitlab.Ptr("created_at")}
	for {
		notes, resp, err := g.Client.Notes.ListMergeRequestNotes(g.Project, g.MR, opt, gitlab.WithContext(ctx))
		if err != nil {
			return "", "", g.explain(fmt.Errorf("list notes of merge request !%d: %w", g.MR, err))
		}
		for _, n := range notes {
			if !n.System && isOurs(n.Body, marker) {
				ours = append(ours, n)
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if len(ours) == 0 {
		n, _, err := g.Client.Notes.CreateMergeRequestNote(g.Project, g.MR, &gitlab.CreateMergeRequestNoteOptions{Body: &body}, gitlab.WithContext(ctx))
		if err != nil {
			return "", "", g.explain(fmt.Errorf("note on merge request !%d: %w", g.MR, err))
		}
		return noteURL(n), CommentCreated, nil
	}
	keep := ours[0]
	outcome = CommentUnchanged
	if keep.Body != body {
		if _, _, err := g.Client.Notes.UpdateMergeRequestNote(g.Project, g.MR, keep.ID, &gitlab.UpdateMergeRequestNoteOptions{Body: &body}, gitlab.WithContext(ctx)); err != nil {
			return "", "", g.explain(fmt.Errorf("update note %d: %w", keep.ID, err))
		}
		outcome = CommentUpdated
	}
	for _, dup := range ours[1:] {
		if _, err := g.Client.Notes.DeleteMergeRequestNote(g.Project, g.MR, dup.ID, gitlab.WithContext(ctx)); err != nil {
			return noteURL(keep), outcome, g.explain(fmt.Errorf("remove duplicate note %d: %w", dup.ID, err))
		}
	}
	return noteURL(keep), outcome, nil
}

func noteURL(n *gitlab.Note) string {
	return fmt.Sprintf("#note_%d", n.ID)
}

// explain turns GitLab's refusal of CI_JOB_TOKEN into what to do.
func (g *GitLabNotes) explain(err error) error {
	var er *gitlab.ErrorResponse
	if g.JobToken && errors.As(err, &er) && er.Response != nil && (er.Response.StatusCode == 401 || er.Response.StatusCode == 403) {
		return fmt.Errorf("%w: CI_JOB_TOKEN cannot write merge request notes; set GITBOOK_SYNC_GITLAB_TOKEN to a project or personal access token with the api scope", err)
	}
	return err
}
