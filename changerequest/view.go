package changerequest

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
)

// view is what a run knows of a change request's content (or, before one
// exists, of the live content): the page tree and files of one read, the
// bodies of the pages the plan compares, and the record of what
// gitbook-sync last sent.
type view struct {
	// revision is the one read: its bodies are read from it too, so that
	// they belong to the page tree even when another writer (a run at the
	// same time, a merge, a person) moved the content on meanwhile.
	revision string
	pages    []gitbook.Page
	files    []gitbook.File
	bodies   map[string]string // page ID -> Markdown as GitBook gives it back
	record   record
	root     string          // what page.git.path has before a content path
	wanted   map[string]bool // bodies the plan asked for and did not have
}

func newView(rev *gitbook.Revision, t *Tree, rec record) *view {
	return &view{revision: rev.ID, pages: rev.Pages, files: rev.Files, bodies: map[string]string{}, record: rec, root: gitRoot(rev.Pages, t.roots)}
}

// gitRoot finds which of roots page.git.path is relative to: GitBook's
// spec says only "path of the blob in the Git tree", so both the
// repository root and the project directory are accepted. Every project
// has a first page at its content root, so the two cannot be confused.
func gitRoot(pages []gitbook.Page, roots []string) string {
	var paths []string
	gitbook.Walk(pages, func(p *gitbook.Page, _ *gitbook.Page, _ int) {
		if p.Git != nil && p.Git.Path != "" {
			paths = append(paths, p.Git.Path)
		}
	})
	if len(paths) == 0 {
		return ""
	}
	for _, r := range roots {
		if r == "" {
			continue
		}
		all := true
		for _, p := range paths {
			all = all && strings.HasPrefix(p, r+"/")
		}
		if all {
			return r
		}
	}
	return ""
}

// gitPath is the file a page came from, relative to the content root; ""
// for pages made in GitBook.
func (v *view) gitPath(p *gitbook.Page) string {
	if p.Git == nil {
		return ""
	}
	if v.root == "" {
		return p.Git.Path
	}
	return strings.TrimPrefix(p.Git.Path, v.root+"/")
}

// body returns a page's Markdown if it was read; if not, the page is noted
// in wanted for the next read.
func (v *view) body(id string) (string, bool) {
	b, ok := v.bodies[id]
	if !ok && v.wanted != nil {
		v.wanted[id] = true
	}
	return b, ok
}

// same reports whether a page's body in GitBook already says what d says:
// equal once blank space is normalised, or exactly what GitBook stored the
// last time gitbook-sync sent this same document.
func (v *view) same(id, cur string, d *Page) bool {
	if SameMarkdown(cur, d.Body) {
		return true
	}
	r, ok := v.record[id]
	return ok && r.Sent == digest(document(d)) && r.Stored == digest(cur)
}

// edited reports whether a person changed the page in GitBook: since
// gitbook-sync last wrote it, or, for a page it never wrote, from the
// pull request's base in words (GitBook's formatting aside).
func (v *view) edited(id, cur string, scope Scope, p string) bool {
	if r, ok := v.record[id]; ok {
		return r.Stored != digest(cur)
	}
	base, ok := scope.Base[p]
	return ok && words(base) != words(cur)
}

// fill reads the bodies the plan compares, and only those: a dry run of
// the plan names them.
func (v *view) fill(ctx context.Context, opts Options, t *Tree, scope Scope) error {
	v.wanted = map[string]bool{}
	plan(t, v, scope)
	ids := slices.Collect(maps.Keys(v.wanted))
	v.wanted = nil
	bodies, err := opts.Client.RevisionPagesMarkdown(ctx, opts.Space, v.revision, ids)
	maps.Copy(v.bodies, bodies)
	return err
}
