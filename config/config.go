// Package config reads .gitbook-sync.yaml strictly: an unknown key, a wrong
// type, a duplicate space or an invalid value is an error naming the file,
// line and column, with the valid choices. The JSON schema is generated
// from the same field table, so the two cannot drift apart.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// FileName is the configuration file at the repository root.
const FileName = ".gitbook-sync.yaml"

// Modes.
const (
	ModeAuto          = "auto"
	ModeImport        = "import"
	ModeChangeRequest = "change-request"
	ModeExport        = "export"
)

// Modes lists the valid modes.
var Modes = []string{ModeAuto, ModeImport, ModeChangeRequest, ModeExport}

// Config is a parsed configuration file.
type Config struct {
	File   string // path it was read from; "" when built from flags
	Spaces []Space
}

// Space configures one GitBook space.
type Space struct {
	Space        string    // space ID
	Organization string    // organization ID
	Path         string    // project directory in the repository; "." for the root
	Branch       string    // source-of-truth branch; "" for the repository's default
	Mode         string    // one of Modes
	Reviewers    []string  // user IDs or e-mails
	Review       string    // "", "approve" or "request-changes"
	Preview      string    // "" or "standalone"
	OpenAPI      []OpenAPI // specs published with this space
	Comment      Comment
	Line         int // line of the entry in the file (0 from flags)
}

// OpenAPI configures one spec to publish.
type OpenAPI struct {
	Spec           string // slug
	File           string // path in the repository
	URL            string
	Organization   string
	FailOnBreaking bool
	PublishOnPR    bool
	Strict         bool // warnings are errors
	Line           int
}

// Comment configures the pull request comment.
type Comment struct {
	Enabled bool
	// Marker tells this configuration's sticky comment apart from others
	// in the same pull request.
	Marker string
}

// Error points at a place in the configuration file.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

var (
	entityID = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	// SlugRule is GitBook's rule for OpenAPI spec slugs.
	SlugRule = regexp.MustCompile(`^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$`)
)

// Load reads the file at path. A missing file returns an error matching
// os.ErrNotExist so callers can fall back to flags.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// Parse reads configuration text; name is used in errors.
func Parse(data []byte, name string) (*Config, error) {
	cfg := &Config{File: name}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: name, Msg: "the file is empty; it needs a spaces: list"}
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		var line int
		if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
			_, msg, _ = strings.Cut(msg, ": ")
			return nil, &Error{File: name, Line: line, Col: 1, Msg: "invalid YAML: " + msg}
		}
		return nil, &Error{File: name, Msg: "invalid YAML: " + msg}
	}
	p := &parser{file: name}
	root := doc.Content[0]
	p.object(root, rootFields, func(key string, v *yaml.Node) {
		if key == "spaces" {
			cfg.Spaces = p.spaces(v)
		}
	})
	if p.err != nil {
		return nil, p.err
	}
	if len(cfg.Spaces) == 0 {
		return nil, &Error{File: name, Line: root.Line, Col: root.Column, Msg: "spaces: at least one space is required"}
	}
	return cfg, nil
}

// field describes one key: its type for checking and for the schema.
type field struct {
	key     string
	kind    string   // string, bool, list-of-strings, list-of-objects, object
	enum    []string // allowed values for strings
	doc     string
	fields  []field // for objects and lists of objects
	require bool
}

var openapiFields = []field{
	{key: "spec", kind: "string", doc: "Slug of the spec in the organization (letters, digits, single hyphens).", require: true},
	{key: "file", kind: "string", doc: "Path of the spec file in the repository (JSON or YAML)."},
	{key: "url", kind: "string", doc: "URL GitBook fetches the spec from, instead of file."},
	{key: "organization", kind: "string", doc: "Organization ID; defaults to the space's organization."},
	{key: "fail-on-breaking", kind: "bool", doc: "Fail the run on pull requests that break the API."},
	{key: "publish-on-pull-request", kind: "bool", doc: "Publish from pull requests too (default: only diff them)."},
	{key: "strict", kind: "bool", doc: "Treat the spec's warnings as errors: nothing is published while it has any."},
}

var spaceFields = []field{
	{key: "space", kind: "string", doc: "GitBook space ID.", require: true},
	{key: "organization", kind: "string", doc: "GitBook organization ID (needed for reviewers and OpenAPI)."},
	{key: "path", kind: "string", doc: "Project directory of the space in the repository (default: the root)."},
	{key: "branch", kind: "string", doc: "Branch that is the source of truth (default: the repository's default branch)."},
	{key: "mode", kind: "string", enum: Modes, doc: "What to do when the repository and the space differ (default: auto)."},
	{key: "reviewers", kind: "list-of-strings", doc: "User IDs or e-mails asked to review change requests."},
	{key: "review", kind: "string", enum: []string{"approve", "request-changes"}, doc: "Submit this review on change requests, for bots that gate on it."},
	{key: "preview", kind: "string", enum: []string{"standalone"}, doc: "On pull requests, make a standalone preview revision instead of a change request."},
	{key: "openapi", kind: "list-of-objects", fields: openapiFields, doc: "OpenAPI specs to validate, diff and publish."},
	{key: "comment", kind: "object", doc: "Pull request comment settings.", fields: []field{
		{key: "enabled", kind: "bool", doc: "Post a sticky comment on pull requests (default: true)."},
		{key: "marker", kind: "string", doc: "Name that tells this configuration's comment apart (default: the space ID)."},
	}},
}

var rootFields = []field{
	{key: "spaces", kind: "list-of-objects", fields: spaceFields, doc: "The GitBook spaces kept in step with this repository.", require: true},
}

type parser struct {
	file string
	err  error
}

func (p *parser) fail(n *yaml.Node, format string, args ...any) {
	if p.err == nil {
		p.err = &Error{File: p.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)}
	}
}

func keys(fields []field) string {
	var ks []string
	for _, f := range fields {
		ks = append(ks, f.key)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return fmt.Sprintf("%q", n.Value)
}

// object walks a mapping, checking keys against fields, and calls fn for
// each known key with a value of the right type.
func (p *parser) object(n *yaml.Node, fields []field, fn func(key string, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.fail(n, "want a mapping with keys %s, got %s", keys(fields), kindName(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var f *field
		for j := range fields {
			if fields[j].key == k.Value {
				f = &fields[j]
			}
		}
		if f == nil {
			p.fail(k, "unknown key %q; valid keys: %s", k.Value, keys(fields))
			return
		}
		if seen[k.Value] {
			p.fail(k, "key %q is set twice", k.Value)
			return
		}
		seen[k.Value] = true
		if !p.check(v, *f) {
			return
		}
		fn(k.Value, v)
	}
	for _, f := range fields {
		if f.require && !seen[f.key] {
			p.fail(n, "%s: required", f.key)
			return
		}
	}
}

func (p *parser) check(v *yaml.Node, f field) bool {
	switch f.kind {
	case "string":
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			p.fail(v, "%s: want a string, got %s", f.key, kindName(v))
			return false
		}
		if len(f.enum) > 0 && !contains(f.enum, v.Value) {
			p.fail(v, "%s: %q is not valid; choose one of: %s", f.key, v.Value, strings.Join(f.enum, ", "))
			return false
		}
	case "bool":
		if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
			p.fail(v, "%s: want true or false, got %s", f.key, kindName(v))
			return false
		}
	case "list-of-strings":
		if v.Kind != yaml.SequenceNode {
			p.fail(v, "%s: want a list of strings, got %s", f.key, kindName(v))
			return false
		}
		for _, e := range v.Content {
			if e.Kind != yaml.ScalarNode || e.Tag == "!!null" {
				p.fail(e, "%s: want a string, got %s", f.key, kindName(e))
				return false
			}
		}
	case "list-of-objects":
		if v.Kind != yaml.SequenceNode {
			p.fail(v, "%s: want a list, got %s", f.key, kindName(v))
			return false
		}
	case "object":
		if v.Kind != yaml.MappingNode {
			p.fail(v, "%s: want a mapping with keys %s, got %s", f.key, keys(f.fields), kindName(v))
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) spaces(list *yaml.Node) []Space {
	var out []Space
	ids := map[string]int{}
	for _, n := range list.Content {
		sp := Space{Path: ".", Mode: ModeAuto, Comment: Comment{Enabled: true}, Line: n.Line}
		p.object(n, spaceFields, func(key string, v *yaml.Node) {
			switch key {
			case "space":
				sp.Space = v.Value
				if !entityID.MatchString(v.Value) {
					p.fail(v, "space: %q is not a GitBook ID (letters, digits, '-' and '_'); copy it from the space's URL", v.Value)
				} else if first, dup := ids[v.Value]; dup {
					p.fail(v, "space: %q is already configured at line %d", v.Value, first)
				}
				ids[v.Value] = v.Line
			case "organization":
				sp.Organization = v.Value
				if !entityID.MatchString(v.Value) {
					p.fail(v, "organization: %q is not a GitBook ID (letters, digits, '-' and '_')", v.Value)
				}
			case "path":
				sp.Path = v.Value
				if strings.HasPrefix(v.Value, "/") || strings.Contains("/"+v.Value+"/", "/../") {
					p.fail(v, "path: %q must be a directory inside the repository", v.Value)
				}
			case "branch":
				sp.Branch = v.Value
			case "mode":
				sp.Mode = v.Value
			case "reviewers":
				for _, e := range v.Content {
					sp.Reviewers = append(sp.Reviewers, e.Value)
				}
			case "review":
				sp.Review = v.Value
			case "preview":
				sp.Preview = v.Value
			case "openapi":
				sp.OpenAPI = p.openapi(v)
			case "comment":
				p.object(v, spaceFields[len(spaceFields)-1].fields, func(key string, v *yaml.Node) {
					switch key {
					case "enabled":
						sp.Comment.Enabled = v.Value == "true"
					case "marker":
						sp.Comment.Marker = v.Value
					}
				})
			}
		})
		if p.err != nil {
			return nil
		}
		out = append(out, sp)
	}
	return out
}

func (p *parser) openapi(list *yaml.Node) []OpenAPI {
	var out []OpenAPI
	for _, n := range list.Content {
		o := OpenAPI{Line: n.Line}
		p.object(n, openapiFields, func(key string, v *yaml.Node) {
			switch key {
			case "spec":
				o.Spec = v.Value
				if len(v.Value) > 100 || !SlugRule.MatchString(v.Value) {
					p.fail(v, "spec: %q is not a valid slug (letters, digits and single hyphens, at most 100 characters)", v.Value)
				}
			case "file":
				o.File = v.Value
			case "url":
				o.URL = v.Value
			case "organization":
				o.Organization = v.Value
			case "fail-on-breaking":
				o.FailOnBreaking = v.Value == "true"
			case "publish-on-pull-request":
				o.PublishOnPR = v.Value == "true"
			case "strict":
				o.Strict = v.Value == "true"
			}
		})
		if p.err == nil && (o.File == "") == (o.URL == "") {
			p.fail(n, "openapi: give exactly one of file or url")
		}
		out = append(out, o)
	}
	return out
}
