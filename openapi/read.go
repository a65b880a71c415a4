package openapi

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// GitBook reads a spec with @gitbook/openapi-parser (3.0.12, on
// @scalar/openapi-parser 0.24.5, the versions its lockfile pins). It
// refuses a spec only when it cannot read the text or find a supported
// version in it; whatever its schema validation finds is informational and
// the version is processed. testdata/gitbook-parser.txtar holds the
// verdicts of GitBook's parser that parse is held to.

// Rejection tells why GitBook refuses a text; the emulator answers with
// GitBook's own message for each.
type Rejection int

// Rejections, in GitBook's two messages.
const (
	Accepted   Rejection = iota
	Unreadable           // "Invalid OpenAPI document": YAML GitBook cannot parse
	NoVersion            // no supported openapi/swagger version string (also broken JSON, empty text)
)

// document is one file of a spec, parsed with positions.
type document struct {
	name string     // as the user gave it, for messages
	text []byte     // as read; nil when it was parsed as it was read
	sum  [32]byte   // the SHA-256 of the text parsed as it was read
	root *yaml.Node // the top node; nil when the text was refused
}

// parse reads text as GitBook's parser does. A refused text comes back
// with its rejection and a diagnostic at the place GitBook trips on.
func parse(name string, text []byte) (*document, Rejection, *diag.Diagnostic) {
	root, rej, d := parseText(name, text)
	return accept(&document{name: name, text: text}, root, rej, d)
}

// accept gives doc the nodes parsed, when they are a document of a
// version GitBook reads.
func accept(doc *document, root *yaml.Node, rej Rejection, d *diag.Diagnostic) (*document, Rejection, *diag.Diagnostic) {
	if rej != Accepted {
		return doc, rej, d
	}
	doc.root = root
	if d := checkVersion(doc.name, root); d != nil {
		return doc, NoVersion, d
	}
	return doc, Accepted, nil
}

// parseFrom is parse for a file read from in. A YAML text is parsed as it
// is read and not kept: a large spec's text would be held through its
// parsing and beyond, beside its nodes and then its model, and the heap
// grows to twice what it holds. doc.sum identifies the text, so that it
// can be read again and known to be the one parsed (Checked.Text). Other
// texts (JSON, or what may be JSON) are read whole and parsed as parse
// does. err is for a file that cannot be read.
func parseFrom(name string, in io.Reader) (*document, Rejection, *diag.Diagnostic, error) {
	br := bufio.NewReaderSize(in, 64<<10)
	head, err := br.Peek(br.Size())
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, 0, nil, err
	}
	if !surelyYAML(head) {
		text, err := readAll(br, in)
		if err != nil {
			return nil, 0, nil, err
		}
		doc, rej, d := parse(name, text)
		return doc, rej, d, nil
	}
	sr := &summingReader{r: br, sum: sha256.New()}
	root, rej, d := parseYAML(name, sr)
	if _, err := io.Copy(io.Discard, sr); err != nil || sr.err != nil { // the rest, for the sum
		return nil, 0, nil, cmp.Or(sr.err, err)
	}
	if !sr.colon { // looksLikeYAML, on a text that starts as surelyYAML requires
		root, rej, d = nil, NoVersion, notYAML(name)
	}
	doc := &document{name: name}
	sr.sum.Sum(doc.sum[:0])
	doc, rej, d = accept(doc, root, rej, d)
	return doc, rej, d, nil
}

// readAll reads what is left of br, which buffers in, into one
// allocation when in is a file that tells its size (as os.ReadFile does).
func readAll(br *bufio.Reader, in io.Reader) ([]byte, error) {
	size := 0
	if f, ok := in.(*os.File); ok {
		if fi, err := f.Stat(); err == nil {
			size = int(fi.Size())
		}
	}
	b := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err := b.ReadFrom(br)
	return b.Bytes(), err
}

// surelyYAML reports whether a text that starts with head is neither
// empty nor JSON nor broken JSON for parseText: its first byte that is not
// JSON's white space begins no JSON value (a letter but t, f and n, a
// comment, a "---" document start). parseText then goes straight to
// looksLikeYAML, which asks only for a colon after the first byte.
func surelyYAML(head []byte) bool {
	i := bytes.IndexFunc(head, func(r rune) bool { return !strings.ContainsRune(" \t\r\n", r) })
	if i < 0 {
		return false
	}
	switch c := head[i]; {
	case c == '#', ('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') && !strings.ContainsRune("tfn", rune(c)):
		return true
	case c == '-':
		return bytes.HasPrefix(head[i:], []byte("--"))
	}
	return false
}

// summingReader reads r, taking the SHA-256 of what it reads and noting
// whether it read a colon and the first error that is not the end.
type summingReader struct {
	r     io.Reader
	sum   hash.Hash
	colon bool
	err   error
}

func (s *summingReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.sum.Write(p[:n])
	s.colon = s.colon || bytes.IndexByte(p[:n], ':') >= 0
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// Verdict returns why GitBook would refuse text, with GitBook's message, or
// Accepted. The emulator processes specs with it.
func Verdict(text []byte) (Rejection, string) {
	_, rej, d := parse("", text)
	if rej == Accepted {
		return Accepted, ""
	}
	return rej, d.Message
}

// looksLikeYAML is Scalar's test for text worth parsing as YAML: a colon
// that is not the first character.
var looksLikeYAML = regexp.MustCompile(`^[^:]+:`)

// parseText follows Scalar's normalize: JSON first; YAML only when the
// text has a key and does not start like JSON, so that broken JSON is no
// document at all rather than a YAML error. GitBook's YAML parser refuses
// duplicate keys and a second document.
func parseText(name string, text []byte) (*yaml.Node, Rejection, *diag.Diagnostic) {
	if len(bytes.TrimSpace(text)) == 0 {
		return nil, NoVersion, ptr(diag.Errorf(name, 0, 0, "the file is empty"))
	}
	if json.Valid(text) {
		root, err := jsonNodes(text)
		if err != nil {
			return nil, Unreadable, ptr(diag.Errorf(name, 0, 0, "cannot read the JSON: %v", err))
		}
		return root, Accepted, nil
	}
	head := bytes.TrimLeft(text[:min(len(text), 50)], " \t\r\n")
	if bytes.HasPrefix(head, []byte("{")) {
		var v any
		err := json.Unmarshal(text, &v)
		d := diag.Errorf(name, 0, 0, "not valid JSON: %v", err)
		if se, ok := errors.AsType[*json.SyntaxError](err); ok {
			d.Line, d.Col = lineCol(text, int(se.Offset)-1) // Offset is just past the culprit
		}
		return nil, NoVersion, &d
	}
	if !looksLikeYAML.Match(text) {
		return nil, NoVersion, notYAML(name)
	}
	return parseYAML(name, bytes.NewReader(text))
}

func notYAML(name string) *diag.Diagnostic {
	return ptr(diag.Errorf(name, 1, 1, "neither JSON nor YAML: no key found"))
}

// parseYAML parses the one YAML document read from in, which GitBook's
// parser must take: no duplicate keys, no second document.
func parseYAML(name string, in io.Reader) (*yaml.Node, Rejection, *diag.Diagnostic) {
	root, err := loadYAML(in)
	if err != nil {
		d := diag.Errorf(name, 0, 0, "not valid YAML: %v", err)
		if le, ok := errors.AsType[*yaml.LoadError](err); ok {
			d.Line, d.Col, d.Message = le.Mark.Line, le.Mark.Column, "not valid YAML: "+le.Message
		} else if sd, ok := errors.AsType[*secondDocument](err); ok {
			d.Line, d.Col, d.Message = sd.line, sd.col, "not valid YAML: "+sd.Error()+"; GitBook reads one"
		}
		return nil, Unreadable, &d
	}
	if d := duplicateKey(name, root); d != nil {
		return nil, Unreadable, d
	}
	return root, Accepted, nil
}

// jsonNodes builds the nodes of a valid JSON text, with positions. The
// YAML parser reads JSON too, but keeps every token of a document that is
// one flow mapping until it ends: four times the memory of the nodes.
func jsonNodes(text []byte) (*yaml.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var newlines []int
	for i, c := range text {
		if c == '\n' {
			newlines = append(newlines, i)
		}
	}
	// at is the position of the next token: past the separators after
	// the last one read.
	at := func() (int, int) {
		off := int(dec.InputOffset())
		for off < len(text) && strings.IndexByte(" \t\r\n,:", text[off]) >= 0 {
			off++
		}
		i, _ := slices.BinarySearch(newlines, off)
		if i == 0 {
			return 1, off + 1
		}
		return i + 1, off - newlines[i-1]
	}
	var value func(depth int) (*yaml.Node, error)
	value = func(depth int) (*yaml.Node, error) {
		if depth > maxDepth {
			return nil, errors.New("it nests too deep")
		}
		line, col := at()
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		n := &yaml.Node{Kind: yaml.ScalarNode, Line: line, Column: col}
		switch t := tok.(type) {
		case json.Delim:
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
			if t == '[' {
				n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
			}
			for dec.More() {
				c, err := value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, c)
			}
			if _, err := dec.Token(); err != nil { // the closing delimiter
				return nil, err
			}
		case string:
			n.Tag, n.Value, n.Style = "!!str", t, yaml.DoubleQuotedStyle
		case json.Number:
			n.Tag, n.Value = "!!float", t.String()
			if _, err := t.Int64(); err == nil {
				n.Tag = "!!int"
			}
		case bool:
			n.Tag, n.Value = "!!bool", strconv.FormatBool(t)
		case nil:
			n.Tag, n.Value = "!!null", "null"
		}
		return n, nil
	}
	return value(0)
}

// secondDocument marks a stream with more than one YAML document.
type secondDocument struct{ line, col int }

func (e *secondDocument) Error() string { return "more than one YAML document in the file" }

// loadYAML parses the one document read from in into nodes.
func loadYAML(in io.Reader) (*yaml.Node, error) {
	l, err := yaml.NewLoader(in)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := l.Load(&doc); err != nil {
		return nil, err
	}
	var next yaml.Node
	if l.Load(&next) == nil {
		return nil, &secondDocument{next.Line, next.Column}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	return root, nil
}

// duplicateKey finds a key given twice in one mapping, which GitBook's
// YAML parser refuses. Aliases are not followed: their anchors are
// checked where they stand. Most mappings have a few keys, compared one
// with another; a map is made only for the large ones (a map for every
// mapping was most of what this walk allocated while the whole tree is
// held).
func duplicateKey(name string, n *yaml.Node) *diag.Diagnostic {
	var found *diag.Diagnostic
	walk(n, nil, func(n *yaml.Node, at []string) bool {
		if n.Kind != yaml.MappingNode {
			return found == nil
		}
		var seen map[keyID]*yaml.Node
		if len(n.Content) > 2*mapKeysAbove {
			seen = make(map[keyID]*yaml.Node, len(n.Content)/2)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Value == "<<" {
				continue
			}
			first := earlierKey(n.Content[:i], k)
			if seen != nil {
				id := keyID{k.ShortTag(), k.Value}
				first = seen[id]
				if first == nil {
					seen[id] = k
				}
			}
			if first != nil {
				d := diag.Errorf(name, k.Line, k.Column, "key %q is given twice (first on line %d); GitBook's YAML parser refuses duplicate keys", k.Value, first.Line)
				d.Field = pointer(append(at[:len(at):len(at)], k.Value))
				found = &d
				return false
			}
		}
		return found == nil
	})
	return found
}

// mapKeysAbove is the number of keys above which duplicateKey looks keys
// up in a map rather than comparing each with those before it.
const mapKeysAbove = 16

type keyID struct{ tag, value string }

// earlierKey returns the key among the keys of pairs (a mapping's Content)
// that is the same scalar as k, or nil.
func earlierKey(pairs []*yaml.Node, k *yaml.Node) *yaml.Node {
	if len(pairs) > 2*mapKeysAbove {
		return nil // looked up in a map
	}
	for j := 0; j < len(pairs); j += 2 {
		if e := pairs[j]; e.Kind == yaml.ScalarNode && e.Value == k.Value && e.ShortTag() == k.ShortTag() {
			return e
		}
	}
	return nil
}

// checkVersion is Scalar's version detection: a string "openapi"
// starting 3.0, 3.1 or 3.2, or a string "swagger" starting 2.0.
func checkVersion(name string, root *yaml.Node) *diag.Diagnostic {
	if root.Kind != yaml.MappingNode {
		return ptr(diag.Errorf(name, root.Line, root.Column, "not an OpenAPI document: the top level is not a mapping of keys"))
	}
	for _, f := range []struct{ key, prefixes string }{{"openapi", "3.0 3.1 3.2"}, {"swagger", "2.0"}} {
		v := get(root, f.key)
		if v == nil {
			continue
		}
		d := diag.Errorf(name, v.Line, v.Column, "")
		d.Field = "/" + f.key
		switch {
		case v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str":
			d.Message = fmt.Sprintf("%s: the version must be a string: quote it (%s: %q)", f.key, f.key, strings.Fields(f.prefixes)[0]+".0")
		case !hasPrefixIn(v.Value, f.prefixes):
			d.Message = fmt.Sprintf("%s: version %q is not one GitBook reads (%s)", f.key, v.Value, strings.ReplaceAll(f.prefixes, " ", ", "))
		default:
			return nil
		}
		return &d
	}
	return ptr(diag.Errorf(name, root.Line, root.Column, `not an OpenAPI document: no "openapi" (or "swagger") version field`))
}

func hasPrefixIn(s, prefixes string) bool {
	for _, p := range strings.Fields(prefixes) {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// get returns the value of key in mapping n, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// walk visits n and every node under it, with the JSON pointer segments
// that lead there, in document order; it stops descending where visit
// returns false. Aliases are visited but not entered: their anchors are
// visited where they stand, and an alias may contain itself. The segments
// are one stack reused for every node (a copy per node was a third of
// the walk's time on a large spec, and garbage made while the whole tree
// is held): visit copies what it keeps.
func walk(n *yaml.Node, at []string, visit func(n *yaml.Node, at []string) bool) bool {
	if at == nil {
		at = make([]string, 0, 32) // deeper than most documents nest
	}
	if n == nil || !visit(n, at) {
		return n == nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !walk(n.Content[i+1], append(at, n.Content[i].Value), visit) {
				return false
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if !walk(c, append(at, strconv.Itoa(i)), visit) {
				return false
			}
		}
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if !walk(c, at, visit) {
				return false
			}
		}
	}
	return true
}

// lookup follows a JSON pointer's segments from n. It returns the deepest
// node reached and whether the whole pointer was.
func lookup(n *yaml.Node, segs []string) (*yaml.Node, bool) {
	for _, s := range segs {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == s {
					next = n.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(s); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
			}
		}
		if next == nil {
			return n, false
		}
		n = next
	}
	return n, true
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// pointer renders segments as a JSON pointer.
func pointer(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		pointerEscaper.WriteString(&b, s)
	}
	return b.String()
}

var pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")

// segments splits a JSON pointer ("/a/b~1c", or "" for the root).
func segments(p string) ([]string, bool) {
	if p == "" {
		return nil, true
	}
	if !strings.HasPrefix(p, "/") {
		return nil, false
	}
	segs := strings.Split(p[1:], "/")
	for i, s := range segs {
		segs[i] = pointerUnescaper.Replace(s)
	}
	return segs, true
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(text []byte, off int) (int, int) {
	off = min(max(off, 0), len(text))
	line := 1 + bytes.Count(text[:off], []byte{'\n'})
	return line, off - bytes.LastIndexByte(text[:off], '\n')
}

func ptr(d diag.Diagnostic) *diag.Diagnostic { return &d }
