package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gitbook-sync/gitbook-sync/ci"
	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/notify"
	"github.com/gitbook-sync/gitbook-sync/report"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// SyncOptions are plan's and sync's: the space flags, the output and the
// dependencies they use.
type SyncOptions struct {
	f   *Factory
	ctx context.Context
	// changed reports whether a flag was given (flags override the
	// configuration file only then).
	changed func(name string) bool

	DryRun bool

	Space, Organization, Path, Branch, Mode, RepoURL string
	Force                                            bool
	Shard                                            string
	Timeout                                          time.Duration
	Concurrency                                      int

	Output      outputFlags
	Template    string
	PageDiffs   bool
	PullRequest pullRequestFlags

	// plan --offline
	Offline    bool
	Base, Head string
}

func newSyncOptions(f *Factory, dryRun bool) *SyncOptions {
	return &SyncOptions{f: f, DryRun: dryRun, ctx: context.Background(), changed: func(string) bool { return false }}
}

// bindFlags declares the flags that define, select or override spaces and
// shape the output. The action command sets the same flags from inputs.
func (o *SyncOptions) bindFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Space, "space", "", "space ID: selects a configured space, or defines one without a configuration file")
	fs.StringVar(&o.Organization, "organization", "", "organization ID")
	fs.StringVar(&o.Path, "path", "", "project directory of the space in the repository")
	fs.StringVar(&o.Branch, "branch", "", "source-of-truth branch (default: the checked-out branch)")
	fs.StringVar(&o.Mode, "mode", "", "auto, import, change-request or export")
	fs.StringVar(&o.RepoURL, "repo-url", "", "repository URL GitBook reads and writes (default: the CI's, else origin's, else this checkout)")
	fs.BoolVar(&o.Force, "force", false, "import over GitBook edits, and skip GitBook's operation order check")
	fs.StringVar(&o.Shard, "shard", "", "handle shard i of n of the configured spaces, as i/n (for CI matrices)")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "how long to follow one GitBook operation")
	fs.IntVar(&o.Concurrency, "concurrency", 4, "spaces handled at once")
	fs.StringVar(&o.Template, "template", "", "file of Go templates overriding parts of the Markdown report (comments, step summaries, --format markdown)")
	fs.BoolVar(&o.PageDiffs, "page-diffs", false, "include a unified diff per changed page")
	o.Output.bind(fs)
	o.PullRequest.bind(fs)
}

// NewCmdSync builds the sync command. runF replaces syncRun in tests.
func NewCmdSync(f *Factory, runF func(*SyncOptions) error) *cobra.Command {
	o := newSyncOptions(f, false)
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Compare the repository with each space and act",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.ctx, o.changed = cmd.Context(), cmd.Flags().Changed
			if runF != nil {
				return runF(o)
			}
			return syncRun(o)
		},
	}
	o.bindFlags(cmd.Flags())
	return cmd
}

// NewCmdPlan builds the plan command: sync's dry run, or with --offline a
// diff of two commits with no API at all.
func NewCmdPlan(f *Factory, runF func(*SyncOptions) error) *cobra.Command {
	o := newSyncOptions(f, true)
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what sync would do, writing nothing",
		Long: "plan reads the space and the repository and prints, per space, the state, the decision and the pages that differ.\n" +
			"It sends no write request. With --offline it needs no GitBook at all and diffs two commits (--base, --head).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.ctx, o.changed = cmd.Context(), cmd.Flags().Changed
			if !o.Offline && (o.changed("base") || o.changed("head")) {
				return usagef("--base and --head go with --offline")
			}
			if runF != nil {
				return runF(o)
			}
			return syncRun(o)
		},
	}
	o.bindFlags(cmd.Flags())
	cmd.Flags().BoolVar(&o.Offline, "offline", false, "no API: diff the pages between two commits")
	cmd.Flags().StringVar(&o.Base, "base", "", "with --offline: the older commit, branch or tag")
	cmd.Flags().StringVar(&o.Head, "head", "HEAD", "with --offline: the newer commit, branch or tag")
	return cmd
}

// syncRun is plan and sync. Everything the user gave is checked — flags,
// configuration, the report template, the CI context — before the first
// request, so that a mistake exits 2 with nothing sent.
func syncRun(o *SyncOptions) (err error) {
	f := o.f
	ciCtx, err := f.CI()
	if err != nil {
		return usageError{err}
	}
	format, err := o.Output.resolve(f.IO, ciCtx)
	if err != nil {
		return err
	}
	if format == formatJSON {
		// A program reading stdout gets its one document even when the
		// run stops before any space: the error and where it is.
		defer func() {
			if ee := (exitError{}); err != nil && !errors.As(err, &ee) {
				doc := report.NewDocument(nil, o.DryRun, f.Redactor)
				doc.Error, doc.Diagnostics = err.Error(), diagnostics(err)
				if werr := doc.Write(f.IO.Out, f.Redactor); werr != nil {
					err = errors.Join(err, werr)
				}
			}
		}()
	}
	if o.Offline {
		return o.offlinePlan(format)
	}
	spaces, err := o.spaces()
	if err != nil {
		return err
	}
	pr, noun, err := o.PullRequest.resolve(o.changed, ciCtx)
	if err != nil {
		return err
	}
	renderer, err := report.New(report.Options{DryRun: o.DryRun, Marker: o.marker(spaces), PageDiffs: o.PageDiffs,
		TemplateFile: o.Template, Redactor: f.Redactor})
	if err != nil {
		return usageError{err}
	}
	repo, err := gbsync.OpenRepo(f.Global.Repo)
	if err != nil {
		return usageError{err}
	}
	if pr == nil {
		// A push to a branch with an open pull request acts for it.
		if err := ciCtx.AdoptOpenPullRequest(o.ctx, gbsync.SourceBranches(ciCtx, repo, spaces)); err != nil {
			fmt.Fprintf(f.IO.ErrOut, "gitbook-sync: warning: %s\n", report.Safe(f.Redactor.String(err.Error())))
		}
		if pr, noun, err = o.PullRequest.resolve(o.changed, ciCtx); err != nil {
			return err
		}
	}
	if firstEnv(f.Getenv, gitbookTokenEnv) == "" && ciCtx.PullRequest != nil && ciCtx.PullRequest.Fork {
		// Forks get no secrets: say so, rather than fail their checks.
		msg := describe(noun, ciCtx.PullRequest.Number) + " comes from a fork, which gets no GITBOOK_TOKEN: nothing was compared; the sync runs once it is merged"
		pub := o.publisher(ciCtx, nil, nil, noun)
		pub.Warn(msg)
		if pub.Actions != nil {
			return pub.Actions.AddSummary("### GitBook sync skipped\n\n" + msg + "\n")
		}
		return nil
	}
	pub := o.publisher(ciCtx, spaces, pr, noun)
	client, err := f.GitBook()
	if err != nil {
		return err
	}
	results := gbsync.Run(o.ctx, gbsync.Options{
		PullRequest: pr,
		Client:      client, Repo: repo, Redactor: f.Redactor, RepoURL: o.repoURL(repo),
		CI: ciCtx, DryRun: o.DryRun, Force: o.Force, Concurrency: o.Concurrency,
		Wait: o.Timeout, Progress: f.IO.ErrOut, KeepText: o.PageDiffs,
	}, spaces)

	if err := o.print(format, renderer, results); err != nil {
		return err
	}
	if err := o.publish(pub, renderer, results); err != nil {
		return err
	}
	// Errors go to stderr too, where CI logs and people look first.
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(f.IO.ErrOut, "gitbook-sync: space %s: %s\n", report.Safe(r.Space), report.Safe(r.ErrorText()))
			if r.HTTPStatus == http.StatusUnauthorized {
				fmt.Fprintln(f.IO.ErrOut, "gitbook-sync: GitBook refused the token: check GITBOOK_TOKEN (and --api-url)")
			}
		}
	}
	if code := resultsExitCode(results, o.DryRun); code != exitOK {
		return exitError{code}
	}
	return nil
}

// spaces resolves the spaces to handle from the configuration file and
// the flags.
func (o *SyncOptions) spaces() ([]config.Space, error) {
	if o.Mode != "" && !slices.Contains(config.Modes, o.Mode) {
		return nil, usagef("--mode %q is not valid; choose one of: %s", o.Mode, strings.Join(config.Modes, ", "))
	}
	g := o.f.Global
	cfg, err := loadConfig(g)
	switch {
	case err != nil:
		return nil, err
	case cfg == nil && o.Space == "":
		return nil, usagef("no %s in %s and no --space: add a configuration file or pass --space ID", config.FileName, g.Repo)
	case cfg == nil:
		cfg = &config.Config{Spaces: []config.Space{{Space: o.Space, Path: ".", Mode: config.ModeAuto, Comment: config.Comment{Enabled: true}}}}
	}
	spaces := cfg.Spaces
	if o.Space != "" {
		spaces = slices.DeleteFunc(slices.Clone(spaces), func(s config.Space) bool { return s.Space != o.Space })
		if len(spaces) == 0 {
			return nil, usagef("space %q is not in %s", o.Space, cfg.File)
		}
	}
	for i := range spaces {
		s := &spaces[i]
		for flag, set := range map[string]func(){
			"organization": func() { s.Organization = o.Organization },
			"path":         func() { s.Path = o.Path },
			"branch":       func() { s.Branch = o.Branch },
			"mode":         func() { s.Mode = o.Mode },
		} {
			if o.changed(flag) {
				set()
			}
		}
	}
	if o.Shard != "" {
		i, n, err := parseShard(o.Shard)
		if err != nil {
			return nil, err
		}
		spaces = gbsync.Shard(spaces, i, n)
	}
	return spaces, nil
}

func parseShard(s string) (int, int, error) {
	var i, n int
	if _, err := fmt.Sscanf(s, "%d/%d", &i, &n); err != nil || n < 1 || i < 1 || i > n {
		return 0, 0, usagef("--shard %q: want i/n with 1 <= i <= n, such as 1/3", s)
	}
	return i, n, nil
}

// loadConfig reads --config, or the default file at the repository root;
// nil without error when the default file does not exist.
func loadConfig(g *GlobalOptions) (*config.Config, error) {
	path := g.Config
	if path == "" {
		path = filepath.Join(g.Repo, config.FileName)
	}
	cfg, err := config.Load(path)
	switch {
	case err == nil:
		return cfg, nil
	case isNotExist(err) && g.Config == "":
		return nil, nil
	case isNotExist(err):
		return nil, usagef("configuration file %s does not exist", path)
	}
	return nil, usageError{err}
}

// marker names this run's sticky comment. It depends on the
// configuration file and on which of its spaces the run handles (--space,
// --shard), never on the list of spaces itself, so adding a space to the
// file keeps the same comment. comment.marker in the file overrides it.
func (o *SyncOptions) marker(spaces []config.Space) string {
	for _, s := range spaces {
		if s.Comment.Marker != "" {
			return s.Comment.Marker
		}
	}
	g := o.f.Global
	name := config.FileName
	if g.Config != "" {
		name = g.Config
		if rel, err := filepath.Rel(g.Repo, g.Config); err == nil && !strings.HasPrefix(rel, "..") {
			name = rel
		}
	}
	parts := []string{filepath.ToSlash(name)}
	if o.Space != "" {
		parts = append(parts, "space", o.Space)
	}
	if o.Shard != "" {
		parts = append(parts, "shard", o.Shard)
	}
	return strings.Join(parts, ":")
}

// repoURL picks what GitBook reads and writes: --repo-url, the CI's
// repository, origin, or this checkout as a path.
func (o *SyncOptions) repoURL(repo *gbsync.Repo) string {
	if o.RepoURL != "" {
		return o.RepoURL
	}
	if ctx, err := o.f.CI(); err == nil && ctx.RepoURL != "" {
		return ctx.RepoURL
	}
	if u := repo.OriginURL(); u != "" {
		return u
	}
	abs, err := filepath.Abs(o.f.Global.Repo)
	if err != nil {
		return o.f.Global.Repo
	}
	return "file://" + filepath.ToSlash(abs)
}

// publisher builds the one publisher of the run: the sticky comment where
// there is a pull request to comment on, and GitHub Actions' files.
func (o *SyncOptions) publisher(ciCtx *ci.Context, spaces []config.Space, pr *gbsync.PullRequest, noun string) *notify.Publisher {
	f := o.f
	pub := &notify.Publisher{Stderr: f.IO.ErrOut, Redactor: f.Redactor}
	if ciCtx.Provider == ci.GitHub {
		pub.Actions = &notify.Actions{W: f.IO.RawErr, SummaryFile: ciCtx.StepSummary, OutputFile: ciCtx.Output, Redactor: f.Redactor}
	}
	if pr == nil || !slices.ContainsFunc(spaces, func(s config.Space) bool { return s.Comment.Enabled }) {
		return pub
	}
	target := describe(noun, pr.Number)
	cpr := ciCtx.PullRequest
	switch {
	case o.DryRun:
		pub.Commenter = notify.Terminal{W: f.IO.ErrOut, Target: target, Why: "dry run"}
	case cpr == nil:
		pub.Commenter = notify.Terminal{W: f.IO.ErrOut, Target: target, Why: "comments are posted from GitHub Actions and GitLab CI"}
	case cpr.Fork:
		pub.Warn(fmt.Sprintf("%s comes from a fork: its token cannot comment, so the report is in the step summary only", target))
	case ciCtx.Provider == ci.GitHub:
		token := firstEnv(f.Getenv, githubTokenEnv)
		if token == "" {
			pub.Warn("no GitHub token to comment with: pass the workflow's token as GITHUB_TOKEN (permissions: pull-requests: write)")
			break
		}
		g, err := notify.NewGitHub(notify.GitHubOptions{APIURL: ciCtx.APIURL, GraphQLURL: f.Getenv("GITHUB_GRAPHQL_URL"), Token: token,
			Repository: ciCtx.Repository, Number: cpr.Number, HTTPClient: f.HTTPClient()})
		if err != nil {
			pub.Warn(err.Error())
			break
		}
		pub.Commenter = g
	case ciCtx.Provider == ci.GitLab:
		token, job := firstEnv(f.Getenv, gitlabTokenEnv), false
		if token == "" {
			token, job = f.Getenv(jobTokenEnv), true
		}
		if token == "" {
			pub.Warn("no GitLab token to comment with: set GITBOOK_SYNC_GITLAB_TOKEN to a project or personal access token with the api scope")
			break
		}
		g, err := notify.NewGitLab(notify.GitLabOptions{APIURL: ciCtx.APIURL, Token: token, JobToken: job,
			Project: cmp.Or(ciCtx.ProjectID, ciCtx.Repository), Number: cpr.Number, WebURL: cpr.URL})
		if err != nil {
			pub.Warn(err.Error())
			break
		}
		pub.Commenter = g
	}
	return pub
}

// publish posts the comment and, in GitHub Actions, writes the step
// summary, outputs and annotations.
func (o *SyncOptions) publish(pub *notify.Publisher, r *report.Renderer, results []gbsync.Result) error {
	rep := notify.Report{Marker: r.MarkerLine(), Annotations: report.Problems(results)}
	var err error
	if pub.Commenter != nil {
		if rep.Comment, err = r.Markdown(results, report.GitHubCommentLimit); err != nil {
			return err
		}
	}
	if pub.Actions != nil {
		if rep.Summary, err = r.Markdown(results, report.StepSummaryLimit/4); err != nil {
			return err
		}
		doc := report.NewDocument(results, o.DryRun, o.f.Redactor)
		rep.Outputs = func(c notify.Posted) []notify.Output { return actionOutputs(doc, c, o.f) }
	}
	_, err = pub.Publish(o.ctx, rep)
	return err
}

func isNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }
