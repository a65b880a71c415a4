package content

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// Document is a page's file as GitBook imports it.
type Document struct {
	Meta  Meta
	Body  []byte // without the front matter
	Title string // by GitBook's rule: front matter title, leading heading, link text
}

// ReadDocument reads the file of a document page and applies GitBook's
// title rule (see DocumentTitle); the link text in SUMMARY.md is the
// fallback.
func (p *Project) ReadDocument(files Files, pg *Page) (*Document, error) {
	full := p.ContentPath(pg.Path)
	data, err := files.Read(full)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", full, err)
	}
	return ParseDocument(data, full, pg.Title)
}

// ParseDocument splits a page's file and titles it; fallback is the title
// SUMMARY.md gives it.
func ParseDocument(data []byte, name, fallback string) (*Document, error) {
	meta, body, err := SplitFrontMatter(data, name)
	if err != nil {
		return nil, err
	}
	return &Document{Meta: meta, Body: body, Title: DocumentTitle(meta, body, fallback)}, nil
}

// ResolveTitles reads every document page and sets its Title as GitBook's
// import does. A page whose heading wins over different link text gets a
// warning: editing the link text alone does not rename the page.
func (p *Project) ResolveTitles(files Files) error {
	summary := p.ContentPath(p.Config.Summary)
	var err error
	Walk(p.Pages, func(pg, _ *Page) {
		if err != nil || pg.Kind != KindDocument || pg.Path == "" {
			return
		}
		var doc *Document
		if doc, err = p.ReadDocument(files, pg); err != nil {
			return
		}
		if pg.Line > 0 && pg.Title != "" && doc.Title != pg.Title {
			p.Diagnostics = append(p.Diagnostics, diag.Warnf(summary, pg.Line, pg.Col,
				"GitBook titles %s %q from the page itself, not %q from this link; change the page's heading to rename it, or write [%s](%s \"%s\") for a sidebar label",
				pg.Path, doc.Title, pg.Title, doc.Title, pg.Path, pg.Title))
		}
		pg.Title = doc.Title
	})
	return err
}

// MaxLinkCheck is the largest page body PageLinks reads: parsing Markdown
// takes about fifty times the page's size in memory (1 GB for 20 MB).
const MaxLinkCheck = 8 << 20

// Link is a link in a page's body to another file of the space.
type Link struct {
	Dest   string // as written
	Path   string // the file it points to, relative to the content root
	Anchor string // "#heading", if any
	Page   *Page  // the page of that file; nil when no entry makes it one
	Line   int    // 1-based, in the page's body
	Col    int
}

// PageLinks returns the relative links of a page's body (Markdown links and
// the href of HTML anchors, as in GitBook's cards) resolved as GitBook
// resolves them: relative to the page's file. External links and links
// that leave the content root are not returned; the diagnostics name
// links to Markdown files that are not pages of the space, which GitBook
// cannot turn into page links. name is the page's repository path.
func (p *Project) PageLinks(pagePath string, body []byte, name string) ([]Link, diag.List) {
	if len(body) > MaxLinkCheck {
		return nil, diag.List{diag.Warnf(name, 0, 0, "the page is %d MB: its links are not checked (the limit is %d MB)", len(body)>>20, MaxLinkCheck>>20)}
	}
	pages := map[string]*Page{}
	Walk(p.Pages, func(pg, _ *Page) {
		if pg.Kind == KindDocument && pg.Path != "" {
			pages[pg.Path] = pg
		}
	})
	ls := newLines(body)
	var out []Link
	var problems diag.List
	add := func(dest string, offset int) {
		target, anchor, ok := resolveRel(pagePath, dest)
		if !ok {
			return
		}
		line, col := ls.pos(offset)
		l := Link{Dest: dest, Path: target, Anchor: anchor, Page: pages[target], Line: line, Col: col}
		switch index := Join(target, "README.md"); {
		case target == "":
			l.Path, l.Page = pagePath, pages[pagePath] // a heading of this page
		case l.Page == nil && pages[index] != nil:
			// GitBook's export writes a link to a folder's README page
			// as the folder: "guide/".
			l.Path, l.Page = index, pages[index]
		}
		out = append(out, l)
		if l.Page == nil && strings.EqualFold(path.Ext(l.Path), ".md") {
			problems = append(problems, diag.Warnf(name, line, col, "link to %s: no SUMMARY.md entry makes it a page, so GitBook cannot link to it", l.Path))
		}
	}
	hrefs := func(segs *text.Segments) {
		for i := 0; i < segs.Len(); i++ {
			seg := segs.At(i)
			v := seg.Value(body)
			for _, m := range hrefAttr.FindAllSubmatchIndex(v, -1) {
				add(string(v[m[2]:m[3]]), seg.Start+m[2])
			}
		}
	}
	_ = ast.Walk(parseMarkdown(body), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			off := start(n)
			if off > 0 && body[off-1] == '[' {
				off--
			}
			add(string(resolveInline(n.Destination)), off)
		case *ast.RawHTML:
			hrefs(n.Segments)
		case *ast.HTMLBlock:
			hrefs(n.Lines())
		}
		return ast.WalkContinue, nil
	})
	return out, problems
}

var hrefAttr = regexp.MustCompile(`\shref="([^"]*)"`)

// resolveRel resolves a link destination written in the page at from to a
// path relative to the content root. ok is false for external links,
// absolute paths and paths that leave the root.
func resolveRel(from, dest string) (target, anchor string, ok bool) {
	if dest == "" || scheme.MatchString(dest) || strings.HasPrefix(dest, "/") {
		return "", "", false
	}
	file, frag, _ := strings.Cut(dest, "#")
	if frag != "" {
		anchor = "#" + frag
	}
	if file, _, _ = strings.Cut(file, "?"); file == "" {
		return "", anchor, anchor != ""
	}
	if dec, err := url.PathUnescape(file); err == nil {
		file = dec
	}
	if strings.HasSuffix(file, "/") {
		file += "README.md"
	}
	t, err := cleanRel(Join(Dir(from), file))
	if err != nil || t == "" {
		return "", "", false
	}
	return t, anchor, true
}
