package content

import (
	"bufio"
	"bytes"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// Entry is one node of SUMMARY.md: a group heading, a page, or an external link.
type Entry struct {
	Kind     string // "group", "document" or "link"
	Title    string
	Path     string // file, relative to the content root (documents)
	Anchor   string // "#..." part of the link, if any
	NavLabel string // the link's quoted title: [t](p "label")
	Href     string // external links
	Line     int    // 1-based line in SUMMARY.md
	Children []*Entry
}

// Entry kinds, matching GitBook's page types.
const (
	KindGroup    = "group"
	KindDocument = "document"
	KindLink     = "link"
)

// Summary is a parsed table of contents.
type Summary struct {
	Entries  []*Entry
	Warnings []string // lines that are not part of the tree, with their line numbers
}

// ParseSummary reads SUMMARY.md. name is used in errors and warnings.
func ParseSummary(data []byte, name string) (*Summary, error) {
	s := &Summary{}
	type level struct {
		indent int
		entry  *Entry
	}
	var stack []level
	var group *Entry
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		raw := strings.TrimRight(sc.Text(), " \t\r")
		trimmed := strings.TrimLeft(raw, " \t")
		if trimmed == "" || strings.HasPrefix(trimmed, "<!--") {
			continue
		}
		if strings.HasPrefix(trimmed, "#") {
			level := len(trimmed) - len(strings.TrimLeft(trimmed, "#"))
			title := strings.TrimSpace(trimmed[level:])
			if level == 1 || title == "" {
				continue // "# Table of contents"
			}
			group = &Entry{Kind: KindGroup, Title: unescape(title), Line: lineNo}
			s.Entries = append(s.Entries, group)
			stack = stack[:0]
			continue
		}
		if len(trimmed) < 2 || !strings.ContainsRune("*-+", rune(trimmed[0])) || trimmed[1] != ' ' {
			if trimmed != "---" {
				s.Warnings = append(s.Warnings, fmt.Sprintf("%s:%d: not a list item or heading; ignored", name, lineNo))
			}
			continue
		}
		indent := indentWidth(raw)
		e, err := parseItem(strings.TrimSpace(trimmed[2:]), lineNo)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, lineNo, err)
		}
		if e == nil {
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s:%d: list item without a link is not a page; ignored", name, lineNo))
			continue
		}
		if e.Kind == KindDocument {
			if first, dup := seen[e.Path]; dup {
				if e.Anchor == "" {
					s.Warnings = append(s.Warnings, fmt.Sprintf("%s:%d: %s is already listed at line %d; GitBook keeps one page per file", name, lineNo, e.Path, first))
					continue
				}
				// A second entry for a file with an anchor is a link to a
				// heading of that page, as GitBook exports such links.
				e.Kind, e.Href, e.Path, e.Anchor = KindLink, e.Path+e.Anchor, "", ""
			} else {
				seen[e.Path] = lineNo
			}
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		switch {
		case len(stack) > 0:
			parent := stack[len(stack)-1].entry
			parent.Children = append(parent.Children, e)
		case group != nil:
			group.Children = append(group.Children, e)
		default:
			s.Entries = append(s.Entries, e)
		}
		stack = append(stack, level{indent, e})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

func indentWidth(line string) int {
	n := 0
	for _, r := range line {
		switch r {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return n
		}
	}
	return n
}

// parseItem reads "[title](dest "label")" and returns nil for plain text.
func parseItem(s string, line int) (*Entry, error) {
	if !strings.HasPrefix(s, "[") {
		return nil, nil
	}
	// Find the closing bracket of the link text, honouring escapes and nesting.
	depth, end := 0, -1
	for i := 0; i < len(s) && end < 0; i++ {
		switch s[i] {
		case '\\':
			i++
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				end = i
			}
		}
	}
	if end < 0 || end+1 >= len(s) || s[end+1] != '(' {
		return nil, fmt.Errorf("malformed link %q: want [Title](path.md)", s)
	}
	title := unescape(s[1:end])
	rest := s[end+2:]
	closeIdx := strings.LastIndexByte(rest, ')')
	if closeIdx < 0 {
		return nil, fmt.Errorf("malformed link %q: missing closing parenthesis", s)
	}
	inner := strings.TrimSpace(rest[:closeIdx])
	var dest, label string
	if strings.HasPrefix(inner, "<") {
		gt := strings.IndexByte(inner, '>')
		if gt < 0 {
			return nil, fmt.Errorf("malformed link destination %q", inner)
		}
		dest, label = inner[1:gt], strings.TrimSpace(inner[gt+1:])
	} else if sp := strings.IndexAny(inner, " \t"); sp >= 0 {
		dest, label = inner[:sp], strings.TrimSpace(inner[sp+1:])
	} else {
		dest = inner
	}
	if len(label) >= 2 && (label[0] == '"' || label[0] == '\'') && label[len(label)-1] == label[0] {
		label = unescape(label[1 : len(label)-1])
	} else {
		label = ""
	}
	e := &Entry{Title: title, NavLabel: label, Line: line}
	if isExternal(dest) {
		e.Kind, e.Href = KindLink, dest
		return e, nil
	}
	if i := strings.IndexByte(dest, '#'); i >= 0 {
		dest, e.Anchor = dest[:i], dest[i:]
	}
	if dec, err := url.PathUnescape(dest); err == nil {
		dest = dec
	}
	p, err := cleanRel(dest)
	if err != nil || p == "" {
		return nil, fmt.Errorf("link %q: want a Markdown file inside the content root", dest)
	}
	e.Kind, e.Path = KindDocument, p
	return e, nil
}

func isExternal(dest string) bool {
	l := strings.ToLower(dest)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "mailto:")
}

// unescape removes Markdown backslash escapes: `when\(\)` is "when()".
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			i++
		}
		b.WriteByte(s[i])
	}
	return strings.TrimSpace(b.String())
}

func isASCIIPunct(c byte) bool {
	return strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}

// escapeTitle escapes what would end or confuse link text.
func escapeTitle(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`)
	return r.Replace(s)
}

func escapeDest(p string) string {
	u := (&url.URL{Path: p}).EscapedPath()
	return strings.ReplaceAll(u, "(", "%28")
}

// RenderSummary writes entries as GitBook writes SUMMARY.md on export.
func RenderSummary(entries []*Entry) []byte {
	var b bytes.Buffer
	b.WriteString("# Table of contents\n\n")
	var items func(list []*Entry, depth int)
	items = func(list []*Entry, depth int) {
		for _, e := range list {
			b.WriteString(strings.Repeat("  ", depth))
			b.WriteString("* [")
			b.WriteString(escapeTitle(e.Title))
			b.WriteString("](")
			if e.Kind == KindLink {
				b.WriteString(e.Href)
			} else {
				b.WriteString(escapeDest(e.Path) + e.Anchor)
			}
			if e.NavLabel != "" {
				b.WriteString(` "` + strings.ReplaceAll(e.NavLabel, `"`, `\"`) + `"`)
			}
			b.WriteString(")\n")
			items(e.Children, depth+1)
		}
	}
	var loose []*Entry
	flush := func() {
		items(loose, 0)
		loose = nil
	}
	for _, e := range entries {
		if e.Kind != KindGroup {
			loose = append(loose, e)
			continue
		}
		flush()
		b.WriteString("\n## " + e.Title + "\n\n")
		items(e.Children, 0)
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
