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
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
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
	fs.StringVar(&o.Space, "space", "", "space ID: selects a configured space (by ID or docs.yaml key), or defines one without a configuration file")
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
				doc.Error, doc.Diagnostics = err.Error(), diag.As(err)
				if werr := doc.Write(f.IO.Out, f.Redactor); werr != nil {
					err = errors.Join(err, werr)
				}
			}
		}()
	}
	if o.Mode != "" && !slices.Contains(config.Modes, o.Mode) {
		return usagef("--mode %q is not valid; choose one of: %s", o.Mode, strings.Join(config.Modes, ", "))
	}
	cfg, err := o.configuration()
	if err != nil {
		return err
	}
	if o.Offline {
		return o.offlinePlan(format, cfg)
	}
	spaces, err := o.spaces(cfg)
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
	if err := o.checkBranches(ciCtx, repo, cfg, spaces); err != nil {
		return err
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
	if f.Getenv(gitbookTokenVar) == "" && ciCtx.PullRequest != nil && ciCtx.PullRequest.Fork {
		// Forks get no secrets: say so, rather than fail their checks.
		msg := ci.RequestName(noun, ciCtx.PullRequest.Number) + " comes from a fork, which gets no " + gitbookTokenVar + ": nothing was compared; the sync runs once it is merged"
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
	if spaces, err = resolveIDs(o.ctx, cfg, spaces, client); err != nil {
		return err
	}
	results := gbsync.Run(o.ctx, gbsync.Options{
		PullRequest: pr,
		Client:      client, Repo: repo, Redactor: f.Redactor, RepoURL: o.repoURL(repo),
		CI: ciCtx, DryRun: o.DryRun, Force: o.Force, Concurrency: o.Concurrency,
		Wait: o.Timeout, Progress: f.IO.ErrOut, KeepText: o.PageDiffs,
	}, spaces)
	results = o.withWarnings(results, cfg.Diagnostics)

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

// configuration finds the spaces: --config, else .gitbook-sync.yaml and
// docs.yaml in the repository (config.Discover). With neither, --space
// defines one space at the repository root, and plan --offline needs
// none (nil). Every problem is the user's
// to fix (exit 2).
func (o *SyncOptions) configuration() (*config.Config, error) {
	g := o.f.Global
	cfg, err := config.Discover(g.Repo, g.Config)
	switch {
	case err == nil:
		return cfg, nil
	case errors.Is(err, config.ErrNoConfig) && o.Space != "":
		return &config.Config{Spaces: []config.Space{{Space: o.Space, Path: ".", Mode: config.ModeAuto, Comment: config.Comment{Enabled: true}}}}, nil
	case errors.Is(err, config.ErrNoConfig) && o.Offline:
		return nil, nil // plan --offline diffs the repository as one project
	case g.Config != "" && isNotExist(err):
		return nil, usagef("configuration file %s does not exist", g.Config)
	}
	return nil, usageError{err}
}

// spaces selects the configured spaces to handle (--space, by ID or by
// docs.yaml key; --shard) and applies the flags that override settings.
func (o *SyncOptions) spaces(cfg *config.Config) ([]config.Space, error) {
	spaces := cfg.Spaces
	if o.Space != "" {
		spaces = slices.DeleteFunc(slices.Clone(spaces), func(s config.Space) bool { return s.Space != o.Space && s.Key != o.Space })
		if len(spaces) == 0 {
			return nil, usagef("space %q is not in %s (--space takes a space ID, or a docs.yaml key)", o.Space, configName(cfg))
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

// checkBranches refuses a source branch that is neither in the checkout
// nor on origin: pushes to it could never sync. When origin cannot be
// asked the run goes on, and says more if it needs the branch.
func (o *SyncOptions) checkBranches(ciCtx *ci.Context, repo *gbsync.Repo, cfg *config.Config, spaces []config.Space) error {
	var errs []error
	seen := map[string]bool{}
	for _, sp := range spaces {
		if sp.Branch == "" || seen[sp.Branch] {
			continue
		}
		seen[sp.Branch] = true
		if ok, err := repo.HasBranch(o.ctx, ciCtx, sp.Branch); ok || err != nil {
			continue
		}
		const want = "name the branch whose pushes sync the space (default: the checked-out branch)"
		if o.changed("branch") {
			return usagef("--branch %s: there is no such branch in this checkout or on origin; %s", sp.Branch, want)
		}
		d := diag.Errorf(cfg.File, sp.Line, sp.Col, "branch %q is neither in this checkout nor on origin; %s", sp.Branch, want)
		d.Field = "spaces.branch"
		errs = append(errs, d)
	}
	return errors.Join(errs...)
}

// configName names where the spaces were configured.
func configName(cfg *config.Config) string {
	if cfg.File == "" && cfg.SiteConfig != nil {
		return cfg.SiteConfig.File
	}
	return cmp.Or(cfg.File, config.FileName)
}

// resolveIDs gives the selected spaces of docs.yaml their IDs, from the
// key → ID map or the site's API (config.ResolveIDs); a space left
// without one is an error at its place in docs.yaml.
func resolveIDs(ctx context.Context, cfg *config.Config, spaces []config.Space, api config.SiteSpaceLister) ([]config.Space, error) {
	sel := *cfg
	sel.Spaces = slices.Clone(spaces)
	if err := sel.ResolveIDs(ctx, api); err != nil {
		return nil, err
	}
	return sel.Spaces, nil
}

// withWarnings shows the configuration's warnings once, with the first
// space's result, so that they reach every report (text, Markdown, JSON,
// annotations); with no result at all they go to stderr.
func (o *SyncOptions) withWarnings(results []gbsync.Result, diags diag.List) []gbsync.Result {
	warnings := diags.Warnings()
	if len(warnings) == 0 {
		return results
	}
	if len(results) == 0 {
		for _, d := range warnings {
			fmt.Fprintf(o.f.IO.ErrOut, "gitbook-sync: warning: %s\n", report.Safe(d.String()))
		}
		return results
	}
	results[0].Diagnostics = append(slices.Clone(warnings), results[0].Diagnostics...)
	return results
}

func parseShard(s string) (int, int, error) {
	var i, n int
	if _, err := fmt.Sscanf(s, "%d/%d", &i, &n); err != nil || n < 1 || i < 1 || i > n {
		return 0, 0, usagef("--shard %q: want i/n with 1 <= i <= n, such as 1/3", s)
	}
	return i, n, nil
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
	target := ci.RequestName(noun, pr.Number)
	cpr := ciCtx.PullRequest
	switch {
	case o.DryRun:
		pub.Commenter = notify.Terminal{W: f.IO.ErrOut, Target: target, Why: "dry run"}
	case cpr == nil || ciCtx.Provider == "":
		pub.Commenter = notify.Terminal{W: f.IO.ErrOut, Target: target, Why: "comments are posted from GitHub Actions and GitLab CI"}
	case cpr.Fork:
		pub.Warn(fmt.Sprintf("%s comes from a fork: its token cannot comment, so the report is in the step summary only", target))
	default:
		c, err := commenter(ciCtx)
		if err != nil {
			pub.Warn(fmt.Sprintf("the report is not posted on %s: %v", target, err))
			break
		}
		pub.Commenter = c
	}
	return pub
}

// commenter keeps the sticky comment on the CI's pull (merge) request,
// with the host's token from the CI context.
func commenter(ciCtx *ci.Context) (notify.Commenter, error) {
	if ciCtx.Provider == ci.GitLab {
		return notify.NewGitLab(ciCtx)
	}
	return notify.NewGitHub(ciCtx)
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
