package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitbook-sync/gitbook-sync/ci"
	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/notify"
	"github.com/gitbook-sync/gitbook-sync/report"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// testFactory is a Factory on buffers with the given environment and CI.
func testFactory(t *testing.T, env map[string]string, ciCtx *ci.Context) (*Factory, *bytes.Buffer) {
	t.Helper()
	var stderr bytes.Buffer
	f, _ := newFactory(&bytes.Buffer{}, &stderr, func(k string) string { return env[k] })
	f.CI = func() (*ci.Context, error) { return ciCtx, nil }
	return f, &stderr
}

// The action command turns inputs into sync's options directly.
func TestActionOptions(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	env := map[string]string{"INPUT_COMMAND": "sync", "INPUT_DRY_RUN": "true", "INPUT_SPACE": "space-9", "INPUT_MODE": "import",
		"INPUT_FORCE": "true", "INPUT_TIMEOUT": "90s", "INPUT_CONFIG": config.FileName, "INPUT_PAGE_DIFFS": "false"}
	f, _ := testFactory(t, env, &ci.Context{})
	f.Global.Repo = repo
	var got *SyncOptions
	cmd := NewCmdAction(f, func(o *SyncOptions) error { got = o; return nil })
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !got.DryRun || got.Space != "space-9" || got.Mode != "import" || !got.Force || got.Timeout != 90*time.Second || got.PageDiffs {
		t.Errorf("options %+v", got)
	}
	if !got.changed("mode") || got.changed("branch") {
		t.Error("only the inputs given count as flags given")
	}
	if f.Global.Config != "" {
		t.Errorf("the default configuration file does not exist here, yet --config = %q", f.Global.Config)
	}

	env["INPUT_TIMEOUT"] = "soon"
	if _, err := actionOptions(f); err == nil || exitCodeOf(err) != exitUsage {
		t.Errorf("a bad duration input: %v", err)
	}
}

// The sticky marker follows the configuration file and the selection,
// not the list of spaces: adding a space keeps the same comment.
func TestMarkerIsStable(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	f, _ := testFactory(t, nil, &ci.Context{})
	f.Global.Repo = repo
	o := newSyncOptions(f, true)
	one := []config.Space{{Space: "a"}}
	two := []config.Space{{Space: "a"}, {Space: "b"}}
	if m1, m2 := o.marker(one), o.marker(two); m1 != m2 || m1 != ".gitbook-sync.yaml" {
		t.Errorf("markers %q and %q", m1, m2)
	}
	f.Global.Config = filepath.Join(repo, "docs", "gitbook.yaml")
	o.Shard = "2/3"
	if m := o.marker(two); m != "docs/gitbook.yaml:shard:2/3" {
		t.Errorf("marker %q", m)
	}
	if m := o.marker([]config.Space{{Space: "a", Comment: config.Comment{Marker: "api-docs"}}}); m != "api-docs" {
		t.Errorf("comment.marker should win: %q", m)
	}
}

func TestPullRequestFromFlags(t *testing.T) {
	t.Parallel()
	given := func(names ...string) func(string) bool {
		return func(n string) bool {
			for _, x := range names {
				if x == n {
					return true
				}
			}
			return false
		}
	}
	tests := []struct {
		name    string
		flags   pullRequestFlags
		changed func(string) bool
		ciCtx   *ci.Context
		number  int
		noun    string
		err     string
	}{
		{"GitHub URL", pullRequestFlags{URL: "https://github.com/acme/docs/pull/7", State: "open", BaseSHA: "abc"}, given(), &ci.Context{}, 7, "pull request", ""},
		{"GitLab URL", pullRequestFlags{URL: "https://gitlab.com/acme/docs/-/merge_requests/5", State: "merged"}, given(), &ci.Context{}, 5, "merge request", ""},
		{"number agrees", pullRequestFlags{URL: "https://github.com/acme/docs/pull/7/", Number: 7, State: "closed"}, given("pull-request-number"), &ci.Context{}, 7, "pull request", ""},
		{"no number", pullRequestFlags{URL: "https://review.example/x", State: "closed"}, given(), &ci.Context{}, 0, "pull request", "no number in the URL"},
		{"number given", pullRequestFlags{URL: "https://review.example/x", Number: 12, State: "closed"}, given("pull-request-number"), &ci.Context{}, 12, "pull request", ""},
		{"from GitLab CI", pullRequestFlags{}, given(), &ci.Context{Provider: ci.GitLab, PullRequest: &ci.PullRequest{Number: 5}}, 5, "merge request", ""},
		{"none", pullRequestFlags{}, given(), &ci.Context{}, 0, "pull request", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, noun, err := tt.flags.resolve(tt.changed, tt.ciCtx)
			if tt.err != "" {
				if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tt.err)) {
					t.Errorf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := 0; pr != nil {
				got = pr.Number
				if got != tt.number {
					t.Errorf("number %d, want %d", got, tt.number)
				}
			} else if tt.number != 0 {
				t.Errorf("no pull request, want #%d", tt.number)
			}
			if noun != tt.noun {
				t.Errorf("noun %q, want %q", noun, tt.noun)
			}
		})
	}
}

// The publisher is built once per run, with the commenter the run can use.
func TestPublisher(t *testing.T) {
	t.Parallel()
	pr := &gbsync.PullRequest{Number: 12}
	spaces := []config.Space{{Space: "s", Comment: config.Comment{Enabled: true}}}
	ghPR := &ci.Context{Provider: ci.GitHub, Repository: "acme/docs", GitHubToken: "ghs_x", PullRequest: &ci.PullRequest{Number: 12}}
	noToken := &ci.Context{Provider: ci.GitHub, Repository: "acme/docs", PullRequest: &ci.PullRequest{Number: 12}}
	forkPR := &ci.Context{Provider: ci.GitHub, Repository: "acme/docs", GitHubToken: "ghs_x", PullRequest: &ci.PullRequest{Number: 12, Fork: true}}
	glMR := &ci.Context{Provider: ci.GitLab, ProjectID: "42", JobToken: "job", PullRequest: &ci.PullRequest{Number: 5}}
	tests := []struct {
		name    string
		ciCtx   *ci.Context
		dryRun  bool
		spaces  []config.Space
		want    string // the commenter's type
		warning string
	}{
		{"plan", ghPR, true, spaces, "notify.Terminal", ""},
		{"local sync", &ci.Context{}, false, spaces, "notify.Terminal", ""},
		{"GitHub", ghPR, false, spaces, "*notify.GitHub", ""},
		{"GitHub without a token", noToken, false, spaces, "<nil>", "pass the workflow's token as GITHUB_TOKEN"},
		{"fork", forkPR, false, spaces, "<nil>", "comes from a fork"},
		{"GitLab job token", glMR, false, spaces, "*notify.GitLab", ""},
		{"comments off", ghPR, false, []config.Space{{Space: "s"}}, "<nil>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, _ := testFactory(t, nil, tt.ciCtx)
			o := newSyncOptions(f, tt.dryRun)
			pub := o.publisher(tt.ciCtx, tt.spaces, pr, "pull request")
			if got := typeName(pub.Commenter); got != tt.want {
				t.Errorf("commenter %s, want %s", got, tt.want)
			}
			if (pub.Actions != nil) != (tt.ciCtx.Provider == ci.GitHub) {
				t.Errorf("Actions %v in %q", pub.Actions, tt.ciCtx.Provider)
			}
			var warned string
			if pub.Actions != nil {
				warned = f.IO.RawErr.(*bytes.Buffer).String()
			}
			if tt.warning != "" && !bytes.Contains([]byte(warned), []byte(tt.warning)) {
				t.Errorf("warning %q, want %q", warned, tt.warning)
			}
		})
	}
}

func typeName(c notify.Commenter) string {
	if c == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%T", c)
}

// A results output too large for GitHub keeps its shape without the page
// lists.
func TestActionOutputsFit(t *testing.T) {
	t.Parallel()
	f, _ := testFactory(t, nil, &ci.Context{})
	results := report.Sample()
	var pages []content.PageChange
	for i := range 5000 {
		pages = append(pages, content.PageChange{Op: content.Added, Title: "Page", Path: fmt.Sprintf("p%d.md", i), Added: 1})
	}
	results[0].Diff = &content.Diff{Pages: pages}
	outs := actionOutputs(report.NewDocument(results, false, nil), notify.Posted{URL: "https://c"}, f)
	got := map[string]string{}
	for _, o := range outs {
		got[o.Name] = o.Value
	}
	var doc report.Document
	if err := json.Unmarshal([]byte(got["results"]), &doc); err != nil {
		t.Fatal(err)
	}
	if len(got["results"]) > resultsOutputLimit || len(doc.Results) != len(results) || doc.Results[0].Diff != nil {
		t.Errorf("results output of %d bytes, %d results", len(got["results"]), len(doc.Results))
	}
	if got["state"] != "repo ahead" || got["comment-url"] != "https://c" {
		t.Errorf("outputs %v", got)
	}
}

// siteSpaces stands for the site's API (GET …/sites/{site}/structure).
type siteSpaces []gitbook.SiteSpace

func (s siteSpaces) SiteSpaces(context.Context, string, string) ([]gitbook.SiteSpace, error) {
	return s, nil
}

// docs.yaml spaces get their IDs from the site, for the spaces the run
// handles: another shard's space missing from the site is not this run's
// problem, but one of its own is, at its place in docs.yaml.
func TestResolveIDs(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	for name, text := range map[string]string{
		"docs.yaml": "site:\n  structure:\n" +
			"    - type: space\n      key: guide\n      title: Guide\n      path: guide\n      content:\n        directory: ./guide\n" +
			"    - type: space\n      key: api\n      title: API\n      path: api\n      content:\n        directory: ./api\n",
		config.FileName: "site:\n  organization: org-1\n  site: site-1\n",
	} {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := testFactory(t, nil, &ci.Context{})
	f.Global.Repo = repo
	o := newSyncOptions(f, true)
	o.Shard = "1/2"
	cfg, err := o.configuration()
	if err != nil {
		t.Fatal(err)
	}
	spaces, err := o.spaces(cfg)
	if err != nil || len(spaces) != 1 || spaces[0].Name() != "guide" {
		t.Fatalf("shard 1/2: %+v, %v", spaces, err)
	}
	site := siteSpaces{{SpaceID: "s-guide", Path: "guide"}}
	got, err := resolveIDs(context.Background(), cfg, spaces, site)
	if err != nil || got[0].Space != "s-guide" {
		t.Errorf("guide: %+v, %v", got, err)
	}
	if cfg.Spaces[0].Space != "" {
		t.Error("resolveIDs changed the configuration it was given")
	}
	_, err = resolveIDs(context.Background(), cfg, cfg.Spaces, site)
	if ds := diag.As(err); len(ds) != 1 || ds[0].File != "docs.yaml" || ds[0].Line != 9 || !strings.Contains(ds[0].Message, `"api" has no space ID`) {
		t.Errorf("api: %v", err)
	}
	if exitCodeOf(err) != exitUsage {
		t.Errorf("exit %d for a space without an ID", exitCodeOf(err))
	}
}
