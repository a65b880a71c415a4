package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitbook-sync/gitbook-sync/ci"
	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
	buildinfo "github.com/gitbook-sync/gitbook-sync/internal/version"
	"github.com/gitbook-sync/gitbook-sync/report"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// version names this build in the User-Agent (see internal/version).
var version = buildinfo.Get().Version

// Exit codes, documented in the README.
const (
	exitOK      = 0 // done, or nothing to do
	exitFailed  = 1 // a space failed (API error, GitBook refused, timeout)
	exitUsage   = 2 // bad flags or configuration; nothing was sent
	exitStopped = 3 // a person must act (diverged, space ahead, operation running); nothing was written
)

// usageError marks errors that are the caller's to fix (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitError carries an exit code chosen by a command.
type exitError struct{ code int }

func (e exitError) Error() string { return "exit " + strconv.Itoa(e.code) }

// app holds what every command shares: flags, environment and outputs.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	redactor       *redact.Redactor
	ci             *ci.Context

	configFile   string
	repoDir      string
	space        string
	organization string
	path         string
	branch       string
	mode         string
	apiURL       string
	repoURL      string
	force        bool
	json         bool
	shard        string
	timeout      time.Duration
	concurrency  int
	template     string
	pageDiffs    bool
	pr           gbsync.PullRequest
}

func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{getenv: getenv, redactor: &redact.Redactor{}}
	// Every secret we may hold is masked in all output from the start.
	for _, name := range []string{"GITBOOK_TOKEN", "GITBOOK_SYNC_GIT_TOKEN", "GITHUB_TOKEN", "GITLAB_TOKEN", "GITBOOK_SYNC_GITHUB_TOKEN", "GITBOOK_SYNC_GITLAB_TOKEN"} {
		a.redactor.Add(getenv(name))
	}
	a.stdout, a.stderr = redact.Writer(stdout, a.redactor), redact.Writer(stderr, a.redactor)
	ciCtx, ciErr := ci.Detect(getenv)
	if ciErr != nil {
		fmt.Fprintf(a.stderr, "gitbook-sync: %v\n", ciErr)
		return exitUsage
	}
	a.ci = ciCtx
	if ciCtx.Provider == ci.GitHub {
		// Before anything else is printed, so Actions masks them in its log.
		act := (&report.Publisher{CI: ciCtx, Getenv: getenv, Stdout: stdout}).Actions()
		for _, s := range a.redactor.Secrets() {
			act.AddMask(s)
		}
	}

	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := root.ExecuteContext(ctx)
	var ee exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	}
	fmt.Fprintf(a.stderr, "gitbook-sync: %v\n", err)
	var ce *config.Error
	if act := (&report.Publisher{CI: a.ci, Getenv: getenv, Stdout: a.stdout}).Actions(); act != nil && errors.As(err, &ce) {
		act.WithFieldsMap(map[string]string{"file": ce.File, "line": strconv.Itoa(ce.Line), "col": strconv.Itoa(ce.Col)}).Errorf("%s", ce.Msg)
	}
	var ue usageError
	if errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown") || strings.Contains(err.Error(), "flag") {
		return exitUsage
	}
	return exitFailed
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "gitbook-sync",
		Short:         "Keep a Git repository of docs and a GitBook space in step",
		Long:          "gitbook-sync compares a repository with GitBook spaces and imports, exports or stops with a reason.\nExit codes: 0 done or nothing to do, 1 a space failed, 2 bad usage or configuration, 3 a person must act.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.configFile, "config", "", "configuration file (default: "+config.FileName+" at the repository root)")
	pf.StringVar(&a.repoDir, "repo", ".", "the repository checkout")
	pf.StringVar(&a.apiURL, "api-url", "", "GitBook API base URL (env GITBOOK_API_URL; default "+gitbook.DefaultBaseURL+")")
	root.AddCommand(a.planCommand(), a.syncCommand(), a.demoCommand(), a.emulatorCommand(), a.versionCommand(), a.configCommand(), a.actionCommand(), a.openapiCommand())
	return root
}

// spaceFlags are the flags that define or override one space.
func (a *app) spaceFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&a.space, "space", "", "space ID: selects a configured space, or defines one without a configuration file")
	f.StringVar(&a.organization, "organization", "", "organization ID")
	f.StringVar(&a.path, "path", "", "project directory of the space in the repository")
	f.StringVar(&a.branch, "branch", "", "source-of-truth branch (default: the checked-out branch)")
	f.StringVar(&a.mode, "mode", "", "auto, import, change-request or export")
	f.StringVar(&a.repoURL, "repo-url", "", "repository URL GitBook reads and writes (default: the CI's, else origin's, else this checkout)")
	f.BoolVar(&a.force, "force", false, "import over GitBook edits, and skip GitBook's operation order check")
	f.BoolVar(&a.json, "json", false, "print results as JSON")
	f.StringVar(&a.shard, "shard", "", "handle shard i of n of the configured spaces, as i/n (for CI matrices)")
	f.DurationVar(&a.timeout, "timeout", 10*time.Minute, "how long to follow one GitBook operation")
	f.IntVar(&a.concurrency, "concurrency", 4, "spaces handled at once")
	f.StringVar(&a.template, "template", "", "file of Go templates overriding parts of the report")
	f.BoolVar(&a.pageDiffs, "page-diffs", false, "include a unified diff per changed page")
	f.StringVar(&a.pr.URL, "pull-request", "", "URL of the pull request this run is for (CI sets it from its event)")
	f.StringVar(&a.pr.Title, "pull-request-title", "", "its title, the change request's subject")
	f.IntVar(&a.pr.Number, "pull-request-number", 0, "its number")
	f.StringVar(&a.pr.State, "pull-request-state", gbsync.PROpen, "open, closed or merged")
	f.StringVar(&a.pr.BaseSHA, "pull-request-base", "", "commit of the target branch it is compared with")
	f.StringVar(&a.pr.HeadRef, "pull-request-ref", "", "ref GitBook reads it from, for previews (refs/pull/N/head)")
}

// pullRequest returns the pull request given by flags, else the CI's.
func (a *app) pullRequest() (*gbsync.PullRequest, error) {
	if a.pr.URL == "" {
		if p := a.ci.PullRequest; p != nil {
			return &gbsync.PullRequest{URL: p.URL, Title: p.Title, Number: p.Number, State: p.State, BaseSHA: p.BaseSHA,
				HeadRef: p.HeadRef, Branch: a.ci.Branch}, nil
		}
		return nil, nil
	}
	switch a.pr.State {
	case gbsync.PROpen, gbsync.PRClosed, gbsync.PRMerged:
	default:
		return nil, usagef("--pull-request-state %q: choose open, closed or merged", a.pr.State)
	}
	if a.pr.State == gbsync.PROpen && a.pr.BaseSHA == "" {
		return nil, usagef("--pull-request needs --pull-request-base (the target branch's commit) to know the pull request's own changes")
	}
	pr := a.pr
	return &pr, nil
}

// spaces resolves the spaces to handle from the configuration file and flags.
func (a *app) spaces(cmd *cobra.Command) ([]config.Space, error) {
	if a.mode != "" && !contains(config.Modes, a.mode) {
		return nil, usagef("--mode %q is not valid; choose one of: %s", a.mode, strings.Join(config.Modes, ", "))
	}
	path := a.configFile
	explicit := path != ""
	if !explicit {
		path = filepath.Join(a.repoDir, config.FileName)
	}
	cfg, err := config.Load(path)
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist) && !explicit:
		if a.space == "" {
			return nil, usagef("no %s in %s and no --space: add a configuration file or pass --space ID", config.FileName, a.repoDir)
		}
		cfg = &config.Config{Spaces: []config.Space{{Space: a.space, Path: ".", Mode: config.ModeAuto, Comment: config.Comment{Enabled: true}}}}
	case errors.Is(err, os.ErrNotExist):
		return nil, usagef("configuration file %s does not exist", path)
	default:
		return nil, usageError{err}
	}
	spaces := cfg.Spaces
	if a.space != "" {
		var picked []config.Space
		for _, s := range spaces {
			if s.Space == a.space {
				picked = append(picked, s)
			}
		}
		if len(picked) == 0 {
			return nil, usagef("space %q is not in %s", a.space, path)
		}
		spaces = picked
	}
	for i := range spaces {
		s := &spaces[i]
		if cmd.Flags().Changed("organization") {
			s.Organization = a.organization
		}
		if cmd.Flags().Changed("path") {
			s.Path = a.path
		}
		if cmd.Flags().Changed("branch") {
			s.Branch = a.branch
		}
		if cmd.Flags().Changed("mode") {
			s.Mode = a.mode
		}
	}
	if a.shard != "" {
		var i, n int
		if _, err := fmt.Sscanf(a.shard, "%d/%d", &i, &n); err != nil || n < 1 || i < 1 || i > n {
			return nil, usagef("--shard %q: want i/n with 1 <= i <= n, such as 1/3", a.shard)
		}
		spaces = gbsync.Shard(spaces, i, n)
	}
	return spaces, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (a *app) client() (*gitbook.Client, error) {
	token := a.getenv("GITBOOK_TOKEN")
	if token == "" {
		return nil, usagef("GITBOOK_TOKEN is not set: create an API token in GitBook (Settings → Developer) and export it")
	}
	base := a.apiURL
	if base == "" {
		base = a.getenv("GITBOOK_API_URL")
	}
	return gitbook.New(gitbook.Options{BaseURL: base, Token: token, UserAgent: "gitbook-sync/" + version, Redactor: a.redactor})
}

func (a *app) gitToken() string {
	for _, name := range []string{"GITBOOK_SYNC_GIT_TOKEN", "GITHUB_TOKEN", "GITLAB_TOKEN"} {
		if v := a.getenv(name); v != "" {
			return v
		}
	}
	return ""
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(a.stdout, "gitbook-sync", buildinfo.Get())
			return nil
		},
	}
}

func (a *app) configCommand() *cobra.Command {
	c := &cobra.Command{Use: "config", Short: "Configuration helpers"}
	c.AddCommand(&cobra.Command{
		Use:   "schema",
		Short: "Print the JSON schema of " + config.FileName,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := a.stdout.Write(config.Schema())
			return err
		},
	})
	return c
}
