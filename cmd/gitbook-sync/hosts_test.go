package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gitbook-sync/gitbook-sync/internal/fakehost"
)

// The scripts' pull request: acme/docs#12 on GitHub, merge request !5 of
// project 42 on GitLab.
const (
	scriptRepo    = "acme/docs"
	scriptPull    = 12
	scriptProject = 42
	scriptMR      = 5
)

// person is who writes comments by hand. On GitLab the bot is
// gitlabBotUser, a project access token's own user.
var person = fakehost.User{Login: "octocat", ID: 7, Name: "Octo Cat"}

// scriptHost is the script's fake GitHub or GitLab (internal/fakehost),
// seen through what the commands below need.
type scriptHost struct {
	writes, problems func() []string
	comments         func() []fakehost.Comment
	add              func(author fakehost.User, body string)
	bot              fakehost.User
}

func (s *scriptState) startHost(ts *testscript.TestScript, h *scriptHost, srv *httptest.Server) {
	if s.host != nil {
		ts.Fatalf("a fake host is running already")
	}
	s.host = h
	ts.Defer(func() {
		srv.Close()
		if p := h.problems(); len(p) > 0 {
			ts.Fatalf("the fake host refused requests a real one would have refused:\n%s", strings.Join(p, "\n"))
		}
	})
}

func host(ts *testscript.TestScript) *scriptHost {
	h := state(ts).host
	if h == nil {
		ts.Fatalf("no fake host: call github-start or gitlab-start first")
	}
	return h
}

// github-start [TOKEN] serves a strict fake GitHub with pull request
// acme/docs#12 open, and TOKEN as the run's GITHUB_TOKEN (an installation
// token that comments as github-actions[bot]).
func cmdGitHubStart(ts *testscript.TestScript, neg bool, args []string) {
	g := fakehost.NewGitHub()
	g.SetPull(scriptRepo, fakehost.PullRequest{Number: scriptPull, Title: "Explain installing", State: "open",
		HeadRepo: scriptRepo, HeadRef: "install", BaseRef: "main", HTMLURL: "https://github.com/acme/docs/pull/12", Author: person})
	for _, token := range args {
		g.AddToken(token, fakehost.Token{User: fakehost.GitHubActionsBot, Installation: true})
	}
	srv := httptest.NewServer(g)
	state(ts).startHost(ts, &scriptHost{writes: g.Writes, problems: g.Problems, bot: fakehost.GitHubActionsBot,
		comments: func() []fakehost.Comment { return g.Comments(scriptRepo, scriptPull) },
		add:      func(a fakehost.User, body string) { g.AddComment(scriptRepo, scriptPull, a, body) },
	}, srv)
	ts.Setenv("GITHUB_API_URL", srv.URL+fakehost.GitHubPrefix)
	ts.Setenv("GITHUB_GRAPHQL_URL", srv.URL+fakehost.GitHubGraphQL)
}

// gitlab-start [TOKEN] serves a strict fake GitLab with project 42
// (acme/docs) and its merge request !5 open, and TOKEN as a project access
// token.
func cmdGitLabStart(ts *testscript.TestScript, neg bool, args []string) {
	g := fakehost.NewGitLab(fakehost.Project{ID: scriptProject, Path: scriptRepo, WebURL: "https://gitlab.example/acme/docs", DefaultBranch: "main"})
	g.SetMergeRequest(scriptProject, fakehost.MergeRequest{IID: scriptMR, Title: "Explain installing", State: "opened",
		SourceBranch: "install", TargetBranch: "main", WebURL: "https://gitlab.example/acme/docs/-/merge_requests/5", Author: person})
	for _, token := range args {
		g.AddToken(token, fakehost.Token{User: gitlabBotUser})
	}
	srv := httptest.NewServer(g)
	state(ts).startHost(ts, &scriptHost{writes: g.Writes, problems: g.Problems, bot: gitlabBotUser,
		comments: func() []fakehost.Comment { return g.Notes(scriptProject, scriptMR) },
		add:      func(a fakehost.User, body string) { g.AddNote(scriptProject, scriptMR, a, body, false) },
	}, srv)
	ts.Setenv("CI_API_V4_URL", srv.URL+fakehost.GitLabPrefix)
}

// comments N [TEXT [NOTTEXT]] asserts how many comments the pull request
// has, and that the bot's newest contains TEXT and lacks NOTTEXT.
func cmdComments(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 3 {
		ts.Fatalf("usage: comments N [TEXT [NOTTEXT]]")
	}
	h := host(ts)
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	all := h.comments()
	if len(all) != want {
		ts.Fatalf("%d comments, want %d", len(all), want)
	}
	var body string
	for _, c := range all {
		if c.Author.ID == h.bot.ID {
			body = c.Body
		}
	}
	if len(args) > 1 && !strings.Contains(body, args[1]) {
		ts.Fatalf("the bot's comment lacks %q:\n%s", args[1], body)
	}
	if len(args) > 2 && strings.Contains(body, args[2]) {
		ts.Fatalf("the bot's comment contains %q", args[2])
	}
}

// host-comment TEXT adds a comment written by a person.
func cmdHostComment(ts *testscript.TestScript, neg bool, args []string) {
	host(ts).add(person, strings.Join(args, " "))
}

// host-writes N asserts how many write requests the fake host received
// since the last call.
func cmdHostWrites(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: host-writes N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	if got := host(ts).writes(); len(got) != want {
		ts.Fatalf("%d writes, want %d: %v", len(got), want, got)
	}
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
		args[1], state, args[2], args[4], args[3], args[3] != scriptRepo)
	p := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(filepath.Dir(p), 0o755))
	ts.Check(os.WriteFile(p, []byte(ev), 0o644))
}
