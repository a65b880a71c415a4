package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/google/go-github/v66/github"
)

// GitHubOptions say where to comment.
type GitHubOptions struct {
	// APIURL is the REST API root (GITHUB_API_URL); "" for github.com.
	APIURL string
	// GraphQLURL is the GraphQL endpoint (GITHUB_GRAPHQL_URL); "" derives
	// it from APIURL, as GitHub and GitHub Enterprise lay them out.
	GraphQLURL string
	Token      string
	Repository string // owner/name
	Number     int
	// HTTPClient carries the requests; nil uses one that waits out rate
	// limits (RateLimitTransport).
	HTTPClient *http.Client
}

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

// NewGitHub makes a commenter for a pull request.
func NewGitHub(o GitHubOptions) (*GitHub, error) {
	owner, name, ok := strings.Cut(o.Repository, "/")
	if !ok || owner == "" || name == "" {
		return nil, fmt.Errorf("repository %q: want owner/name", o.Repository)
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = NewHTTPClient()
	}
	c := github.NewClient(hc).WithAuthToken(o.Token)
	if o.APIURL != "" {
		u, err := url.Parse(strings.TrimSuffix(o.APIURL, "/") + "/")
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("GITHUB_API_URL %q is not a URL", o.APIURL)
		}
		c.BaseURL = u
	}
	gql := o.GraphQLURL
	if gql == "" {
		// api.github.com/graphql; Enterprise: host/api/v3 → host/api/graphql.
		base := strings.TrimSuffix(c.BaseURL.String(), "/")
		if b, ok := strings.CutSuffix(base, "/v3"); ok {
			gql = b + "/graphql"
		} else {
			gql = base + "/graphql"
		}
	}
	return &GitHub{client: c, graphQL: gql, owner: owner, repo: name, number: o.Number}, nil
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
	var all []*github.IssueComment
	opt := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		page, resp, err := g.client.Issues.ListComments(ctx, g.owner, g.repo, g.number, opt)
		if err != nil {
			return Posted{}, fmt.Errorf("list comments of pull request #%d: %w", g.number, err)
		}
		all = append(all, page...)
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	// GitHub lists comments oldest first.
	keep, dups := sticky(all, func(c *github.IssueComment) bool {
		return startsWithMarker(c.GetBody(), marker) && me.wrote(c.GetUser())
	})
	if keep == nil {
		c, _, err := g.client.Issues.CreateComment(ctx, g.owner, g.repo, g.number, &github.IssueComment{Body: &body})
		if err != nil {
			return Posted{}, fmt.Errorf("comment on pull request #%d: %w", g.number, err)
		}
		return Posted{URL: c.GetHTMLURL(), Outcome: Created}, nil
	}
	out := Posted{URL: (*keep).GetHTMLURL(), Outcome: Unchanged}
	if (*keep).GetBody() != body {
		if _, _, err := g.client.Issues.EditComment(ctx, g.owner, g.repo, (*keep).GetID(), &github.IssueComment{Body: &body}); err != nil {
			return Posted{}, fmt.Errorf("update comment %d on pull request #%d: %w", (*keep).GetID(), g.number, err)
		}
		out.Outcome = Updated
	}
	for _, dup := range dups {
		if _, err := g.client.Issues.DeleteComment(ctx, g.owner, g.repo, dup.GetID()); err != nil {
			return out, fmt.Errorf("remove duplicate comment %d: %w", dup.GetID(), err)
		}
	}
	return out, nil
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
