package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// fakeHost is a strict stand-in for GitHub's or GitLab's comment API:
// comments live in memory with their author, and a request to any other
// route fails the script. The token's user is the bot; a person's
// comments are added by the script (host-comment).
type fakeHost struct {
	mu       sync.Mutex
	comments []fakeComment
	next     int
	writes   []string
	unknown  []string
	gitlab   bool
}

type fakeComment struct {
	ID   int
	Body string
	// Person is true for a comment a person wrote, false for the bot's.
	Person bool
}

// The bot is who the token stands for: github-actions[bot] for the
// workflow's GITHUB_TOKEN, a project access token's bot on GitLab.
const botID, personID = 41898282, 7

func (h *fakeHost) render(c fakeComment) map[string]any {
	id, login, typ := botID, "github-actions[bot]", "Bot"
	if c.Person {
		id, login, typ = personID, "octocat", "User"
	}
	if h.gitlab {
		return map[string]any{"id": c.ID, "body": c.Body, "system": false, "author": map[string]any{"id": id, "username": login}}
	}
	return map[string]any{"id": c.ID, "body": c.Body, "user": map[string]any{"id": id, "login": login, "type": typ}}
}

var (
	hostsMu sync.Mutex
	hosts   = map[*testscript.TestScript]*fakeHost{}
)

func host(ts *testscript.TestScript) *fakeHost {
	hostsMu.Lock()
	defer hostsMu.Unlock()
	h := hosts[ts]
	if h == nil {
		ts.Fatalf("no fake host: call github-start or gitlab-start first")
	}
	return h
}

func (h *fakeHost) serve(w http.ResponseWriter, r *http.Request, list, item func(string) (int, bool)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	var in struct {
		Body string `json:"body"`
	}
	_ = json.Unmarshal(body, &in)
	w.Header().Set("Content-Type", "application/json")
	if h.whoAmI(w, r) {
		return
	}
	if r.Method != http.MethodGet {
		h.writes = append(h.writes, r.Method+" "+r.URL.Path)
	}
	if _, ok := list(r.URL.Path); ok {
		switch r.Method {
		case http.MethodGet:
			out := []any{}
			for _, c := range h.comments {
				out = append(out, h.render(c))
			}
			_ = json.NewEncoder(w).Encode(out)
			return
		case http.MethodPost:
			h.next++
			c := fakeComment{ID: h.next, Body: in.Body}
			h.comments = append(h.comments, c)
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(h.render(c))
			return
		}
	}
	if id, ok := item(r.URL.Path); ok {
		for i := range h.comments {
			if h.comments[i].ID != id {
				continue
			}
			if h.comments[i].Person {
				h.unknown = append(h.unknown, r.Method+" of a person's comment "+r.URL.Path)
			}
			switch r.Method {
			case http.MethodPatch, http.MethodPut:
				h.comments[i].Body = in.Body
				_ = json.NewEncoder(w).Encode(h.render(h.comments[i]))
				return
			case http.MethodDelete:
				h.comments = append(h.comments[:i], h.comments[i+1:]...)
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
	}
	h.unknown = append(h.unknown, r.Method+" "+r.URL.Path)
	http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
}

// whoAmI answers the token's user, as the hosts do: GitLab's GET /user;
// GitHub's GET /user refuses an installation token (the workflow's
// GITHUB_TOKEN) with 403, and GraphQL's viewer names it.
func (h *fakeHost) whoAmI(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case r.Method == http.MethodGet && h.gitlab && r.URL.Path == "/api/v4/user":
		_ = json.NewEncoder(w).Encode(map[string]any{"id": botID, "username": "project_42_bot"})
	case r.Method == http.MethodGet && !h.gitlab && r.URL.Path == "/user":
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"message":"Resource not accessible by integration"}`)
	case r.Method == http.MethodPost && !h.gitlab && r.URL.Path == "/graphql":
		_, _ = io.WriteString(w, `{"data":{"viewer":{"login":"github-actions[bot]"}}}`)
	default:
		return false
	}
	return true
}

func startHost(ts *testscript.TestScript, gitlab bool, list, item func(string) (int, bool)) (*fakeHost, *httptest.Server) {
	h := &fakeHost{gitlab: gitlab}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, list, item) }))
	hostsMu.Lock()
	hosts[ts] = h
	hostsMu.Unlock()
	ts.Defer(func() {
		srv.Close()
		if len(h.unknown) > 0 {
			ts.Fatalf("requests to unknown routes: %v", h.unknown)
		}
	})
	return h, srv
}

// github-start serves acme/docs pull request 12's comments.
func cmdGitHubStart(ts *testscript.TestScript, neg bool, args []string) {
	const prefix = "/repos/acme/docs/issues/"
	_, srv := startHost(ts, false,
		func(p string) (int, bool) { return 0, p == prefix+"12/comments" },
		func(p string) (int, bool) {
			id, err := strconv.Atoi(strings.TrimPrefix(p, prefix+"comments/"))
			return id, strings.HasPrefix(p, prefix+"comments/") && err == nil
		})
	ts.Setenv("GITHUB_API_URL", srv.URL)
}

// gitlab-start serves project 42's merge request 5 notes.
func cmdGitLabStart(ts *testscript.TestScript, neg bool, args []string) {
	const prefix = "/api/v4/projects/42/merge_requests/5/notes"
	_, srv := startHost(ts, true,
		func(p string) (int, bool) { return 0, p == prefix },
		func(p string) (int, bool) {
			id, err := strconv.Atoi(strings.TrimPrefix(p, prefix+"/"))
			return id, strings.HasPrefix(p, prefix+"/") && err == nil
		})
	ts.Setenv("CI_API_V4_URL", srv.URL+"/api/v4")
}

// comments N [TEXT [NOTTEXT]] asserts how many comments exist, and that
// the bot's newest contains TEXT and lacks NOTTEXT.
func cmdComments(ts *testscript.TestScript, neg bool, args []string) {
	h := host(ts)
	h.mu.Lock()
	defer h.mu.Unlock()
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	if len(h.comments) != want {
		ts.Fatalf("%d comments, want %d", len(h.comments), want)
	}
	var body string
	for _, c := range h.comments {
		if !c.Person {
			body = c.Body
		}
	}
	if len(args) > 1 && !strings.Contains(body, args[1]) {
		ts.Fatalf("comment lacks %q:\n%s", args[1], body)
	}
	if len(args) > 2 && strings.Contains(body, args[2]) {
		ts.Fatalf("comment contains %q", args[2])
	}
}

// host-comment TEXT adds a comment written by a person.
func cmdHostComment(ts *testscript.TestScript, neg bool, args []string) {
	h := host(ts)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.next++
	h.comments = append(h.comments, fakeComment{ID: h.next, Body: strings.Join(args, " "), Person: true})
}

// host-writes N asserts the writes to the fake host since the last call.
func cmdHostWrites(ts *testscript.TestScript, neg bool, args []string) {
	h := host(ts)
	h.mu.Lock()
	defer h.mu.Unlock()
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	if len(h.writes) != want {
		ts.Fatalf("%d writes, want %d: %v", len(h.writes), want, h.writes)
	}
	h.writes = nil
}

// pr-event FILE ACTION MERGED HEADREPO BASESHA writes a pull_request event
// payload for acme/docs#12.
func cmdPREvent(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 5 {
		ts.Fatalf("usage: pr-event FILE ACTION MERGED HEADREPO BASESHA")
	}
	state := "open"
	if args[1] == "closed" {
		state = "closed"
	}
	ev := fmt.Sprintf(`{"action":%q,"number":12,"pull_request":{"number":12,"html_url":"https://github.com/acme/docs/pull/12","title":"Explain installing","state":%q,"merged":%s,"base":{"sha":%q,"ref":"main"},"head":{"ref":"install","repo":{"full_name":%q,"fork":%v}}}}`,
		args[1], state, args[2], args[4], args[3], args[3] != "acme/docs")
	p := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(filepath.Dir(p), 0o755))
	ts.Check(os.WriteFile(p, []byte(ev), 0o644))
}

// json-document FILE asserts that FILE (stdout, stderr or a path) holds
// exactly one JSON document and nothing else.
func cmdJSONDocument(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: json-document FILE")
	}
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile(args[0])))
	var doc any
	if err := dec.Decode(&doc); err != nil {
		ts.Fatalf("%s is not JSON: %v", args[0], err)
	}
	if _, err := dec.Token(); err != io.EOF {
		ts.Fatalf("%s holds more than one JSON document", args[0])
	}
}

// no-leak FILE TEXT asserts that TEXT appears in FILE only in the
// ::add-mask:: commands that must name it.
func cmdNoLeak(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: no-leak FILE TEXT")
	}
	for _, line := range strings.Split(ts.ReadFile(args[0]), "\n") {
		if strings.Contains(line, args[1]) && !strings.HasPrefix(line, "::add-mask::") {
			ts.Fatalf("%s shows %q: %s", args[0], args[1], line)
		}
	}
}
