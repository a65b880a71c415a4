package gitformat

import (
	"bytes"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"
)

// entry is one node of SUMMARY.md.
type entry struct {
	kind     string // KindGroup, KindDocument, KindLink, KindComputed
	title    string // plain text
	raw      string // link text as written; for groups the heading's text
	file     string // documents: file relative to the content root
	anchor   string // "#..." after the file
	label    string // the link's title: [t](file "label")
	href     string // external links
	slug     string // groups: the id of the heading's anchor
	computed string // computed blocks: their YAML
	line     int
	children []*entry
}

var anchorID = regexp.MustCompile(`\bid="([^"]+)"`)

// parseSummary reads SUMMARY.md as GitBook's import does. dir is the
// summary's folder relative to the content root: its links are relative
// to it. Anything that is not a group heading, a list of links or a
// computed block is left out with a warning; HTML comments are left out
// silently, whatever they contain.
func parseSummary(data []byte, name, dir string) ([]*entry, []string) {
	src := data
	var out []*entry
	var warnings []string
	var group *entry
	lineOf := func(pos int) int { return bytes.Count(src[:max(pos, 0)], []byte("\n")) + 1 }
	doc := parseMarkdown(src)
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Heading:
			if n.Level == 1 {
				continue // "# Table of contents"
			}
			raw := headingText(src, n)
			g := &entry{kind: KindGroup, title: plainText(raw), raw: raw, line: lineOf(n.Pos())}
			if m := anchorID.FindStringSubmatch(raw); m != nil {
				g.slug = m[1]
			}
			if g.title == "" {
				warnings = append(warnings, fmt.Sprintf("%s:%d: a group heading without a title; ignored", name, g.line))
				continue
			}
			group = g
			out = append(out, g)
		case *ast.List:
			items, w := listEntries(src, n, name, dir, lineOf)
			warnings = append(warnings, w...)
			if group != nil {
				group.children = append(group.children, items...)
			} else {
				out = append(out, items...)
			}
		case *ast.ThematicBreak:
			// "***" closes the group: the pages after it are at the top
			// level again. GitBook's export writes it so.
			group = nil
		case *ast.HTMLBlock:
		default:
			warnings = append(warnings, fmt.Sprintf("%s:%d: not a group heading or a list of pages; ignored", name, lineOf(n.Pos())))
		}
	}
	return out, warnings
}

// headingText is the text of a heading line after its "#"s.
func headingText(src []byte, h *ast.Heading) string {
	if h.Lines().Len() == 0 {
		return ""
	}
	first, last := h.Lines().At(0), h.Lines().At(h.Lines().Len()-1)
	return strings.TrimSpace(string(src[first.Start:last.Stop]))
}

func listEntries(src []byte, list *ast.List, name, dir string, lineOf func(int) int) ([]*entry, []string) {
	var out []*entry
	var warnings []string
	for item := list.FirstChild(); item != nil; item = item.NextSibling() {
		var e *entry
		line := lineOf(item.Pos())
		first := item.FirstChild()
		switch b := first.(type) {
		case *ast.FencedCodeBlock:
			var y strings.Builder
			for i := 0; i < b.Lines().Len(); i++ {
				seg := b.Lines().At(i)
				y.Write(seg.Value(src))
			}
			e = &entry{kind: KindComputed, computed: y.String(), line: line}
		case *ast.TextBlock, *ast.Paragraph:
			e = linkEntry(src, b, dir)
			if e == nil {
				warnings = append(warnings, fmt.Sprintf("%s:%d: a list item without a link is not a page; ignored", name, line))
			} else {
				e.line = line
			}
		}
		var children []*entry
		for c := first; c != nil; c = c.NextSibling() {
			if l, ok := c.(*ast.List); ok {
				kids, w := listEntries(src, l, name, dir, lineOf)
				children = append(children, kids...)
				warnings = append(warnings, w...)
			}
		}
		if e == nil {
			out = append(out, children...) // the children move up, as the item is no page
			continue
		}
		e.children = children
		out = append(out, e)
	}
	return out, warnings
}

// linkEntry reads "[title](dest "label")" (and whatever text follows it,
// which is not part of the page: "* [A](a.md) (draft)" is the page a.md).
func linkEntry(src []byte, block ast.Node, dir string) *entry {
	var link *ast.Link
	_ = ast.Walk(block, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := n.(*ast.Link); ok && entering && link == nil {
			link = l
		}
		return ast.WalkContinue, nil
	})
	if link == nil {
		return nil
	}
	raw := linkText(src, link.Pos())
	e := &entry{title: plainText(raw), raw: raw, label: plainText(string(link.Title))}
	dest := string(util.UnescapePunctuations(link.Destination))
	if isExternal(dest) {
		e.kind, e.href = KindLink, dest
		return e
	}
	p, frag := splitFragment(dest)
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	if p == "" {
		return nil
	}
	e.kind, e.file, e.anchor = KindDocument, join(dir, path.Clean(p)), frag
	if strings.HasPrefix(e.file, "../") {
		return nil
	}
	return e
}

// linkText is the text between a link's "[" at pos and its "]".
func linkText(src []byte, pos int) string {
	depth := 0
	for i := pos + 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '[':
			depth++
		case ']':
			if depth == 0 {
				return string(src[pos+1 : i])
			}
			depth--
		case '\n':
			if i+1 < len(src) && src[i+1] == '\n' {
				return ""
			}
		}
	}
	return ""
}

// renderSummary writes SUMMARY.md as GitBook's export does: the title, the
// pages before the first group, then each group as a "##" heading over
// its list; two spaces of indent per level.
func renderSummary(pages []*Page, pathOf func(id string) string) []byte {
	var b bytes.Buffer
	b.WriteString("# Table of contents\n")
	wroteList, inGroup := false, false
	for _, p := range pages {
		if p.Kind == KindGroup {
			b.WriteString("\n## " + groupHeading(p) + "\n")
			if len(p.Children) > 0 {
				b.WriteString("\n")
			}
			renderItems(&b, p.Children, 0, pathOf)
			wroteList, inGroup = false, true
			continue
		}
		if inGroup {
			b.WriteString("\n***\n")
			inGroup = false
		}
		if !wroteList {
			b.WriteString("\n")
			wroteList = true
		}
		renderItems(&b, []*Page{p}, 0, pathOf)
	}
	return b.Bytes()
}

func groupHeading(p *Page) string {
	if p.Source.Heading != "" && p.Title == p.Source.Title && p.Slug == p.Source.Slug {
		return p.Source.Heading
	}
	h := escapeInline(p.Title, false)
	if p.Slug != Slugify(p.Title) {
		h += fmt.Sprintf(` <a href="#%s" id="%s"></a>`, p.Slug, p.Slug)
	}
	return h
}

func renderItems(b *bytes.Buffer, pages []*Page, depth int, pathOf func(id string) string) {
	indent := strings.Repeat("  ", depth)
	for _, p := range pages {
		switch p.Kind {
		case KindComputed:
			b.WriteString(indent + "* ```yaml\n")
			for _, l := range strings.SplitAfter(strings.TrimSuffix(p.Computed, "\n"), "\n") {
				b.WriteString(indent + "  " + strings.TrimSuffix(l, "\n") + "\n")
			}
			b.WriteString(indent + "  ```\n")
		case KindDocument, KindLink:
			dest := p.Target.summaryDest(pathOf)
			if p.Kind == KindDocument {
				dest = escapeDest(pathOf(p.ID))
			}
			text := escapeInline(p.Title, true)
			if p.Source.Summary != "" && p.Title == p.Source.Title {
				text = p.Source.Summary
			}
			label := ""
			if p.LinkTitle != "" {
				label = ` "` + strings.ReplaceAll(p.LinkTitle, `"`, `\"`) + `"`
			}
			fmt.Fprintf(b, "%s* [%s](%s%s)\n", indent, text, dest, label)
		default:
			continue
		}
		renderItems(b, p.Children, depth+1, pathOf)
	}
}

// summaryDest is where a link page points in SUMMARY.md.
func (t *Target) summaryDest(pathOf func(id string) string) string {
	if t == nil {
		return ""
	}
	if t.URL != "" {
		return t.URL
	}
	return escapeDest(pathOf(t.Page)) + t.Anchor
}

func escapeDest(p string) string {
	if strings.ContainsAny(p, " ()<>") {
		return "<" + p + ">"
	}
	return p
}
