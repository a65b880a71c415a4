package changerequest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
)

// Key is the mark of a pull request (or branch) link in the subject of its
// change request. The request that creates the change request carries it,
// and the list of change requests shows subjects, so a run finds the
// change request it made even when GitBook's answer to the create was lost
// or the run was killed before linking it.
func Key(link string) string {
	h := sha256.Sum256([]byte(link))
	return "gitbook-sync:" + hex.EncodeToString(h[:4])
}

var keyInSubject = regexp.MustCompile(`\[(gitbook-sync:[0-9a-f]{8})\]`)

func keyOf(subject string) string {
	m := keyInSubject.FindAllStringSubmatch(subject, -1)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1][1]
}

// maxSubject is GitBook's limit on a change request's subject, in characters.
const maxSubject = 100

// plainSubject is a title on one line within limit characters, cut as
// earlier versions cut subjects (so that their leftovers are recognised).
func plainSubject(s string, limit int) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\n", " "))
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit-1]) + "…"
	}
	return s
}

// subjectFor is the subject of the change request for link: the title,
// shortened to leave room for the key, then the key.
func subjectFor(title, link string) string {
	mark := "[" + Key(link) + "]"
	if title = plainSubject(title, maxSubject-len(mark)-1); title == "" {
		return mark
	}
	return title + " " + mark
}

// Tracked is an open change request kept for a pull request or a branch.
type Tracked struct {
	Number int    `json:"number"`
	ID     string `json:"id"`
	URL    string `json:"url,omitempty"`
	// Link is the pull request's (or branch's) URL, when linked: a run
	// killed before linking leaves only the key in the subject.
	Link string `json:"link,omitempty"`
	Key  string `json:"key,omitempty"`
}

// For reports whether the change request is the one kept for link.
func (t Tracked) For(link string) bool {
	return (t.Link != "" && t.Link == link) || (t.Key != "" && t.Key == Key(link))
}

func tracked(cr *gitbook.ChangeRequest) Tracked {
	t := Tracked{Number: cr.Number, ID: cr.ID, URL: cr.URLs.App, Key: keyOf(cr.Subject)}
	for _, l := range cr.Links {
		if t.Link == "" || (t.Key != "" && Key(l.Ref.URL) == t.Key) {
			t.Link = l.Ref.URL
		}
	}
	return t
}

// Open lists the open and draft change requests of a space that belong to
// a pull request or branch (by key or link), lowest number first. The
// engine uses it to finish the change requests of merge requests merged
// without a run of their own (GitLab's push pipeline).
func Open(ctx context.Context, c *gitbook.Client, space string) ([]Tracked, error) {
	crs, err := listOpen(ctx, c, space)
	if err != nil {
		return nil, err
	}
	var out []Tracked
	for i := range crs {
		if t := tracked(&crs[i]); t.Key != "" || t.Link != "" {
			out = append(out, t)
		}
	}
	return out, nil
}

// listOpen lists the change requests a run may still write to, lowest
// number first.
func listOpen(ctx context.Context, c *gitbook.Client, space string) ([]gitbook.ChangeRequest, error) {
	var all []gitbook.ChangeRequest
	for _, status := range []string{gitbook.CROpen, gitbook.CRDraft} {
		crs, err := c.ChangeRequests(ctx, space, status)
		if err != nil {
			return nil, fmt.Errorf("list %s change requests of space %s: %w", status, space, err)
		}
		all = append(all, crs...)
	}
	slices.SortFunc(all, func(a, b gitbook.ChangeRequest) int { return cmp.Compare(a.Number, b.Number) })
	return all, nil
}

// found is what a listing tells about one pull request's change requests.
type found struct {
	ours []gitbook.ChangeRequest // by key or link, lowest number first
	// orphans may have been left by earlier versions, which put no key in
	// the subject, when the answer to a create was lost: see orphaned.
	orphans []gitbook.ChangeRequest
}

func scan(ctx context.Context, opts Options) (*found, error) {
	crs, err := listOpen(ctx, opts.Client, opts.Space)
	if err != nil {
		return nil, err
	}
	f := &found{}
	legacy := plainSubject(opts.Subject, maxSubject)
	for _, cr := range crs {
		switch {
		case tracked(&cr).For(opts.Link):
			f.ours = append(f.ours, cr)
		case legacy != "" && cr.Subject == legacy && len(cr.Links) == 0 && cr.Revision == cr.RevisionInitial:
			f.orphans = append(f.orphans, cr)
		}
	}
	return f, nil
}

// orphaned keeps the orphans that are surely leftovers of this pull
// request: made by the same user as keeper, with its subject, no link and
// not one edit.
func (f *found) orphaned(keeper *gitbook.ChangeRequest) []gitbook.ChangeRequest {
	if keeper.CreatedBy == nil || keeper.CreatedBy.ID == "" {
		return nil
	}
	var out []gitbook.ChangeRequest
	for _, cr := range f.orphans {
		if cr.CreatedBy != nil && cr.CreatedBy.ID == keeper.CreatedBy.ID && cr.Number != keeper.Number {
			out = append(out, cr)
		}
	}
	return out
}
