package main

import (
	"cmp"
	"fmt"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/internal/gitrepo"
	"github.com/gitbook-sync/gitbook-sync/report"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// offlinePlan diffs the pages of each space between two commits, with no
// API at all.
func (o *SyncOptions) offlinePlan(format string, cfg *config.Config) error {
	if o.Base == "" {
		return usagef("--offline needs --base (the older commit, branch or tag)")
	}
	g := o.f.Global
	repo, err := gbsync.OpenRepo(g.Repo)
	if err != nil {
		return usageError{err}
	}
	spaces := []config.Space{{Space: "(local)", Path: cmp.Or(o.Path, ".")}}
	if cfg != nil {
		if spaces, err = o.spaces(cfg); err != nil {
			return err
		}
	}
	baseC, err := resolve(repo, o.Base)
	if err != nil {
		return usageError{err}
	}
	headC, err := resolve(repo, o.Head)
	if err != nil {
		return usageError{err}
	}
	renderer, err := report.New(report.Options{DryRun: true, Marker: o.marker(spaces), PageDiffs: o.PageDiffs,
		TemplateFile: o.Template, Redactor: o.f.Redactor})
	if err != nil {
		return usageError{err}
	}
	var results []gbsync.Result
	for _, sp := range spaces {
		res := gbsync.Result{Space: sp.Name(), Path: sp.Path, State: "offline", Decision: gbsync.Nothing, Outcome: gbsync.Planned,
			SyncedCommit: baseC.Hash.String(), Head: headC.Hash.String(), DiffSource: "git",
			Reasons: []string{fmt.Sprintf("pages changed from %s to %s", o.Base, o.Head)}}
		d, err := repo.DiffCommits(baseC, headC, cleanDir(sp.Path), o.PageDiffs)
		if err != nil {
			res.Outcome, res.Err = gbsync.Failed, err
		}
		if d != nil && len(d.Pages) == 0 {
			res.Reasons = []string{fmt.Sprintf("no page changed from %s to %s", o.Base, o.Head)}
		}
		res.Diff = d
		results = append(results, res)
	}
	if cfg != nil {
		results = o.withWarnings(results, cfg.Diagnostics)
	}
	if err := o.print(format, renderer, results); err != nil {
		return err
	}
	if code := resultsExitCode(results, true); code != exitOK {
		return exitError{code}
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
