// Package fakehost serves strict fakes of the GitHub REST API and the
// GitLab REST API v4 for the routes gitbook-sync uses: pull (merge)
// requests, their comments (notes) with their author, the pull requests of
// a commit and the authenticated user. Answers have the shapes go-github and
// gitlab.com/gitlab-org/api/client-go decode. A request to any other route,
// without a known token or with a body that does not decode, is answered as
// the host would and recorded: Problems lists them so a test can fail.
//
// Tokens identify users, as on the hosts: GitHub's GITHUB_TOKEN is an App
// installation token that comments as github-actions[bot] and cannot read
// GET /user; a fork's GITHUB_TOKEN is read-only; a GitLab CI_JOB_TOKEN
// cannot use these endpoints at all.
//
// Sources: GitHub REST docs (rest/users/users#get-the-authenticated-user,
// rest/issues/comments, rest/pulls/pulls, rest/commits/commits#list-pull-
// requests-associated-with-a-commit, using-pagination-in-the-rest-api) and
// GitLab API docs (api/notes.md#merge-requests, api/merge_requests.md,
// api/commits.md#list-merge-requests-associated-with-a-commit,
// api/users.md, api/rest/index.md#pagination), with go-github v66 and
// client-go v1.46 for the field names.
package fakehost

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// User is an account on the host.
type User struct {
	Login string // GitHub login or GitLab username
	ID    int64
	Name  string
	// Bot marks a bot account: GitHub's type "Bot", GitLab's "bot": true.
	Bot bool
}

// Token is what a token stands for.
type Token struct {
	User User
	// Installation marks a GitHub App installation token, such as an
	// Actions run's GITHUB_TOKEN: it cannot read GET /user.
	Installation bool
	// ReadOnly refuses writes: a fork's GITHUB_TOKEN.
	ReadOnly bool
	// Job marks a GitLab CI_JOB_TOKEN, refused by every route here.
	Job bool
}

// GitHubActionsBot is who comments with an Actions run's GITHUB_TOKEN.
var GitHubActionsBot = User{Login: "github-actions[bot]", ID: 41898282, Name: "github-actions[bot]", Bot: true}

// Comment is a pull request comment or a merge request note.
type Comment struct {
	ID        int64
	Body      string
	Author    User
	System    bool // GitLab system notes ("added 1 commit")
	CreatedAt time.Time
	UpdatedAt time.Time
}

// server is what both fakes share: state behind one lock, tokens, the
// comments, the record of writes and problems.
type server struct {
	mu       sync.Mutex
	mux      *http.ServeMux
	tokens   map[string]Token
	comments map[thread][]*Comment // oldest first
	nextID   int64
	clock    time.Time
	writes   []string
	problems []string
}

// thread is one pull (merge) request's comments: its repository (GitHub's
// owner/name, GitLab's project ID) and number.
type thread struct {
	repo   string
	number int
}

func newServer() server {
	return server{mux: http.NewServeMux(), tokens: map[string]Token{}, comments: map[thread][]*Comment{}, nextID: 1000,
		clock: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

// commentsOf lists a thread's comments, oldest first.
func (s *server) commentsOf(th thread) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments[th] {
		out = append(out, *c)
	}
	return out
}

// addComment adds a comment to a thread; the caller holds the lock.
func (s *server) addComment(th thread, author User, body string) *Comment {
	now := s.now()
	c := &Comment{ID: s.id(), Body: body, Author: author, CreatedAt: now, UpdatedAt: now}
	s.comments[th] = append(s.comments[th], c)
	return c
}

// AddToken makes token stand for t.
func (s *server) AddToken(token string, t Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = t
}

// Writes lists the write requests ("POST /path") since the last call, and
// forgets them.
func (s *server) Writes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.writes
	s.writes = nil
	return w
}

// Problems lists the requests a real host would have refused for a reason
// a test should know of: unknown routes, missing or unknown tokens, bodies
// that do not decode.
func (s *server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.problems)
}

func (s *server) problem(r *http.Request, format string, args ...any) {
	s.problems = append(s.problems, r.Method+" "+r.URL.RequestURI()+": "+fmt.Sprintf(format, args...))
}

func (s *server) now() time.Time {
	s.clock = s.clock.Add(time.Second)
	return s.clock
}

func (s *server) id() int64 {
	s.nextID++
	return s.nextID
}

// handle registers a route whose handler runs under the lock. Requests
// other than GET and HEAD are recorded as writes, but for GraphQL, whose
// queries are POSTed too.
func (s *server) handle(pattern string, h func(w http.ResponseWriter, r *http.Request)) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.URL.Path != GitHubGraphQL {
			s.writes = append(s.writes, r.Method+" "+r.URL.Path)
		}
		h(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body strictly into v.
func (s *server) decode(w http.ResponseWriter, r *http.Request, v any, fail func(w http.ResponseWriter, status int, msg string)) bool {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		s.problem(r, "body does not decode: %v", err)
		fail(w, http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	return true
}

// page cuts list to the requested page; perPage is the host's default and
// max its limit. It returns the page, the next page number (0 on the last)
// and the page count.
func page[T any](r *http.Request, list []T, perPage, max int) (out []T, current, next, pages int) {
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if per <= 0 {
		per = perPage
	}
	per = min(per, max)
	current, _ = strconv.Atoi(r.URL.Query().Get("page"))
	current = max1(current)
	pages = max1((len(list) + per - 1) / per)
	lo := min((current-1)*per, len(list))
	hi := min(lo+per, len(list))
	if current < pages {
		next = current + 1
	}
	return list[lo:hi], current, next, pages
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

func atoi64(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}
