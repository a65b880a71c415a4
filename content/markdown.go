package content

import (
	"bytes"
	"sort"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
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

// summaryMarkdown is goldmark's CommonMark parser with one step added for
// SUMMARY.md, whose tens of thousands of entries are each a paragraph
// holding one link: such a paragraph, written plainly, becomes a
// summaryLink before goldmark's inline parsing, which would find the same
// link at many times the cost. Goldmark still decides every block (list
// nesting, lazy lines, fences, comments, headings); any paragraph with
// more to it than the plain form is parsed inline as before.
var summaryMarkdown = goldmark.New(goldmark.WithParserOptions(parser.WithParagraphTransformers(
	// Before LinkReferenceParagraphTransformer (100), which finds no
	// definition in a plain link and would only cost as much again.
	util.Prioritized(plainLinks{}, 50),
)))

// parseSummaryMarkdown parses SUMMARY.md; md is summaryMarkdown, or
// markdown for the reference the tests compare with.
func parseSummaryMarkdown(md goldmark.Markdown, src []byte) ast.Node {
	return md.Parser().Parse(text.NewReader(src))
}

// summaryLink is a paragraph that is exactly one plainly written inline
// link: [text](dest) or [text](dest "label"), in which no character has a
// meaning in Markdown, so its parts are the source bytes as written, here
// as [start, end) offsets in the source.
type summaryLink struct {
	ast.BaseBlock
	text, dest, label [2]int
}

var kindSummaryLink = ast.NewNodeKind("SummaryLink")

func (n *summaryLink) Kind() ast.NodeKind { return kindSummaryLink }

// IsRaw keeps goldmark's inline parser away: the parts are known.
func (n *summaryLink) IsRaw() bool { return true }

func (n *summaryLink) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

// plainLinks turns plainly written one-link paragraphs into summaryLinks.
type plainLinks struct{}

func (plainLinks) Transform(para *ast.Paragraph, reader text.Reader, pc parser.Context) {
	lines := para.Lines()
	if lines.Len() != 1 || !closing(para, pc) {
		return
	}
	seg := lines.At(0)
	if seg.Padding != 0 || seg.ForceNewline {
		return
	}
	parts, ok := splitPlainLink(reader.Source()[seg.Start:seg.Stop])
	if !ok {
		return
	}
	in := func(part [2]int) [2]int { return [2]int{seg.Start + part[0], seg.Start + part[1]} }
	n := &summaryLink{text: in(parts[0]), dest: in(parts[1]), label: in(parts[2])}
	n.SetLines(lines)
	n.SetBlankPreviousLines(para.HasBlankPreviousLines())
	para.Parent().ReplaceChild(para.Parent(), para, n)
}

// closing reports whether goldmark is closing para because the block
// ended. Goldmark also hands paragraph transformers a paragraph that the
// next line may turn into a setext heading ("[A](a.md)" over "---"); that
// one, already out of the open blocks, must stay a paragraph.
func closing(para ast.Node, pc parser.Context) bool {
	open := pc.OpenedBlocks()
	for i := len(open) - 1; i >= 0; i-- {
		if open[i].Node == para {
			return true
		}
	}
	return false
}

// splitPlainLink splits a line that is exactly [text](dest) or
// [text](dest "label"), with or without its line ending, in which nothing
// is Markdown: text without brackets, backslashes, entities, code,
// emphasis or HTML; dest printable ASCII without spaces, parentheses,
// quotes, backslashes, entities or angle brackets; label without quotes,
// backslashes or entities. It returns the [start, end) offsets of text,
// dest and label (empty when there is none) in line. Anything else is
// left to goldmark.
func splitPlainLink(line []byte) (parts [3][2]int, ok bool) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	if len(line) < 5 || line[0] != '[' || line[len(line)-1] != ')' {
		return parts, false
	}
	end := bytes.IndexByte(line, ']')
	if end < 0 {
		return parts, false
	}
	for _, c := range line[1:end] {
		if c < 0x20 || c == 0x7f || plainTextStop[c] {
			return parts, false
		}
	}
	parts[0] = [2]int{1, end}
	// Inside the parentheses: dest, then maybe a space and "label".
	i, stop := end+2, len(line)-1
	if stop-i < 1 || line[end+1] != '(' {
		return parts, false
	}
	start := i
	for i < stop && line[i] > 0x20 && line[i] < 0x7f && !plainDestStop[line[i]] {
		i++
	}
	if i == start {
		return parts, false
	}
	parts[1] = [2]int{start, i}
	if i == stop {
		parts[2] = [2]int{i, i}
		return parts, true
	}
	if stop-i < 3 || line[i] != ' ' || line[i+1] != '"' || line[stop-1] != '"' {
		return parts, false
	}
	for _, c := range line[i+2 : stop-1] {
		if c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '&' {
			return parts, false
		}
	}
	parts[2] = [2]int{i + 2, stop - 1}
	return parts, true
}

var plainTextStop, plainDestStop [256]bool

func init() {
	for _, c := range []byte("[]\\&`*_<>!") {
		plainTextStop[c] = true
	}
	for _, c := range []byte("()<>\"'\\&") {
		plainDestStop[c] = true
	}
}

// lines maps byte offsets of a source to 1-based line and column numbers.
type lines []int // offsets of each '\n'

func newLines(src []byte) lines {
	l := make(lines, 0, bytes.Count(src, []byte{'\n'}))
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
	return collapseSpaces(b.String())
}

// collapseSpaces is strings.Join(strings.Fields(string(b)), " "), without
// the work when b has no space to collapse, as titles seldom do.
func collapseSpaces[T string | []byte](b T) string {
	plain := len(b) == 0 || b[0] != ' ' && b[len(b)-1] != ' '
	for i := 0; plain && i < len(b); i++ {
		c := b[i]
		plain = c > ' ' && c < 0x80 || c == ' ' && b[i+1] != ' '
	}
	if plain {
		return string(b)
	}
	return strings.Join(strings.Fields(string(b)), " ")
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
