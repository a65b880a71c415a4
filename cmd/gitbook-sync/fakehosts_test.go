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
// comments live in memory, and a request to any other route fails the
// script.
type fakeHost struct {
	mu       sync.Mutex
	comments []fakeComment
	next     int
	writes   []string
	unknown  []string
}

type fakeComment struct {
	ID   int    `json:"id"`
	Body string `json:"body"`
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
	if r.Method != http.MethodGet {
		h.writes = append(h.writes, r.Method+" "+r.URL.Path)
	}
	w.Header().Set("Content-Type", "application/json")
	if _, ok := list(r.URL.Path); ok {
		switch r.Method {
		case http.MethodGet:
			_ = json.NewEncoder(w).Encode(h.comments)
			return
		case http.MethodPost:
			h.next++
			c := fakeComment{ID: h.next, Body: in.Body}
			h.comments = append(h.comments, c)
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(c)
			return
		}
	}
	if id, ok := item(r.URL.Path); ok {
		for i := range h.comments {
			if h.comments[i].ID != id {
				continue
			}
			switch r.Method {
			case http.MethodPatch, http.MethodPut:
				h.comments[i].Body = in.Body
				_ = json.NewEncoder(w).Encode(h.comments[i])
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

func startHost(ts *testscript.TestScript, list, item func(string) (int, bool)) (*fakeHost, *httptest.Server) {
	h := &fakeHost{}
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
	_, srv := startHost(ts,
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
	_, srv := startHost(ts,
		func(p string) (int, bool) { return 0, p == prefix },
		func(p string) (int, bool) {
			id, err := strconv.Atoi(strings.TrimPrefix(p, prefix+"/"))
			return id, strings.HasPrefix(p, prefix+"/") && err == nil
		})
	ts.Setenv("CI_API_V4_URL", srv.URL+"/api/v4")
}

// comments N [TEXT] asserts how many comments exist (and that the newest
// contains TEXT), and how many writes were made since the last check
// (host-writes).
func cmdComments(ts *testscript.TestScript, neg bool, args []string) {
	h := host(ts)
	h.mu.Lock()
	defer h.mu.Unlock()
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	if len(h.comments) != want {
		ts.Fatalf("%d comments, want %d", len(h.comments), want)
	}
	if len(args) > 1 && !strings.Contains(h.comments[len(h.comments)-1].Body, args[1]) {
		ts.Fatalf("comment lacks %q:\n%s", args[1], h.comments[len(h.comments)-1].Body)
	}
	if len(args) > 2 && strings.Contains(h.comments[len(h.comments)-1].Body, args[2]) {
		ts.Fatalf("comment contains %q", args[2])
	}
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
