package content

import (
	"bytes"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	yaml "go.yaml.in/yaml/v4"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// Entry is one node of SUMMARY.md: a group heading, a page, a link or a
// page GitBook computes.
type Entry struct {
	Kind  string // KindGroup, KindDocument, KindLink or KindComputed
	Title string // plain text: the link text, or the heading of a group
	// Slug is a group's slug when GitBook wrote it as an anchor:
	// `## Get Started <a href="#getting-started" id="getting-started"></a>`;
	// "" when GitBook derives it from the title.
	Slug string
	// Path is the file, relative to the content root: a document's own
	// file, or for a link to a page of the space, the file of that page.
	// A document with no Path is a list item without a link: GitBook makes
	// it an empty page.
	Path     string
	Anchor   string    // "#heading" of a link to a heading of a page
	NavLabel string    // the link's quoted title: [t](p "label"), the sidebar label
	Href     string    // external links
	Computed *Computed // computed pages
	Line     int       // 1-based line in SUMMARY.md
	Col      int
	Children []*Entry
}

// Computed is a page GitBook generates, written in SUMMARY.md as a YAML
// code block in a list item, e.g. an OpenAPI reference:
//
//   - ```yaml
//     type: builtin:openapi
//     props: {models: false}
//     dependencies: {spec: {ref: {kind: openapi, spec: petstore}}}
//     ```
type Computed struct {
	Type   string // "builtin:openapi", "integration:<app>:<name>", ...
	Spec   string // the OpenAPI spec slug of a builtin:openapi page
	Source string // the YAML as written, for writing it back unchanged
}

// Entry kinds, matching GitBook's page types.
const (
	KindGroup    = "group"
	KindDocument = "document"
	KindLink     = "link"
	KindComputed = "computed"
)

// Summary is a parsed table of contents.
type Summary struct {
	Entries     []*Entry
	Diagnostics diag.List // problems, each at its line
}

// ParseSummary reads SUMMARY.md as GitBook's import does. name is used in
// diagnostics. The error, when not nil, joins the error diagnostics; the
// summary is returned either way so that every problem can be shown.
func ParseSummary(data []byte, name string) (*Summary, error) {
	return parseSummary(summaryMarkdown, data, name)
}

func parseSummary(md goldmark.Markdown, data []byte, name string) (*Summary, error) {
	p := &summaryParser{src: data, str: string(data), name: name, lines: newLines(data), s: &Summary{}}
	var group *Entry
	for n := parseSummaryMarkdown(md, data).FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Heading:
			if n.Level == 1 {
				continue // "# Table of contents"
			}
			line, col := p.pos(n)
			title := plainText(n, data)
			if title == "" {
				p.warn(line, col, "heading without text is not a group; ignored")
				continue
			}
			group = &Entry{Kind: KindGroup, Title: title, Slug: htmlID(n, data), Line: line, Col: col}
			p.s.Entries = append(p.s.Entries, group)
		case *ast.ThematicBreak:
			// GitBook writes "***" after a group when the pages that
			// follow belong to no group.
			group = nil
		case *ast.List:
			if group != nil {
				group.Children = p.list(n, group.Children)
			} else {
				p.s.Entries = p.list(n, p.s.Entries)
			}
		case *ast.HTMLBlock:
			if n.HTMLBlockType != ast.HTMLBlockType2 { // not a comment
				line, col := p.pos(n)
				p.warn(line, col, "HTML is not part of the table of contents; ignored")
			}
		default:
			line, col := p.pos(n)
			p.warn(line, col, "not a list item or heading; ignored")
		}
	}
	p.duplicates()
	return p.s, p.s.Diagnostics.Err()
}

type summaryParser struct {
	src   []byte
	str   string // src, whose substrings plain entries keep
	name  string
	lines lines
	s     *Summary
	paths int // entries with a Path, to size duplicates' index
}

func (p *summaryParser) pos(n ast.Node) (int, int) { return p.lines.pos(start(n)) }

func (p *summaryParser) warn(line, col int, format string, args ...any) {
	p.s.Diagnostics = append(p.s.Diagnostics, diag.Warnf(p.name, line, col, format, args...))
}

func (p *summaryParser) fail(line, col int, format string, args ...any) {
	p.s.Diagnostics = append(p.s.Diagnostics, diag.Errorf(p.name, line, col, format, args...))
}

// list appends the entries of l's items to out.
func (p *summaryParser) list(l *ast.List, out []*Entry) []*Entry {
	for li := l.FirstChild(); li != nil; li = li.NextSibling() {
		out = p.item(li, out)
	}
	return out
}

// item reads one list item: its first block makes the entry, nested lists
// its children. An item that makes no entry hands its children up. The
// entries are appended to out.
func (p *summaryParser) item(li ast.Node, out []*Entry) []*Entry {
	first := li.FirstChild()
	var e *Entry
	switch f := first.(type) {
	case nil:
		line, col := p.pos(li)
		p.warn(line, col, "empty list item; ignored")
		return out
	case *summaryLink:
		line, col := p.pos(f)
		part := func(at [2]int) string { return p.str[at[0]:at[1]] }
		e = p.linkTo(&Entry{Title: collapseSpaces(part(f.text)), NavLabel: collapseSpaces(part(f.label)), Line: line, Col: col}, part(f.dest))
	case *ast.Paragraph, *ast.TextBlock:
		e = p.linkEntry(f)
	case *ast.FencedCodeBlock:
		e = p.computed(f)
	case *ast.List:
		first = nil // the item starts with its sub-list
	default:
		line, col := p.pos(f)
		p.warn(line, col, "a list item must start with a link; ignored")
	}
	var children []*Entry
	if e == nil {
		children = out
	}
	for c := li.FirstChild(); c != nil; c = c.NextSibling() {
		if c == first {
			continue
		}
		switch c := c.(type) {
		case *ast.List:
			children = p.list(c, children)
		case *ast.HTMLBlock:
			if c.HTMLBlockType != ast.HTMLBlockType2 {
				line, col := p.pos(c)
				p.warn(line, col, "HTML is not part of the table of contents; ignored")
			}
		default:
			line, col := p.pos(c)
			p.warn(line, col, "only nested lists may follow an entry; ignored")
		}
	}
	if e == nil {
		return children
	}
	e.Children = children
	return append(out, e)
}

var scheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

// hasScheme is scheme.MatchString written out: the regular expression
// cost more than the rest of a SUMMARY.md entry.
func hasScheme(dest string) bool {
	for i := 0; i < len(dest); i++ {
		c := dest[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '.' || c == '-'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

func (p *summaryParser) linkEntry(block ast.Node) *Entry {
	line, col := p.pos(block)
	var link *ast.Link
	extra := false
	for c := block.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Link:
			if link == nil {
				link = c
				continue
			}
		case *ast.RawHTML:
			continue
		case *ast.Text:
			if len(bytes.TrimSpace(c.Segment.Value(p.src))) == 0 {
				continue
			}
		}
		extra = true
	}
	if link == nil {
		text := plainText(block, p.src)
		if text == "" {
			p.warn(line, col, "list item without text or link; ignored")
			return nil
		}
		if strings.Contains(text, "[") || strings.Contains(text, "](") {
			p.fail(line, col, "malformed link %q: want [Title](path.md)", text)
			return nil
		}
		p.warn(line, col, "%q has no link: GitBook makes it an empty page", text)
		return &Entry{Kind: KindDocument, Title: text, Line: line, Col: col}
	}
	if extra {
		p.warn(line, col, "text outside the link is not part of the entry; ignored")
	}
	e := &Entry{Title: plainText(link, p.src), NavLabel: collapseSpaces(resolveInline(link.Title)), Line: line, Col: col}
	return p.linkTo(e, string(resolveInline(link.Destination)))
}

// linkTo completes e, the entry of a link to dest: an external link, a
// page of the space, or a heading of one.
func (p *summaryParser) linkTo(e *Entry, dest string) *Entry {
	line, col := e.Line, e.Col
	if hasScheme(dest) || strings.HasPrefix(dest, "//") {
		e.Kind, e.Href = KindLink, dest
		return e
	}
	file, anchor, _ := strings.Cut(dest, "#")
	if anchor != "" {
		e.Anchor = "#" + anchor
	}
	if dec, err := url.PathUnescape(file); err == nil {
		file = dec
	}
	if file == "" {
		p.warn(line, col, "link %q names no file; ignored", dest)
		return nil
	}
	rel, err := cleanRel(file)
	if err != nil || rel == "" {
		p.fail(line, col, "link %q: want a Markdown file inside the content root", dest)
		return nil
	}
	if !strings.EqualFold(path.Ext(rel), ".md") {
		p.warn(line, col, "%s is not a Markdown file: GitBook makes pages from .md files only; ignored", rel)
		return nil
	}
	e.Kind, e.Path = KindDocument, rel
	p.paths++
	if e.Anchor != "" {
		// GitBook exports a link to a heading of a page as file.md#id.
		e.Kind = KindLink
	}
	return e
}

// computed reads a YAML code block that GitBook writes for a computed page.
func (p *summaryParser) computed(f *ast.FencedCodeBlock) *Entry {
	line, col := p.pos(f)
	if f.Info != nil { // the opening fence, not the first line inside
		off := f.Info.Segment.Start
		for off > 0 && (p.src[off-1] == '`' || p.src[off-1] == '~') {
			off--
		}
		line, col = p.lines.pos(off)
	}
	var b strings.Builder
	for i := 0; i < f.Lines().Len(); i++ {
		seg := f.Lines().At(i)
		b.Write(seg.Value(p.src))
	}
	src := b.String()
	var spec struct {
		Type         string `yaml:"type"`
		Dependencies struct {
			Spec struct {
				Ref struct {
					Spec string `yaml:"spec"`
				} `yaml:"ref"`
			} `yaml:"spec"`
		} `yaml:"dependencies"`
	}
	if err := yaml.Unmarshal([]byte(src), &spec); err != nil || spec.Type == "" {
		p.warn(line, col, "a code block in a list item is a page only when it is GitBook's YAML with a type; ignored")
		return nil
	}
	c := &Computed{Type: spec.Type, Spec: spec.Dependencies.Spec.Ref.Spec, Source: src}
	what := c.Type
	if c.Spec != "" {
		what += fmt.Sprintf(" of spec %q", c.Spec)
	}
	p.warn(line, col, "computed page (%s): GitBook generates its content; gitbook-sync keeps it in the tree and sends nothing for it", what)
	return &Entry{Kind: KindComputed, Computed: c, Line: line, Col: col}
}

// duplicates applies GitBook's rule of one page per file. GitBook's export
// writes a link to a page as that page's file, so a file can be listed
// more than once: one entry is the page, the others link to it. The page
// is the entry with sub-pages (links have none); otherwise the first.
func (p *summaryParser) duplicates() {
	// Most files are listed once, as a page: only the others are looked
	// at again, in the order they first appear.
	index := make(map[string]int, p.paths) // file → order of first appearance
	firsts := make([]*Entry, 0, p.paths)
	more := map[int][]*Entry{}
	var again []int
	var collect func(list []*Entry)
	collect = func(list []*Entry) {
		for _, e := range list {
			if e.Path != "" {
				i, seen := index[e.Path]
				switch {
				case !seen:
					index[e.Path] = len(firsts)
					firsts = append(firsts, e)
					if e.Kind != KindDocument {
						again = append(again, len(firsts)-1)
					}
				case more[i] == nil && firsts[i].Kind == KindDocument:
					again = append(again, i)
					fallthrough
				default:
					more[i] = append(more[i], e)
				}
			}
			collect(e.Children)
		}
	}
	collect(p.s.Entries)
	slices.Sort(again)
	for _, i := range again {
		file := firsts[i].Path
		var docs []*Entry
		var anchored []*Entry
		for _, e := range append([]*Entry{firsts[i]}, more[i]...) {
			if e.Kind == KindDocument {
				docs = append(docs, e)
			} else {
				anchored = append(anchored, e)
			}
		}
		if len(docs) == 0 {
			// GitBook's export lists every page by its plain file; a file
			// listed only with an anchor is taken as the page.
			e := anchored[0]
			p.warn(e.Line, e.Col, "%s is listed only with an anchor (%s): the entry is taken as the page and the anchor ignored", file, e.Anchor)
			e.Kind, e.Anchor = KindDocument, ""
			continue
		}
		if len(docs) == 1 {
			continue
		}
		page := docs[0]
		var withChildren []*Entry
		for _, e := range docs {
			if len(e.Children) > 0 {
				withChildren = append(withChildren, e)
			}
		}
		switch len(withChildren) {
		case 0:
			p.warn(docs[1].Line, docs[1].Col, "%s is already listed at line %d: GitBook keeps one page per file, so this entry links to it", file, page.Line)
		case 1:
			page = withChildren[0]
		default:
			p.fail(withChildren[1].Line, withChildren[1].Col, "%s is listed with sub-pages at lines %d and %d: GitBook keeps one page per file; list the sub-pages once", file, withChildren[0].Line, withChildren[1].Line)
		}
		for _, e := range docs {
			if e != page {
				e.Kind = KindLink
			}
		}
	}
}

// escapeTitle escapes what, in link text, would end the text or be read
// as Markdown. GitBook's export escapes only brackets; the rest is rare in
// titles and keeps a title's text through a round trip.
func escapeTitle(s string) string {
	s = titleEscaper.Replace(s)
	return entity.ReplaceAllString(s, `\$0`)
}

var (
	titleEscaper = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, "`", "\\`", `*`, `\*`, `_`, `\_`, `<`, `\<`)
	entity       = regexp.MustCompile(`&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);`)
	orderedStart = regexp.MustCompile(`^[0-9]+[.)]`)
)

// escapeLine escapes a title written at the start of a line (a list item
// without a link, a group heading): nothing may start a block there.
func escapeLine(s string) string {
	s = strings.ReplaceAll(escapeTitle(s), "#", `\#`)
	if s != "" && strings.IndexByte(">-+=~|:!\"'(){}.,;?@$%^/", s[0]) >= 0 {
		s = `\` + s
	}
	if m := orderedStart.FindString(s); m != "" {
		s = m[:len(m)-1] + `\` + s[len(m)-1:]
	}
	return s
}

func escapeDest(p string) string {
	u := (&url.URL{Path: p}).EscapedPath()
	return strings.NewReplacer("(", "%28", ")", "%29").Replace(u)
}

// RenderSummary writes entries as GitBook writes SUMMARY.md on export.
func RenderSummary(entries []*Entry) []byte {
	var b bytes.Buffer
	b.WriteString("# Table of contents\n\n")
	var items func(list []*Entry, depth int)
	items = func(list []*Entry, depth int) {
		indent := strings.Repeat("  ", depth)
		for _, e := range list {
			b.WriteString(indent)
			if e.Kind == KindComputed && e.Computed != nil {
				b.WriteString("* ```yaml\n")
				for _, l := range strings.SplitAfter(strings.TrimSuffix(e.Computed.Source, "\n"), "\n") {
					b.WriteString(indent + "  " + strings.TrimSuffix(l, "\n") + "\n")
				}
				b.WriteString(indent + "  ```\n")
				items(e.Children, depth+1)
				continue
			}
			if e.Path == "" && e.Href == "" { // an empty page, written as text
				b.WriteString("* " + escapeLine(e.Title) + "\n")
				items(e.Children, depth+1)
				continue
			}
			b.WriteString("* [")
			b.WriteString(escapeTitle(e.Title))
			b.WriteString("](")
			if e.Href != "" {
				b.WriteString(e.Href)
			} else {
				b.WriteString(escapeDest(e.Path) + e.Anchor)
			}
			if e.NavLabel != "" {
				b.WriteString(` "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(e.NavLabel) + `"`)
			}
			b.WriteString(")\n")
			items(e.Children, depth+1)
		}
	}
	var loose []*Entry
	inGroup := false
	flush := func() {
		if len(loose) == 0 {
			return
		}
		if inGroup {
			b.WriteString("\n***\n\n")
			inGroup = false
		}
		items(loose, 0)
		loose = nil
	}
	for _, e := range entries {
		if e.Kind != KindGroup {
			loose = append(loose, e)
			continue
		}
		flush()
		b.WriteString("\n## " + escapeLine(e.Title))
		if e.Slug != "" {
			fmt.Fprintf(&b, ` <a href="#%s" id="%s"></a>`, e.Slug, e.Slug)
		}
		b.WriteString("\n\n")
		items(e.Children, 0)
		inGroup = true
	}
	flush()
	return b.Bytes()
}

// Dir returns the directory part of a content path ("" at the root).
func Dir(p string) string {
	d := path.Dir(p)
	if d == "." {
		return ""
	}
	return d
}
