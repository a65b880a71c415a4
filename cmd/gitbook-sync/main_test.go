package main

import (
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
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
		},
	})
}

var (
	emulatorsMu sync.Mutex
	emulators   = map[*testscript.TestScript]*emulator.Server{}
)

func server(ts *testscript.TestScript) *emulator.Server {
	emulatorsMu.Lock()
	defer emulatorsMu.Unlock()
	srv := emulators[ts]
	if srv == nil {
		ts.Fatalf("no emulator: call emulator-start first")
	}
	return srv
}

// emulator-start [gitsync=none] starts an emulator with contract checks and
// points GITBOOK_API_URL and GITBOOK_TOKEN at it.
func cmdEmulatorStart(ts *testscript.TestScript, neg bool, args []string) {
	seed := emulator.DefaultSeed()
	for _, a := range args {
		if a == "gitsync=none" {
			seed.Organizations[0].Spaces[0].GitSync = "none"
		}
	}
	srv, err := emulator.New(seed, emulator.Options{OperationDelay: 10 * time.Millisecond})
	ts.Check(err)
	var mu sync.Mutex
	var violations []string
	checker := &contract.Checker{Fail: func(err error) {
		mu.Lock()
		violations = append(violations, err.Error())
		mu.Unlock()
	}}
	hs := httptest.NewServer(checker.Handler(srv.Handler()))
	srv.SetBaseURL(hs.URL)
	emulatorsMu.Lock()
	emulators[ts] = srv
	emulatorsMu.Unlock()
	ts.Setenv("GITBOOK_API_URL", hs.URL+"/v1")
	ts.Setenv("GITBOOK_TOKEN", seed.Token)
	ts.Setenv("EMULATOR", hs.URL)
	ts.Defer(func() {
		srv.Wait()
		hs.Close()
		mu.Lock()
		defer mu.Unlock()
		if len(violations) > 0 {
			ts.Fatalf("contract violations:\n%s", strings.Join(violations, "\n"))
		}
	})
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
