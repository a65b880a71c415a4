package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/google/go-github/v66/github"

	"github.com/gitbook-sync/gitbook-sync/ci"
)

// GitHub keeps one sticky comment per marker on a pull request. Only
// comments written by the token's own user are edited or deleted.
type GitHub struct {
	client      *github.Client
	graphQL     string
	owner, repo string
	number      int

	selfOnce sync.Once
	self     githubUser
	selfErr  error
}

type githubUser struct {
	id    int64 // 0 when known by login only
	login string
}

// NewGitHub makes a commenter for the pull request of the run c
// describes, with c's client for its host (token, API and GraphQL URLs).
// Without an HTTP client of c's own, requests wait out rate limits
// (NewHTTPClient).
func NewGitHub(c *ci.Context) (*GitHub, error) {
	owner, name, ok := strings.Cut(c.Repository, "/")
	if !ok || owner == "" || name == "" {
		return nil, fmt.Errorf("repository %q: want owner/name", c.Repository)
	}
	if c.PullRequest == nil {
		return nil, errors.New("no pull request to comment on")
	}
	client, err := withRateLimits(c).GitHubClient()
	if err != nil {
		return nil, err
	}
	return &GitHub{client: client, graphQL: c.GraphQL(), owner: owner, repo: name, number: c.PullRequest.Number}, nil
}

// withRateLimits is c with an HTTP client that waits out rate limits,
// unless c has a client of its own.
func withRateLimits(c *ci.Context) *ci.Context {
	if c.HTTPClient != nil {
		return c
	}
	cc := *c
	cc.HTTPClient = NewHTTPClient()
	return &cc
}

// Post creates the comment, or edits ours in place, or leaves it when the
// body is unchanged. Duplicates of ours (from concurrent runs) are
// removed, keeping the oldest. Another author's comment is never touched,
// even when it starts with our marker.
func (g *GitHub) Post(ctx context.Context, marker, body string) (Posted, error) {
	me, err := g.whoAmI(ctx)
	if err != nil {
		return Posted{}, err
	}
	t := thread[*github.IssueComment]{
		list: func() ([]*github.IssueComment, error) {
			// GitHub lists comments oldest first.
			var all []*github.IssueComment
			opt := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
			for {
				page, resp, err := g.client.Issues.ListComments(ctx, g.owner, g.repo, g.number, opt)
				if err != nil {
					return nil, fmt.Errorf("list comments of pull request #%d: %w", g.number, err)
				}
				all = append(all, page...)
				if resp.NextPage == 0 {
					return all, nil
				}
				opt.Page = resp.NextPage
			}
		},
		create: func(body string) (*github.IssueComment, error) {
			c, _, err := g.client.Issues.CreateComment(ctx, g.owner, g.repo, g.number, &github.IssueComment{Body: &body})
			if err != nil {
				return nil, fmt.Errorf("comment on pull request #%d: %w", g.number, err)
			}
			return c, nil
		},
		edit: func(c *github.IssueComment, body string) error {
			if _, _, err := g.client.Issues.EditComment(ctx, g.owner, g.repo, c.GetID(), &github.IssueComment{Body: &body}); err != nil {
				return fmt.Errorf("update comment %d on pull request #%d: %w", c.GetID(), g.number, err)
			}
			return nil
		},
		remove: func(c *github.IssueComment) error {
			resp, err := g.client.Issues.DeleteComment(ctx, g.owner, g.repo, c.GetID())
			if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
				return fmt.Errorf("remove duplicate comment %d: %w", c.GetID(), err)
			}
			return nil
		},
		body: (*github.IssueComment).GetBody,
		ours: func(c *github.IssueComment) bool {
			return startsWithMarker(c.GetBody(), marker) && me.wrote(c.GetUser())
		},
	}
	keep, outcome, err := t.post(body)
	if keep == nil {
		return Posted{}, err
	}
	return Posted{URL: (*keep).GetHTMLURL(), Outcome: outcome}, err
}

// whoAmI finds the token's user once. GET /user answers for personal and
// OAuth tokens; an installation token (the workflow's GITHUB_TOKEN, a
// GitHub App's) is refused there with 403, but GraphQL's viewer names it
// ("github-actions[bot]").
func (g *GitHub) whoAmI(ctx context.Context) (githubUser, error) {
	g.selfOnce.Do(func() {
		u, _, err := g.client.Users.Get(ctx, "")
		if err == nil {
			g.self = githubUser{id: u.GetID(), login: u.GetLogin()}
			return
		}
		var er *github.ErrorResponse
		if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusForbidden {
			g.selfErr = fmt.Errorf("find the token's user (GET /user): %w", err)
			return
		}
		login, gqlErr := g.viewer(ctx)
		if gqlErr != nil {
			g.selfErr = fmt.Errorf("find the token's user: GET /user refused it (%v), and GraphQL: %w", err, gqlErr)
			return
		}
		g.self = githubUser{login: login}
	})
	return g.self, g.selfErr
}

func (g *GitHub) viewer(ctx context.Context) (string, error) {
	req, err := g.client.NewRequest(http.MethodPost, g.graphQL, map[string]string{"query": "query { viewer { login } }"})
	if err != nil {
		return "", err
	}
	var out struct {
		Data struct {
			Viewer struct {
				Login string `json:"login"`
			} `json:"viewer"`
		} `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if _, err := g.client.Do(ctx, req, &out); err != nil {
		return "", err
	}
	if len(out.Errors) > 0 {
		return "", errors.New(out.Errors[0].Message)
	}
	if out.Data.Viewer.Login == "" {
		return "", errors.New("the viewer has no login")
	}
	return out.Data.Viewer.Login, nil
}

// wrote reports whether u is this user: by ID when GET /user gave it;
// otherwise the token is an installation's, which writes as a bot, named
// with "[bot]" in REST ("github-actions[bot]") and maybe without it in
// GraphQL, so only a bot account of that name matches.
func (me githubUser) wrote(u *github.User) bool {
	if u == nil {
		return false
	}
	if me.id != 0 {
		return u.GetID() == me.id
	}
	bare := func(s string) string { return strings.ToLower(strings.TrimSuffix(s, "[bot]")) }
	return u.GetType() == "Bot" && bare(u.GetLogin()) == bare(me.login)
}
