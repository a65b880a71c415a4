package changerequest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
)

// Options describe one change request: where, for what, reviewed by whom.
type Options struct {
	Client       *gitbook.Client
	Space        string
	Organization string
	// Link identifies the change request on later runs: the pull request's
	// URL, or a URL naming the branch for pushes without one.
	Link      string
	LinkTitle string
	Subject   string
	Reviewers []string // user IDs or e-mails
	Review    string   // "", "approve" or "request-changes"
	DryRun    bool
}

// Result is what happened to the change request.
type Result struct {
	Number   int                  `json:"number,omitempty"`
	ID       string               `json:"id,omitempty"`
	URL      string               `json:"url,omitempty"`
	Created  bool                 `json:"created,omitempty"`
	Pages    []content.PageChange `json:"pages,omitempty"`
	Writes   int                  `json:"writes"`
	Batches  int                  `json:"batches"`
	Merged   bool                 `json:"merged,omitempty"`
	Archived bool                 `json:"archived,omitempty"`
	Warnings []string             `json:"warnings,omitempty"`
}

// ErrConflicts is returned when GitBook refuses a merge because the live
// content changed the same pages since the change request began.
var ErrConflicts = errors.New("the change request conflicts with live content")

// Find returns the open change request linked to opts.Link, or nil.
func Find(ctx context.Context, opts Options) (*gitbook.ChangeRequest, error) {
	for _, status := range []string{gitbook.CROpen, gitbook.CRDraft} {
		crs, err := opts.Client.ChangeRequests(ctx, opts.Space, status)
		if err != nil {
			return nil, fmt.Errorf("list change requests of space %s: %w", opts.Space, err)
		}
		// Oldest first: if duplicates ever exist, the first one is kept.
		for i := len(crs) - 1; i >= 0; i-- {
			for _, l := range crs[i].Links {
				if l.Ref.URL == opts.Link {
					cr := crs[i]
					return &cr, nil
				}
			}
		}
	}
	return nil, nil
}

// ResolveReviewers turns e-mails and IDs into member IDs, failing on any
// that is not a member, before anything is written.
func ResolveReviewers(ctx context.Context, c *gitbook.Client, org string, reviewers []string) ([]string, error) {
	if len(reviewers) == 0 {
		return nil, nil
	}
	if org == "" {
		return nil, errors.New("reviewers need the organization: set organization in the configuration")
	}
	var ids []string
	var all []gitbook.Member
	for _, r := range reviewers {
		if strings.Contains(r, "@") {
			found, err := c.Members(ctx, org, r)
			if err != nil {
				return nil, fmt.Errorf("look up reviewer %s: %w", r, err)
			}
			id := ""
			for _, m := range found {
				if strings.EqualFold(m.User.Email, r) {
					id = m.ID
				}
			}
			if id == "" {
				return nil, fmt.Errorf("reviewer %s is not a member of organization %s", r, org)
			}
			ids = append(ids, id)
			continue
		}
		if all == nil {
			var err error
			if all, err = c.Members(ctx, org, ""); err != nil {
				return nil, fmt.Errorf("list members of organization %s: %w", org, err)
			}
		}
		ok := false
		for _, m := range all {
			ok = ok || m.ID == r
		}
		if !ok {
			return nil, fmt.Errorf("reviewer %s is not a member of organization %s (give a user ID or an e-mail)", r, org)
		}
		ids = append(ids, r)
	}
	return ids, nil
}

func subject(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\n", " "))
	if r := []rune(s); len(r) > 100 {
		s = string(r[:99]) + "…"
	}
	return s
}

// Update brings the change request for opts.Link up to date with desired
// for the pages in scope: it creates the change request when there is
// something to send, sends only what is missing, and checks the result.
// A run killed half-way is completed by the next one.
func Update(ctx context.Context, opts Options, desired []*Page, scope Scope) (*Result, error) {
	res := &Result{}
	reviewers, err := ResolveReviewers(ctx, opts.Client, opts.Organization, opts.Reviewers)
	if err != nil {
		return nil, err
	}
	cr, err := Find(ctx, opts)
	if err != nil {
		return nil, err
	}
	// One read gives the pages and the files (to upload images once).
	var rev *gitbook.Revision
	if cr != nil {
		res.Number, res.ID, res.URL = cr.Number, cr.ID, cr.URLs.App
		if rev, err = opts.Client.ChangeRequestRevision(ctx, opts.Space, cr.ID); err != nil {
			return nil, fmt.Errorf("read change request #%d: %w", cr.Number, err)
		}
	} else if rev, err = opts.Client.CurrentRevision(ctx, opts.Space); err != nil {
		return nil, fmt.Errorf("read space %s: %w", opts.Space, err)
	}
	steps := Plan(desired, rev.Pages, rev.Files, scope)
	res.Pages = Summaries(steps)
	if opts.DryRun {
		if cr == nil && len(steps) > 0 {
			res.Created = true
		}
		return res, nil
	}
	if len(steps) == 0 && cr == nil {
		return res, nil // nothing to propose
	}
	if cr == nil {
		if cr, err = opts.Client.CreateChangeRequest(ctx, opts.Space, subject(opts.Subject)); err != nil {
			return nil, fmt.Errorf("create change request in space %s: %w", opts.Space, err)
		}
		res.Writes++
		res.Created, res.Number, res.ID, res.URL = true, cr.Number, cr.ID, cr.URLs.App
		// The link is what finds this change request again; set it at once
		// so that a run stopped after this point does not make another.
		cr, err = opts.Client.UpdateChangeRequest(ctx, opts.Space, cr.ID, gitbook.ChangeRequestUpdate{
			Links: []gitbook.ChangeRequestLink{gitbook.NewLink(opts.Link, opts.LinkTitle)}})
		if err != nil {
			return nil, fmt.Errorf("link change request #%d to %s: %w", res.Number, opts.Link, err)
		}
		res.Writes++
	} else if want := subject(opts.Subject); want != "" && cr.Subject != want {
		if _, err := opts.Client.UpdateChangeRequest(ctx, opts.Space, cr.ID, gitbook.ChangeRequestUpdate{Subject: &want}); err != nil {
			return nil, fmt.Errorf("rename change request #%d: %w", cr.Number, err)
		}
		res.Writes++
	}
	if err := apply(ctx, opts, cr.ID, steps, res); err != nil {
		return res, err
	}
	if len(steps) > 0 {
		// Order comes last: it depends on which pages exist by now.
		if rev, err = opts.Client.ChangeRequestRevision(ctx, opts.Space, cr.ID); err != nil {
			return res, err
		}
		moves := Reorder(desired, rev.Pages, scope)
		if len(moves) > 0 {
			if err := apply(ctx, opts, cr.ID, moves, res); err != nil {
				return res, err
			}
			if rev, err = opts.Client.ChangeRequestRevision(ctx, opts.Space, cr.ID); err != nil {
				return res, err
			}
		}
		if err := verify(desired, rev, scope); err != nil {
			return res, err
		}
	}
	if err := requestReviewers(ctx, opts, cr.ID, reviewers, res); err != nil {
		return res, err
	}
	if opts.Review != "" && len(steps) > 0 {
		status := gitbook.ReviewApproved
		if opts.Review == "request-changes" {
			status = gitbook.ReviewChangesRequested
		}
		if _, err := opts.Client.SubmitReview(ctx, opts.Space, cr.ID, status); err != nil {
			return res, fmt.Errorf("review change request #%d: %w", cr.Number, err)
		}
		res.Writes++
	}
	return res, nil
}

// apply sends steps in batches of at most 50; a step whose parent is
// inserted by an earlier step waits for the batch that gives it an ID.
func apply(ctx context.Context, opts Options, crID string, steps []Step, res *Result) error {
	ids := map[string]string{} // ref -> page ID
	pending := steps
	for len(pending) > 0 {
		var batch []gitbook.Change
		var later []Step
		inBatch := map[string]bool{}
		for _, s := range pending {
			if s.Change.Operation == "" {
				continue // summary only: its upload travels in a neighbouring step
			}
			if s.ParentRef != "" && (ids[s.ParentRef] == "" || inBatch[s.ParentRef]) {
				later = append(later, s)
				continue
			}
			if len(batch) == gitbook.MaxChangesPerBatch {
				later = append(later, s)
				continue
			}
			ch := s.Change
			if s.ParentRef != "" {
				ch.Into = gitbook.Into(ids[s.ParentRef])
			}
			if ch.Ref != "" {
				inBatch[ch.Ref] = true
			}
			batch = append(batch, ch)
		}
		if len(batch) == 0 {
			return fmt.Errorf("change request: %d changes wait for parent pages that were never created", len(later))
		}
		out, err := opts.Client.ApplyChanges(ctx, opts.Space, crID, batch)
		if err != nil {
			return fmt.Errorf("update change request #%d (batch %d, %d changes; earlier batches were applied, the next run completes the rest): %w",
				res.Number, res.Batches+1, len(batch), err)
		}
		res.Writes++
		res.Batches++
		for _, c := range out.Changes {
			if c.Ref != "" {
				ids[c.Ref] = c.PageID()
			}
		}
		pending = later
	}
	return nil
}

// verify reads the change request back and fails if it does not match the
// repository for the pages in scope.
// verify fails if the change request (rev, read after the update) does
// not match the repository for the pages in scope.
func verify(desired []*Page, rev *gitbook.Revision, scope Scope) error {
	left := Plan(desired, rev.Pages, rev.Files, scope)
	left = append(left, Reorder(desired, rev.Pages, scope)...)
	if len(left) > 0 {
		var what []string
		for _, s := range left {
			what = append(what, s.Summary.Op+" "+s.Summary.Path)
		}
		return fmt.Errorf("the change request does not match the repository after the update (still to do: %s); GitBook may have normalised the content differently", strings.Join(what, ", "))
	}
	return nil
}

func requestReviewers(ctx context.Context, opts Options, crID string, ids []string, res *Result) error {
	if len(ids) == 0 {
		return nil
	}
	already, err := opts.Client.RequestedReviewers(ctx, opts.Space, crID)
	if err != nil {
		return fmt.Errorf("list reviewers: %w", err)
	}
	asked := map[string]bool{}
	for _, r := range already {
		if r.User != nil {
			asked[r.User.ID] = true
		}
	}
	var missing []string
	for _, id := range ids {
		if !asked[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := opts.Client.RequestReviewers(ctx, opts.Space, crID, missing); err != nil {
		return fmt.Errorf("request reviewers: %w", err)
	}
	res.Writes++
	return nil
}

// linked finds the change request for opts.Link and starts its result;
// nil when there is none (nothing to merge or archive).
func linked(ctx context.Context, opts Options) (*gitbook.ChangeRequest, *Result, error) {
	cr, err := Find(ctx, opts)
	if err != nil || cr == nil {
		return nil, &Result{}, err
	}
	return cr, &Result{Number: cr.Number, ID: cr.ID, URL: cr.URLs.App}, nil
}

// Merge merges the change request linked to opts.Link, if there is one.
// Conflicts leave it open and return ErrConflicts.
func Merge(ctx context.Context, opts Options) (*Result, error) {
	cr, res, err := linked(ctx, opts)
	if cr == nil || opts.DryRun {
		return res, err
	}
	m, err := opts.Client.MergeChangeRequest(ctx, opts.Space, cr.ID)
	res.Writes++
	if err != nil {
		return res, fmt.Errorf("merge change request #%d: %w", cr.Number, err)
	}
	if m.Result == "conflicts" {
		return res, fmt.Errorf("merge change request #%d: %w; resolve them in GitBook (%s), then run again", cr.Number, ErrConflicts, cr.URLs.App)
	}
	res.Merged = true
	return res, nil
}

// Archive archives the change request linked to opts.Link, if any.
func Archive(ctx context.Context, opts Options) (*Result, error) {
	cr, res, err := linked(ctx, opts)
	if cr == nil || opts.DryRun {
		return res, err
	}
	if _, err := opts.Client.UpdateChangeRequest(ctx, opts.Space, cr.ID, gitbook.ChangeRequestUpdate{Status: gitbook.CRArchived}); err != nil {
		return res, fmt.Errorf("archive change request #%d: %w", cr.Number, err)
	}
	res.Writes++
	res.Archived = true
	return res, nil
}
