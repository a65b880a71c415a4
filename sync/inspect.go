package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/ci"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
)

// inspection is what inspect learned beyond the Result fields.
type inspection struct {
	rev    *gitbook.Revision
	reason string
	// gitSync: GitBook's own Git Sync is installed (git/info answers with
	// a provider), so GitBook imports pushes and exports its edits itself.
	gitSync bool
	// baseKnown: the commit both sides share is known, so the repository's
	// own changes (res.Diff) can be told from GitBook's.
	baseKnown bool
	// unrecorded: GitBook's content equals HEAD but names no commit (a
	// merged change request).
	unrecorded bool
	// live: the space's commit is HEAD or comes after it, so what HEAD
	// holds is live.
	live bool
}

// inspect compares the space with head: it reads, never writes, except
// that it waits for an operation GitBook is running (in real runs) and
// fetches what a shallow checkout lacks.
func inspect(ctx context.Context, opts Options, spaceID string, t *target, dir string, res *Result) (*inspection, error) {
	head := t.head
	insp := &inspection{}
	info, err := opts.GitBook.GitInfo(ctx, spaceID)
	switch {
	case errors.Is(err, gitbook.ErrNoGitProvider):
		res.Connected = false
	case err != nil:
		return nil, err
	default:
		res.Connected, res.Provider = true, info.InstallationProvider
		insp.gitSync = info.InstallationProvider != ""
		if info.Operation != nil && info.Operation.State == gitbook.OperationRunning {
			if opts.DryRun {
				res.State = OperationRunning
				insp.reason = fmt.Sprintf("a GitBook %s started at %s is still running", info.Operation.Direction, info.Operation.StartedAt.Format(time.RFC3339))
				return insp, nil
			}
			if _, err := follow(ctx, opts, spaceID, time.Time{}, info.Operation.Direction); err != nil {
				res.State = OperationRunning
				insp.reason = err.Error()
				return insp, nil
			}
			res.addReason(fmt.Sprintf("waited for GitBook's %s started at %s to finish", info.Operation.Direction, info.Operation.StartedAt.Format(time.RFC3339)))
		}
	}
	rev, err := opts.GitBook.CurrentRevision(ctx, spaceID)
	if err != nil {
		return nil, err
	}
	insp.rev = rev
	res.Revision, res.RevisionURL = rev.ID, rev.URLs.App

	if rev.Git == nil {
		return insp, inspectUnrecorded(ctx, opts, spaceID, t, dir, rev, insp, res)
	}
	res.SyncedCommit = rev.Git.OID
	synced := opts.Repo.Commit(rev.Git.OID)
	if synced == nil {
		// Shallow history, or a commit GitBook exported after this
		// checkout was made: ask origin for it.
		var err error
		if synced, err = opts.Repo.Want(ctx, rev.Git.OID, branchRefspecs(t.branch)...); err != nil && opts.Repo.Shallow() {
			res.addReason(unfetched(opts, err) + "; compared page content through the API instead")
		}
	}
	if synced == nil {
		return insp, inspectByContent(ctx, opts, spaceID, head, dir, rev, insp, res)
	}
	if opts.Repo.Shallow() && synced.Hash != head.Hash && !opts.Repo.IsAncestor(synced, head) && !opts.Repo.IsAncestor(head, synced) {
		// Cut history hides how the two commits relate: get it whole.
		if err := opts.Repo.Deepen(ctx); err != nil {
			res.addReason(unfetched(opts, err))
		}
	}
	byGitBook := rev.Git.CreatedByGitBook
	switch {
	case synced.Hash == head.Hash:
		res.State, insp.live = InSync, true
	case opts.Repo.IsAncestor(synced, head):
		if opts.Repo.SameProject(synced, head, dir) {
			res.State = InSync
			insp.reason = fmt.Sprintf("commits since %s change nothing under %s", shortHash(rev.Git.OID), displayDir(dir))
			return insp, nil
		}
		res.State = RepoAhead
		res.Diff, err = opts.Repo.DiffCommits(synced, head, dir, opts.KeepText)
		res.DiffSource = "git"
	case opts.Repo.IsAncestor(head, synced):
		insp.live = true
		if byGitBook && opts.Repo.SameProject(head, synced, dir) {
			// GitBook's export of a merged change request whose content
			// HEAD already has: nothing is ahead.
			res.State = InSync
			insp.reason = fmt.Sprintf("GitBook exported commit %s (%s), whose content under %s is HEAD's", shortHash(rev.Git.OID), firstLine(rev.Git.Message), displayDir(dir))
			return insp, nil
		}
		res.State = SpaceAhead
		insp.reason = fmt.Sprintf("the space is at commit %s, ahead of this checkout", shortHash(rev.Git.OID))
		res.Diff, err = opts.Repo.DiffCommits(head, synced, dir, opts.KeepText)
		res.DiffSource = "git"
	default:
		res.State = Diverged
		insp.reason = fmt.Sprintf("the space's commit %s and HEAD have both moved on", shortHash(rev.Git.OID))
		res.DiffSource = "git"
		base := opts.Repo.MergeBase(head, synced)
		if base == nil {
			res.Diff, err = opts.Repo.DiffCommits(synced, head, dir, opts.KeepText)
			return insp, err
		}
		// Each side's own changes since the commit they share.
		if res.Diff, err = opts.Repo.DiffCommits(base, head, dir, true); err != nil {
			return nil, err
		}
		insp.baseKnown = true
		res.SpaceDiff, err = opts.Repo.DiffCommits(base, synced, dir, opts.KeepText)
	}
	return insp, err
}

// inspectUnrecorded handles a space whose content names no commit: empty
// (never synced), or edited in GitBook, or a merged change request.
func inspectUnrecorded(ctx context.Context, opts Options, spaceID string, t *target, dir string, rev *gitbook.Revision, insp *inspection, res *Result) error {
	var err error
	if len(rev.Pages) == 0 {
		res.State = NeverSynced
		insp.reason = "the space is empty and has never been synced"
		res.Diff, err = opts.Repo.DiffCommits(nil, t.head, dir, opts.KeepText)
		res.DiffSource = "git"
		return err
	}
	res.Diff, err = diffWithSpace(ctx, opts, spaceID, t.head, dir, rev)
	res.DiffSource = "api"
	if err != nil {
		return err
	}
	if len(res.Diff.Pages) == 0 {
		res.State, insp.unrecorded = InSync, true
		insp.reason = "GitBook's content equals HEAD but the space records no commit (a merged change request)"
		return nil
	}
	if n, ok := mergedIntoHead(ctx, opts, t, rev); ok {
		// GitBook's content is a pull request's change request, merged in
		// GitBook; the pull request is merged into HEAD too, so HEAD holds
		// that content and more.
		res.State = RepoAhead
		insp.reason = fmt.Sprintf("GitBook's content is change request #%d, merged in GitBook; its %s is merged into HEAD, which has more", rev.MergedFrom.Number, n)
		return nil
	}
	res.State = Diverged
	insp.reason = "the space was edited in GitBook since its last sync (its current revision has no Git commit)"
	return nil
}

// inspectByContent compares GitBook's pages with HEAD through the API, for
// a space whose commit this checkout cannot have.
func inspectByContent(ctx context.Context, opts Options, spaceID string, head *object.Commit, dir string, rev *gitbook.Revision, insp *inspection, res *Result) error {
	var err error
	res.Diff, err = diffWithSpace(ctx, opts, spaceID, head, dir, rev)
	res.DiffSource = "api"
	if err != nil {
		return err
	}
	switch {
	case len(res.Diff.Pages) == 0:
		res.State = InSync
		if rev.Git.CreatedByGitBook {
			insp.reason = fmt.Sprintf("GitBook exported commit %s, which this checkout lacks; its pages equal HEAD's", shortHash(rev.Git.OID))
			return nil
		}
	case rev.Git.CreatedByGitBook:
		res.State = SpaceAhead
		insp.reason = fmt.Sprintf("GitBook exported commit %s, which this checkout does not contain", shortHash(rev.Git.OID))
		return nil
	default:
		res.State = RepoAhead
	}
	insp.reason = fmt.Sprintf("the space's commit %s is not in this checkout; compared page content through the API", shortHash(rev.Git.OID))
	return nil
}

// mergedIntoHead reports whether the revision is a change request merged
// in GitBook whose pull (merge) request is merged into HEAD, and names it.
func mergedIntoHead(ctx context.Context, opts Options, t *target, rev *gitbook.Revision) (string, bool) {
	if rev.MergedFrom == nil {
		return "", false
	}
	for _, l := range rev.MergedFrom.Links {
		if n := ci.NumberFromURL(l.Ref.URL); n > 0 && headMerged(ctx, opts, t, l.Ref.URL, n) {
			return requestName(l.Ref.URL, n), true
		}
	}
	return "", false
}

func displayDir(dir string) string {
	if dir == "" {
		return "the repository root"
	}
	return dir + "/"
}

// branchRefspecs fetches a branch into origin's remote-tracking ref.
func branchRefspecs(branch string) []string {
	if branch == "" {
		return nil
	}
	return []string{"+refs/heads/" + branch + ":refs/remotes/origin/" + branch}
}
