package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/ci"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// Every usage and configuration problem exits 2, found before any request
// (no GitBook is running here: a request would fail with exit 1).
func TestExitCodes(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(repo, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badTemplate := write("bad.tmpl", `{{ define "status" }}{{ .Nope }}{{ end }}`)
	write("bad.yaml", "spaces:\n  - space: s\n    mode: upload\n")
	env := map[string]string{"GITBOOK_TOKEN": "tok-123456", "GITBOOK_API_URL": "http://127.0.0.1:1/v1"}
	tests := []struct {
		args   []string
		code   ExitCode
		stderr string
	}{
		{[]string{"version"}, exitOK, ""},
		{[]string{"--bogus"}, exitUsage, "unknown flag: --bogus"},
		{[]string{"plan", "--timeout", "soon"}, exitUsage, `invalid argument "soon"`},
		{[]string{"plna"}, exitUsage, `unknown command "plna"; did you mean "plan"?`},
		{[]string{"plan", "extra"}, exitUsage, `unknown command "extra"`},
		{[]string{"schema", "nope"}, exitUsage, `invalid argument "nope"`},
		{[]string{"plan", "--repo", repo}, exitUsage, "no .gitbook-sync.yaml"},
		{[]string{"plan", "--repo", repo, "--space", "s", "--format", "yaml"}, exitUsage, `--format "yaml" is not valid`},
		{[]string{"plan", "--repo", repo, "--space", "s", "--json", "--format", "text"}, exitUsage, "--json and --format text disagree"},
		{[]string{"plan", "--repo", repo, "--space", "s", "--mode", "push"}, exitUsage, `--mode "push" is not valid`},
		{[]string{"plan", "--repo", repo, "--space", "s", "--shard", "4/3"}, exitUsage, "--shard"},
		{[]string{"plan", "--repo", repo, "--config", filepath.Join(repo, "bad.yaml")}, exitUsage, `"upload" is not valid`},
		{[]string{"plan", "--repo", repo, "--config", filepath.Join(repo, "none.yaml")}, exitUsage, "does not exist"},
		{[]string{"plan", "--repo", repo, "--space", "s", "--template", badTemplate}, exitUsage, "can't evaluate field Nope"},
		{[]string{"plan", "--repo", repo, "--space", "s", "--pull-request", "https://github.com/a/b/pull/3"}, exitUsage, "needs --pull-request-base"},
		{[]string{"plan", "--repo", repo, "--space", "s", "--pull-request", "https://example.com/review"}, exitUsage, "no number in the URL"},
		{[]string{"plan", "--repo", repo, "--space", "s", "--pull-request", "https://github.com/a/b/pull/3", "--pull-request-state", "gone"}, exitUsage, "choose open, closed or merged"},
		{[]string{"plan", "--repo", repo, "--space", "s"}, exitUsage, "repository does not exist"},
		{[]string{"plan", "--repo", repo, "--offline"}, exitUsage, "--offline needs --base"},
		{[]string{"plan", "--repo", repo, "--base", "HEAD"}, exitUsage, "--base and --head go with --offline"},
		{[]string{"init", "--repo", repo, "--site", "site-1"}, exitUsage, "--site needs --organization"},
		{[]string{"init", "--repo", filepath.Join(repo, "none")}, exitUsage, "none"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := Main(tt.args, &stdout, &stderr, func(k string) string { return env[k] })
			if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr.String(), tt.code, tt.stderr)
			}
		})
	}
}

// A run's exit code is its worst space's: a failure over a problem in the
// user's files over a stop. A plan's stop is its answer, not a problem.
func TestResultsExitCode(t *testing.T) {
	t.Parallel()
	failed := gbsync.Result{Outcome: gbsync.Failed, Err: errors.New("GitBook said 500")}
	badInput := gbsync.Result{Outcome: gbsync.Failed, Err: fmt.Errorf("read .gitbook.yaml: %w", diag.Errorf(".gitbook.yaml", 2, 1, "unknown key"))}
	stopped := gbsync.Result{Outcome: gbsync.Stopped}
	done := gbsync.Result{Outcome: gbsync.Imported}
	tests := []struct {
		results []gbsync.Result
		dryRun  bool
		want    ExitCode
	}{
		{nil, false, exitOK},
		{[]gbsync.Result{done}, false, exitOK},
		{[]gbsync.Result{done, stopped}, false, exitStopped},
		{[]gbsync.Result{stopped}, true, exitOK},
		{[]gbsync.Result{stopped, badInput}, false, exitUsage},
		{[]gbsync.Result{badInput, failed, stopped}, false, exitFailed},
		{[]gbsync.Result{failed}, true, exitFailed},
	}
	for i, tt := range tests {
		if got := resultsExitCode(tt.results, tt.dryRun); got != tt.want {
			t.Errorf("%d: got %d, want %d", i, got, tt.want)
		}
	}
}

// Errors are printed one problem a line, with names made safe for the
// terminal.
func TestReportError(t *testing.T) {
	t.Parallel()
	f, stderr := testFactory(t, nil, nil)
	f.CI = func() (*ci.Context, error) { return &ci.Context{}, nil }
	err := errors.Join(diag.Errorf("docs/\x1b[2Jevil.md", 1, 2, "bad"), diag.Errorf("b.yaml", 3, 4, "worse"))
	reportError(f, err)
	if got, want := stderr.String(), "gitbook-sync: docs/\\x1b[2Jevil.md:1:2: bad\ngitbook-sync: b.yaml:3:4: worse\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
