package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/spf13/cobra"

	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/internal/gitrepo"
	"github.com/gitbook-sync/gitbook-sync/report"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

func (a *app) planCommand() *cobra.Command {
	var offline bool
	var base, head string
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what sync would do, writing nothing",
		Long: "plan reads the space and the repository and prints, per space, the state, the decision and the pages that differ.\n" +
			"It sends no write request. With --offline it needs no GitBook at all and diffs two commits (--base, --head).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if offline {
				return a.offlinePlan(cmd, base, head)
			}
			if cmd.Flags().Changed("base") || cmd.Flags().Changed("head") {
				return usagef("--base and --head go with --offline")
			}
			return a.runSync(cmd, true)
		},
	}
	a.spaceFlags(cmd)
	cmd.Flags().BoolVar(&offline, "offline", false, "no API: diff the pages between two commits")
	cmd.Flags().StringVar(&base, "base", "", "with --offline: the older commit, branch or tag")
	cmd.Flags().StringVar(&head, "head", "HEAD", "with --offline: the newer commit, branch or tag")
	return cmd
}

func (a *app) syncCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Compare the repository with each space and act",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runSync(cmd, false)
		},
	}
	a.spaceFlags(cmd)
	return cmd
}

func (a *app) runSync(cmd *cobra.Command, dryRun bool) error {
	spaces, err := a.spaces(cmd)
	if err != nil {
		return err
	}
	repo, err := gbsync.OpenRepo(a.repoDir)
	if err != nil {
		return usageError{err}
	}
	if err := a.ci.AdoptOpenPullRequest(cmd.Context(), gbsync.SourceBranches(a.ci, repo, spaces)); err != nil {
		fmt.Fprintf(a.stderr, "gitbook-sync: warning: %v\n", err)
	}
	pr, err := a.pullRequest()
	if err != nil {
		return err
	}
	if a.getenv("GITBOOK_TOKEN") == "" && a.ci.PullRequest != nil && a.ci.PullRequest.Fork {
		// Forks get no secrets: say so, rather than fail their checks.
		pub := &report.Publisher{CI: a.ci, Getenv: a.getenv, Stdout: a.stdout, Stderr: a.stderr}
		msg := fmt.Sprintf("pull request #%d comes from a fork, which gets no GITBOOK_TOKEN: nothing was compared; the sync runs once it is merged", a.ci.PullRequest.Number)
		if act := pub.Actions(); act != nil {
			act.Warningf("%s", msg)
			if a.ci.StepSummary != "" {
				act.AddStepSummary("### GitBook sync skipped\n\n" + msg + "\n")
			}
		} else {
			fmt.Fprintln(a.stderr, "gitbook-sync: warning:", msg)
		}
		return nil
	}
	client, err := a.client()
	if err != nil {
		return err
	}
	opts := gbsync.Options{
		PullRequest: pr,
		Client:      client, Repo: repo, Redactor: a.redactor, RepoURL: a.resolveRepoURL(repo),
		CI: a.ci, DryRun: dryRun, Force: a.force, Concurrency: a.concurrency,
		Wait: a.timeout, Progress: a.stderr, KeepText: a.pageDiffs,
	}
	results := gbsync.Run(cmd.Context(), opts, spaces)
	if err := a.print(results, dryRun, spaces); err != nil {
		return err
	}
	pub := &report.Publisher{CI: a.ci, Getenv: a.getenv, Stdout: a.stdout, Stderr: a.stderr}
	comment := !dryRun && len(spaces) > 0 && spaces[0].Comment.Enabled
	if _, err := pub.Publish(cmd.Context(), results, a.reportOptions(dryRun, spaces), comment); err != nil {
		return err
	}
	// Errors go to stderr too, where CI logs and people look first.
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(a.stderr, "gitbook-sync: space %s: %s\n", r.Space, r.ErrorText())
			if r.HTTPStatus == http.StatusUnauthorized {
				fmt.Fprintln(a.stderr, "gitbook-sync: GitBook refused the token: check GITBOOK_TOKEN (and --api-url)")
			}
		}
	}
	code := gbsync.ExitCode(results)
	if dryRun && code == exitStopped {
		code = exitOK // a plan that says "stop" did its job
	}
	if code != exitOK {
		return exitError{code}
	}
	return nil
}

// resolveRepoURL picks what GitBook reads and writes: --repo-url, the CI's
// repository, origin, or this checkout as a path.
func (a *app) resolveRepoURL(repo *gbsync.Repo) string {
	if a.repoURL != "" {
		return a.repoURL
	}
	if server, name := a.getenv("GITHUB_SERVER_URL"), a.getenv("GITHUB_REPOSITORY"); server != "" && name != "" {
		return server + "/" + name + ".git"
	}
	if u := a.getenv("CI_PROJECT_URL"); u != "" {
		return u + ".git"
	}
	if u := repo.OriginURL(); u != "" {
		return u
	}
	abs, err := filepath.Abs(a.repoDir)
	if err != nil {
		return a.repoDir
	}
	return "file://" + filepath.ToSlash(abs)
}

func (a *app) print(results []gbsync.Result, dryRun bool, spaces []config.Space) error {
	if a.json {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"dry_run": dryRun, "results": results})
	}
	text, err := report.Render(results, a.reportOptions(dryRun, spaces))
	if err != nil {
		return usageError{err}
	}
	_, err = fmt.Fprint(a.stdout, text)
	return err
}

func (a *app) reportOptions(dryRun bool, spaces []config.Space) report.Options {
	// One marker per configuration: the spaces it names, unless set.
	var ids []string
	for _, s := range spaces {
		if s.Comment.Marker != "" {
			ids = append(ids, s.Comment.Marker)
		} else {
			ids = append(ids, s.Space)
		}
	}
	marker := strings.Join(ids, ",")
	if marker == "" {
		marker = "default"
	}
	return report.Options{DryRun: dryRun, Marker: marker, PageDiffs: a.pageDiffs, TemplateFile: a.template, Redactor: a.redactor}
}

func (a *app) offlinePlan(cmd *cobra.Command, base, head string) error {
	if base == "" {
		return usagef("--offline needs --base (the older commit, branch or tag)")
	}
	repo, err := gbsync.OpenRepo(a.repoDir)
	if err != nil {
		return usageError{err}
	}
	var spaces []config.Space
	if _, statErr := os.Stat(filepath.Join(a.repoDir, config.FileName)); statErr == nil || a.configFile != "" || a.space != "" {
		if spaces, err = a.spaces(cmd); err != nil {
			return err
		}
	} else {
		p := a.path
		if p == "" {
			p = "."
		}
		spaces = []config.Space{{Space: "(local)", Path: p}}
	}
	baseC, err := resolve(repo, base)
	if err != nil {
		return usageError{err}
	}
	headC, err := resolve(repo, head)
	if err != nil {
		return usageError{err}
	}
	var results []gbsync.Result
	for _, sp := range spaces {
		res := gbsync.Result{Space: sp.Space, Path: sp.Path, State: "offline", Decision: gbsync.Nothing, Outcome: gbsync.Planned,
			SyncedCommit: baseC.Hash.String(), Head: headC.Hash.String(), DiffSource: "git",
			Reasons: []string{fmt.Sprintf("pages changed from %s to %s", base, head)}}
		d, err := repo.DiffCommits(baseC, headC, cleanDir(sp.Path), a.pageDiffs)
		if err != nil {
			res.Outcome, res.Err = gbsync.Failed, err
		}
		res.Diff = d
		results = append(results, res)
	}
	if err := a.print(results, true, spaces); err != nil {
		return err
	}
	if gbsync.ExitCode(results) == exitFailed {
		return exitError{exitFailed}
	}
	return nil
}

func cleanDir(p string) string {
	c := filepath.ToSlash(filepath.Clean(p))
	if c == "." {
		return ""
	}
	return c
}

func resolve(repo *gbsync.Repo, rev string) (*object.Commit, error) {
	c, err := gitrepo.ResolveCommit(repo.Git, rev)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rev, err)
	}
	return c, nil
}
