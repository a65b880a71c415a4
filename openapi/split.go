package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"sync"
	"sync/atomic"

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
	b.put(section, dedent(newline(b.batch(section)), data, lines, indent))
}

// addJSON appends a member of a JSON object.
func (b *batcher) addJSON(section string, key, value []byte) {
	cur := b.batch(section)
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

// batch is the section's batch so far.
func (b *batcher) batch(section string) []byte {
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
