package openapi

import (
	"context"
	"errors"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/dlclark/regexp2"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/sourcegraph/conc/pool"
	"go.yaml.in/yaml/v4"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// validate runs kin-openapi's validation and places what it finds: its
// typed context errors (section, path, operation, component) give the
// JSON pointer, and the parser's positions give the line. Everything it
// finds is a warning: GitBook processes such specs.
func validate(ctx context.Context, kdoc *openapi3.T, name string, at positions) diag.List {
	var out diag.List
	for _, err := range validateModel(ctx, kdoc, validationOptions(kdoc)) {
		out = append(out, placed(err, name, at))
	}
	return out
}

// placed is a problem kin-openapi's validation found, as a warning at its
// place in file name.
func placed(err error, name string, at positions) diag.Diagnostic {
	segs, msg := place(err)
	d := diag.Diagnostic{File: name, Field: pointer(segs), Severity: diag.Warning, Message: msg}
	d.Line, d.Col = at.of(segs)
	return d
}

// validateModel is kdoc.Validate with the component schemas, half or more
// of what kin-openapi checks in a large spec, checked in parts on every
// core: the document without them by T.Validate, the parts by
// Components.Validate under the options T.Validate adds for the
// document's version, their problems wrapped as T.Validate wraps those of
// its components. The problems are the same (a test holds it), in
// another order; they are sorted by place anyway.
func validateModel(ctx context.Context, kdoc *openapi3.T, opts []openapi3.ValidationOption) []error {
	if kdoc.Components == nil || len(kdoc.Components.Schemas) <= schemasPerPart {
		return leaves(kdoc.Validate(ctx, opts...))
	}
	rest := *kdoc
	components := *kdoc.Components
	components.Schemas = nil
	rest.Components = &components
	partOpts := slices.Clip(opts)
	if kdoc.IsOpenAPI31OrLater() {
		partOpts = append(partOpts, openapi3.IsOpenAPI31OrLater())
	}
	if kdoc.IsOpenAPI32OrLater() {
		partOpts = append(partOpts, openapi3.IsOpenAPI32OrLater())
	}
	names := slices.Sorted(maps.Keys(kdoc.Components.Schemas))
	var parts []openapi3.Schemas
	for chunk := range slices.Chunk(names, schemasPerPart) {
		part := make(openapi3.Schemas, len(chunk))
		for _, n := range chunk {
			part[n] = kdoc.Components.Schemas[n]
		}
		parts = append(parts, part)
	}

	found := make([][]error, 1+len(parts))
	// A panic in kin-openapi reaches the caller's goroutine, as it would
	// from kdoc.Validate.
	p := pool.New().WithMaxGoroutines(runtime.GOMAXPROCS(0))
	p.Go(func() { found[0] = leaves(rest.Validate(ctx, opts...)) })
	for i, part := range parts {
		p.Go(func() {
			for _, err := range leaves((&openapi3.Components{Schemas: part}).Validate(ctx, partOpts...)) {
				found[i+1] = append(found[i+1], &openapi3.SectionValidationError{Section: "components", Cause: err})
			}
		})
	}
	p.Wait()
	return slices.Concat(found...)
}

// schemasPerPart sizes the parts of the component schemas validated
// concurrently: enough parts to even out the cores' work, few enough
// that each is worth a goroutine.
const schemasPerPart = 64

// positions holds where the keys kin-openapi's errors can name are: its
// context errors go no deeper than a path's operation or a component
// (/paths/{path}/{method}, /components/{kind}/{name}). Keeping these
// instead of the whole node tree halves the memory a large spec holds
// while kin-openapi decodes it.
type positions map[string][2]int

const positionDepth = 3

func positionsOf(root *yaml.Node) positions {
	at := positions{"": {root.Line, root.Column}}
	var visit func(n *yaml.Node, prefix string, depth int)
	visit = func(n *yaml.Node, prefix string, depth int) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		if n.Kind != yaml.MappingNode || depth == positionDepth {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			p := prefix + pointer([]string{k.Value})
			if _, seen := at[p]; !seen {
				at[p] = [2]int{k.Line, k.Column}
			}
			visit(n.Content[i+1], p, depth+1)
		}
	}
	visit(root, "", 0)
	return at
}

// of returns the position of the deepest key along segs that is known.
func (at positions) of(segs []string) (int, int) {
	for i := len(segs); i >= 0; i-- {
		if p, ok := at[pointer(segs[:i])]; ok {
			return p[0], p[1]
		}
	}
	return 0, 0
}

// leaves lists the errors of a validation with EnableMultiError.
func leaves(err error) []error {
	if err == nil {
		return nil
	}
	var me openapi3.MultiError
	if !errors.As(err, &me) {
		return []error{err}
	}
	var out []error
	for _, e := range me {
		out = append(out, leaves(e)...)
	}
	return out
}

// componentKeys maps kin-openapi's component labels to the keys of the
// components object.
var componentKeys = map[string]string{
	"schema": "schemas", "parameter": "parameters", "header": "headers", "request body": "requestBodies",
	"response": "responses", "security scheme": "securitySchemes", "example": "examples", "link": "links",
	"callback": "callbacks",
}

// place walks the context wrappers of a validation error down to the
// failure: the wrappers give the pointer's segments, the first error that
// is no wrapper gives the message.
func place(err error) ([]string, string) {
	var segs []string
	for err != nil {
		switch e := err.(type) {
		case *openapi3.SectionValidationError:
			segs = append(segs, strings.ReplaceAll(e.Section, "external docs", "externalDocs"))
			err = e.Cause
		case *openapi3.PathValidationError:
			segs = append(segs, e.Path)
			err = e.Cause
		case *openapi3.OperationValidationError:
			segs = append(segs, strings.ToLower(e.Method))
			err = e.Cause
		case *openapi3.ComponentValidationError:
			if k, ok := componentKeys[e.Section]; ok {
				if len(segs) == 0 || segs[len(segs)-1] != "components" {
					segs = append(segs, "components")
				}
				segs = append(segs, k, e.Name)
			}
			err = e.Cause
		case *openapi3.WebhookValidationError:
			segs = append(segs, e.Name)
			err = e.Cause
		default:
			return segs, err.Error()
		}
	}
	return segs, ""
}

// validationOptions reports every problem, and judges patterns and
// keywords by the standards the document follows rather than Go's.
func validationOptions(doc *openapi3.T) []openapi3.ValidationOption {
	opts := []openapi3.ValidationOption{
		openapi3.EnableMultiError(),
		// Examples and defaults that do not match their schema are left
		// to linters; checking each compiles a JSON Schema validator.
		openapi3.DisableExamplesValidation(),
		openapi3.DisableSchemaDefaultsValidation(),
		// OpenAPI patterns are ECMA-262 regular expressions (lookarounds
		// included), which Go's RE2 does not accept.
		openapi3.SetRegexCompiler(ecmaRegexp),
	}
	if doc.IsOpenAPI31OrLater() {
		// JSON Schema 2020-12 ignores keywords it does not know, such as
		// the 2019-09 $recursiveRef many 3.1 specs still carry.
		opts = append(opts, openapi3.AllowExtraSiblingFields("$recursiveRef", "$recursiveAnchor", "$dynamicRef", "$dynamicAnchor", "$comment"))
	}
	return opts
}

type ecmaMatcher struct{ re *regexp2.Regexp }

func (m ecmaMatcher) MatchString(s string) bool {
	ok, err := m.re.MatchString(s)
	return err == nil && ok
}

// ecmaPatterns holds compiled patterns: kin-openapi compiles a pattern
// each time a schema carrying it is validated, and large specs repeat a
// few patterns thousands of times.
var ecmaPatterns sync.Map // string → ecmaMatcher

func ecmaRegexp(expr string) (openapi3.RegexMatcher, error) {
	if m, ok := ecmaPatterns.Load(expr); ok {
		return m.(ecmaMatcher), nil
	}
	re, err := regexp2.Compile(expr, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	m := ecmaMatcher{re} // regexp2 matchers are safe for concurrent use
	ecmaPatterns.Store(expr, m)
	return m, nil
}
