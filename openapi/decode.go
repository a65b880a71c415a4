package openapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"runtime"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/sourcegraph/conc/pool"
	"go.yaml.in/yaml/v4"
	"golang.org/x/text/cases"
)

// decodeModel has kin-openapi decode an OpenAPI 3 document from its nodes
// on every core. kin-openapi decodes a document on one core, and decodes
// the document, its components and its paths each twice (once for the
// fields, once more into a map for the extensions). Nearly all of a large
// spec is the entries of paths and components.schemas, so each of those
// entries is decoded on its own, concurrently, into the type kin-openapi
// gives it (PathItem, SchemaRef); the rest of the document, with those two
// maps emptied, is decoded as usual, and the entries are put back.
//
// The tree is consumed: every part is written as JSON and its nodes let
// go before any is decoded (nodes take five times the memory of their
// JSON, and kin-openapi's model grows as it decodes), and each part's
// JSON is let go once it is decoded. Nothing of the tree is kept: a node
// or a string of it kept alive keeps the page it shares with thousands of
// dead ones, and the heap cannot give those pages to the model.
func decodeModel(root *yaml.Node) (*openapi3.T, error) {
	if !separable(root, true) {
		return wholeModel(root)
	}
	rest, paths, schemas := hollow(root)
	var entries []entry
	entries = appendEntries(entries, paths, []string{"paths"}, decodePathItem)
	entries = appendEntries(entries, schemas, []string{"components", "schemas"}, decodeSchema)

	var scratch bytes.Buffer
	skeleton, err := jsonOf(&scratch, rest)
	if err != nil {
		return nil, err
	}
	rest = nil
	for i := range entries {
		e := &entries[i]
		if e.data, err = jsonOf(&scratch, e.node); err != nil {
			return nil, &decodeError{at: e.place(), err: err}
		}
		e.node = nil
	}

	// A panic in kin-openapi reaches the caller's goroutine (where the
	// run's guard turns it into the space's failure), not the process.
	p := pool.New().WithMaxGoroutines(runtime.GOMAXPROCS(0))
	var doc openapi3.T
	var skeletonErr error
	p.Go(func() { skeletonErr = doc.UnmarshalJSON(skeleton) })
	errs := make([]error, len(entries))
	for i := range entries {
		e := &entries[i]
		p.Go(func() {
			var err error
			if e.value, err = e.decode(e.key, e.data); err != nil {
				errs[i] = &decodeError{at: e.place(), err: err}
			}
			e.data = nil
		})
	}
	p.Wait()
	// The first problem in the document's order, the same every run.
	if err := cmp.Or(skeletonErr, cmp.Or(errs...)); err != nil {
		return nil, err
	}
	for _, e := range entries {
		switch v := e.value.(type) {
		case *openapi3.PathItem:
			doc.Paths.Set(e.key, v)
		case pathExtension:
			doc.Paths.Extensions[e.key] = v.value
		case *openapi3.SchemaRef:
			doc.Components.Schemas[e.key] = v
		}
	}
	return &doc, nil
}

// jsonOf writes n as JSON through scratch and returns a copy of its size.
func jsonOf(scratch *bytes.Buffer, n *yaml.Node) ([]byte, error) {
	scratch.Reset()
	if err := writeJSON(scratch, n, 0); err != nil {
		return nil, err
	}
	return bytes.Clone(scratch.Bytes()), nil
}

// wholeModel has kin-openapi decode the document as one JSON text.
func wholeModel(root *yaml.Node) (*openapi3.T, error) {
	data, err := toJSON(root)
	if err != nil {
		return nil, err
	}
	var doc openapi3.T
	if err := doc.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	return &doc, nil
}

// entry is one entry of paths or components.schemas (at pointer
// segments under): its value's nodes, written as data and decoded by
// decode.
type entry struct {
	under  []string
	key    string
	node   *yaml.Node
	decode func(key string, data []byte) (any, error)
	data   []byte
	value  any
}

func (e *entry) place() []string { return append(slices.Clone(e.under), e.key) }

// decodeError is an entry kin-openapi cannot decode, with its place.
type decodeError struct {
	at  []string
	err error
}

func (e *decodeError) Error() string { return pointer(e.at) + ": " + e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

// pathExtension is an x- key of paths: kin-openapi keeps its value as
// decoded into an any.
type pathExtension struct{ value any }

// decodePathItem decodes an entry of paths as Paths.UnmarshalJSON does.
func decodePathItem(key string, data []byte) (any, error) {
	if strings.HasPrefix(key, "x-") {
		var v any
		err := json.Unmarshal(data, &v)
		return pathExtension{v}, err
	}
	var item openapi3.PathItem
	if err := item.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	return &item, nil
}

// decodeSchema decodes an entry of components.schemas as encoding/json
// decodes a value of the Schemas map: null is a nil schema, anything else
// is given to SchemaRef.UnmarshalJSON. It calls that itself: data is
// JSON written by writeJSON, and json.Unmarshal would scan it twice more
// (to check it, then to find the value's end) before handing it over.
func decodeSchema(_ string, data []byte) (any, error) {
	if string(data) == "null" {
		return (*openapi3.SchemaRef)(nil), nil
	}
	var ref openapi3.SchemaRef
	if err := ref.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	return &ref, nil
}

// appendEntries lists the entries of mapping m, one whose entries can be
// decoded on their own (see separable), and empties m: the entries hold
// its values and copies of its keys.
func appendEntries(entries []entry, m *yaml.Node, under []string, decode func(string, []byte) (any, error)) []entry {
	if m == nil {
		return entries
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		entries = append(entries, entry{under: under, key: strings.Clone(m.Content[i].Value), node: m.Content[i+1], decode: decode})
	}
	m.Content = nil
	return entries
}

// hollow returns a copy of root whose paths and components.schemas are
// empty mappings, and those two mappings (nil when absent, or when their
// entries cannot be decoded on their own and stay in the copy).
func hollow(root *yaml.Node) (rest, paths, schemas *yaml.Node) {
	rest = shallow(root)
	if i := valueIndex(rest, "paths"); i >= 0 && separable(rest.Content[i], false) {
		paths = rest.Content[i]
		rest.Content[i] = emptyMapping(paths)
	}
	if i := valueIndex(rest, "components"); i >= 0 && separable(rest.Content[i], true) {
		components := shallow(rest.Content[i])
		rest.Content[i] = components
		if j := valueIndex(components, "schemas"); j >= 0 && separable(components.Content[j], false) {
			schemas = components.Content[j]
			components.Content[j] = emptyMapping(schemas)
		}
	}
	return rest, paths, schemas
}

// separable reports whether the entries of n can be taken apart and put
// back: a mapping of scalar keys, each given once (a JSON text may repeat
// one), without merge keys, and without an anchor (an alias to it
// elsewhere would meet it emptied). With fold, for the levels kin-openapi
// decodes into structs with encoding/json (the document, components),
// keys that differ only in case are one key ("Paths" fills the paths), so
// two such keys are one given twice.
func separable(n *yaml.Node, fold bool) bool {
	if n.Kind != yaml.MappingNode || n.Anchor != "" {
		return false
	}
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		folded := k.Value
		if fold {
			// Unicode case folding, as encoding/json's: "pathſ" is "paths".
			folded = cases.Fold().String(folded)
		}
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" || seen[folded] {
			return false
		}
		seen[folded] = true
	}
	return true
}

func shallow(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = append([]*yaml.Node(nil), n.Content...)
	return &c
}

func emptyMapping(like *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: like.Line, Column: like.Column}
}

// valueIndex is the index in mapping n's Content of key's value, or -1.
func valueIndex(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return i + 1
		}
	}
	return -1
}
