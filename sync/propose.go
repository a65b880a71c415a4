package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/ci"
	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/internal/gitrepo"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

// changeRequestFor describes the change request of what the run is for:
// the pull request's, keyed by its address, or the branch's, keyed by the
// branch's address.
func changeRequestFor(opts Options, sp config.Space, t *target) changerequest.Options {
	cro := changerequest.Options{Space: sp.Space, Organization: sp.Organization,
		Reviewers: sp.Reviewers, Review: sp.Review, DryRun: opts.DryRun}
	if pr := t.pr; pr != nil {
		cro.Link, cro.Subject = pr.URL, pr.Title
		cro.LinkTitle = strings.ToUpper(t.subject()[:1]) + t.subject()[1:]
		if cro.Subject == "" {
			cro.Subject = fmt.Sprintf("Changes from %s", t.subject())
		}
		return cro
	}
	cro.Link = branchLink(opts, t.branch)
	cro.LinkTitle = "Branch " + t.branch
	cro.Subject = "Changes from " + t.branch + " (" + shortHash(t.head.Hash.String()) + ")"
	return cro
}

// doChangeRequest creates, updates, merges or archives the change request
// of the pull request (or of the branch).
func doChangeRequest(ctx context.Context, opts Options, sp config.Space, dir string, t *target, ev Event, decision Decision, rev *gitbook.Revision, res *Result) error {
	cro := changeRequestFor(opts, sp, t)
	var out *changerequest.Result
	var err error
	switch decision {
	case DoMerge:
		out, err = opts.ChangeRequests.Merge(ctx, cro)
		res.Outcome = Merged
	case DoArchive:
		if ev == EventMerged {
			cro.Reason = fmt.Sprintf("%s (%s) was merged; its content goes live by importing commit %s, the one that merged it, rather than by merging this change request.",
				cro.LinkTitle, cro.Link, shortHash(t.head.Hash.String()))
		}
		out, err = opts.ChangeRequests.Archive(ctx, cro)
		res.Outcome = Archived
	default:
		scope, serr := proposalScope(ctx, opts, sp, dir, t, ev, rev, res)
		if serr != nil {
			return serr
		}
		proj, files, perr := opts.Repo.Project(t.head, dir)
		if perr != nil {
			return perr
		}
		var warnings diag.List
		out, warnings, err = opts.ChangeRequests.Propose(ctx, cro, proj, files, changerequest.ScopeOf(scope))
		res.Diagnostics = append(res.Diagnostics, warnings...)
		res.Outcome = Proposed
		if opts.DryRun {
			res.Outcome = Planned
		}
	}
	res.ChangeRequest = out
	if out != nil && out.URL != "" {
		res.RevisionURL = out.URL
	}
	res.noteChangeRequest(out, t.subject())
	if err != nil {
		return err
	}
	switch {
	case out == nil:
	case out.Number == 0 && decision != DoChangeRequest:
		res.Outcome = Unchanged
		res.addReason("no open change request is linked to it")
	case out.Already != "":
		// Another run (the same event run twice, the push of the merge) or
		// a person finished it first.
		res.Outcome = Unchanged
		res.addReason(fmt.Sprintf("change request #%d was %s meanwhile, by another run or a person", out.Number, out.Already))
	case decision == DoChangeRequest && !opts.DryRun && out.Writes == 0:
		res.Outcome = Unchanged
		if out.Number == 0 {
			res.addReason("nothing to propose")
		} else {
			res.addReason(fmt.Sprintf("change request #%d is up to date", out.Number))
		}
	}
	return nil
}

// proposalScope is what the change request carries: for a pull request or
// a branch, its own changes since it left its target branch; for the
// source branch, what inspect found.
func proposalScope(ctx context.Context, opts Options, sp config.Space, dir string, t *target, ev Event, rev *gitbook.Revision, res *Result) (*content.Diff, error) {
	if ev == EventPush {
		return res.Diff, nil
	}
	branch, hint := t.source(sp), ""
	if pr := t.pr; pr != nil {
		branch, hint = cmp.Or(pr.Target, branch), pr.BaseSHA
	}
	base, why := t.mergeBase(ctx, opts, branch, hint)
	if base == nil {
		// Never a wrong diff: without the base, compare the pages with
		// the space itself, and say so.
		d, err := diffWithSpace(ctx, opts, sp.Space, t.head, dir, rev)
		if err != nil {
			return nil, err
		}
		res.Diff, res.DiffSource = d, "api"
		res.addReason(fmt.Sprintf("where %s left %s is unknown (%s): its pages were compared with the space through the API", t.subject(), cmp.Or(branch, "its target"), why))
		return d, nil
	}
	d, err := opts.Repo.DiffCommits(base, t.head, dir, true)
	if err != nil {
		return nil, err
	}
	res.Diff, res.DiffSource = d, "git"
	res.addReason(why)
	return d, nil
}

// branchLink names a branch for a change request link: the repository's
// web address when it has one.
func branchLink(opts Options, branch string) string {
	if u := opts.CI.BranchURL(branch); u != "" {
		return u
	}
	u := strings.TrimSuffix(redact.StripCredentials(opts.RepoURL), ".git")
	if strings.HasPrefix(u, "http") {
		return u + "/tree/" + branch
	}
	return "gitbook-sync:branch/" + branch
}

// finishMerged makes sure no change request outlives its pull request: on
// the source branch, the change requests of pull (merge) requests that
// HEAD merged are archived when HEAD is live (their content came with
// it), else merged. GitLab has no "merged" pipeline, and GitHub's closing
// run may come before or after the push's: whichever comes, it converges.
func finishMerged(ctx context.Context, opts Options, sp config.Space, t *target, live bool, res *Result) {
	open, err := opts.ChangeRequests.Open(ctx, sp.Space)
	if err != nil {
		res.addReason("open change requests could not be listed: " + opts.Redactor.String(err.Error()))
		return
	}
	var byHost []int
	hostAsked := false
	for _, cr := range open {
		link := cr.Link
		n := ci.NumberFromURL(link)
		if n == 0 || !ours(opts, link) {
			continue
		}
		merged := headMerged(ctx, opts, t, link, n)
		if !merged {
			if !hostAsked {
				// Squash merges leave no ancestry: ask the host.
				byHost, err = opts.CI.MergedPullRequests(ctx, t.head.Hash.String())
				hostAsked = true
				if err != nil && !errors.Is(err, ci.ErrNoToken) {
					res.addReason("the host could not say which requests HEAD merged: " + opts.Redactor.String(err.Error()))
				}
			}
			merged = slices.Contains(byHost, n)
		}
		if !merged {
			continue
		}
		cro := changeRequestFor(opts, sp, t)
		name := requestName(link, n)
		cro.Link, cro.LinkTitle, cro.Reviewers = link, strings.ToUpper(name[:1])+name[1:], nil
		var out *changerequest.Result
		if live {
			cro.Reason = fmt.Sprintf("%s (%s) is merged into %s, and its content went live with commit %s, imported from the repository.",
				cro.LinkTitle, link, t.branch, shortHash(t.head.Hash.String()))
			out, err = opts.ChangeRequests.Archive(ctx, cro)
		} else {
			out, err = opts.ChangeRequests.Merge(ctx, cro)
		}
		res.noteChangeRequest(out, name)
		switch {
		case err != nil:
			res.Outcome, res.Err = Failed, errors.Join(res.Err, fmt.Errorf("change request #%d of %s: %w", cr.Number, name, err))
		case out != nil && out.Already != "":
			res.addReason(fmt.Sprintf("%s is merged into %s: change request #%d was %s meanwhile, by another run or a person", name, t.branch, cr.Number, out.Already))
		case live:
			res.addReason(fmt.Sprintf("%s is merged into %s and its content went live with commit %s: change request #%d archived", name, t.branch, shortHash(t.head.Hash.String()), cr.Number))
		default:
			res.addReason(fmt.Sprintf("%s is merged into %s: change request #%d merged", name, t.branch, cr.Number))
		}
		if out != nil {
			res.Finished = append(res.Finished, out)
		}
	}
}

// headMerged reports whether the head of pull request n (at link) is in
// HEAD's history: fetched from where the host keeps it.
func headMerged(ctx context.Context, opts Options, t *target, link string, n int) bool {
	ref := fmt.Sprintf("refs/pull/%d/head", n)
	if ci.IsMergeRequestURL(link) {
		ref = fmt.Sprintf("refs/merge-requests/%d/head", n)
	}
	local := "refs/remotes/origin/" + strings.TrimPrefix(ref, "refs/")
	// Fetched even when here: the pull request may have moved since.
	_ = opts.Repo.fetch(ctx, gitrepo.FullDepth, "+"+ref+":"+local)
	c := opts.Repo.Commit(local)
	switch {
	case c == nil:
		return false
	case slices.Contains(t.head.ParentHashes, c.Hash):
		return true // merged by HEAD itself: no history needed
	case opts.Repo.Shallow():
		_ = opts.Repo.Deepen(ctx)
	}
	return opts.Repo.IsAncestor(c, t.head)
}

// ours reports whether a link is a pull request of this repository.
func ours(opts Options, link string) bool {
	if opts.CI.WebURL == "" {
		return true
	}
	return strings.HasPrefix(strings.ToLower(link), strings.ToLower(opts.CI.WebURL)+"/")
}

// requestName names request n, whose address is link, as its host does.
func requestName(link string, n int) string {
	if ci.IsMergeRequestURL(link) {
		return ci.RequestName(ci.MergeRequestNoun, n)
	}
	return ci.RequestName(ci.PullRequestNoun, n)
}

// noteChangeRequest puts what happened beside the change request's own
// work where reports show it: conflicts and the other change requests
// archived for the same pull request (what) among the reasons, warnings
// as diagnostics.
func (r *Result) noteChangeRequest(out *changerequest.Result, what string) {
	if out == nil {
		return
	}
	if out.Conflicts {
		r.addReason(fmt.Sprintf("change request #%d has conflicts to resolve in GitBook", out.Number))
	}
	if n := len(out.Superseded); n > 0 {
		list := make([]string, n)
		for i, num := range out.Superseded {
			list[i] = fmt.Sprintf("#%d", num)
		}
		noun, were := "change request", "was"
		if n > 1 {
			noun, were = "change requests", "were"
		}
		if out.Archived {
			r.addReason(fmt.Sprintf("%s %s, also made for %s, %s archived with it", noun, strings.Join(list, ", "), what, were))
		} else {
			r.addReason(fmt.Sprintf("%s %s, also made for %s (by runs at the same time, or left by lost answers), %s archived: #%d carries it",
				noun, strings.Join(list, ", "), what, were, out.Number))
		}
	}
	for _, w := range out.Warnings {
		r.Diagnostics = append(r.Diagnostics, diag.Diagnostic{Severity: diag.Warning, Message: w})
	}
}
