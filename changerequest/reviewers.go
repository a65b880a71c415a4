package changerequest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
)

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

// requestReviewers asks the reviewers not asked yet. When the outcome is
// unknown, the list read again says who still is to be asked, once more.
func requestReviewers(ctx context.Context, opts Options, crID string, ids []string, res *Result) error {
	if len(ids) == 0 {
		return nil
	}
	for try := 1; ; try++ {
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
		_, err = opts.Client.RequestReviewers(ctx, opts.Space, crID, missing)
		res.Writes++
		if err == nil {
			return nil
		}
		if !errors.Is(err, gitbook.ErrOutcomeUnknown) || try == 2 {
			return fmt.Errorf("request reviewers: %w", err)
		}
	}
}

// review submits a review of cr. When the outcome is unknown, the reviews
// say whether it arrived: one with this status on the change request's
// current content is taken as it, else it is sent once more.
func review(ctx context.Context, opts Options, cr *gitbook.ChangeRequest, status string, res *Result) error {
	for try := 1; ; try++ {
		_, err := opts.Client.SubmitReview(ctx, opts.Space, cr.ID, status)
		res.Writes++
		if err == nil {
			return nil
		}
		err = fmt.Errorf("review change request #%d: %w", cr.Number, err)
		if !errors.Is(err, gitbook.ErrOutcomeUnknown) || try == 2 {
			return err
		}
		reviews, lerr := opts.Client.Reviews(ctx, opts.Space, cr.ID)
		if lerr != nil {
			return errors.Join(err, fmt.Errorf("list its reviews: %w", lerr))
		}
		if slices.ContainsFunc(reviews, func(r gitbook.Review) bool { return r.Status == status && !r.Outdated }) {
			return nil
		}
	}
}
