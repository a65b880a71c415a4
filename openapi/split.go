package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/yaml"
)

// Loading a large spec is almost all decoding, and kin-openapi decodes
// on one core and more than once: the document, its components and its
// paths each decode their whole subtree into a map (to find extensions)
// before decoding it again into structs. loadSplit cuts the text at the
// entries of paths and of the components maps, has kin-openapi decode
// each batch of entries straight into its own types on every core, and
// assembles the document; kin-openapi still decodes every path item and
// component and resolves the references.
//
// Whenever the cut could change what the text means — anchors used across
// pieces, a layout the cutter does not recognise, a key given twice, a
// piece that does not parse — loadSplit reports false and the caller
// loads the document whole, which also gives kin-openapi's own error.

// pieceSize is the text decoded per task: large enough that scheduling
// costs nothing, small enough to keep both cores busy to the end.
var pieceSize = 32 << 10

// piece is a batch of entries of one map of the document.
type piece struct {
	text  []byte
	into  any                          // pointer to the piece's own map
	merge func(parts *openapi3.T) bool // false when a key is already there
}

// loadSplit loads a single-file document in pieces; ok is false when it
// should be loaded whole.
func loadSplit(ctx context.Context, data []byte) (doc *openapi3.T, ok bool) {
	if externalRef.Match(data) {
		return nil, false // other files: kin-openapi follows them from the root
	}
	split, unmarshal := splitYAML, unmarshalYAML
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		split, unmarshal = splitJSON, json.Unmarshal
	}
	// Pieces are decoded as the cutter finds them.
	var pieces []*piece
	d := newDecoders(ctx, unmarshal)
	rest, ok := split(data, func(p *piece) {
		pieces = append(pieces, p)
		d.jobs <- p
	})
	doc = &openapi3.T{}
	if ok && len(pieces) > 0 {
		d.jobs <- &piece{text: rest, into: doc}
	}
	if !d.wait() || !ok || len(pieces) == 0 {
		return nil, false
	}
	parts := &openapi3.T{}
	for _, p := range pieces {
		if !p.merge(parts) {
			return nil, false
		}
	}
	if !graft(doc, parts) {
		return nil, false
	}
	loader := newLoader(ctx)
	loader.IsExternalRefsAllowed = false
	if err := loader.ResolveRefsIn(doc, nil); err != nil {
		return nil, false
	}
	return doc, true
}

// unmarshalYAML decodes as kin-openapi does: YAML turned into JSON, date-
// shaped scalars kept as strings.
func unmarshalYAML(data []byte, v any) error {
	_, err := yaml.Unmarshal(data, v, yaml.DecodeOpts{DisableTimestamps: true})
	return err
}

// decoders decode pieces on every core.
type decoders struct {
	jobs   chan *piece
	failed atomic.Bool
	wg     sync.WaitGroup
}

func newDecoders(ctx context.Context, unmarshal func([]byte, any) error) *decoders {
	d := &decoders{jobs: make(chan *piece, 64)}
	for range runtime.GOMAXPROCS(0) {
		d.wg.Go(func() {
			for p := range d.jobs {
				if d.failed.Load() {
					continue // drain: the document will be loaded whole
				}
				if ctx.Err() != nil || unmarshal(p.text, p.into) != nil {
					d.failed.Store(true)
				}
				p.text = nil // let the collector have it now
			}
		})
	}
	return d
}

// wait ends the work; false if a piece failed.
func (d *decoders) wait() bool {
	close(d.jobs)
	d.wg.Wait()
	return !d.failed.Load()
}

// graft moves the maps decoded in pieces into the document decoded from
// the rest of the text; false when the rest has them too (a key given
// twice, which the whole document would reject or merge).
func graft(doc, parts *openapi3.T) bool {
	if parts.Paths != nil {
		if doc.Paths != nil {
			return false
		}
		doc.Paths = parts.Paths
	}
	c := parts.Components
	if c == nil {
		return true
	}
	if doc.Components == nil {
		doc.Components = &openapi3.Components{}
	}
	d := doc.Components
	return take(&d.Schemas, c.Schemas) && take(&d.Parameters, c.Parameters) &&
		take(&d.Headers, c.Headers) && take(&d.RequestBodies, c.RequestBodies) &&
		take(&d.Responses, c.Responses) && take(&d.SecuritySchemes, c.SecuritySchemes) &&
		take(&d.Examples, c.Examples) && take(&d.Links, c.Links) && take(&d.Callbacks, c.Callbacks)
}

func take[M ~map[string]V, V any](dst *M, src M) bool {
	if src == nil {
		return true
	}
	if *dst != nil {
		return false
	}
	*dst = src
	return true
}

func mergeMap[M ~map[string]V, V any](dst *M, src M) bool {
	if *dst == nil {
		*dst = make(M, len(src))
	}
	for k, v := range src {
		if _, dup := (*dst)[k]; dup {
			return false
		}
		(*dst)[k] = v
	}
	return true
}

// newPiece makes the piece for entries of the map at section ("paths",
// "paths x-" for the extensions among paths, or a components map name).
func newPiece(section string, text []byte) *piece {
	switch section {
	case "paths":
		var m map[string]*openapi3.PathItem
		return &piece{text: text, into: &m, merge: func(parts *openapi3.T) bool {
			p := pathsOf(parts)
			for k, v := range m {
				if v == nil {
					// kin-openapi reads an empty path item from null.
					v = &openapi3.PathItem{}
				}
				if p.Value(k) != nil {
					return false
				}
				p.Set(k, v)
			}
			return true
		}}
	case "paths x-":
		var m map[string]any
		return &piece{text: text, into: &m, merge: func(parts *openapi3.T) bool {
			return mergeMap(&pathsOf(parts).Extensions, m)
		}}
	case "schemas":
		return componentPiece(text, func(c *openapi3.Components) *openapi3.Schemas { return &c.Schemas })
	case "parameters":
		return componentPiece(text, func(c *openapi3.Components) *openapi3.ParametersMap { return &c.Parameters })
	case "headers":
		return componentPiece(text, func(c *openapi3.Components) *openapi3.Headers { return &c.Headers })
	case "requestBodies":
		return componentPiece(text, func(c *openapi3.Components) *openapi3.RequestBodies { return &c.RequestBodies })
	case "responses":
		return componentPiece(text, func(c *openapi3.Components) *openapi3.ResponseBodies { return &c.Responses })
	case "securitySchemes":
		return componentPiece(text, func(c *openapi3.Components) *openapi3.SecuritySchemes { return &c.SecuritySchemes })
	case "examples":
		return componentPiece(text, func(c *openapi3.Components) *openapi3.Examples { return &c.Examples })
	case "links":
		return componentPiece(text, func(c *openapi3.Components) *openapi3.Links { return &c.Links })
	case "callbacks":
		return componentPiece(text, func(c *openapi3.Components) *openapi3.Callbacks { return &c.Callbacks })
	}
	return nil
}

// splitComponents are the components maps cut into pieces; the others
// (extensions, 3.1's pathItems) stay with the rest of the document.
var splitComponents = map[string]bool{
	"schemas": true, "parameters": true, "headers": true, "requestBodies": true, "responses": true,
	"securitySchemes": true, "examples": true, "links": true, "callbacks": true,
}

func pathsOf(parts *openapi3.T) *openapi3.Paths {
	if parts.Paths == nil {
		// As kin-openapi's own decoding leaves it: extensions never nil.
		parts.Paths = openapi3.NewPaths()
		parts.Paths.Extensions = map[string]any{}
	}
	return parts.Paths
}

func componentPiece[M ~map[string]V, V any](text []byte, field func(*openapi3.Components) *M) *piece {
	var m M
	return &piece{text: text, into: &m, merge: func(parts *openapi3.T) bool {
		if parts.Components == nil {
			parts.Components = &openapi3.Components{}
		}
		return mergeMap(field(parts.Components), m)
	}}
}

// batcher gathers entries of each map into pieces of about pieceSize
// and hands each piece on when full.
type batcher struct {
	emit     func(*piece)
	json     bool
	bad      bool     // an entry is not valid JSON
	sections []string // in the order met, for a deterministic end
	buf      map[string][]byte
}

// addYAML appends an entry of YAML: its lines in data, which lose indent
// spaces so that the entry's key starts its line.
func (b *batcher) addYAML(section string, data []byte, lines []yline, indent int) {
	b.put(section, dedent(newline(b.take(section)), data, lines, indent))
}

// addJSON appends a member of a JSON object.
func (b *batcher) addJSON(section string, key, value []byte) {
	cur := b.take(section)
	if len(cur) > 0 {
		cur = append(cur, ',')
	}
	cur = append(append(cur, key...), ':')
	// Without the indentation of pretty-printed JSON (near half of
	// GitBook's spec): kin-openapi reads each value once per level of
	// nesting above it.
	w := bytes.NewBuffer(cur)
	if json.Compact(w, value) != nil {
		b.bad = true
	}
	b.put(section, w.Bytes())
}

// take is the section's batch so far.
func (b *batcher) take(section string) []byte {
	if b.buf == nil {
		b.buf = map[string][]byte{}
	}
	cur, met := b.buf[section]
	if !met {
		b.sections = append(b.sections, section)
	}
	return cur
}

// put keeps the section's batch, handing it on when full.
func (b *batcher) put(section string, cur []byte) {
	if len(cur) >= pieceSize {
		b.flush(section, cur)
		cur = cur[:0:0]
	}
	b.buf[section] = cur
}

func (b *batcher) flush(section string, text []byte) {
	if b.json {
		text = append(append([]byte{'{'}, text...), '}')
	}
	b.emit(newPiece(section, text))
}

// done hands on the pieces not yet full.
func (b *batcher) done() {
	for _, section := range b.sections {
		if text := b.buf[section]; len(text) > 0 {
			b.flush(section, text)
		}
	}
}

// --- YAML ---

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
	// decoder; only text it would accept anywhere can be cut.
	if !printable(data) || bytes.HasPrefix(data, []byte("\uFEFF")) || bytes.Contains(data, []byte("\u0085")) || bytes.Contains(data, []byte("\u2028")) || bytes.Contains(data, []byte("\u2029")) {
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

// --- JSON ---

// splitJSON cuts JSON text. Only the structure around the members it
// cuts is read here; every value is checked when a piece is decoded.
func splitJSON(data []byte, emit func(*piece)) (rest []byte, ok bool) {
	sc := &jsonScan{data: data}
	b := &batcher{emit: emit, json: true}
	restBuf, componentsRest := []byte{'{'}, []byte{'{'}
	// entries cuts the object ahead into the pieces of section(key); an
	// empty object goes to the rest as it is (an empty map, not none).
	entries := func(section func(key string) string, rest *[]byte, name []byte) bool {
		n := 0
		ok := sc.object(func(key string, rawKey []byte) bool {
			n++
			raw, ok := sc.value()
			b.addJSON(section(key), rawKey, raw)
			return ok
		})
		if ok && n == 0 {
			*rest = member(*rest, name, []byte("{}"))
		}
		return ok
	}
	ok = sc.object(func(key string, rawKey []byte) bool {
		switch {
		case key == "paths" && sc.peek() == '{':
			return entries(func(k string) string {
				if strings.HasPrefix(k, "x-") {
					return "paths x-"
				}
				return "paths"
			}, &restBuf, rawKey)
		case key == "components" && sc.peek() == '{':
			ok := sc.object(func(name string, rawName []byte) bool {
				if splitComponents[name] && sc.peek() == '{' {
					return entries(func(string) string { return name }, &componentsRest, rawName)
				}
				raw, ok := sc.value()
				componentsRest = member(componentsRest, rawName, raw)
				return ok
			})
			// Always there, if only empty: the pieces may hold nothing.
			restBuf = member(restBuf, rawKey, append(componentsRest, '}'))
			return ok
		}
		raw, ok := sc.value()
		restBuf = member(restBuf, rawKey, raw)
		return ok
	})
	if !ok || b.bad || sc.peek() != 0 || sc.p != len(data) {
		return nil, false // malformed, or something after the document
	}
	b.done()
	return append(restBuf, '}'), true
}

// member appends `key:raw` to an object being written ("{" so far, or
// more members); key is a JSON string as written.
func member(obj, key, raw []byte) []byte {
	if len(obj) > 1 {
		obj = append(obj, ',')
	}
	return append(append(append(obj, key...), ':'), raw...)
}

// jsonScan steps over JSON text: objects member by member, values whole.
type jsonScan struct {
	data  []byte
	p     int
	keyAt int // where the last key read starts
}

// peek is the next byte after blanks (0 at the end).
func (s *jsonScan) peek() byte {
	for s.p < len(s.data) {
		switch c := s.data[s.p]; c {
		case ' ', '\t', '\r', '\n':
			s.p++
		default:
			return c
		}
	}
	return 0
}

// object reads an object, calling read for each member with the scanner
// at its value; false on a malformed object or a key given twice.
func (s *jsonScan) object(read func(key string, rawKey []byte) bool) bool {
	if s.peek() != '{' {
		return false
	}
	s.p++
	if s.peek() == '}' {
		s.p++
		return true
	}
	seen := map[string]bool{}
	for {
		if s.peek() != '"' {
			return false
		}
		s.keyAt = s.p
		rawKey, ok := s.value()
		var key string
		if !ok || json.Unmarshal(rawKey, &key) != nil || seen[key] {
			return false
		}
		seen[key] = true
		if s.peek() != ':' {
			return false
		}
		s.p++
		s.peek()
		if !read(key, rawKey) {
			return false
		}
		switch s.peek() {
		case ',':
			s.p++
		case '}':
			s.p++
			return true
		default:
			return false
		}
	}
}

// value steps over the value ahead and returns its text.
func (s *jsonScan) value() ([]byte, bool) {
	start := s.p
	depth := 0
	for s.p < len(s.data) {
		switch c := s.data[s.p]; c {
		case '"':
			if !s.skipString() {
				return nil, false
			}
		case '{', '[':
			depth++
			s.p++
		case '}', ']':
			if depth == 0 {
				return s.data[start:s.p], s.p > start // the end of a scalar
			}
			depth--
			s.p++
		case ',', ' ', '\t', '\r', '\n':
			if depth == 0 {
				return s.data[start:s.p], s.p > start
			}
			s.p++
		default:
			s.p++
		}
		if depth == 0 && s.p > start && (s.data[start] == '"' || s.data[start] == '{' || s.data[start] == '[') {
			return s.data[start:s.p], true
		}
	}
	return s.data[start:s.p], depth == 0 && s.p > start
}

// skipString steps over the string starting at the scanner.
func (s *jsonScan) skipString() bool {
	for s.p++; s.p < len(s.data); s.p++ {
		switch s.data[s.p] {
		case '\\':
			s.p++
		case '"':
			s.p++
			return true
		}
	}
	return false
}
