package fakehost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"
	gitlab "gitlab.com/gitlab-org/api/client-go"
)

var writer = User{Login: "writer", ID: 7, Name: "Writer"}

func newGitHub(t *testing.T) (*GitHub, func(token string) *github.Client) {
	t.Helper()
	g := NewGitHub()
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	g.AddToken("ghs_run", Token{User: GitHubActionsBot, Installation: true})
	g.AddToken("ghs_fork", Token{User: GitHubActionsBot, Installation: true, ReadOnly: true})
	g.AddToken("ghp_writer", Token{User: writer})
	g.SetPull("acme/docs", PullRequest{Number: 7, Title: "Explain installing", State: "open", HeadRepo: "acme/docs", HeadRef: "feature",
		HeadSHA: "bbb", BaseRef: "main", BaseSHA: "aaa", Commits: []string{"b01", "bbb"}, Author: writer})
	g.SetPull("acme/docs", PullRequest{Number: 6, Title: "Earlier", State: "closed", Merged: true, MergeCommitSHA: "m06", HeadRepo: "contrib/docs",
		HeadRef: "typo", HeadSHA: "c06", BaseRef: "main", Commits: []string{"c06"}, Author: writer})
	base, _ := url.Parse(srv.URL + GitHubPrefix + "/")
	return g, func(token string) *github.Client {
		c := github.NewClient(nil).WithAuthToken(token)
		c.BaseURL = base
		return c
	}
}

func TestGitHubComments(t *testing.T) {
	t.Parallel()
	g, client := newGitHub(t)
	ctx := context.Background()
	run := client("ghs_run")
	if _, _, err := run.Users.Get(ctx, ""); !isStatus(err, http.StatusForbidden) {
		t.Errorf("GET /user with GITHUB_TOKEN: %v, want 403 as GitHub answers installation tokens", err)
	}
	var last *github.IssueComment
	for i := range 35 {
		c, _, err := run.Issues.CreateComment(ctx, "acme", "docs", 7, &github.IssueComment{Body: github.String(fmt.Sprint("comment ", i))})
		if err != nil {
			t.Fatal(err)
		}
		last = c
	}
	if last.GetUser().GetLogin() != "github-actions[bot]" || last.GetUser().GetType() != "Bot" {
		t.Errorf("author %+v, want github-actions[bot]", last.GetUser())
	}
	var all []*github.IssueComment
	opt := &github.IssueListCommentsOptions{}
	for {
		page, resp, err := run.Issues.ListComments(ctx, "acme", "docs", 7, opt)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if len(all) != 35 || all[34].GetID() != last.GetID() {
		t.Fatalf("listed %d comments over pages, want 35 ending with the newest", len(all))
	}
	if _, _, err := run.Issues.EditComment(ctx, "acme", "docs", last.GetID(), &github.IssueComment{Body: github.String("edited")}); err != nil {
		t.Fatal(err)
	}
	if _, err := run.Issues.DeleteComment(ctx, "acme", "docs", all[0].GetID()); err != nil {
		t.Fatal(err)
	}
	got := g.Comments("acme/docs", 7)
	if len(got) != 34 || got[33].Body != "edited" {
		t.Errorf("after edit and delete: %d comments, last %q", len(got), got[len(got)-1].Body)
	}
	if w := g.Writes(); len(w) != 37 || w[36] != "DELETE /api/v3/repos/acme/docs/issues/comments/"+fmt.Sprint(all[0].GetID()) {
		t.Errorf("writes: %d, last %q", len(w), w[len(w)-1])
	}
	if _, _, err := client("ghs_fork").Issues.CreateComment(ctx, "acme", "docs", 7, &github.IssueComment{Body: github.String("x")}); !isStatus(err, http.StatusForbidden) {
		t.Errorf("a fork's read-only token commented: %v", err)
	}
	u, _, err := client("ghp_writer").Users.Get(ctx, "")
	if err != nil || u.GetLogin() != "writer" {
		t.Errorf("GET /user with a personal token: %v %v", u, err)
	}
	if p := g.Problems(); len(p) != 0 {
		t.Errorf("problems: %v", p)
	}
}

func TestGitHubPulls(t *testing.T) {
	t.Parallel()
	g, client := newGitHub(t)
	ctx := context.Background()
	c := client("ghs_run")
	pr, _, err := c.PullRequests.Get(ctx, "acme", "docs", 7)
	if err != nil || pr.GetHead().GetSHA() != "bbb" || pr.GetBase().GetRef() != "main" || pr.GetMerged() || pr.GetHTMLURL() != "" && !strings.Contains(pr.GetHTMLURL(), "/pull/7") {
		t.Errorf("pull 7: %v %v", pr, err)
	}
	for _, tc := range []struct {
		sha  string
		want []int
	}{{"b01", []int{7}}, {"bbb", []int{7}}, {"m06", []int{6}}, {"c06", []int{6}}, {"zzz", nil}} {
		list, _, err := c.PullRequests.ListPullRequestsWithCommit(ctx, "acme", "docs", tc.sha, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, p := range list {
			got = append(got, p.GetNumber())
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("pulls of commit %s: %v, want %v", tc.sha, got, tc.want)
		}
	}
	open, _, err := c.PullRequests.List(ctx, "acme", "docs", &github.PullRequestListOptions{Head: "acme:feature"})
	if err != nil || len(open) != 1 || open[0].GetNumber() != 7 {
		t.Errorf("open pulls from acme:feature: %v %v", open, err)
	}
	fork, _, _ := c.PullRequests.Get(ctx, "acme", "docs", 6)
	if !fork.GetHead().GetRepo().GetFork() || fork.GetMergeCommitSHA() != "m06" {
		t.Errorf("fork pull: %+v", fork.GetHead().GetRepo())
	}
	if len(g.Problems()) != 0 {
		t.Errorf("problems: %v", g.Problems())
	}
}

func TestGitHubStrictness(t *testing.T) {
	t.Parallel()
	g, client := newGitHub(t)
	ctx := context.Background()
	if _, _, err := client("nope").PullRequests.Get(ctx, "acme", "docs", 7); !isStatus(err, http.StatusUnauthorized) {
		t.Errorf("unknown token: %v", err)
	}
	if _, _, err := client("ghs_run").Repositories.Get(ctx, "acme", "docs"); !isStatus(err, http.StatusNotFound) {
		t.Errorf("unserved route: %v", err)
	}
	if _, _, err := client("ghs_run").Issues.ListComments(ctx, "acme", "docs", 99, nil); !isStatus(err, http.StatusNotFound) {
		t.Errorf("comments of an unknown pull request: %v", err)
	}
	p := g.Problems()
	if len(p) != 3 || !strings.Contains(p[0], "unknown token") || !strings.Contains(p[1], "no such route") || !strings.Contains(p[2], "no pull request 99") {
		t.Errorf("problems: %q", p)
	}
}

func isStatus(err error, status int) bool {
	var ge *github.ErrorResponse
	if errors.As(err, &ge) {
		return ge.Response.StatusCode == status
	}
	if errors.Is(err, gitlab.ErrNotFound) {
		return status == http.StatusNotFound
	}
	var le *gitlab.ErrorResponse
	if errors.As(err, &le) {
		return le.Response.StatusCode == status
	}
	return false
}

func newGitLab(t *testing.T) (*GitLab, func(token string, job bool) *gitlab.Client) {
	t.Helper()
	g := NewGitLab(Project{ID: 42, Path: "acme/docs", DefaultBranch: "main"})
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	bot := User{Login: "project_42_bot_3f2a", ID: 900, Name: "gitbook-sync", Bot: true}
	g.AddToken("glpat-bot", Token{User: bot})
	g.AddToken("glpat-writer", Token{User: writer})
	g.AddToken("job-1", Token{Job: true})
	g.SetMergeRequest(42, MergeRequest{IID: 5, Title: "Explain installing", State: "opened", SourceBranch: "feature", TargetBranch: "main",
		SHA: "bbb", DiffBaseSHA: "aaa", Commits: []string{"b01", "bbb"}, Author: writer})
	g.SetMergeRequest(42, MergeRequest{IID: 4, Title: "Earlier", State: "merged", SourceBranch: "typo", TargetBranch: "main",
		SHA: "c04", MergeCommitSHA: "m04", Author: writer})
	return g, func(token string, job bool) *gitlab.Client {
		var c *gitlab.Client
		var err error
		if job {
			c, err = gitlab.NewJobClient(token, gitlab.WithBaseURL(srv.URL+GitLabPrefix), gitlab.WithCustomRetryMax(0))
		} else {
			c, err = gitlab.NewClient(token, gitlab.WithBaseURL(srv.URL+GitLabPrefix), gitlab.WithCustomRetryMax(0))
		}
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
}

func TestGitLabNotes(t *testing.T) {
	t.Parallel()
	g, client := newGitLab(t)
	c := client("glpat-bot", false)
	u, _, err := c.Users.CurrentUser()
	if err != nil || u.Username != "project_42_bot_3f2a" || !u.Bot {
		t.Fatalf("GET /user: %+v %v", u, err)
	}
	g.AddNote(42, 5, writer, "added 1 commit", true)
	var last *gitlab.Note
	for i := range 25 {
		// By path, as clients may address a project: acme%2Fdocs.
		n, _, err := c.Notes.CreateMergeRequestNote("acme/docs", 5, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr(fmt.Sprint("note ", i))})
		if err != nil {
			t.Fatal(err)
		}
		last = n
	}
	if last.Author.Username != "project_42_bot_3f2a" || last.System {
		t.Errorf("note author %+v", last.Author)
	}
	var all []*gitlab.Note
	opt := &gitlab.ListMergeRequestNotesOptions{ListOptions: gitlab.ListOptions{PerPage: 10}, Sort: gitlab.Ptr("asc"), OrderBy: gitlab.Ptr("created_at")}
	for {
		notes, resp, err := c.Notes.ListMergeRequestNotes(42, 5, opt)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, notes...)
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if len(all) != 26 || !all[0].System || all[25].ID != last.ID {
		t.Fatalf("listed %d notes, want the system note then 25 in order", len(all))
	}
	if _, _, err := c.Notes.UpdateMergeRequestNote(42, 5, last.ID, &gitlab.UpdateMergeRequestNoteOptions{Body: gitlab.Ptr("edited")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := client("glpat-writer", false).Notes.UpdateMergeRequestNote(42, 5, last.ID, &gitlab.UpdateMergeRequestNoteOptions{Body: gitlab.Ptr("x")}); !isStatus(err, http.StatusForbidden) {
		t.Errorf("another user edited the bot's note: %v", err)
	}
	if _, err := c.Notes.DeleteMergeRequestNote(42, 5, all[1].ID); err != nil {
		t.Fatal(err)
	}
	got := g.Notes(42, 5)
	if len(got) != 25 || got[24].Body != "edited" {
		t.Errorf("after edit and delete: %d notes", len(got))
	}
	if _, _, err := client("job-1", true).Notes.CreateMergeRequestNote(42, 5, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr("x")}); !isStatus(err, http.StatusUnauthorized) {
		t.Errorf("CI_JOB_TOKEN wrote a note: %v", err)
	}
	if p := g.Problems(); len(p) != 0 {
		t.Errorf("problems: %v", p)
	}
}

func TestGitLabMergeRequests(t *testing.T) {
	t.Parallel()
	g, client := newGitLab(t)
	c := client("glpat-bot", false)
	mr, _, err := c.MergeRequests.GetMergeRequest(42, 5, nil)
	if err != nil || mr.SHA != "bbb" || mr.State != "opened" || mr.DiffRefs.BaseSha != "aaa" {
		t.Fatalf("merge request 5: %+v %v", mr, err)
	}
	for _, tc := range []struct {
		sha  string
		want []int
	}{{"b01", []int{5}}, {"m04", []int{4}}, {"zzz", nil}} {
		list, _, err := c.Commits.ListMergeRequestsByCommit(42, tc.sha)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, m := range list {
			got = append(got, int(m.IID))
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("merge requests of %s: %v, want %v", tc.sha, got, tc.want)
		}
	}
	open, _, err := c.MergeRequests.ListProjectMergeRequests(42, &gitlab.ListProjectMergeRequestsOptions{State: gitlab.Ptr("opened"), SourceBranch: gitlab.Ptr("feature")})
	if err != nil || len(open) != 1 || open[0].IID != 5 {
		t.Errorf("open merge requests from feature: %v %v", open, err)
	}
	if _, _, err := c.Projects.ListProjects(nil); !isStatus(err, http.StatusNotFound) {
		t.Errorf("unserved route: %v", err)
	}
	if p := g.Problems(); len(p) != 1 || !strings.Contains(p[0], "no such route") {
		t.Errorf("problems: %q", p)
	}
}

// TestGitHubGraphQLViewer: an installation token cannot read GET /user, but
// GraphQL names its viewer (without "[bot]"); other queries are problems.
func TestGitHubGraphQLViewer(t *testing.T) {
	t.Parallel()
	g := NewGitHub()
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	g.AddToken("ghs_run", Token{User: GitHubActionsBot, Installation: true})
	g.AddToken("ghp_writer", Token{User: writer})
	ask := func(token, query string) string {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+GitHubGraphQL, strings.NewReader(fmt.Sprintf(`{"query":%q}`, query)))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		return b.String()
	}
	if got := ask("ghs_run", "query { viewer { login } }"); !strings.Contains(got, `"login":"github-actions"`) {
		t.Errorf("installation viewer: %s", got)
	}
	if got := ask("ghp_writer", "query {\n  viewer { login }\n}"); !strings.Contains(got, `"login":"writer"`) {
		t.Errorf("user viewer: %s", got)
	}
	if got := ask("ghp_writer", "query { repository { id } }"); !strings.Contains(got, "errors") {
		t.Errorf("unsupported query answered: %s", got)
	}
	if p := g.Problems(); len(p) != 1 || !strings.Contains(p[0], "only the viewer") {
		t.Errorf("problems: %q", p)
	}
	if w := g.Writes(); len(w) != 0 {
		t.Errorf("GraphQL queries recorded as writes: %q", w)
	}
}
