package openapi

import (
	"bytes"
	"regexp"
	"unicode/utf8"
)

// yline is one line of YAML text.
type yline struct {
	start, end int // byte offsets; end includes the newline
	indent     int // leading spaces
	// content: the line starts a node of the block layout: it is not
	// blank, a comment, or the inside of a block scalar, a quoted scalar
	// or a flow collection begun on an earlier line.
	content bool
}

var (
	// A plain top-level or components key with nothing after the colon
	// but a comment: the only header the cutter descends into.
	reBlockKey = regexp.MustCompile(`^ *([A-Za-z_][A-Za-z0-9_.$-]*) *:([ \t]+(#.*)?)?$`)
	reKey      = regexp.MustCompile(`^ *([A-Za-z_][A-Za-z0-9_.$-]*) *:([ \t]|$)`)
	// The first line of a block mapping entry: a plain or quoted key and
	// its colon. Indicators that cannot start a plain key are refused.
	reEntry    = regexp.MustCompile(`^ *([^-?:,\[\]{}#&*!|>'"%@\x60\s][^\r\n]*?|"([^"\\]|\\.)*"|'([^']|'')*') *:([ \t]|$)`)
	reDocStart = regexp.MustCompile(`^---([ \t]+(#.*)?)?$`)
)

func yamlLines(data []byte) []yline {
	ls := make([]yline, 0, bytes.Count(data, []byte{'\n'})+1)
	for start := 0; start < len(data); {
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += start + 1
		}
		l := yline{start: start, end: end}
		for start+l.indent < end && data[start+l.indent] == ' ' {
			l.indent++
		}
		if i := start + l.indent; i < end {
			c := data[i]
			l.content = c != '\n' && c != '\r' && c != '#'
		}
		ls = append(ls, l)
		start = end
	}
	markContinuations(data, ls)
	return ls
}

// markContinuations clears content on the lines that continue a node
// begun above: block scalars, and quoted scalars or flow collections
// running over lines (whose later lines may sit at any indentation and
// look like keys). A doubt is resolved towards "continuation": that only
// makes entries coarser, never wrong.
func markContinuations(data []byte, ls []yline) {
	block := -1 // inside a block scalar: lines deeper than this column
	for i := 0; i < len(ls); i++ {
		l := ls[i]
		if block >= 0 {
			if !l.content || l.indent > block {
				ls[i].content = false
				continue
			}
			block = -1
		}
		if !l.content {
			continue
		}
		line := data[l.start:l.end]
		col, node := l.indent, l.indent
		// Sequence entries and explicit keys, possibly nested: "- - key:".
		for col+1 < len(line) && (line[col] == '-' || line[col] == '?') && isBlank(line[col+1]) {
			node = col
			col = skipBlanks(line, col+1)
		}
		v := col
		if k := keyEnd(line, col); k > 0 {
			node, v = col, skipBlanks(line, k)
		}
		// Anchors and tags before the value.
		for v < len(line) && (line[v] == '&' || line[v] == '!') {
			for v < len(line) && !isBlank(line[v]) {
				v++
			}
			v = skipBlanks(line, v)
		}
		if v >= len(line) {
			continue
		}
		switch line[v] {
		case '|', '>':
			block = node
		case '"', '\'', '[', '{':
			end := flowEnd(data, l.start+v)
			for i+1 < len(ls) && ls[i+1].start < end {
				i++
				ls[i].content = false
			}
		}
	}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipBlanks(line []byte, i int) int {
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return i
}

// keyEnd is the index after the colon of a block mapping key starting at
// col, or 0 when the line holds no key there.
func keyEnd(line []byte, col int) int {
	i := col
	if i < len(line) && (line[i] == '"' || line[i] == '\'') {
		end := quotedEnd(line, i)
		if end < 0 {
			return 0 // a quoted scalar going on below: a value, not a key
		}
		i = skipBlanks(line, end)
		if i < len(line) && line[i] == ':' && (i+1 == len(line) || isBlank(line[i+1])) {
			return i + 1
		}
		return 0
	}
	for ; i < len(line); i++ {
		switch line[i] {
		case ':':
			if i+1 == len(line) || isBlank(line[i+1]) {
				return i + 1
			}
		case '#':
			if i > col && isBlank(line[i-1]) {
				return 0 // a comment
			}
		}
	}
	return 0
}

// quotedEnd is the index after the quoted scalar starting at i, or -1 if
// it does not end within b.
func quotedEnd(b []byte, i int) int {
	q := b[i]
	for j := i + 1; j < len(b); j++ {
		switch {
		case q == '"' && b[j] == '\\':
			j++
		case b[j] == q && q == '\'' && j+1 < len(b) && b[j+1] == '\'':
			j++
		case b[j] == q:
			return j + 1
		}
	}
	return -1
}

// flowEnd is the offset after the quoted scalar or flow collection that
// starts at p (the end of the text if it never ends).
func flowEnd(data []byte, p int) int {
	if data[p] == '"' || data[p] == '\'' {
		if end := quotedEnd(data, p); end >= 0 {
			return end
		}
		return len(data)
	}
	depth, atNode := 0, true
	for ; p < len(data); p++ {
		switch c := data[p]; {
		case (c == '"' || c == '\'') && atNode:
			end := quotedEnd(data, p)
			if end < 0 {
				return len(data)
			}
			p, atNode = end-1, false
		case c == '[' || c == '{':
			depth++
			atNode = true
		case c == ']' || c == '}':
			depth--
			atNode = false
			if depth == 0 {
				return p + 1
			}
		case c == ',' || c == ':' || c == '?':
			atNode = true
		case c == '#' && isBlank(data[p-1]):
			for p < len(data) && data[p] != '\n' {
				p++
			}
		case !isBlank(c):
			atNode = false
		}
	}
	return len(data)
}

// blockEntries cuts lines into the entries of a block mapping: each entry
// starts at a content line indented as the first one, deeper than parent.
// Comments and blank lines stay with the entry before them.
func blockEntries(data []byte, ls []yline, parent int) (entries [][]yline, indent int, ok bool) {
	type span struct{ from, to int }
	var spans []span
	indent = -1
	for i, l := range ls {
		switch {
		case !l.content:
		case indent < 0 && l.indent <= parent:
			return nil, 0, false
		case indent < 0 || l.indent == indent:
			indent = l.indent
			if !reEntry.Match(head(data, l)) {
				return nil, 0, false // not a plain block mapping entry
			}
			spans = append(spans, span{from: i})
		case l.indent < indent:
			return nil, 0, false
		}
		if len(spans) > 0 {
			spans[len(spans)-1].to = i + 1
		}
	}
	for _, s := range spans {
		entries = append(entries, ls[s.from:s.to])
	}
	return entries, indent, true
}

// dedent appends the entry's lines with indent leading spaces removed, so
// that the entry becomes a top-level key of its piece.
func dedent(dst, data []byte, entry []yline, indent int) []byte {
	for _, l := range entry {
		cut := min(indent, l.indent)
		dst = append(dst, data[l.start+cut:l.end]...)
	}
	return dst
}

// appendLines appends the lines' text on a line of its own. The text's
// own end is kept: a block scalar at the end of the document without a
// line break has none in its value either.
func appendLines(dst, data []byte, ls []yline) []byte {
	if len(ls) == 0 {
		return dst
	}
	return append(newline(dst), data[ls[0].start:ls[len(ls)-1].end]...)
}

// newline ends text with a line break, if it has text.
func newline(text []byte) []byte {
	if len(text) > 0 && text[len(text)-1] != '\n' {
		text = append(text, '\n')
	}
	return text
}

// head is a line's text without its line break.
func head(data []byte, l yline) []byte {
	return bytes.TrimRight(data[l.start:l.end], "\r\n")
}

func splitYAML(data []byte, emit func(*piece)) (rest []byte, ok bool) {
	// YAML also breaks lines at a lone CR (and at Unicode line breaks,
	// which the whole-document decoder is left to handle).
	if bytes.Count(data, []byte{'\r'}) != bytes.Count(data, []byte("\r\n")) {
		return nil, false
	}
	// Comments ahead of a block's first entry are not passed on to the
	// decoder; only text it would accept anywhere can be cut (printable
	// also refuses NEL, a C1 control; the line and paragraph separators
	// and a byte-order mark are left to the whole load).
	if !printable(data) || bytes.HasPrefix(data, []byte("\uFEFF")) || bytes.Contains(data, []byte("\u2028")) || bytes.Contains(data, []byte("\u2029")) {
		return nil, false
	}
	ls := yamlLines(data)
	// A leading document marker is allowed; anything else at the top that
	// is not a plain key (directives, a second document, flow or sequence
	// documents) is left to the whole-document decoder.
	for i, l := range ls {
		if !l.content {
			continue
		}
		if reDocStart.Match(head(data, l)) {
			ls = append(ls[:i:i], ls[i+1:]...)
		}
		break
	}
	top, _, ok := blockEntries(data, ls, -1)
	if !ok {
		return nil, false
	}
	b := &batcher{emit: emit}
	seen := map[string]bool{}
	var restBuf []byte
	var componentsRest []byte
	// Keys at the top and in components must be plain names, so that a
	// key given twice (one half cut, one not) is seen here.
	keyName := func(seen map[string]bool, l yline) (string, bool) {
		m := reKey.FindSubmatch(head(data, l))
		if m == nil || seen[string(m[1])] {
			return "", false
		}
		seen[string(m[1])] = true
		return string(m[1]), true
	}
	for _, e := range top {
		name, ok := keyName(seen, e[0])
		if !ok {
			return nil, false
		}
		splittable := reBlockKey.Match(head(data, e[0]))
		switch {
		case name == "paths" && splittable:
			entries, indent, ok := blockEntries(data, e[1:], 0)
			if !ok {
				return nil, false
			}
			if len(entries) == 0 {
				restBuf = appendLines(restBuf, data, e)
				continue
			}
			for _, pe := range entries {
				// Extensions and path items decode differently: the key
				// must be read as the decoder will read it.
				k := head(data, pe[0])[indent:]
				if k[0] == '"' && bytes.IndexByte(k[:max(1, keyEnd(k, 0))], '\\') >= 0 {
					return nil, false // escapes in the key
				}
				section := "paths"
				if bytes.HasPrefix(bytes.TrimLeft(k, `"'`), []byte("x-")) {
					section = "paths x-"
				}
				b.addYAML(section, data, pe, indent)
			}
		case name == "components" && splittable:
			children, indent, ok := blockEntries(data, e[1:], 0)
			if !ok {
				return nil, false
			}
			seenChild := map[string]bool{}
			for _, ce := range children {
				child, ok := keyName(seenChild, ce[0])
				if !ok {
					return nil, false
				}
				if !splitComponents[child] || !reBlockKey.Match(head(data, ce[0])) {
					componentsRest = appendLines(componentsRest, data, ce)
					continue
				}
				entries, inner, ok := blockEntries(data, ce[1:], indent)
				if !ok {
					return nil, false
				}
				if len(entries) == 0 {
					componentsRest = appendLines(componentsRest, data, ce)
					continue
				}
				for _, x := range entries {
					b.addYAML(child, data, x, inner)
				}
			}
			if len(componentsRest) > 0 {
				restBuf = append(newline(restBuf), "components:\n"...)
				restBuf = append(restBuf, componentsRest...)
			}
		default:
			restBuf = appendLines(restBuf, data, e)
		}
	}
	if len(restBuf) == 0 {
		restBuf = []byte("{}")
	}
	b.done()
	return restBuf, true
}

// printable reports whether text is valid UTF-8 of YAML's printable
// characters: no control characters but tab and line breaks, no C1
// controls, no U+FFFE or U+FFFF.
func printable(text []byte) bool {
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(text[i:])
		if (r == utf8.RuneError && n == 1) || (r >= 0x80 && r <= 0x9f) || r == 0xfffe || r == 0xffff {
			return false
		}
		i += n
	}
	return true
}
