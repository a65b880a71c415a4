// Package notify posts what the report package rendered: the sticky pull
// (merge) request comment on GitHub or GitLab, or a note on the terminal
// for a dry run, and in GitHub Actions the step summary, outputs and
// annotations. It knows nothing of sync results: it is handed text.
package notify

import (
	"context"
	"strings"
)

// Commenter keeps one sticky comment per marker on a pull or merge
// request. marker is the hidden first line that makes a comment ours.
type Commenter interface {
	Post(ctx context.Context, marker, body string) (Posted, error)
}

// Posted is what Post did.
type Posted struct {
	URL     string  `json:"url,omitempty"`
	Outcome Outcome `json:"outcome"`
}

// Outcome of a Post.
type Outcome string

// Outcomes.
const (
	Created   Outcome = "created"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged"
	NotPosted Outcome = "not posted" // dry run, or no host to post to
)

// startsWithMarker reports whether body's first line is marker: a marker
// further down (quoted by a person) does not count.
func startsWithMarker(body, marker string) bool {
	return marker != "" && strings.HasPrefix(strings.TrimLeft(body, "\r\n "), marker)
}

// sticky decides, from the comments found (oldest first), which one to
// keep and which duplicates to delete. Only comments that are ours (our
// author and our marker) are ever returned.
func sticky[C any](comments []C, ours func(C) bool) (keep *C, dups []C) {
	for _, c := range comments {
		if !ours(c) {
			continue
		}
		if keep == nil {
			keep = &c
			continue
		}
		dups = append(dups, c)
	}
	return keep, dups
}

// thread is one host's comments on one pull or merge request, as post
// needs them. Errors carry their context.
type thread[C any] struct {
	list   func() ([]C, error) // oldest first
	create func(body string) (C, error)
	edit   func(c C, body string) error
	// remove deletes a comment; one already gone is no error.
	remove func(c C) error
	body   func(C) string
	ours   func(C) bool
}

// post keeps one comment of ours with body: it edits the oldest of ours
// in place or, when there is none, creates it, and removes the others.
// keep is returned with an error when a duplicate could not be removed.
func (t thread[C]) post(body string) (keep *C, outcome Outcome, err error) {
	all, err := t.list()
	if err != nil {
		return nil, "", err
	}
	keep, dups := sticky(all, t.ours)
	outcome = Unchanged
	if keep == nil {
		// Runs at the same time may each find none and each create one,
		// and a create whose answer was lost may have been carried out:
		// the list, read again, tells. Every run keeps the oldest of ours
		// (with its own body) and removes the rest.
		made, cerr := t.create(body)
		var first *C
		var others []C
		if all, err := t.list(); err == nil {
			first, others = sticky(all, t.ours)
		}
		switch {
		case first != nil:
			keep, dups, outcome = first, others, Created
		case cerr != nil:
			return nil, "", cerr
		default: // a list that lags: the next run removes any duplicate
			keep, outcome = &made, Created
		}
	}
	if t.body(*keep) != body {
		if err := t.edit(*keep, body); err != nil {
			return nil, "", err
		}
		outcome = Updated
	}
	for _, dup := range dups {
		if err := t.remove(dup); err != nil {
			return keep, outcome, err
		}
	}
	return keep, outcome, nil
}
