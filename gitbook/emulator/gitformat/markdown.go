package gitformat

import (
	"bytes"
	"regexp"
	"sort"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// mdParser reads Markdown as CommonMark with GitHub's tables,
// strikethrough and task lists, the dialect GitBook writes. goldmark keeps
// the source position of every block and of list markers and emphasis
// delimiters, which is what lets the rules below edit a document in place
// instead of re-rendering it. A goldmark parser is safe for concurrent use.
var mdParser = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.TaskList)).Parser()

func parseMarkdown(src []byte) ast.Node {
	return mdParser.Parse(text.NewReader(src), parser.WithContext(parser.NewContext()))
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// applyEdits applies non-overlapping edits; overlapping ones after the first
// are dropped.
func applyEdits(src []byte, edits []edit) []byte {
	if len(edits) == 0 {
		return src
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var b bytes.Buffer
	at := 0
	for _, e := range edits {
		if e.start < at {
			continue
		}
		b.Write(src[at:e.start])
		b.WriteString(e.text)
		at = e.end
	}
	b.Write(src[at:])
	return b.Bytes()
}

func lineStart(src []byte, i int) int { return bytes.LastIndexByte(src[:i], '\n') + 1 }

func lineEnd(src []byte, i int) int {
	if j := bytes.IndexByte(src[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(src)
}

// Normalize rewrites a page document the way GitBook stores and writes
// submitted Markdown. Each rule turns a form that GitBook's own export never
// writes into the one it does (measured on GitbookIO/public-docs, 283 pages
// written by GitBook's Git Sync); everything else is kept byte for byte, so
// a document GitBook wrote is a fixed point:
//
//   - line endings are "\n";
//   - bullet list markers "-" and "+" become "*";
//   - ordered list delimiters ")" become ".";
//   - every thematic break ("---", "___", "* * *", ...) becomes "***";
//   - setext headings become ATX headings, and closing "#"s are dropped;
//   - emphasis is written "_x_" and strong emphasis "**x**";
//   - a hard line break made of trailing spaces becomes a trailing "\";
//     other trailing spaces and tabs are dropped (outside code and HTML);
//   - an indented code block at the top level becomes a fenced one;
//   - a document with text ends with a newline.
//
// Blank lines are kept as they are: GitBook writes runs of them for empty
// paragraphs.
func Normalize(doc string) string {
	src := []byte(strings.ReplaceAll(strings.ReplaceAll(doc, "\r\n", "\n"), "\r", "\n"))
	src = applyEdits(src, blockEdits(src))
	if trailingSpace.Match(src) {
		src = applyEdits(src, whitespaceEdits(src))
	}
	if len(bytes.TrimSpace(src)) == 0 {
		return ""
	}
	src = bytes.TrimLeft(src, "\n")
	if src[len(src)-1] != '\n' {
		src = append(src, '\n')
	}
	return string(src)
}

var trailingSpace = regexp.MustCompile(`[ \t]\n|[ \t]$`)

var atxClosing = regexp.MustCompile(`[ \t]+#+[ \t]*$`)

// blockEdits collects the marker, break, heading and emphasis rewrites.
func blockEdits(src []byte) []edit {
	var edits []edit
	doc := parseMarkdown(src)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.List:
			for item := n.FirstChild(); item != nil; item = item.NextSibling() {
				p := item.Pos()
				if p < 0 || p >= len(src) {
					continue
				}
				if !n.IsOrdered() && (src[p] == '-' || src[p] == '+') {
					edits = append(edits, edit{p, p + 1, "*"})
				}
				if n.IsOrdered() {
					d := p
					for d < len(src) && src[d] >= '0' && src[d] <= '9' {
						d++
					}
					if d < len(src) && src[d] == ')' {
						edits = append(edits, edit{d, d + 1, "."})
					}
				}
			}
		case *ast.ThematicBreak:
			if p := n.Pos(); p >= 0 {
				if e := lineEnd(src, p); string(src[p:e]) != "***" {
					edits = append(edits, edit{p, e, "***"})
				}
			}
		case *ast.Heading:
			edits = append(edits, headingEdit(src, n)...)
		case *ast.Emphasis:
			if e, ok := emphasisEdit(src, n); ok {
				edits = append(edits, e...)
			}
		case *ast.CodeBlock:
			if n.Parent() == doc && n.Lines().Len() > 0 {
				edits = append(edits, fenceEdit(src, n))
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return edits
}

func headingEdit(src []byte, h *ast.Heading) []edit {
	p := h.Pos()
	if p < 0 || h.Lines().Len() == 0 {
		return nil
	}
	ls := lineStart(src, p)
	if bytes.HasPrefix(bytes.TrimLeft(src[ls:p+1], " "), []byte("#")) {
		// ATX: drop a closing sequence.
		e := lineEnd(src, p)
		if loc := atxClosing.FindIndex(src[p:e]); loc != nil && p+loc[0] > p+h.Level {
			return []edit{{p + loc[0], e, ""}}
		}
		return nil
	}
	// Setext: the text lines, then an underline.
	var parts []string
	for i := 0; i < h.Lines().Len(); i++ {
		seg := h.Lines().At(i)
		parts = append(parts, strings.TrimSpace(string(seg.Value(src))))
	}
	last := h.Lines().At(h.Lines().Len() - 1)
	underEnd := lineEnd(src, min(lineEnd(src, last.Start)+1, len(src)))
	return []edit{{ls, underEnd, strings.Repeat("#", h.Level) + " " + strings.Join(parts, " ")}}
}

// emphasisEdit rewrites "*x*" as "_x_" and "__x__" as "**x**" when the
// emphasis holds only text, so that the delimiters' places are known, and
// when "_" would still be emphasis there (not inside a word).
func emphasisEdit(src []byte, n *ast.Emphasis) ([]edit, bool) {
	first, ok1 := n.FirstChild().(*ast.Text)
	last, ok2 := n.LastChild().(*ast.Text)
	if !ok1 || !ok2 {
		return nil, false
	}
	open, close := first.Segment.Start-n.Level, last.Segment.Stop
	if open < 0 || close+n.Level > len(src) {
		return nil, false
	}
	delim := src[open]
	want := byte('_')
	if n.Level == 2 {
		want = '*'
	}
	if delim == want || src[close] != delim {
		return nil, false
	}
	if want == '_' {
		if (open > 0 && isWordByte(src[open-1])) || (close+1 < len(src) && isWordByte(src[close+1])) {
			return nil, false
		}
	}
	d := strings.Repeat(string(want), n.Level)
	return []edit{{open, open + n.Level, d}, {close, close + n.Level, d}}, true
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func fenceEdit(src []byte, n *ast.CodeBlock) edit {
	var b strings.Builder
	b.WriteString("```\n")
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		b.Write(seg.Value(src))
	}
	b.WriteString("```")
	first := n.Lines().At(0)
	last := n.Lines().At(n.Lines().Len() - 1)
	end := last.Stop
	if end > 0 && src[end-1] == '\n' {
		end--
	}
	return edit{lineStart(src, first.Start), end, b.String()}
}

// whitespaceEdits turns space hard breaks into "\" and drops other
// trailing whitespace, outside code blocks and HTML blocks.
func whitespaceEdits(src []byte) []edit {
	keep := make([]bool, len(src)+1) // bytes inside code or HTML blocks
	var edits []edit
	doc := parseMarkdown(src)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
			from := n.Pos()
			to := from
			if l := n.Lines(); l.Len() > 0 {
				to = max(to, l.At(l.Len()-1).Stop)
			}
			if from >= 0 {
				if fc, ok := n.(*ast.FencedCodeBlock); ok {
					_ = fc
					to = lineEnd(src, min(to+1, len(src))) // the closing fence
				}
				for i := lineStart(src, from); i < to && i < len(src); i++ {
					keep[i] = true
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if n.HardLineBreak() && n.Segment.Stop < len(src) && src[n.Segment.Stop] == ' ' {
				e := lineEnd(src, n.Segment.Stop)
				edits = append(edits, edit{n.Segment.Stop, e, "\\"})
				keep[n.Segment.Stop] = true
			}
		}
		return ast.WalkContinue, nil
	})
	for i := 0; i < len(src); {
		e := lineEnd(src, i)
		j := e
		for j > i && (src[j-1] == ' ' || src[j-1] == '\t') {
			j--
		}
		if j < e && !keep[j] && !keep[i] {
			edits = append(edits, edit{j, e, ""})
		}
		i = e + 1
	}
	return edits
}

// plainText is the text of inline Markdown as a reader sees it: escapes
// and entities resolved, code spans reduced to their text, raw HTML left
// out. GitBook's titles are plain text made this way (BrainMonkey's heading
// "Bulk patching with `stubs()`" is the page "Bulk patching with stubs()").
func plainText(inline string) string {
	src := []byte(inline)
	doc := parseMarkdown(src)
	var b bytes.Buffer
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			v := n.Segment.Value(src)
			if _, inCode := n.Parent().(*ast.CodeSpan); !inCode {
				v = util.UnescapePunctuations(v)
				v = util.ResolveNumericReferences(v)
				v = util.ResolveEntityNames(v)
			}
			b.Write(v)
			if n.SoftLineBreak() || n.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(n.Value)
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// escapeInline escapes what would otherwise be read as Markdown in a
// title. GitBook escapes "[" in headings ("\[updated for 2026]") and "["
// and "]" in SUMMARY link text; code, emphasis and HTML openers are
// escaped too so that the title reads back as the same plain text.
func escapeInline(s string, linkText bool) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '[', '`', '*', '_', '<':
			b.WriteByte('\\')
		case ']':
			if linkText {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// splitTitle takes a leading level-1 heading off a body: Git Sync makes it
// the page title. rest is what follows, less the blank line GitBook writes
// after the heading.
func splitTitle(body string) (heading, rest string, ok bool) {
	trimmed := strings.TrimLeft(body, "\n")
	if !strings.HasPrefix(trimmed, "# ") && trimmed != "#" && !strings.HasPrefix(trimmed, "#\t") {
		return "", body, false
	}
	end := strings.IndexByte(trimmed, '\n')
	line, after := trimmed, ""
	if end >= 0 {
		line, after = trimmed[:end], trimmed[end+1:]
	}
	heading = strings.TrimSpace(line[1:])
	if loc := atxClosing.FindStringIndex(" " + heading); loc != nil {
		heading = strings.TrimSpace((" " + heading)[:loc[0]])
	}
	return heading, strings.TrimPrefix(after, "\n"), true
}
