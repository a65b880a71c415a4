// Package openapi validates OpenAPI specs locally, compares them with the
// version GitBook has published, and publishes new versions. kin-openapi
// loads and validates (3.0 and 3.1, JSON and YAML, $refs across files);
// oasdiff finds the changes and the breaking ones.
package openapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dlclark/regexp2"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong with a spec, located as precisely as known.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Pointer string `json:"pointer,omitempty"` // JSON pointer, e.g. /paths/~1pets/get
	Message string `json:"message"`
	// Warning marks what is allowed but probably a mistake, such as an
	// unknown keyword in an OpenAPI 3.1 schema.
	Warning bool `json:"warning,omitempty"`
}

// Errors counts the problems that make a spec invalid.
func Errors(ps []Problem) int {
	n := 0
	for _, p := range ps {
		if !p.Warning {
			n++
		}
	}
	return n
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
	}
	if p.Pointer != "" {
		loc += ": " + p.Pointer
	}
	if p.Warning {
		return loc + ": warning: " + p.Message
	}
	return loc + ": " + p.Message
}

// Spec is a loaded spec.
type Spec struct {
	Name string // file name or URL, for messages
	Text []byte
	Info *load.SpecInfo
}

// Doc returns the parsed document.
func (s *Spec) Doc() *openapi3.T { return s.Info.Spec }

var externalRef = regexp.MustCompile(`\$ref["']?\s*:\s*["']?([^"'#\s{][^"'\s},]*)`)

// Publishable returns the text to send to GitBook: the file as written,
// or, when it refers to other files, one document with their content
// moved into components (GitBook receives a single text).
func (s *Spec) Publishable(ctx context.Context) ([]byte, error) {
	if !externalRef.Match(s.Text) {
		return s.Text, nil
	}
	s.Doc().InternalizeRefs(ctx, nil)
	out, err := json.MarshalIndent(s.Doc(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", s.Name, err)
	}
	return append(out, '\n'), nil
}

// LoadFile reads and validates the spec at path. Problems are returned
// with a nil error; err is for files that cannot be read at all.
func LoadFile(ctx context.Context, path string) (*Spec, []Problem, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if doc, ok := loadSplit(ctx, data); ok {
		return finish(ctx, path, data, doc, nil)
	}
	loader := newLoader(ctx)
	doc, err := loader.LoadFromFile(path)
	return finish(ctx, path, data, doc, err)
}

// LoadData validates a spec given as text (a published version); name is
// used in messages. References to other files are not followed.
func LoadData(ctx context.Context, data []byte, name string) (*Spec, []Problem, error) {
	if doc, ok := loadSplit(ctx, data); ok {
		return finish(ctx, name, data, doc, nil)
	}
	loader := newLoader(ctx)
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	return finish(ctx, name, data, doc, err)
}

func newLoader(ctx context.Context) *openapi3.Loader {
	l := openapi3.NewLoader()
	l.Context = ctx
	// Relative $refs to files beside the spec; never to the network.
	l.IsExternalRefsAllowed = true
	l.ReadFromURIFunc = func(loader *openapi3.Loader, u *url.URL) ([]byte, error) {
		if u.Scheme != "" && u.Scheme != "file" {
			return nil, fmt.Errorf("%s: only references to local files are followed", u)
		}
		return os.ReadFile(u.Path)
	}
	return l
}

func finish(ctx context.Context, name string, data []byte, doc *openapi3.T, err error) (*Spec, []Problem, error) {
	if err == nil && doc.OpenAPI == "" {
		err = errors.New(`no "openapi" field: this is not an OpenAPI 3 document (Swagger 2.0 is not supported)`)
	}
	lines := &lineIndex{data: data}
	if err != nil {
		return nil, []Problem{locate(name, lines, err)}, nil
	}
	var problems []Problem
	if errs := validate(ctx, doc); len(errs) > 0 {
		for _, e := range errs {
			p := locate(name, lines, e)
			p.Warning = doc.IsOpenAPI31OrLater() && strings.Contains(p.Message, "extra sibling fields")
			if p.Warning {
				p.Message = "unknown keywords (allowed by JSON Schema 2020-12, but probably a mistake): " + strings.TrimPrefix(p.Message[strings.Index(p.Message, "extra sibling fields"):], "extra sibling fields: ")
			}
			problems = append(problems, p)
		}
	}
	// In the order of the file, as people fix them.
	slices.SortStableFunc(problems, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
	return &Spec{Name: name, Text: data, Info: &load.SpecInfo{Url: name, Spec: doc, Version: doc.Info.Version}}, problems, nil
}

// validate checks the document as kin-openapi's T.Validate does, on
// every core: on large specs validation is a third of the time. Three
// kinds of task share the work: T.Validate on the document without its
// paths and with the first batch of component schemas; T.Validate on the
// paths with only the security schemes (operations are checked against
// them), keeping what it finds in the paths; each further batch of
// component schemas on its own, as T.Validate would check it.
func validate(ctx context.Context, doc *openapi3.T) []error {
	// Clipped: T.Validate appends to the options it is given, and two run
	// at once.
	opts := slices.Clip(validationOptions(doc))
	const batch = 64
	if doc.Paths.Len() == 0 || doc.Components == nil || runtime.GOMAXPROCS(0) == 1 {
		return multi(doc.Validate(ctx, opts...))
	}
	// Batches validated outside T.Validate get the options it would add.
	partOpts := slices.Clone(opts)
	if doc.IsOpenAPI31OrLater() {
		partOpts = append(partOpts, openapi3.IsOpenAPI31OrLater())
	}
	if doc.IsOpenAPI32OrLater() {
		partOpts = append(partOpts, openapi3.IsOpenAPI32OrLater())
	}
	partOpts = slices.Clip(partOpts)
	// The copies share everything else; validation only reads it. An
	// empty paths object is valid in every version.
	names := slices.Sorted(maps.Keys(doc.Components.Schemas))
	keep := min(len(names), batch)
	rest, comps := *doc, *doc.Components
	rest.Paths, rest.Components = openapi3.NewPaths(), &comps
	comps.Schemas = subset(doc.Components.Schemas, names[:keep])
	paths := *doc
	paths.Components = &openapi3.Components{SecuritySchemes: doc.Components.SecuritySchemes}
	tasks := []func() []error{
		func() []error {
			var errs []error
			for _, e := range multi(paths.Validate(ctx, opts...)) {
				var s *openapi3.SectionValidationError
				if errors.As(e, &s) && s.Section == "paths" {
					errs = append(errs, e)
				}
			}
			return errs
		},
		func() []error { return multi(rest.Validate(ctx, opts...)) },
	}
	for i := keep; i < len(names); i += batch {
		part := &openapi3.Components{Schemas: subset(doc.Components.Schemas, names[i:min(i+batch, len(names))])}
		tasks = append(tasks, func() []error {
			var errs []error
			for _, e := range multi(part.Validate(ctx, partOpts...)) {
				errs = append(errs, &openapi3.SectionValidationError{Section: "components", Cause: e})
			}
			return errs
		})
	}
	results := make([][]error, len(tasks))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(tasks)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(tasks); i = int(next.Add(1) - 1) {
				results[i] = tasks[i]()
			}
		})
	}
	wg.Wait()
	return slices.Concat(results...)
}

func subset(m openapi3.Schemas, names []string) openapi3.Schemas {
	out := make(openapi3.Schemas, len(names))
	for _, n := range names {
		out[n] = m[n]
	}
	return out
}

// multi lists the errors a validation with EnableMultiError returned.
func multi(err error) []error {
	if err == nil {
		return nil
	}
	var me openapi3.MultiError
	if !errors.As(err, &me) {
		return []error{err}
	}
	var leaves []error
	for _, e := range me {
		leaves = append(leaves, multi(e)...)
	}
	return leaves
}

// validationOptions reports every problem, and judges patterns and
// keywords by the standards the document follows rather than Go's.
func validationOptions(doc *openapi3.T) []openapi3.ValidationOption {
	opts := []openapi3.ValidationOption{
		openapi3.EnableMultiError(),
		// Examples that do not match their schema are a lint, not an
		// invalid spec (rdme, which teams replace with this, agrees).
		openapi3.DisableExamplesValidation(),
		// Likewise defaults: checking each one compiles a JSON Schema
		// validator, a quarter of the time on large specs.
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
// each time a schema carrying it is validated when the compiler is its
// caller's, and large specs repeat a few patterns thousands of times.
var ecmaPatterns sync.Map // string → ecmaMatcher

func ecmaRegexp(expr string) (openapi3.RegexMatcher, error) {
	if m, ok := ecmaPatterns.Load(expr); ok {
		return m.(ecmaMatcher), nil
	}
	re, err := regexp2.Compile(expr, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	// regexp2 matchers are safe for concurrent use.
	m := ecmaMatcher{re}
	ecmaPatterns.Store(expr, m)
	return m, nil
}

var reYAMLErr = regexp.MustCompile(`line (\d+)`)

// locate turns a kin-openapi error into a problem with a JSON pointer and
// a line where the message allows: kin-openapi names the path, the
// operation and the schema on the way down.
func locate(name string, lines *lineIndex, err error) Problem {
	msg := err.Error()
	p := Problem{File: name, Message: msg}
	var parts []string
	rest := msg
	for {
		switch {
		case strings.HasPrefix(rest, "invalid paths: invalid path "):
			rest = strings.TrimPrefix(rest, "invalid paths: invalid path ")
			path, after, _ := strings.Cut(rest, ": ")
			parts, rest = append(parts, "paths", path), after
			continue
		case strings.HasPrefix(rest, "invalid operation "):
			rest = strings.TrimPrefix(rest, "invalid operation ")
			op, after, _ := strings.Cut(rest, ": ")
			parts, rest = append(parts, strings.ToLower(op)), after
			continue
		case strings.HasPrefix(rest, "invalid components: schema "):
			rest = strings.TrimPrefix(rest, "invalid components: schema ")
			s, after, _ := strings.Cut(rest, ": ")
			parts, rest = append(parts, "components", "schemas", strings.Trim(s, `"`)), after
			continue
		}
		break
	}
	if len(parts) > 0 {
		p.Message = rest
		for i, s := range parts {
			parts[i] = strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
		}
		p.Pointer = "/" + strings.Join(parts, "/")
		p.Line = lines.lineOf(parts)
	} else if m := reYAMLErr.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
	}
	return p
}

// lineIndex finds the line of a JSON pointer's target without building a
// document tree: one pass over the text records each line's indentation
// and key (YAML), or a streaming token walk finds it (JSON). A full parse
// of a 3 MB spec would double validation's time and memory.
type lineIndex struct {
	data   []byte
	lines  []keyLine // YAML only, built on first use
	built  bool
	blocks map[int]map[string]int // see children
}

type keyLine struct {
	indent     int
	start, end int // the key's bytes in data; equal when the line has none
}

func (li *lineIndex) lineOf(parts []string) int {
	keys := make([]string, len(parts))
	for i, raw := range parts {
		keys[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(raw)
	}
	if t := bytes.TrimLeft(li.data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return jsonLine(li.data, keys)
	}
	if !li.built {
		li.built = true
		data := li.data
		li.lines = make([]keyLine, 0, bytes.Count(data, []byte{'\n'})+1)
		for start := 0; start <= len(data); {
			end := bytes.IndexByte(data[start:], '\n')
			if end < 0 {
				end = len(data)
			} else {
				end += start
			}
			kl := keyLine{indent: start}
			for kl.indent < end && data[kl.indent] == ' ' {
				kl.indent++
			}
			line := data[kl.indent:end]
			if c := bytes.IndexByte(line, ':'); c >= 0 && line[0] != '#' && !bytes.HasPrefix(line, []byte("- ")) {
				ks, ke := 0, c // the key, without blanks and quotes around it
				for ks < ke && strings.IndexByte(" \t\"'", line[ks]) >= 0 {
					ks++
				}
				for ke > ks && strings.IndexByte(" \t\"'", line[ke-1]) >= 0 {
					ke--
				}
				kl.start, kl.end = kl.indent+ks, kl.indent+ke
			}
			kl.indent -= start
			li.lines = append(li.lines, kl)
			start = end + 1
		}
	}
	// Walk down: each key is looked for among the children of the last.
	h, found := -1, 0
	for _, key := range keys {
		i, ok := li.children(h)[key]
		if !ok {
			return found
		}
		h, found = i, i+1
	}
	return found
}

// children maps the keys directly inside the block under line h (-1: the
// document) to their lines, built once per block: a spec with thousands
// of problems finds each in constant time.
func (li *lineIndex) children(h int) map[string]int {
	if m, ok := li.blocks[h]; ok {
		return m
	}
	m := map[string]int{}
	indent, child := -1, -1
	if h >= 0 {
		indent = li.lines[h].indent
	}
	for i := h + 1; i < len(li.lines); i++ {
		l := li.lines[i]
		if l.start == l.end {
			continue
		}
		if l.indent <= indent {
			break
		}
		if child < 0 {
			child = l.indent
		}
		if l.indent == child {
			k := string(li.data[l.start:l.end])
			if _, seen := m[k]; !seen {
				m[k] = i
			}
		}
	}
	if li.blocks == nil {
		li.blocks = map[int]map[string]int{}
	}
	li.blocks[h] = m
	return m
}

// jsonLine walks down the document to the pointer's key, stepping over
// every other value without decoding it.
func jsonLine(data []byte, keys []string) int {
	sc := &jsonScan{data: data}
	line := 0
	for _, want := range keys {
		if sc.peek() != '{' {
			return line
		}
		found := false
		sc.object(func(key string, _ []byte) bool {
			if key == want {
				found = true
				return false // stop, at its value
			}
			_, ok := sc.value()
			return ok
		})
		if !found {
			return line
		}
		line = 1 + bytes.Count(data[:sc.keyAt], []byte{'\n'})
	}
	return line
}

// Canonical renders a spec's text as sorted, compact JSON, so that two
// versions differing only in formatting or key order compare equal.
func Canonical(text []byte) ([]byte, error) {
	var v any
	if err := yaml.Unmarshal(text, &v); err != nil {
		return nil, err
	}
	return json.Marshal(normalize(v))
}

func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
		return x
	case map[any]any:
		m := map[string]any{}
		for k, e := range x {
			m[fmt.Sprint(k)] = normalize(e)
		}
		return m
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
	}
	return v
}

// Identical reports whether two spec texts say the same thing.
func Identical(a, b []byte) bool {
	ca, err1 := Canonical(a)
	cb, err2 := Canonical(b)
	return err1 == nil && err2 == nil && bytes.Equal(ca, cb)
}

// Changes is what changed in an API between two versions.
type Changes struct {
	Added    []string `json:"added,omitempty"` // "GET /pets"
	Removed  []string `json:"removed,omitempty"`
	Changed  []string `json:"changed,omitempty"`
	Breaking []string `json:"breaking,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// Empty reports whether nothing changed in the operations.
func (c *Changes) Empty() bool {
	return len(c.Added)+len(c.Removed)+len(c.Changed)+len(c.Breaking)+len(c.Warnings) == 0
}

// Compare lists the operations added, removed and changed from old to new,
// and the changes that break clients (oasdiff's checks at error level).
func Compare(old, new *Spec) (*Changes, error) {
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), old.Info, new.Info)
	if err != nil {
		return nil, fmt.Errorf("compare %s with %s: %w", old.Name, new.Name, err)
	}
	c := &Changes{}
	if d == nil {
		return c, nil // oasdiff reports no diff at all for equal specs
	}
	if pd := d.PathsDiff; pd != nil {
		for _, p := range pd.Added {
			for m := range new.Doc().Paths.Value(p).Operations() {
				c.Added = append(c.Added, m+" "+p)
			}
		}
		for _, p := range pd.Deleted {
			for m := range old.Doc().Paths.Value(p).Operations() {
				c.Removed = append(c.Removed, m+" "+p)
			}
		}
		for p, md := range pd.Modified {
			if md.OperationsDiff == nil {
				continue
			}
			for _, m := range md.OperationsDiff.Added {
				c.Added = append(c.Added, m+" "+p)
			}
			for _, m := range md.OperationsDiff.Deleted {
				c.Removed = append(c.Removed, m+" "+p)
			}
			for m := range md.OperationsDiff.Modified {
				c.Changed = append(c.Changed, m+" "+p)
			}
		}
	}
	l := checker.NewLocalizer("en")
	for _, ch := range checker.CheckBackwardCompatibilityUntilLevel(checker.NewConfig(checker.GetAllChecks()), d, sources, checker.WARN) {
		text := ch.GetOperation() + " " + ch.GetPath() + ": " + ch.GetUncolorizedText(l)
		if ch.GetLevel() == checker.ERR {
			c.Breaking = append(c.Breaking, text)
		} else {
			c.Warnings = append(c.Warnings, text)
		}
	}
	for _, list := range [][]string{c.Added, c.Removed, c.Changed, c.Breaking, c.Warnings} {
		sort.Strings(list)
	}
	return c, nil
}

// Summary renders changes as Markdown for reports.
func (c *Changes) Summary() string {
	if c.Empty() {
		return "No change to the API's operations.\n"
	}
	var b strings.Builder
	section := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "**%s** (%d)\n", title, len(items))
		for _, it := range items {
			fmt.Fprintf(&b, "- `%s`\n", strings.ReplaceAll(it, "`", "'"))
		}
		b.WriteString("\n")
	}
	section("Breaking changes", c.Breaking)
	section("Operations added", c.Added)
	section("Operations removed", c.Removed)
	section("Operations changed", c.Changed)
	section("Warnings", c.Warnings)
	return strings.TrimRight(b.String(), "\n") + "\n"
}
