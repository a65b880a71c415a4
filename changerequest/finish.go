package changerequest

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
)

// kept finds the change requests for opts.Link and starts the result with
// the one kept (the lowest numbered); nil when there is none.
func kept(ctx context.Context, opts Options) (*found, *Result, error) {
	f, err := scan(ctx, opts)
	if err != nil || len(f.ours) == 0 {
		return nil, &Result{}, err
	}
	res := &Result{}
	res.keep(&f.ours[0])
	return f, res, nil
}

// Merge merges the change request kept for opts.Link, if there is one, and
// archives its twins. An outdated change request is brought up to date
// with the live content first, as GitBook advises. GitBook's "conflicts"
// still merged: the result says so, with the change request's address,
// for a person to resolve them.
//
// Another run may finish the same change request at the same time: the
// closed run of the pull request run twice, or the run of the push its
// merge made, which archives it once the merge commit is imported. GitBook
// then refuses this run's rebase or merge, and the change request, read
// again, tells what happened. Merged: this run's work is done. Archived:
// done too, for whoever archived it, the pull request is merged, and its
// content goes live with the merge commit, which the run of a merged pull
// request imports next (as when no change request was open at all).
func Merge(ctx context.Context, opts Options) (*Result, error) {
	f, res, err := kept(ctx, opts)
	if f == nil || opts.DryRun {
		return res, err
	}
	cr := &f.ours[0]
	if err := mergeKept(ctx, opts, cr, res); err != nil {
		return res, err
	}
	for _, other := range f.ours[1:] {
		note := fmt.Sprintf("Archived by gitbook-sync: change request #%d, made for %s (%s) at the same time as this one, was merged.", cr.Number, cmp.Or(opts.LinkTitle, "the same pull request"), opts.Link)
		if _, err := archive(ctx, opts, &other, note, res); err != nil {
			return res, err
		}
		res.Superseded = append(res.Superseded, other.Number)
	}
	return res, nil
}

// mergeKept brings cr up to date and merges it. When GitBook refuses, or
// its answer is unknown, cr is read again: merged or archived meanwhile,
// it is done; still open after an unknown outcome, the merge was not
// carried out, so it is tried again from what cr holds now (GitBook
// refuses to merge a change request twice), at most maxRounds times.
func mergeKept(ctx context.Context, opts Options, cr *gitbook.ChangeRequest, res *Result) error {
	for round := 1; ; round++ {
		m, err := rebaseAndMerge(ctx, opts, cr, res)
		if err == nil {
			res.Merged = true
			if m.Result == gitbook.MergeConflicts {
				res.Conflicts = true
				res.Warnings = append(res.Warnings, fmt.Sprintf("change request #%d was merged with conflicts: resolve them in GitBook (%s)", cr.Number, cr.URLs.App))
			}
			return nil
		}
		now, gerr := opts.Client.ChangeRequest(ctx, opts.Space, cr.ID)
		if gerr != nil {
			return errors.Join(err, fmt.Errorf("read change request #%d again: %w", cr.Number, gerr))
		}
		unknown := errors.Is(err, gitbook.ErrOutcomeUnknown)
		switch now.Status {
		case gitbook.CRMerged:
			res.Merged = true
			if unknown {
				// This run's merge, or another's: the conflicts it had are not known.
				res.Warnings = append(res.Warnings, fmt.Sprintf("GitBook did not tell how the merge of change request #%d went (its answer was lost, or an error came back); it is merged: check it for conflicts (%s)", cr.Number, cr.URLs.App))
			} else {
				res.Already = gitbook.CRMerged
			}
			return nil
		case gitbook.CRArchived:
			res.Archived, res.Already = true, gitbook.CRArchived
			return nil
		}
		if !unknown || round == maxRounds {
			return err
		}
		*cr = *now
	}
}

// rebaseAndMerge brings cr up to date with the live content if it is
// outdated, then merges it.
func rebaseAndMerge(ctx context.Context, opts Options, cr *gitbook.ChangeRequest, res *Result) (*gitbook.MergeResult, error) {
	if err := rebase(ctx, opts, cr, res); err != nil {
		return nil, err
	}
	m, err := opts.Client.MergeChangeRequest(ctx, opts.Space, cr.ID)
	res.Writes++
	if err != nil {
		return nil, fmt.Errorf("merge change request #%d: %w", cr.Number, err)
	}
	return m, nil
}

// Archive archives every change request kept for opts.Link, with
// opts.Reason (or a default) as a note in its description. One merged by
// another writer meanwhile (the closed run of its pull request) stays
// merged: the result says so.
func Archive(ctx context.Context, opts Options) (*Result, error) {
	f, res, err := kept(ctx, opts)
	if f == nil || opts.DryRun {
		return res, err
	}
	note := "Archived by gitbook-sync: " + cmp.Or(opts.Reason, fmt.Sprintf("%s (%s) was closed.", cmp.Or(opts.LinkTitle, "its pull request"), opts.Link))
	for i := range f.ours {
		status, err := archive(ctx, opts, &f.ours[i], note, res)
		if err != nil {
			return res, err
		}
		if i > 0 {
			res.Superseded = append(res.Superseded, f.ours[i].Number)
			continue
		}
		switch status {
		case gitbook.CRMerged:
			res.Merged, res.Already = true, gitbook.CRMerged
		default:
			res.Archived = true
		}
	}
	return res, nil
}

// archive archives a change request with a note saying why. It returns
// the status the change request ended in: archived, or merged or archived
// by another writer first (then GitBook refuses the archive; the change
// request, read again, says so).
func archive(ctx context.Context, opts Options, cr *gitbook.ChangeRequest, note string, res *Result) (string, error) {
	full, err := opts.Client.ChangeRequest(ctx, opts.Space, cr.ID)
	if err != nil {
		return "", fmt.Errorf("read change request #%d: %w", cr.Number, err)
	}
	if full.Status != gitbook.CROpen && full.Status != gitbook.CRDraft {
		return full.Status, nil // another run got there first
	}
	_, err = opts.Client.UpdateChangeRequest(ctx, opts.Space, cr.ID, gitbook.ChangeRequestUpdate{
		Status: gitbook.CRArchived, Description: describe(full.Description, readRecord(full), note)})
	res.Writes++
	if err != nil {
		err = fmt.Errorf("archive change request #%d: %w", cr.Number, err)
		if status := finished(ctx, opts, cr); status != "" {
			return status, nil // merged (or archived) by another writer meanwhile
		}
		return "", err
	}
	return gitbook.CRArchived, nil
}

// finished reads the change request again after a refused or unanswered
// write and returns its status if it can no longer be written to (merged,
// archived), else "".
func finished(ctx context.Context, opts Options, cr *gitbook.ChangeRequest) string {
	now, err := opts.Client.ChangeRequest(ctx, opts.Space, cr.ID)
	if err != nil || now.Status == gitbook.CROpen || now.Status == gitbook.CRDraft {
		return ""
	}
	return now.Status
}
