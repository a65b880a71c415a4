package fakehost

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// GitHubPrefix is where the fake GitHub API lives, as on GitHub Enterprise
// (https://HOST/api/v3): a client that drops GITHUB_API_URL's path fails.
const GitHubPrefix = "/api/v3"

// GitHubGraphQL is the fake's GraphQL endpoint, where GitHub Enterprise
// serves it (https://HOST/api/graphql, beside /api/v3).
const GitHubGraphQL = "/api/graphql"

// PullRequest is a GitHub pull request.
type PullRequest struct {
	Number         int
	Title          string
	State          string // open or closed
	Merged         bool
	MergeCommitSHA string
	HeadRepo       string // owner/name
	HeadRef        string
	HeadSHA        string
	BaseRef        string
	BaseSHA        string
	HTMLURL        string
	Author         User
	// Commits are the pull request's commits: with the head and the merge
	// commit, the commits it is associated with.
	Commits []string
}

// GitHub is a strict fake of the GitHub REST API.
type GitHub struct {
	server
	pulls map[string]map[int]*PullRequest // repository -> number
}

// NewGitHub makes an empty fake GitHub; mount it at GitHubPrefix.
func NewGitHub() *GitHub {
	g := &GitHub{server: newServer(), pulls: map[string]map[int]*PullRequest{}}
	p := GitHubPrefix
	g.handle("GET "+p+"/user", g.getUser)
	g.handle("GET "+p+"/repos/{owner}/{repo}/pulls", g.listPulls)
	g.handle("GET "+p+"/repos/{owner}/{repo}/pulls/{number}", g.getPull)
	g.handle("GET "+p+"/repos/{owner}/{repo}/commits/{sha}/pulls", g.commitPulls)
	// /issues/{number}/comments and /issues/comments/{id} overlap as
	// patterns: one route tells them apart.
	g.handle(p+"/repos/{owner}/{repo}/issues/{a}/{b}", g.issues)
	g.handle("POST "+GitHubGraphQL, g.graphQL)
	g.handle("/", func(w http.ResponseWriter, r *http.Request) {
		g.problem(r, "no such route in the fake GitHub")
		ghError(w, http.StatusNotFound, "Not Found")
	})
	return g
}

func (g *GitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.mux.ServeHTTP(w, r) }

// SetPull creates or replaces a pull request of repository.
func (g *GitHub) SetPull(repository string, pr PullRequest) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pulls[repository] == nil {
		g.pulls[repository] = map[int]*PullRequest{}
	}
	g.pulls[repository][pr.Number] = &pr
}

// Comments lists a pull request's comments, oldest first.
func (g *GitHub) Comments(repository string, number int) []Comment {
	return g.commentsOf(thread{repository, number})
}

// AddComment posts a comment as author, as a person in the web interface would.
func (g *GitHub) AddComment(repository string, number int, author User, body string) Comment {
	g.mu.Lock()
	defer g.mu.Unlock()
	return *g.addComment(thread{repository, number}, author, body)
}

func ghError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest", "status": strconv.Itoa(status)})
}

// auth finds the request's token; write requests need a token that may write.
func (g *GitHub) auth(w http.ResponseWriter, r *http.Request, write bool) (Token, bool) {
	h := r.Header.Get("Authorization")
	value, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		value, ok = strings.CutPrefix(h, "token ")
	}
	t, known := g.tokens[value]
	switch {
	case !ok || value == "":
		g.problem(r, "no token")
		ghError(w, http.StatusUnauthorized, "Requires authentication")
	case !known:
		g.problem(r, "unknown token")
		ghError(w, http.StatusUnauthorized, "Bad credentials")
	case t.Job:
		g.problem(r, "a GitLab job token sent to GitHub")
		ghError(w, http.StatusUnauthorized, "Bad credentials")
	case write && t.ReadOnly:
		ghError(w, http.StatusForbidden, "Resource not accessible by integration")
	default:
		return t, true
	}
	return Token{}, false
}

func (g *GitHub) getUser(w http.ResponseWriter, r *http.Request) {
	t, ok := g.auth(w, r, false)
	if !ok {
		return
	}
	if t.Installation {
		ghError(w, http.StatusForbidden, "Resource not accessible by integration")
		return
	}
	writeJSON(w, http.StatusOK, ghUserJSON(t.User))
}

// graphQL answers the one query a client may ask of the fake: the token's
// viewer. GitHub names an installation token's viewer without "[bot]"
// where REST names the same account with it.
func (g *GitHub) graphQL(w http.ResponseWriter, r *http.Request) {
	t, ok := g.auth(w, r, false)
	if !ok {
		return
	}
	var q struct {
		Query string `json:"query"`
	}
	if err := json.NewDecoder(r.Body).Decode(&q); err != nil || strings.Join(strings.Fields(q.Query), " ") != "query { viewer { login } }" {
		g.problem(r, "the fake GitHub answers only the viewer's login in GraphQL, not %q", q.Query)
		writeJSON(w, http.StatusOK, map[string]any{"errors": []any{map[string]any{"message": "unsupported query"}}})
		return
	}
	login := t.User.Login
	if t.Installation {
		login = strings.TrimSuffix(login, "[bot]")
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"viewer": map[string]any{"login": login}}})
}

func ghUserJSON(u User) map[string]any {
	typ := "User"
	if u.Bot {
		typ = "Bot"
	}
	return map[string]any{"login": u.Login, "id": u.ID, "node_id": fmt.Sprintf("U_%d", u.ID), "type": typ, "site_admin": false, "name": u.Name}
}

func repository(r *http.Request) string { return r.PathValue("owner") + "/" + r.PathValue("repo") }

// paginate writes a page of list with GitHub's Link header.
func paginate[T any](w http.ResponseWriter, r *http.Request, list []T) []T {
	out, _, next, pages := page(r, list, 30, 100)
	if next > 0 {
		link := func(n int, rel string) string {
			u := *r.URL
			q := u.Query()
			q.Set("page", strconv.Itoa(n))
			u.RawQuery = q.Encode()
			return fmt.Sprintf(`<http://%s%s>; rel="%s"`, r.Host, u.RequestURI(), rel)
		}
		w.Header().Set("Link", link(next, "next")+", "+link(pages, "last"))
	}
	if out == nil {
		out = []T{}
	}
	return out
}

func (g *GitHub) pullJSON(repo string, p *PullRequest) map[string]any {
	state := p.State
	if state == "" {
		state = "open"
	}
	branch := func(full, ref, sha string) map[string]any {
		owner, name, _ := strings.Cut(full, "/")
		return map[string]any{"label": owner + ":" + ref, "ref": ref, "sha": sha,
			"repo": map[string]any{"full_name": full, "name": name, "owner": map[string]any{"login": owner}, "fork": full != repo}}
	}
	out := map[string]any{"number": p.Number, "title": p.Title, "state": state, "merged": p.Merged, "html_url": p.HTMLURL,
		"user": ghUserJSON(p.Author), "head": branch(p.HeadRepo, p.HeadRef, p.HeadSHA), "base": branch(repo, p.BaseRef, p.BaseSHA),
		"merge_commit_sha": nil, "merged_at": nil, "draft": false}
	if p.MergeCommitSHA != "" {
		out["merge_commit_sha"] = p.MergeCommitSHA
	}
	if p.Merged {
		out["merged_at"] = g.clock.Format(time.RFC3339)
	}
	return out
}

func (g *GitHub) findPull(w http.ResponseWriter, r *http.Request) *PullRequest {
	n, _ := strconv.Atoi(r.PathValue("number"))
	p := g.pulls[repository(r)][n]
	if p == nil {
		ghError(w, http.StatusNotFound, "Not Found")
	}
	return p
}

func (g *GitHub) getPull(w http.ResponseWriter, r *http.Request) {
	if _, ok := g.auth(w, r, false); !ok {
		return
	}
	if p := g.findPull(w, r); p != nil {
		writeJSON(w, http.StatusOK, g.pullJSON(repository(r), p))
	}
}

// listPulls filters by state (open by default), head (owner:branch) and base.
func (g *GitHub) listPulls(w http.ResponseWriter, r *http.Request) {
	if _, ok := g.auth(w, r, false); !ok {
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	repo := repository(r)
	var list []map[string]any
	for _, n := range slices.Sorted(maps.Keys(g.pulls[repo])) {
		p := g.pulls[repo][n]
		owner, _, _ := strings.Cut(p.HeadRepo, "/")
		switch {
		case state != "all" && p.State != state:
		case q.Get("head") != "" && q.Get("head") != owner+":"+p.HeadRef:
		case q.Get("base") != "" && q.Get("base") != p.BaseRef:
		default:
			list = append(list, g.pullJSON(repo, p))
		}
	}
	writeJSON(w, http.StatusOK, paginate(w, r, list))
}

// commitPulls lists the pull requests associated with a commit: the merged
// one that brought it to the default branch, else the open ones it is in.
func (g *GitHub) commitPulls(w http.ResponseWriter, r *http.Request) {
	if _, ok := g.auth(w, r, false); !ok {
		return
	}
	sha, repo := r.PathValue("sha"), repository(r)
	var merged, open []map[string]any
	for _, n := range slices.Sorted(maps.Keys(g.pulls[repo])) {
		p := g.pulls[repo][n]
		if p.HeadSHA != sha && !slices.Contains(p.Commits, sha) && !(p.Merged && p.MergeCommitSHA == sha) {
			continue
		}
		switch {
		case p.Merged:
			merged = append(merged, g.pullJSON(repo, p))
		case p.State == "open":
			open = append(open, g.pullJSON(repo, p))
		}
	}
	if len(merged) > 0 {
		open = merged
	}
	writeJSON(w, http.StatusOK, paginate(w, r, open))
}

func (g *GitHub) issues(w http.ResponseWriter, r *http.Request) {
	a, b := r.PathValue("a"), r.PathValue("b")
	switch {
	case a == "comments" && (r.Method == http.MethodGet || r.Method == http.MethodPatch || r.Method == http.MethodDelete):
		g.comment(w, r, b)
	case b == "comments" && r.Method == http.MethodGet:
		g.listComments(w, r, a)
	case b == "comments" && r.Method == http.MethodPost:
		g.createComment(w, r, a)
	default:
		g.problem(r, "no such route in the fake GitHub")
		ghError(w, http.StatusNotFound, "Not Found")
	}
}

func (g *GitHub) commentJSON(r *http.Request, number int, c *Comment) map[string]any {
	base := fmt.Sprintf("http://%s%s/repos/%s/issues", r.Host, GitHubPrefix, repository(r))
	return map[string]any{"id": c.ID, "node_id": fmt.Sprintf("IC_%d", c.ID), "body": c.Body, "user": ghUserJSON(c.Author),
		"url": fmt.Sprintf("%s/comments/%d", base, c.ID), "issue_url": fmt.Sprintf("%s/%d", base, number),
		"html_url":   fmt.Sprintf("https://github.com/%s/pull/%d#issuecomment-%d", repository(r), number, c.ID),
		"created_at": c.CreatedAt.Format(time.RFC3339), "updated_at": c.UpdatedAt.Format(time.RFC3339),
		"author_association": "NONE"}
}

// issue checks that the issue number is a known pull request: the fake
// has no plain issues.
func (g *GitHub) issue(w http.ResponseWriter, r *http.Request, number string) (int, bool) {
	n, _ := strconv.Atoi(number)
	if g.pulls[repository(r)][n] == nil {
		g.problem(r, "no pull request %d in %s", n, repository(r))
		ghError(w, http.StatusNotFound, "Not Found")
		return 0, false
	}
	return n, true
}

func (g *GitHub) listComments(w http.ResponseWriter, r *http.Request, number string) {
	if _, ok := g.auth(w, r, false); !ok {
		return
	}
	n, ok := g.issue(w, r, number)
	if !ok {
		return
	}
	var list []map[string]any
	for _, c := range g.comments[thread{repository(r), n}] {
		list = append(list, g.commentJSON(r, n, c))
	}
	writeJSON(w, http.StatusOK, paginate(w, r, list))
}

func (g *GitHub) createComment(w http.ResponseWriter, r *http.Request, number string) {
	t, ok := g.auth(w, r, true)
	if !ok {
		return
	}
	n, ok := g.issue(w, r, number)
	if !ok {
		return
	}
	var in struct {
		Body *string `json:"body"`
	}
	if !g.decode(w, r, &in, ghError) {
		return
	}
	if in.Body == nil || *in.Body == "" {
		ghError(w, http.StatusUnprocessableEntity, "Validation Failed: body is missing")
		return
	}
	author := t.User
	if t.Installation {
		author = GitHubActionsBot
	}
	writeJSON(w, http.StatusCreated, g.commentJSON(r, n, g.addComment(thread{repository(r), n}, author, *in.Body)))
}

// comment reads, edits or deletes one comment.
func (g *GitHub) comment(w http.ResponseWriter, r *http.Request, commentID string) {
	if _, ok := g.auth(w, r, r.Method != http.MethodGet); !ok {
		return
	}
	id, _ := atoi64(commentID)
	repo := repository(r)
	for th, list := range g.comments {
		if th.repo != repo {
			continue
		}
		n := th.number
		i := slices.IndexFunc(list, func(c *Comment) bool { return c.ID == id })
		if i < 0 {
			continue
		}
		switch r.Method {
		case http.MethodGet:
		case http.MethodPatch:
			var in struct {
				Body *string `json:"body"`
			}
			if !g.decode(w, r, &in, ghError) {
				return
			}
			if in.Body == nil {
				ghError(w, http.StatusUnprocessableEntity, "Validation Failed: body is missing")
				return
			}
			list[i].Body, list[i].UpdatedAt = *in.Body, g.now()
		case http.MethodDelete:
			g.comments[th] = slices.Delete(list, i, i+1)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, http.StatusOK, g.commentJSON(r, n, list[i]))
		return
	}
	ghError(w, http.StatusNotFound, "Not Found")
}
