package sync

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
)

// inspection is what inspect learned beyond the Result fields.
type inspection struct {
	rev       *gitbook.Revision
	reason    string
	byGitBook bool
	// baseKnown: the commit both sides share is known, so the repository's
	// own changes (res.Diff) can be told from GitBook's.
	baseKnown bool
	// unrecorded: GitBook's content equals HEAD but names no commit (a
	// merged change request).
	unrecorded bool
}

func inspect(ctx context.Context, opts Options, spaceID string, head *object.Commit, dir string, res *Result) (*inspection, error) {
	insp := &inspection{}
	info, err := opts.GitBook.GitInfo(ctx, spaceID)
	switch {
	case errors.Is(err, gitbook.ErrNoGitProvider):
		res.Connected = false
	case err != nil:
		return nil, err
	default:
		res.Connected, res.Provider = true, info.InstallationProvider
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
		}
	}
	rev, err := opts.GitBook.CurrentRevision(ctx, spaceID)
	if err != nil {
		return nil, err
	}
	insp.rev = rev
	res.Revision, res.RevisionURL = rev.ID, rev.URLs.App

	if rev.Git == nil {
		if len(rev.Pages) == 0 {
			res.State = NeverSynced
			insp.reason = "the space is empty and has never been synced"
			res.Diff, err = opts.Repo.DiffCommits(nil, head, dir, opts.KeepText)
			res.DiffSource = "git"
			return insp, err
		}
		res.Diff, err = diffWithSpace(ctx, opts, spaceID, head, dir, rev)
		res.DiffSource = "api"
		if err == nil && len(res.Diff.Pages) == 0 {
			res.State, insp.unrecorded = InSync, true
			insp.reason = "GitBook's content equals HEAD but the space records no commit (a merged change request)"
			return insp, nil
		}
		res.State = Diverged
		insp.reason = "the space was edited in GitBook since its last sync (its current revision has no Git commit)"
		return insp, err
	}
	res.SyncedCommit = rev.Git.OID
	insp.byGitBook = rev.Git.CreatedByGitBook
	synced := opts.Repo.Commit(rev.Git.OID)
	if synced == nil && opts.Repo.Shallow() {
		if err := opts.Repo.Deepen(); err != nil {
			res.addReason("this is a shallow clone and its history could not be fetched (" + opts.Redactor.String(err.Error()) + "); compared page content through the API instead")
		}
		synced = opts.Repo.Commit(rev.Git.OID)
	}
	if synced == nil {
		if rev.Git.CreatedByGitBook {
			res.State = SpaceAhead
			insp.reason = fmt.Sprintf("GitBook exported commit %s, which this checkout does not contain", shortHash(rev.Git.OID))
			return insp, nil
		}
		// The space came from a commit we cannot see (shallow history, or a
		// rewritten branch): compare what GitBook shows with HEAD.
		res.Diff, err = diffWithSpace(ctx, opts, spaceID, head, dir, rev)
		res.DiffSource = "api"
		if err != nil {
			return nil, err
		}
		if len(res.Diff.Pages) == 0 {
			res.State = InSync
		} else {
			res.State = RepoAhead
		}
		insp.reason = fmt.Sprintf("the space's commit %s is not in this checkout; compared page content through the API", shortHash(rev.Git.OID))
		return insp, nil
	}
	switch {
	case synced.Hash == head.Hash:
		res.State = InSync
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

func displayDir(dir string) string {
	if dir == "" {
		return "the repository root"
	}
	return dir + "/"
}

// diffWithSpace compares GitBook's pages (Markdown through the API) with
// the project at head, for when the common history is unknown.
func diffWithSpace(ctx context.Context, opts Options, spaceID string, head *object.Commit, dir string, rev *gitbook.Revision) (*content.Diff, error) {
	proj, files, err := opts.Repo.Project(head, dir)
	if err != nil {
		return nil, err
	}
	remote := map[string]gitbook.Page{}
	var untracked []gitbook.Page
	gitbook.Walk(rev.Pages, func(p *gitbook.Page, _ *gitbook.Page, _ int) {
		if p.Type != gitbook.PageDocument {
			return
		}
		if p.Git != nil && p.Git.Path != "" {
			remote[p.Git.Path] = *p
		} else {
			untracked = append(untracked, *p)
		}
	})
	body := func(p gitbook.Page) (string, error) {
		if p.Markdown != "" {
			return p.Markdown, nil
		}
		full, err := opts.GitBook.PageMarkdown(ctx, spaceID, p.ID)
		if err != nil {
			return "", err
		}
		return full.Markdown, nil
	}
	d := &content.Diff{}
	seen := map[string]bool{}
	var werr error
	content.Walk(proj.Pages, func(pg, _ *content.Page) {
		if werr != nil || pg.Kind != content.KindDocument {
			return
		}
		seen[pg.Path] = true
		data, err := files.Read(proj.ContentPath(pg.Path))
		if err != nil {
			werr = err
			return
		}
		_, local, err := content.SplitFrontMatter(data, pg.Path)
		if err != nil {
			werr = err
			return
		}
		rp, ok := remote[pg.Path]
		if !ok {
			a, r := content.CountLines("", string(local))
			d.Pages = append(d.Pages, content.PageChange{Op: content.Added, Title: pg.Title, Path: pg.Path, Added: a, Removed: r, Note: "not in the space"})
			return
		}
		text, err := body(rp)
		if err != nil {
			werr = err
			return
		}
		if text != string(local) || rp.Title != pg.Title {
			a, r := content.CountLines(text, string(local))
			pc := content.PageChange{Op: content.Modified, Title: pg.Title, Path: pg.Path, Added: a, Removed: r, Note: "differs from the space"}
			if opts.KeepText {
				pc.Old, pc.New = text, string(local)
			}
			d.Pages = append(d.Pages, pc)
		}
	})
	if werr != nil {
		return nil, werr
	}
	var gone []string
	for p := range remote {
		if !seen[p] {
			gone = append(gone, p)
		}
	}
	sort.Strings(gone)
	for _, p := range gone {
		d.Pages = append(d.Pages, content.PageChange{Op: content.Deleted, Title: remote[p].Title, Path: p, Note: "only in the space"})
	}
	for _, p := range untracked {
		d.Pages = append(d.Pages, content.PageChange{Op: content.Deleted, Title: p.Title, Note: "created in GitBook, not in the repository"})
	}
	return d, nil
}
