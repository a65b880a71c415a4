package content

import (
	"bytes"
	"sort"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// SUMMARY.md and page bodies are read with goldmark, a CommonMark parser:
// list nesting, fenced blocks inside list items, multi-line HTML comments,
// thematic breaks and link syntax follow the specification GitBook's own
// Markdown follows, instead of a line-by-line guess.
var markdown = goldmark.New()

func parseMarkdown(src []byte) ast.Node {
	return markdown.Parser().Parse(text.NewReader(src))
}

// lines maps byte offsets of a source to 1-based line and column numbers.
type lines []int // offsets of each '\n'

func newLines(src []byte) lines {
	var l lines
	for i, c := range src {
		if c == '\n' {
			l = append(l, i)
		}
	}
	return l
}

// pos returns the line and column of offset; 0, 0 when it is unknown.
func (l lines) pos(offset int) (line, col int) {
	if offset < 0 {
		return 0, 0
	}
	i := sort.SearchInts(l, offset) // newlines before offset
	start := 0
	if i > 0 {
		start = l[i-1] + 1
	}
	return i + 1, offset - start + 1
}

// start returns the byte offset where n's text begins, or -1.
func start(n ast.Node) int {
	if t, ok := n.(*ast.Text); ok {
		return t.Segment.Start
	}
	if n.Type() == ast.TypeBlock {
		if ls := n.Lines(); ls != nil && ls.Len() > 0 {
			return ls.At(0).Start
		}
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if s := start(c); s >= 0 {
			return s
		}
	}
	return -1
}

// plainText is the text a reader sees in inline Markdown: code spans
// without their backticks, emphasis without its markers, escapes and
// entities resolved, inline HTML left out. GitBook titles are plain text.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				v := c.Segment.Value(src)
				if !c.IsRaw() {
					v = resolveInline(v)
				}
				b.Write(v)
				if c.SoftLineBreak() || c.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.CodeSpan:
				for t := c.FirstChild(); t != nil; t = t.NextSibling() {
					if s, ok := t.(*ast.Text); ok {
						b.Write(s.Segment.Value(src))
					} else if s, ok := t.(*ast.String); ok {
						b.Write(s.Value)
					}
				}
			case *ast.RawHTML:
				// <a href="#id" id="id"></a> and the like carry no text.
			case *ast.AutoLink:
				b.Write(c.Label(src))
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// resolveInline resolves backslash escapes and character references.
func resolveInline(v []byte) []byte {
	if bytes.IndexByte(v, '\\') >= 0 {
		v = util.UnescapePunctuations(v)
	}
	if bytes.IndexByte(v, '&') >= 0 {
		v = util.ResolveEntityNames(util.ResolveNumericReferences(v))
	}
	return v
}

// htmlID returns the id="..." attribute of the first inline HTML tag of n
// that has one: GitBook writes a group's slug as
// `## Title <a href="#slug" id="slug"></a>` when it differs from the title.
func htmlID(n ast.Node, src []byte) string {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		h, ok := c.(*ast.RawHTML)
		if !ok {
			continue
		}
		var tag []byte
		for i := 0; i < h.Segments.Len(); i++ {
			seg := h.Segments.At(i)
			tag = append(tag, seg.Value(src)...)
		}
		if id := attr(string(tag), "id"); id != "" {
			return id
		}
	}
	return ""
}

// attr returns the value of a quoted attribute in one HTML tag.
func attr(tag, name string) string {
	for rest := tag; ; {
		i := strings.Index(rest, name+"=")
		if i < 0 {
			return ""
		}
		before := byte(' ')
		if i > 0 {
			before = rest[i-1]
		}
		rest = rest[i+len(name)+1:]
		if before != ' ' && before != '\t' && before != '\n' {
			continue
		}
		if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
			continue
		}
		if j := strings.IndexByte(rest[1:], rest[0]); j >= 0 {
			return rest[1 : j+1]
		}
		return ""
	}
}
