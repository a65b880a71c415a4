// Package openapi validates OpenAPI specs as GitBook will take them,
// compares them with the version GitBook has published, and publishes new
// versions.
//
// Problems come in two levels. Errors are what stops GitBook processing a
// spec — text its parser cannot read, no supported version — and what
// stops a spec being sent at all: a $ref into a file that cannot be read
// or lies outside the repository. Everything else kin-openapi's validation
// finds is a warning: GitBook processes the spec and renders what it can.
// Every problem is a diag.Diagnostic placed by the YAML parser's positions
// (go.yaml.in/yaml/v4 nodes), never by reading error text.
package openapi

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// Spec is a loaded spec.
type Spec struct {
	Name string // file name or label, for messages
	// Text is what GitBook receives: the file as written, or, when it
	// refers to other files, one JSON document with their content moved
	// into components.
	Text    []byte
	Version string      // the openapi (or swagger) field
	doc     *openapi3.T // kin-openapi's model, for comparisons; nil when it cannot be built
}

// Comparable reports whether the spec can be compared with another.
func (s *Spec) Comparable() bool { return s != nil && s.doc != nil }

// LoadFile reads the spec at path and every file it refers to, all of
// which must be inside root (default: RepositoryRoot(path)). The spec is
// nil when the list has errors; err is for a file that cannot be read at
// all.
func LoadFile(ctx context.Context, path, root string) (*Spec, diag.List, error) {
	c, problems, err := Check(path, root)
	if c == nil {
		return nil, problems, err
	}
	spec, more := c.Model(ctx)
	problems = sorted(append(problems, more...))
	if len(problems.Errors()) > 0 {
		return nil, problems, nil
	}
	return spec, problems, nil
}

// Checked is a spec that passed the checks for errors: GitBook will take
// it and every file it refers to was read. What is left (kin-openapi's
// model, its warnings, the bundle of several files) is Model's work.
type Checked struct {
	path  string
	doc   *document
	repo  *repo
	files map[string]*document
	// unresolved: a $ref does not resolve, and kin-openapi would stop
	// there; the warnings say which.
	unresolved bool
}

// Check reads the spec at path and the files it refers to (inside root)
// and returns the errors and the warnings found on the way; the spec is
// nil when there are errors.
func Check(path, root string) (*Checked, diag.List, error) {
	r, err := newRepo(cmp.Or(root, RepositoryRoot(path)))
	if err != nil {
		return nil, nil, err
	}
	resolved, f, err := r.open(path)
	var outside *errOutside
	if errors.As(err, &outside) {
		d := diag.Errorf(path, 0, 0, "%v", err)
		d.Field = "file"
		return nil, diag.List{d}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	doc, rej, d, err := parseFrom(path, f)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	if rej != Accepted {
		return nil, diag.List{*d}, nil
	}
	rs := &refs{repo: r, files: map[string]*document{resolved: doc}}
	rs.follow(doc, path)
	if len(rs.diags.Errors()) > 0 {
		return nil, sorted(rs.diags), nil
	}
	return &Checked{path: path, doc: doc, repo: r, files: rs.files, unresolved: len(rs.diags) > 0}, sorted(rs.diags), nil
}

// Bundled reports whether the spec refers to other files, so that the
// text GitBook receives is Model's bundle rather than the file.
func (c *Checked) Bundled() bool { return len(c.files) > 1 }

// Text is the file as written: what GitBook receives unless Bundled. A
// YAML file was parsed as it was read, without keeping its text, and is
// read again: the error says so when it is not the text that was parsed.
func (c *Checked) Text() ([]byte, error) {
	if c.doc.text != nil {
		return c.doc.text, nil
	}
	_, text, err := c.repo.read(c.path)
	if err != nil {
		return nil, fmt.Errorf("read the file again: %w", err)
	}
	if sha256.Sum256(text) != c.doc.sum {
		return nil, errors.New("the file changed while it was being checked: run again to check what it holds now")
	}
	return text, nil
}

// Model builds kin-openapi's model (bundling the files when there are
// several) and validates it: warnings, or errors when the files cannot
// be bundled or the file changed meanwhile. The file's text is read
// again, when it must be, after the model is built: the text, the nodes
// and the model are not all held at once.
func (c *Checked) Model(ctx context.Context) (*Spec, diag.List) {
	var spec *Spec
	var problems diag.List
	if c.unresolved {
		spec = &Spec{Name: c.path, Version: version(c.doc.root)}
	} else {
		spec, problems = build(ctx, c.doc, c.path, c.repo, c.files, true)
	}
	if spec.Text == nil {
		text, err := c.Text()
		if err != nil {
			problems = append(problems, diag.Errorf(c.path, 0, 0, "%v", err))
		}
		spec.Text = text
	}
	return spec, problems
}

// LoadData reads a spec given as text (a published version) for
// comparisons; name is used in messages. It is checked only for what
// GitBook refuses, and references to other files are not followed.
func LoadData(ctx context.Context, data []byte, name string) (*Spec, diag.List) {
	doc, rej, d := parse(name, data)
	if rej != Accepted {
		return nil, diag.List{*d}
	}
	spec, problems := build(ctx, doc, "", nil, nil, false)
	return spec, sorted(problems)
}

// build makes kin-openapi's model of an accepted document (bundling the
// files it refers to, when files has more than the root) and, with check,
// validates it.
// A model that cannot be built is a warning for a single file (GitBook
// reads more than kin-openapi does) and an error for several (they could
// not be bundled into the one text GitBook receives).
func build(ctx context.Context, doc *document, path string, r *repo, files map[string]*document, check bool) (*Spec, diag.List) {
	spec := &Spec{Name: doc.name, Text: doc.text, Version: version(doc.root)}
	var problems diag.List
	if get(doc.root, "swagger") != nil {
		// GitBook converts Swagger 2.0 itself; the conversion here is for
		// comparisons only.
		kdoc, err := fromSwagger(doc.root)
		if err != nil {
			problems = append(problems, diag.Warnf(doc.name, 0, 0, "Swagger 2.0 could not be converted for comparisons: %v", err))
		}
		spec.doc = kdoc
		return spec, problems
	}
	loader := openapi3.NewLoader()
	loader.Context = ctx
	var kdoc *openapi3.T
	var err error
	at := positionsOf(doc.root)
	if len(files) <= 1 {
		// From here on the positions serve: the nodes go as kin-openapi
		// decodes them.
		root := doc.root
		doc.root = nil
		if kdoc, err = decodeModel(root); err == nil {
			err = loader.ResolveRefsIn(kdoc, nil)
		}
	} else {
		kdoc, err = loadBundle(loader, doc, path, r, files)
	}
	if err != nil {
		sev := diag.Warning
		msg := "kin-openapi cannot read the spec, so it is not checked further (GitBook reads it): %v"
		if len(files) > 1 {
			sev, msg = diag.Error, "the files cannot be bundled into the one document GitBook receives: %v"
		}
		d := diag.Diagnostic{File: doc.name, Severity: sev, Message: fmt.Sprintf(msg, err)}
		if de, ok := errors.AsType[*decodeError](err); ok {
			d.Field = pointer(de.at)
			d.Line, d.Col = at.of(de.at)
			d.Message = fmt.Sprintf(msg, de.err)
		}
		problems = append(problems, d)
		return spec, problems
	}
	spec.doc = kdoc
	if check {
		problems = append(problems, validate(ctx, kdoc, doc.name, at)...)
	}
	if len(files) > 1 {
		kdoc.InternalizeRefs(ctx, nil)
		text, err := json.MarshalIndent(kdoc, "", "  ")
		if err != nil {
			problems = append(problems, diag.Errorf(doc.name, 0, 0, "bundle the files into one document: %v", err))
			return spec, problems
		}
		spec.Text = append(text, '\n')
	}
	return spec, problems
}

func version(root *yaml.Node) string {
	if v := cmp.Or(get(root, "openapi"), get(root, "swagger")); v != nil {
		return v.Value
	}
	return ""
}

// loadBundle has kin-openapi load a spec of several files, reading only
// the files the $refs were checked to lead to.
func loadBundle(loader *openapi3.Loader, doc *document, path string, r *repo, files map[string]*document) (*openapi3.T, error) {
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		resolved, _, err := r.read(u.Path)
		if err != nil {
			return nil, err
		}
		d, ok := files[resolved]
		if !ok || d.root == nil {
			return nil, fmt.Errorf("%s: %w", u.Path, fs.ErrNotExist)
		}
		return toJSON(d.root)
	}
	data, err := toJSON(doc.root)
	if err != nil {
		return nil, err
	}
	return loader.LoadFromDataWithPath(data, &url.URL{Path: path})
}

// toJSON renders a node tree as JSON for kin-openapi, which decodes JSON
// without converting it first. Written straight from the nodes: a tree of
// Go values for a 3 MB spec would hold a fifth of the memory again.
func toJSON(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(1 << 16)
	if err := writeJSON(&b, n, 0); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// maxDepth bounds nesting: aliases that contain themselves, JSON bombs.
const maxDepth = 500

func writeJSON(b *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > maxDepth {
		return errors.New("the document nests too deep (an alias that contains itself?)")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			b.WriteString("null")
			return nil
		}
		return writeJSON(b, n.Content[0], depth+1)
	case yaml.AliasNode:
		return writeJSON(b, n.Alias, depth+1)
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, c, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case yaml.MappingNode:
		if slices.ContainsFunc(n.Content, func(k *yaml.Node) bool { return k.ShortTag() == "!!merge" }) {
			return marshalNode(b, n) // merge keys: the decoder knows them
		}
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a key that is not a scalar", k.Line)
			}
			writeString(b, k.Value)
			b.WriteByte(':')
			if err := writeJSON(b, n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	}
	switch n.ShortTag() {
	case "!!str":
		writeString(b, n.Value)
		return nil
	case "!!null":
		b.WriteString("null")
		return nil
	}
	return marshalNode(b, n) // numbers and booleans in their YAML forms
}

// writeString writes s as a JSON string. Most strings of a spec are plain
// ASCII and are written as they are; encoding/json escapes the rest.
func writeString(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			enc, _ := json.Marshal(s) // a string always encodes
			b.Write(enc)
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}

func marshalNode(b *bytes.Buffer, n *yaml.Node) error {
	var v any
	if err := n.Decode(&v); err != nil {
		return err
	}
	enc, err := json.Marshal(jsonable(v))
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	b.Write(enc)
	return nil
}

// jsonable turns the maps YAML may key by numbers (response codes) into
// maps keyed by strings.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonable(e)
		}
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case []any:
		for i := range x {
			x[i] = jsonable(x[i])
		}
	}
	return v
}

func fromSwagger(root *yaml.Node) (*openapi3.T, error) {
	data, err := toJSON(root)
	if err != nil {
		return nil, err
	}
	var v2 openapi2.T
	if err := json.Unmarshal(data, &v2); err != nil {
		return nil, err
	}
	return openapi2conv.ToV3(&v2)
}

// sorted orders problems as people fix them: by file, then line; the
// same way every run, whatever order they were found in.
func sorted(l diag.List) diag.List {
	slices.SortStableFunc(l, func(a, b diag.Diagnostic) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Field, b.Field), cmp.Compare(a.Message, b.Message))
	})
	return l
}
