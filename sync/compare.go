package sync

import (
	"context"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
)

// diffWithSpace compares GitBook's pages with the project at head, for
// when the common history is unknown. Both sides are seen through the rule
// GitBook's import applies: a page's title is its front matter's or its
// leading heading, else the SUMMARY.md link text (content.PageTitle); a
// page is its file (git.path, from the repository root or the project
// directory), or, for a page a merged change request created (no
// git.path), its place in the page tree.
func diffWithSpace(ctx context.Context, opts Options, spaceID string, head *object.Commit, dir string, rev *gitbook.Revision) (*content.Diff, error) {
	proj, files, err := opts.Repo.Project(head, dir)
	if err != nil {
		return nil, err
	}
	type local struct {
		page  *content.Page
		title string
		body  string
	}
	var locals []*local
	bySlug := map[string]*local{}
	var werr error
	// git.path is "the path of the blob in the Git tree": from the
	// repository root (older answers gave it from the project); the
	// root's form wins when both name a page.
	byGitPath := map[string]*local{}
	var walk func(pages []*content.Page, slugs string)
	walk = func(pages []*content.Page, slugs string) {
		for _, pg := range pages {
			here := slugs
			if pg.Kind == content.KindDocument && werr == nil {
				data, err := files.Read(proj.ContentPath(pg.Path))
				if err != nil {
					werr = err
					return
				}
				doc, err := content.ParseDocument(data, pg.Path, pg.Title)
				if err != nil {
					werr = err
					return
				}
				l := &local{page: pg, title: doc.Title, body: string(doc.Body)}
				locals = append(locals, l)
				if s := content.SlugForPath(pg.Path); s != "" {
					here = path.Join(slugs, s)
					bySlug[here] = l
				}
			}
			walk(pg.Children, here)
		}
	}
	walk(proj.Pages, "")
	if werr != nil {
		return nil, werr
	}
	for _, l := range locals {
		byGitPath[l.page.Path] = l
	}
	for _, l := range locals {
		byGitPath[proj.ContentPath(l.page.Path)] = l
	}

	// Pair GitBook's documents with the repository's pages.
	type pair struct {
		remote gitbook.Page
		text   string
	}
	var pairs []*pair
	var gone []gitbook.Page
	matched := map[*local]*pair{}
	gitbook.Walk(rev.Pages, func(p *gitbook.Page, _ *gitbook.Page, _ int) {
		if p.Type != gitbook.PageDocument {
			return
		}
		var l *local
		if p.Git != nil && p.Git.Path != "" {
			l = byGitPath[p.Git.Path]
		} else {
			l = bySlug[p.Path]
		}
		if l == nil || matched[l] != nil {
			gone = append(gone, *p)
			return
		}
		matched[l] = &pair{remote: *p, text: p.Markdown}
		pairs = append(pairs, matched[l])
	})

	// Read the bodies the page list did not carry from the revision
	// listed: the live content may have moved on since (a change request
	// merged by a run at the same time).
	var unread []string
	for _, pr := range pairs {
		if pr.text == "" {
			unread = append(unread, pr.remote.ID)
		}
	}
	if len(unread) > 0 {
		bodies, err := opts.GitBook.RevisionPagesMarkdown(ctx, spaceID, rev.ID, unread)
		if err != nil {
			return nil, err
		}
		for _, pr := range pairs {
			if pr.text == "" {
				pr.text = bodies[pr.remote.ID]
			}
		}
	}

	d := &content.Diff{}
	for _, l := range locals {
		pr, ok := matched[l]
		switch {
		case !ok:
			a, r := content.CountLines("", l.body)
			d.Pages = append(d.Pages, content.PageChange{Op: content.Added, Title: l.title, Path: l.page.Path, Added: a, Removed: r, Note: "not in the space"})
		case !changerequest.SameMarkdown(bodyOf(pr.text), l.body) || pr.remote.Title != l.title:
			text := bodyOf(pr.text)
			a, r := content.CountLines(text, l.body)
			pc := content.PageChange{Op: content.Modified, Title: l.title, Path: l.page.Path, Added: a, Removed: r, Note: "differs from the space"}
			if pr.remote.Title != l.title {
				pc.Note = "title in the space: " + pr.remote.Title
			}
			if opts.KeepText {
				pc.Old, pc.New = text, l.body
			}
			d.Pages = append(d.Pages, pc)
		}
	}
	slices.SortStableFunc(gone, func(a, b gitbook.Page) int { return strings.Compare(gitPath(a), gitPath(b)) })
	for _, p := range gone {
		if p.Git != nil && p.Git.Path != "" {
			d.Pages = append(d.Pages, content.PageChange{Op: content.Deleted, Title: p.Title, Path: p.Git.Path, Note: "only in the space"})
		} else {
			d.Pages = append(d.Pages, content.PageChange{Op: content.Deleted, Title: p.Title, Note: "created in GitBook, not in the repository"})
		}
	}
	return d, nil
}

func gitPath(p gitbook.Page) string {
	if p.Git != nil {
		return p.Git.Path
	}
	return ""
}

// bodyOf drops front matter from Markdown GitBook returns: front matter is
// page metadata, compared through the page's fields.
func bodyOf(md string) string {
	if !strings.HasPrefix(md, "---\n") {
		return md
	}
	if _, body, err := content.SplitFrontMatter([]byte(md), "page"); err == nil {
		return string(body)
	}
	return md
}
