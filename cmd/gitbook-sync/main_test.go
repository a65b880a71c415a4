package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/internal/contract"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"gitbook-sync": func() { os.Exit(int(Main(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))) },
	})
}

// TestScripts runs the built binary through the scenarios in
// testdata/script, against an emulator started by the script.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Values[stateKey{}] = &scriptState{}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"emulator-start":  cmdEmulatorStart,
			"writes":          cmdWrites,
			"mkrepo":          cmdMkrepo,
			"commit":          cmdCommit,
			"edit-in-gitbook": cmdEditInGitBook,
			"github-start":    cmdGitHubStart,
			"gitlab-start":    cmdGitLabStart,
			"comments":        cmdComments,
			"host-writes":     cmdHostWrites,
			"host-comment":    cmdHostComment,
			"json-document":   cmdJSONDocument,
			"no-leak":         cmdNoLeak,
			"pr-event":        cmdPREvent,
			"exits":           cmdExits,
			"import-url":      cmdImportURL,
		},
	})
}

// scriptState is what one script's commands share.
type scriptState struct {
	emulator *emulator.Server
	host     *scriptHost

	mu sync.Mutex
	// imports are the repository URLs of the imports GitBook was asked
	// for, credentials included, as sent.
	imports []string
}

type stateKey struct{}

func state(ts *testscript.TestScript) *scriptState { return ts.Value(stateKey{}).(*scriptState) }

func server(ts *testscript.TestScript) *emulator.Server {
	srv := state(ts).emulator
	if srv == nil {
		ts.Fatalf("no emulator: call emulator-start first")
	}
	return srv
}

// emulator-start [gitsync=REPO] starts an emulator with contract checks and
// points GITBOOK_API_URL and GITBOOK_TOKEN at it. With gitsync=REPO,
// GitBook's own Git Sync is installed on space-1, on branch main of REPO
// (a bare repository under $WORK standing for GitHub).
func cmdEmulatorStart(ts *testscript.TestScript, neg bool, args []string) {
	seed := emulator.DefaultSeed()
	for _, a := range args {
		repo, ok := strings.CutPrefix(a, "gitsync=")
		if !ok {
			ts.Fatalf("usage: emulator-start [gitsync=REPO]")
		}
		sp := &seed.Organizations[0].Spaces[0]
		sp.GitSync, sp.Repository = "github", &emulator.RepositorySeed{URL: ts.MkAbs(repo), Branch: "main"}
	}
	srv, base := startEmulator(ts, seed, state(ts).recordImports)
	ts.Setenv("GITBOOK_API_URL", base+"/v1")
	ts.Setenv("GITBOOK_TOKEN", seed.Token)
	ts.Setenv("EMULATOR", base)
	state(ts).emulator = srv
}

// startEmulator serves an emulator from seed behind the contract checker:
// every exchange is checked against GitBook's API description, and the
// script fails on a violation. Each wrap, if any, sees the requests first.
// It returns the server and its base URL.
func startEmulator(ts *testscript.TestScript, seed emulator.Seed, wrap ...func(http.Handler) http.Handler) (*emulator.Server, string) {
	srv, err := emulator.New(seed, emulator.Options{OperationDelay: 10 * time.Millisecond})
	ts.Check(err)
	var mu sync.Mutex
	var violations []string
	checker := &contract.Checker{Fail: func(err error) {
		mu.Lock()
		violations = append(violations, err.Error())
		mu.Unlock()
	}}
	h := checker.Handler(srv.Handler())
	for _, w := range wrap {
		h = w(h)
	}
	hs := httptest.NewServer(h)
	srv.SetBaseURL(hs.URL)
	ts.Defer(func() {
		srv.Wait()
		hs.Close()
		mu.Lock()
		defer mu.Unlock()
		if len(violations) > 0 {
			ts.Fatalf("contract violations:\n%s", strings.Join(violations, "\n"))
		}
	})
	return srv, hs.URL
}

// recordImports keeps the url of every import request.
func (s *scriptState) recordImports(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git/import") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var in struct {
				URL string `json:"url"`
			}
			_ = json.Unmarshal(body, &in)
			s.mu.Lock()
			s.imports = append(s.imports, in.URL)
			s.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// import-url PATTERN asserts that the last import GitBook was asked for
// read a repository URL matching PATTERN.
func cmdImportURL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: import-url PATTERN")
	}
	s := state(ts)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.imports) == 0 {
		ts.Fatalf("no import was asked for")
	}
	last := s.imports[len(s.imports)-1]
	if ok, err := regexp.MatchString(args[0], last); err != nil || ok == neg {
		ts.Fatalf("the last import read %s; want it to match %s (%v)", last, args[0], err)
	}
}

// exits CODE PROG [ARGS...] runs PROG as exec does (stdout and stderr
// are kept for the next commands) and asserts its exit code.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || neg {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	var ee *exec.ExitError
	switch err := ts.Exec(args[1], args[2:]...); {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// writes N asserts how many non-GET requests the emulator received, then
// forgets them.
func cmdWrites(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: writes N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	srv := server(ts)
	srv.Wait()
	var got []string
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet {
			got = append(got, r.Method+" "+r.Path)
		}
	}
	srv.ResetRequests()
	if len(got) != want {
		ts.Fatalf("%d write requests, want %d: %v", len(got), want, got)
	}
}

// mkrepo DIR turns the files under DIR into a repository with one commit
// on main, pushed to DIR.git (its origin).
func cmdMkrepo(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: mkrepo DIR")
	}
	dir := ts.MkAbs(args[0])
	bare := dir + ".git"
	_, err := git.PlainInitWithOptions(bare, &git.PlainInitOptions{Bare: true, InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}})
	ts.Check(err)
	r, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}})
	ts.Check(err)
	_, err = r.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{bare}})
	ts.Check(err)
	commitAll(ts, dir, "initial docs")
}

// commit DIR MESSAGE commits everything in DIR and pushes it.
func cmdCommit(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: commit DIR MESSAGE")
	}
	commitAll(ts, ts.MkAbs(args[0]), args[1])
}

var commitClock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func commitAll(ts *testscript.TestScript, dir, msg string) {
	r, err := git.PlainOpen(dir)
	ts.Check(err)
	wt, err := r.Worktree()
	ts.Check(err)
	ts.Check(wt.AddWithOptions(&git.AddOptions{All: true}))
	// Files removed from the work tree are removed from the index too.
	st, err := wt.Status()
	ts.Check(err)
	for p, s := range st {
		if s.Worktree == git.Deleted {
			_, err := wt.Remove(p)
			ts.Check(err)
		}
	}
	commitClock = commitClock.Add(time.Minute)
	sig := &object.Signature{Name: "Writer", Email: "writer@example.com", When: commitClock}
	h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig})
	ts.Check(err)
	ts.Check(r.Push(&git.PushOptions{RemoteName: "origin"}))
	ts.Setenv("HEAD_"+strings.ToUpper(filepath.Base(dir)), h.String())
}

// edit-in-gitbook PATH TEXT edits a page as a person in GitBook would.
func cmdEditInGitBook(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: edit-in-gitbook PATH TEXT")
	}
	_, err := server(ts).EditPage("space-1", args[0], "", args[1])
	ts.Check(err)
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
