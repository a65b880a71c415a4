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
