// Package changerequest turns repository changes into a GitBook change
// request: pages written as Markdown, in batches GitBook accepts, found
// again on the next run by a key for the pull request in its subject, and
// checked after each update against what the repository says.
package changerequest

import (
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// Page is a page as the repository describes it.
type Page struct {
	Kind     string // content.KindDocument or content.KindGroup
	Path     string // content path (documents)
	Title    string // the title GitBook will show
	Body     string // Markdown without front matter
	Meta     content.Meta
	Children []*Page
	// Assets are the files under .gitbook/assets the page refers to, by
	// content path, with their bytes.
	Assets map[string][]byte
}

var pageLink = regexp.MustCompile(`\]\((?:<([^>]*)>|([^)\s]+))(?:\s+"[^"]*")?\)`)

// pageLinks lists the pages (content paths) a page's Markdown links to
// with relative links: to a Markdown file, or to a folder for its page.
func pageLinks(pagePath, md string) []string {
	var out []string
	for _, m := range pageLink.FindAllStringSubmatch(md, -1) {
		target, _, _ := strings.Cut(m[1]+m[2], "#")
		target, _, _ = strings.Cut(target, "?")
		switch {
		case target == "" || strings.Contains(target, ":") || strings.HasPrefix(target, "/"):
			continue // not a relative link
		case path.Ext(strings.TrimSuffix(target, "/")) == "":
			target = path.Join(target, "README.md") // a folder names its page
		case path.Ext(target) != ".md":
			continue // a file, not a page
		}
		if dec, err := url.PathUnescape(target); err == nil {
			target = dec
		}
		if p := path.Clean(path.Join(content.Dir(pagePath), target)); !strings.HasPrefix(p, "../") {
			out = append(out, p)
		}
	}
	return out
}

var assetLink = regexp.MustCompile(`\]\(<?([^)>\s]*\.gitbook/assets/[^)>\s"]+)`)

// assetsOf finds the asset files a page body links to, relative to the
// page, that exist in the repository. A link that leads out of the
// repository is an error naming the page; a missing file is the page's
// business (GitBook shows a broken image), not ours.
func assetsOf(proj *content.Project, files content.Files, pagePath, body string) (map[string][]byte, error) {
	var out map[string][]byte
	for _, m := range assetLink.FindAllStringSubmatch(body, -1) {
		target := m[1]
		if dec, err := url.PathUnescape(target); err == nil {
			target = dec
		}
		p := path.Clean(path.Join(content.Dir(pagePath), target))
		if strings.HasPrefix(p, "../") {
			continue
		}
		data, err := files.Read(proj.ContentPath(p))
		switch {
		case errors.Is(err, content.ErrOutside):
			return nil, fmt.Errorf("%s: image %s: %w", proj.ContentPath(pagePath), m[1], err)
		case err != nil:
			continue
		}
		if out == nil {
			out = map[string][]byte{}
		}
		out[p] = data
	}
	return out, nil
}

// Tree is the repository's side of a change request: its pages, and where
// their files sit in the repository.
type Tree struct {
	Pages []*Page
	// roots are the content root's path from the repository root and from
	// the project directory: GitBook's page.git.path may start with either.
	roots []string
}

// Desired reads the project's pages with their bodies, titled by GitBook's
// rule (front matter title, leading heading, link text). What the content
// API cannot create — link pages, computed pages, pages without a file —
// is left out with a warning at its line in SUMMARY.md.
func Desired(proj *content.Project, files content.Files) (*Tree, diag.List, error) {
	var warnings diag.List
	summary := proj.ContentPath(proj.Config.Summary)
	skip := func(cp *content.Page, format string, args ...any) {
		warnings = append(warnings, diag.Warnf(summary, cp.Line, cp.Col, format, args...))
	}
	var conv func(list []*content.Page) ([]*Page, error)
	conv = func(list []*content.Page) ([]*Page, error) {
		var out []*Page
		for _, cp := range list {
			switch {
			case cp.Kind == content.KindLink:
				skip(cp, "link %q (%s) is not sent: change requests cannot create link pages", cp.Title, cmp.Or(cp.Href, cp.Path+cp.Anchor))
				continue
			case cp.Kind == content.KindComputed:
				skip(cp, "computed page %q is not sent: GitBook generates it from its source", cp.Title)
				continue
			case cp.Kind == content.KindGroup:
				children, err := conv(cp.Children)
				if err != nil {
					return nil, err
				}
				out = append(out, &Page{Kind: content.KindGroup, Title: cp.Title, Children: children})
				continue
			case cp.Path == "":
				skip(cp, "page %q has no file and is not sent: give it one to propose it", cp.Title)
				continue
			}
			doc, err := proj.ReadDocument(files, cp)
			if err != nil {
				return nil, err
			}
			children, err := conv(cp.Children)
			if err != nil {
				return nil, err
			}
			assets, err := assetsOf(proj, files, cp.Path, string(doc.Body))
			if err != nil {
				return nil, err
			}
			out = append(out, &Page{Kind: content.KindDocument, Path: cp.Path, Title: doc.Title,
				Body: string(doc.Body), Meta: doc.Meta, Children: children, Assets: assets})
		}
		return out, nil
	}
	pages, err := conv(proj.Pages)
	if err != nil {
		return nil, warnings, err
	}
	return &Tree{Pages: pages, roots: []string{content.Join(proj.Dir, proj.Config.Root), content.Join(proj.Config.Root)}}, warnings, nil
}

// Scope says which pages a change request may touch: those the repository
// diff changed. Everything else is left as it is in GitBook.
type Scope struct {
	Paths   map[string]bool   // content paths added, modified, moved or renamed (new side)
	Deleted map[string]bool   // content paths deleted (old side)
	Renamed map[string]string // new path -> old path
	// Base holds, when known, each changed page's body before the change:
	// a GitBook page that differs from it was edited in GitBook too.
	Base map[string]string
}

// ScopeOf makes a scope from a page diff.
func ScopeOf(d *content.Diff) Scope {
	s := Scope{Paths: map[string]bool{}, Deleted: map[string]bool{}, Renamed: map[string]string{}, Base: map[string]string{}}
	if d == nil {
		return s
	}
	for _, p := range d.Pages {
		if p.Old != "" {
			if _, body, err := content.SplitFrontMatter([]byte(p.Old), p.Path); err == nil {
				s.Base[p.Path] = string(body)
			}
		}
		switch p.Op {
		case content.Deleted:
			s.Deleted[p.Path] = true
		case content.Renamed:
			s.Paths[p.Path] = true
			s.Renamed[p.Path] = p.OldPath
		default:
			s.Paths[p.Path] = true
		}
	}
	return s
}

// Empty reports whether the scope touches nothing.
func (s Scope) Empty() bool { return len(s.Paths) == 0 && len(s.Deleted) == 0 }

// step is one change to send, with what it means for the report.
type step struct {
	Change gitbook.Change
	// ParentRef names a page inserted by an earlier step: the change can
	// only be sent once that page has an ID.
	ParentRef string
	Summary   content.PageChange
}

type current struct {
	page   *gitbook.Page
	parent string // parent page ID, "" at the root
	index  int
}

type matcher struct {
	byGit   map[string]*current
	bySlug  map[string]*current
	groups  map[string]*current
	byID    map[string]*current
	used    map[string]bool
	renamed map[string]string
}

func newMatcher(v *view, renamed map[string]string) *matcher {
	m := &matcher{byGit: map[string]*current{}, bySlug: map[string]*current{}, groups: map[string]*current{},
		byID: map[string]*current{}, used: map[string]bool{}, renamed: renamed}
	var walk func(list []gitbook.Page, parent string)
	walk = func(list []gitbook.Page, parent string) {
		for i := range list {
			p := &list[i]
			c := &current{page: p, parent: parent, index: i}
			m.byID[p.ID] = c
			switch {
			case p.Type == gitbook.PageGroup:
				m.groups[p.Title] = c
			case v.gitPath(p) != "":
				m.byGit[v.gitPath(p)] = c
			case p.Type == gitbook.PageDocument:
				m.bySlug[p.Path] = c
			}
			walk(p.Pages, p.ID)
		}
	}
	walk(v.pages, "")
	return m
}

// find matches a desired page to a page of the change request: by file,
// then by the file it was renamed from, then by the slug path a page we
// inserted earlier got.
func (m *matcher) find(d *Page, slugPath string) *current {
	if d.Kind == content.KindGroup {
		return m.groups[d.Title]
	}
	if c := m.byGit[d.Path]; c != nil && !m.used[c.page.ID] {
		return c
	}
	if old, ok := m.renamed[d.Path]; ok {
		if c := m.byGit[old]; c != nil && !m.used[c.page.ID] {
			return c
		}
	}
	if c := m.bySlug[slugPath]; c != nil && !m.used[c.page.ID] {
		return c
	}
	return nil
}

// siblingSlugs gives each page of a sibling list its slug as GitBook's
// import does: from the file (or, for groups and a root README, the
// title), with -2, -3... for repeats, in summary order.
func siblingSlugs(list []*Page) []string {
	seen := map[string]int{}
	out := make([]string, len(list))
	for i, d := range list {
		base := slugFor(d)
		if d.Kind == content.KindGroup {
			base = content.Slug(d.Title)
		}
		if base == "" {
			base = "page"
		}
		seen[base]++
		out[i] = base
		if n := seen[base]; n > 1 {
			out[i] = fmt.Sprintf("%s-%d", base, n)
		}
	}
	return out
}

// slugFor is the slug given to a page inserted from file p.
func slugFor(p *Page) string {
	if s := content.SlugForPath(p.Path); s != "" {
		return s
	}
	return content.Slug(p.Title)
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// SameMarkdown reports whether two Markdown texts say the same once what
// no Markdown renderer distinguishes is set aside: line endings, trailing
// spaces and runs of blank lines. GitBook rewrites much more; the record
// of what was last sent covers the rest. The engine compares pages with it
// too, so both sides of gitbook-sync agree on what "unchanged" means.
func SameMarkdown(a, b string) bool { return normalize(a) == normalize(b) }

func normalize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

var (
	image      = regexp.MustCompile(`(?s)!\[[^\]]*\]\([^)]*\)|<figure>.*?</figure>`)
	markup     = regexp.MustCompile(`<[^>]*>|\{%.*?%\}`)
	linkTarget = regexp.MustCompile(`\]\([^)]*\)`)
	nonWord    = regexp.MustCompile(`[^\p{L}\p{N}]+`)
)

// words is the text of Markdown without its syntax, images, HTML and link
// targets, which GitBook rewrites: two versions with the same words were
// not edited by a person, whatever GitBook made of their formatting.
func words(s string) string {
	s = image.ReplaceAllString(s, " ")
	s = markup.ReplaceAllString(s, " ")
	s = linkTarget.ReplaceAllString(s, "]")
	return strings.TrimSpace(nonWord.ReplaceAllString(strings.ToLower(s), " "))
}

func metaDiffers(c *gitbook.Page, d *Page) bool {
	return c.Description != d.Meta.Description || c.Hidden != d.Meta.Hidden || c.Icon != d.Meta.Icon
}

// document is the Markdown sent for a page: its body with front matter,
// less a leading "# title". GitBook takes the title from that heading and
// keeps the heading in the document as well, so the page would show its
// title twice (GitBook's own CLI drops it before sending); the title
// travels in the change's title field instead.
func document(d *Page) string {
	return string(content.JoinFrontMatter(d.Meta, []byte(withoutTitle(d.Body))))
}

func withoutTitle(body string) string {
	rest := body
	for rest != "" {
		line, after, _ := strings.Cut(rest, "\n")
		t := strings.TrimLeft(line, " ")
		switch {
		case strings.TrimSpace(t) == "":
			rest = after
			continue
		case len(line)-len(t) <= 3 && (strings.HasPrefix(t, "# ") || strings.HasPrefix(t, "#\t")) && strings.TrimSpace(t[2:]) != "":
			return strings.TrimLeft(after, "\r\n")
		}
		break
	}
	return body
}

func refFor(p string) string {
	return "p-" + strings.NewReplacer("/", "-", ".", "-", " ", "-").Replace(strings.TrimSuffix(p, path.Ext(p)))
}

// plan computes the changes that bring the change request's pages to what
// the repository says, for the pages in scope. Pages are visited parents
// first, so an inserted child names an inserted parent by its ref.
func plan(t *Tree, v *view, scope Scope) []step {
	m := newMatcher(v, scope.Renamed)
	var steps []step
	have := map[string]bool{}
	for _, f := range v.files {
		have[f.Name] = true
	}
	assets := map[string][]byte{}
	needAssets := func(d *Page) {
		for p, data := range d.Assets {
			if !have[path.Base(p)] {
				assets[p] = data
			}
		}
	}
	type target struct{ id, ref, slugPath string }
	var untouched []matched // pages out of scope that GitBook has
	var visit func(list []*Page, parent target)
	visit = func(list []*Page, parent target) {
		slugs := siblingSlugs(list)
		for i, d := range list {
			slug := slugs[i]
			slugPath := slug
			if parent.slugPath != "" {
				slugPath = parent.slugPath + "/" + slug
			}
			c := m.find(d, slugPath)
			if c != nil {
				m.used[c.page.ID] = true
			}
			inScope := scope.Paths[d.Path]
			switch {
			case d.Kind == content.KindGroup:
				if c == nil {
					// Groups cannot be created through the API: its pages
					// go to the root.
					visit(d.Children, target{})
					continue
				}
			case c == nil && inScope:
				ref := refFor(d.Path)
				ch := gitbook.Change{Operation: gitbook.OpInsertPage, Ref: ref, Title: d.Title, Slug: slug,
					Document: &gitbook.Markdown{Markdown: document(d)}}
				if parent.id != "" {
					ch.Into = gitbook.Into(parent.id)
				}
				needAssets(d)
				a, r := content.CountLines("", d.Body)
				steps = append(steps, step{Change: ch, ParentRef: parent.ref,
					Summary: content.PageChange{Op: content.Added, Title: d.Title, Path: d.Path, Added: a, Removed: r}})
				visit(d.Children, target{ref: ref, slugPath: slugPath})
				continue
			case c == nil:
				// Not in scope and not in the change request: GitBook
				// does not have it and this change does not add it.
				continue
			case inScope:
				up := updates(v, c, d, slug, parent.id, parent.ref, scope)
				for _, st := range up {
					if st.Change.Document != nil {
						needAssets(d)
					}
				}
				steps = append(steps, up...)
			case d.Kind == content.KindDocument:
				untouched = append(untouched, matched{d, c})
			}
			visit(d.Children, target{id: c.page.ID, slugPath: c.page.Path})
		}
	}
	visit(t.Pages, target{})
	steps = append(steps, relinks(v, untouched, steps)...)

	// Deletions last, so that pages moved out of a deleted parent survive.
	var deletes []step
	var walk func(list []gitbook.Page, parentDeleted bool)
	walk = func(list []gitbook.Page, parentDeleted bool) {
		for i := range list {
			p := &list[i]
			gp := v.gitPath(p)
			del := p.Type == gitbook.PageDocument && !m.used[p.ID] && gp != "" && scope.Deleted[gp]
			if del && !parentDeleted {
				_, r := content.CountLines("", scope.Base[gp])
				deletes = append(deletes, step{Change: gitbook.Change{Operation: gitbook.OpDeletePage, Page: p.ID},
					Summary: content.PageChange{Op: content.Deleted, Title: p.Title, Path: gp, Removed: r}})
			}
			walk(p.Pages, parentDeleted || del)
		}
	}
	walk(v.pages, false)
	// Files first, so pages in the same batch can link to them by ref.
	return append(append(fileSteps(assets), steps...), deletes...)
}

type matched struct {
	d *Page
	c *current
}

// relinks sends again, as the repository has them, the pages outside the
// change that link to a page it adds but whose copy in GitBook lost that
// link: GitBook turns a link to a page it does not have into plain text
// when the page is sent through the API. Only pages whose words are the
// repository's (no one edited them in GitBook) and that gitbook-sync did
// not already send as they are.
func relinks(v *view, untouched []matched, steps []step) []step {
	added := map[string]bool{}
	for _, s := range steps {
		if s.Change.Operation == gitbook.OpInsertPage {
			added[s.Summary.Path] = true
		}
	}
	if len(added) == 0 {
		return nil
	}
	var out []step
	for _, m := range untouched {
		var lost []string
		for _, t := range pageLinks(m.d.Path, m.d.Body) {
			if added[t] {
				lost = append(lost, t)
			}
		}
		if len(lost) == 0 {
			continue
		}
		cur, known := v.body(m.c.page.ID)
		if !known || words(cur) != words(m.d.Body) {
			continue
		}
		if r, ok := v.record[m.c.page.ID]; ok && r.Sent == digest(document(m.d)) && r.Stored == digest(cur) {
			continue
		}
		have := pageLinks(m.d.Path, cur)
		if slices.ContainsFunc(lost, func(t string) bool { return !slices.Contains(have, t) }) {
			out = append(out, step{Change: gitbook.Change{Operation: gitbook.OpUpdatePage, Page: m.c.page.ID, Document: &gitbook.Markdown{Markdown: document(m.d)}},
				Summary: content.PageChange{Op: content.Modified, Title: m.d.Title, Path: m.d.Path, Note: "links to pages this change adds"}})
		}
	}
	return out
}

// fileSteps uploads assets, at most 20 files per change as GitBook allows.
func fileSteps(assets map[string][]byte) []step {
	paths := slices.Sorted(maps.Keys(assets))
	var steps []step
	for len(paths) > 0 {
		n := min(len(paths), 20)
		ch := gitbook.Change{Operation: gitbook.OpInsertFiles}
		for _, p := range paths[:n] {
			ct := mime.TypeByExtension(path.Ext(p))
			if ct == "" {
				ct = "application/octet-stream"
			}
			ch.Files = append(ch.Files, gitbook.FileUpload{Name: path.Base(p), Ref: p, ContentType: ct,
				Base64: base64.StdEncoding.EncodeToString(assets[p])})
			steps = append(steps, step{Summary: content.PageChange{Op: content.Added, Title: path.Base(p), Path: p, Note: "file"}})
		}
		steps[len(steps)-1].Change = ch
		// Only the last step of the group carries the change; the others
		// are there for the summary.
		for i := len(steps) - n; i < len(steps)-1; i++ {
			steps[i].Change.Operation = ""
		}
		paths = paths[n:]
	}
	return steps
}

// updates brings a matched page up to date: content and metadata, then
// its parent.
func updates(v *view, c *current, d *Page, slug, parentID, parentRef string, scope Scope) []step {
	var steps []step
	p := c.page
	ch := gitbook.Change{Operation: gitbook.OpUpdatePage, Page: p.ID}
	summary := content.PageChange{Op: content.Modified, Title: d.Title, Path: d.Path}
	changed := false
	// The body is read and compared only when the pull request changed it,
	// or gitbook-sync wrote it before: a page only moved or renamed keeps
	// what GitBook has, edits made there included.
	base, hasBase := scope.Base[d.Path]
	_, ours := v.record[p.ID]
	if ours || !hasBase || !SameMarkdown(base, d.Body) {
		cur, known := v.body(p.ID)
		if !known || !v.same(p.ID, cur, d) {
			ch.Document = &gitbook.Markdown{Markdown: document(d)}
			if !hasBase {
				base = cur
			}
			summary.Added, summary.Removed = content.CountLines(base, d.Body)
			if known && v.edited(p.ID, cur, scope, d.Path) {
				summary.Note = "also edited in GitBook: merging replaces that edit"
			}
		}
	}
	if ch.Document != nil || metaDiffers(p, d) {
		// Metadata fields are set explicitly: an absent front matter key
		// must remove the value in GitBook too.
		desc, icon := d.Meta.Description, d.Meta.Icon
		hidden := d.Meta.Hidden
		ch.Description, ch.Icon, ch.Hidden = &desc, &icon, &hidden
		changed = true
	}
	if path.Base(p.Path) != slug && p.Path != "" {
		ch.Slug = slug
		changed = true
	}
	if p.Title != d.Title {
		ch.Title = d.Title
		changed = true
		if summary.Note == "" {
			summary.Note = "title was " + p.Title
		}
	}
	if gp := v.gitPath(p); gp != "" && gp != d.Path {
		summary.Op, summary.OldPath = content.Renamed, gp
	}
	if changed {
		steps = append(steps, step{Change: ch, Summary: summary})
	}
	if c.parent != parentID || parentRef != "" {
		mv := gitbook.Change{Operation: gitbook.OpUpdatePage, Page: p.ID, Into: gitbook.Into(parentID)}
		steps = append(steps, step{Change: mv, ParentRef: parentRef,
			Summary: content.PageChange{Op: content.Moved, Title: d.Title, Path: d.Path}})
	}
	return steps
}

// reorder returns the moves that put the children of each parent holding
// an in-scope page in the repository's order.
func reorder(t *Tree, v *view, scope Scope) []step {
	m := newMatcher(v, scope.Renamed)
	children := map[string][]string{} // parent ID -> current child IDs in order
	var walk func(list []gitbook.Page, parent string)
	walk = func(list []gitbook.Page, parent string) {
		for i := range list {
			children[parent] = append(children[parent], list[i].ID)
			walk(list[i].Pages, list[i].ID)
		}
	}
	walk(v.pages, "")
	var steps []step
	var visit func(list []*Page, parentID, parentSlug string)
	visit = func(list []*Page, parentID, parentSlug string) {
		var want []string
		touched := false
		titles := map[string]*Page{}
		slugs := siblingSlugs(list)
		for i, d := range list {
			sp := slugs[i]
			if parentSlug != "" {
				sp = parentSlug + "/" + sp
			}
			c := m.find(d, sp)
			if c == nil {
				continue
			}
			m.used[c.page.ID] = true
			want = append(want, c.page.ID)
			titles[c.page.ID] = d
			touched = touched || scope.Paths[d.Path]
			visit(d.Children, c.page.ID, c.page.Path)
		}
		if !touched {
			return
		}
		// Simulate moving each page into place, left to right, among the
		// siblings as they are.
		have := slices.Clone(children[parentID])
		var sibs []string
		for _, id := range have {
			if titles[id] != nil {
				sibs = append(sibs, id)
			}
		}
		for i, id := range want {
			if i < len(sibs) && sibs[i] == id {
				continue
			}
			j := slices.Index(sibs, id)
			if j < 0 {
				continue // under another parent still: its move comes first
			}
			sibs = slices.Insert(slices.Delete(sibs, j, j+1), i, id)
			// at counts all siblings, including ones the repository does
			// not list (made in GitBook): keep them where they are.
			at := absoluteIndex(have, sibs, i)
			have = moveTo(have, id, at)
			d := titles[id]
			steps = append(steps, step{Change: gitbook.Change{Operation: gitbook.OpUpdatePage, Page: id, Into: gitbook.Into(parentID), At: &at},
				Summary: content.PageChange{Op: content.Moved, Title: d.Title, Path: d.Path, Note: "reordered"}})
		}
	}
	visit(t.Pages, "", "")
	return steps
}

// absoluteIndex is the index among all siblings (have) that places the
// page right after sibs[i-1].
func absoluteIndex(have, sibs []string, i int) int {
	if i == 0 {
		return 0
	}
	idx := slices.Index(have, sibs[i-1])
	if cur := slices.Index(have, sibs[i]); cur >= 0 && cur < idx {
		return idx // removing the page first shifts prev left by one
	}
	return idx + 1
}

func moveTo(list []string, id string, at int) []string {
	j := slices.Index(list, id)
	list = slices.Delete(list, j, j+1)
	return slices.Insert(list, min(at, len(list)), id)
}

// summaries lists the page changes of steps, one per page.
func summaries(steps []step) []content.PageChange {
	seen := map[string]int{}
	var out []content.PageChange
	for _, s := range steps {
		key := s.Summary.Path
		if i, ok := seen[key]; ok {
			if out[i].Op == content.Moved && s.Summary.Op != content.Moved {
				out[i] = s.Summary
			}
			continue
		}
		seen[key] = len(out)
		out = append(out, s.Summary)
	}
	return out
}
