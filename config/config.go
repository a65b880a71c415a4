// Package config reads .gitbook-sync.yaml strictly: an unknown key (with
// the key meant, for a typo), a wrong type, a duplicate space or an invalid
// value is an error naming the file, line and column, with the valid
// choices. The JSON schema is generated from the same field table, so the
// two cannot drift apart. It also reads GitBook's site-wide docs.yaml
// (site.go), finds a repository's spaces (discover.go) and writes a
// starting configuration (init.go).
package config

import (
	"bytes"
	"cmp"
	"errors"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v4"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
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

// Config is a parsed configuration.
type Config struct {
	File   string // path it was read from; "" when built from flags or docs.yaml alone
	Site   *Site  // the site block: spaces come from docs.yaml
	Spaces []Space
	// SiteConfig is the docs.yaml the spaces came from (Discover), or nil.
	SiteConfig *SiteConfig
	// Diagnostics are the warnings found (errors are returned as the
	// error), for the report.
	Diagnostics diag.List
}

// Site is the site block of .gitbook-sync.yaml: the spaces come from
// GitBook's docs.yaml, their IDs from GitBook's API or from Spaces.
type Site struct {
	Config       string            // path of docs.yaml in the repository (default: docs.yaml)
	Organization string            // with Site, space IDs come from the site's API
	Site         string            // site ID
	Spaces       map[string]string // docs.yaml key -> space ID
	Line         int               // of config when set, else of the block
	KeyLines     map[string][2]int // line and column of each key of Spaces
}

// Space configures one GitBook space.
type Space struct {
	Space        string    // space ID; "" until resolved for a docs.yaml space
	Key          string    // the space's key in docs.yaml, if it comes from there
	Title        string    // the space's title in docs.yaml
	Organization string    // organization ID
	Path         string    // project directory in the repository; "." for the root
	Branch       string    // source-of-truth branch; "" for the repository's default
	Mode         string    // one of Modes
	Reviewers    []string  // user IDs or e-mails
	Review       string    // "", "approve" or "request-changes"
	Preview      string    // "" or "standalone"
	OpenAPI      []OpenAPI // specs published with this space
	Comment      Comment
	Line         int // line of the entry in the file (0 from flags or docs.yaml alone)
	Col          int
}

// Name is what identifies the space in reports before its ID is known:
// the ID, else the docs.yaml key, else the path.
func (s Space) Name() string { return cmp.Or(s.Space, s.Key, s.Path) }

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

// Error points at a place in a configuration file. It unwraps to the
// diag.Diagnostic it stands for, so diag.As finds every problem of a
// joined error.
type Error struct {
	File      string
	Line, Col int
	Field     string
	Msg       string
}

func (e *Error) Error() string { return e.Diagnostic().String() }

// Diagnostic is the error as a diag.Diagnostic.
func (e *Error) Diagnostic() diag.Diagnostic {
	return diag.Diagnostic{File: e.File, Line: e.Line, Col: e.Col, Field: e.Field, Severity: diag.Error, Message: e.Msg}
}

// Unwrap lets diag.As and errors.As reach the diagnostic.
func (e *Error) Unwrap() error { return e.Diagnostic() }

// errorsOf turns the error diagnostics of l into one error (nil if none):
// each is an *Error, so errors.As finds the first with its place.
func errorsOf(l diag.List) error {
	var errs []error
	for _, d := range l.Errors() {
		errs = append(errs, &Error{File: d.File, Line: d.Line, Col: d.Col, Field: d.Field, Msg: d.Message})
	}
	return errors.Join(errs...)
}

var (
	entityID = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	// SlugRule is GitBook's rule for OpenAPI spec slugs.
	SlugRule = regexp.MustCompile(`^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$`)
)

// Load reads the file at path. A missing file returns an error matching
// os.ErrNotExist so callers can fall back to flags or docs.yaml.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// Parse reads configuration text; name is used in errors. Every problem
// is reported, each an *Error in the joined error.
func Parse(data []byte, name string) (*Config, error) {
	cfg := &Config{File: name}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: name, Msg: "the file is empty; it needs a spaces: list or a site: block"}
		}
		return nil, errorsOf(diag.List{content.YAMLError(name, err)})
	}
	p := &parser{file: name}
	root := doc.Content[0]
	p.object(root, "", rootFields, func(key string, v *yaml.Node) {
		switch key {
		case "spaces":
			cfg.Spaces = p.spaces(v)
		case "site":
			cfg.Site = p.site(v)
		}
	})
	if len(p.problems.Errors()) == 0 && len(cfg.Spaces) == 0 && cfg.Site == nil {
		p.fail(root, "spaces", "at least one space is required, or a site: block to take them from docs.yaml")
	}
	if err := errorsOf(p.problems); err != nil {
		return nil, err
	}
	cfg.Diagnostics = p.problems
	return cfg, nil
}

// field describes one key: its type for checking and for the schema.
type field struct {
	key     string
	kind    string   // string, bool, list-of-strings, list-of-objects, object, map-of-strings
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

var commentFields = []field{
	{key: "enabled", kind: "bool", doc: "Post a sticky comment on pull requests (default: true)."},
	{key: "marker", kind: "string", doc: "Name that tells this configuration's comment apart (default: the space ID)."},
}

var spaceFields = []field{
	{key: "space", kind: "string", doc: "GitBook space ID (optional with key: then it comes from site.spaces or GitBook's API)."},
	{key: "key", kind: "string", doc: "Key of the space in docs.yaml: its directory comes from there; these settings apply to it."},
	{key: "organization", kind: "string", doc: "GitBook organization ID (needed for reviewers and OpenAPI)."},
	{key: "path", kind: "string", doc: "Project directory of the space in the repository (default: the root; from docs.yaml with key)."},
	{key: "branch", kind: "string", doc: "Branch that is the source of truth (default: the repository's default branch)."},
	{key: "mode", kind: "string", enum: Modes, doc: "What to do when the repository and the space differ (default: auto)."},
	{key: "reviewers", kind: "list-of-strings", doc: "User IDs or e-mails asked to review change requests."},
	{key: "review", kind: "string", enum: []string{"approve", "request-changes"}, doc: "Submit this review on change requests, for bots that gate on it."},
	{key: "preview", kind: "string", enum: []string{"standalone"}, doc: "On pull requests, make a standalone preview revision instead of a change request."},
	{key: "openapi", kind: "list-of-objects", fields: openapiFields, doc: "OpenAPI specs to validate, diff and publish."},
	{key: "comment", kind: "object", doc: "Pull request comment settings.", fields: commentFields},
}

var siteFields = []field{
	{key: "config", kind: "string", doc: "Path of GitBook's docs.yaml in the repository (default: docs.yaml)."},
	{key: "organization", kind: "string", doc: "Organization ID of the site; with site, space IDs come from GitBook's API."},
	{key: "site", kind: "string", doc: "Site ID; with organization, space IDs come from GitBook's API (site spaces matched by path)."},
	{key: "spaces", kind: "map-of-strings", doc: "Space IDs by docs.yaml key, instead of asking GitBook's API."},
}

var rootFields = []field{
	{key: "spaces", kind: "list-of-objects", fields: spaceFields, doc: "The GitBook spaces kept in step with this repository; with site:, settings for docs.yaml spaces (by key) and further spaces."},
	{key: "site", kind: "object", fields: siteFields, doc: "Take the spaces from GitBook's site-wide Git Sync file docs.yaml."},
}

type parser struct {
	file     string
	problems diag.List
}

func (p *parser) fail(n *yaml.Node, field, format string, args ...any) {
	d := diag.Errorf(p.file, n.Line, n.Column, format, args...)
	d.Field = field
	p.problems = append(p.problems, d)
}

func keys(fields []field) []string {
	var ks []string
	for _, f := range fields {
		ks = append(ks, f.key)
	}
	return ks
}

// object walks a mapping, checking keys against fields, and calls fn for
// each known key with a value of the right type.
func (p *parser) object(n *yaml.Node, prefix string, fields []field, fn func(key string, v *yaml.Node)) {
	seen := map[string]bool{}
	content.Mapping(n, prefix, keys(fields), p.fail, func(k, v *yaml.Node) {
		f := fields[slices.IndexFunc(fields, func(f field) bool { return f.key == k.Value })]
		seen[k.Value] = true
		if p.check(v, join(prefix, f.key), f) {
			fn(k.Value, v)
		}
	})
	if n.Kind != yaml.MappingNode {
		return
	}
	for _, f := range fields {
		if f.require && !seen[f.key] {
			p.fail(n, join(prefix, f.key), "required")
		}
	}
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func (p *parser) check(v *yaml.Node, name string, f field) bool {
	scalar := func(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag != "!!null" }
	switch f.kind {
	case "string":
		if !scalar(v) {
			p.fail(v, name, "want a string, got %s", content.KindName(v))
			return false
		}
		if len(f.enum) > 0 && !slices.Contains(f.enum, v.Value) {
			p.fail(v, name, "%q is not valid; choose one of: %s", v.Value, strings.Join(f.enum, ", "))
			return false
		}
	case "bool":
		if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
			p.fail(v, name, "want true or false, got %s", content.KindName(v))
			return false
		}
	case "list-of-strings", "list-of-objects":
		if v.Kind != yaml.SequenceNode {
			p.fail(v, name, "want a list, got %s", content.KindName(v))
			return false
		}
		for _, e := range v.Content {
			if f.kind == "list-of-strings" && !scalar(e) {
				p.fail(e, name, "want a string, got %s", content.KindName(e))
				return false
			}
		}
	case "object", "map-of-strings":
		if v.Kind != yaml.MappingNode {
			p.fail(v, name, "want a mapping, got %s", content.KindName(v))
			return false
		}
		for i := 1; f.kind == "map-of-strings" && i < len(v.Content); i += 2 {
			if !scalar(v.Content[i]) {
				p.fail(v.Content[i], name+"."+v.Content[i-1].Value, "want a string, got %s", content.KindName(v.Content[i]))
				return false
			}
		}
	}
	return true
}

// repoPath checks a path that must stay inside the repository.
func (p *parser) repoPath(v *yaml.Node, field, what string) string {
	clean := strings.TrimPrefix(strings.TrimSuffix(v.Value, "/"), "./")
	if strings.HasPrefix(v.Value, "/") || strings.ContainsRune(v.Value, '\\') || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(clean, "/../") || strings.HasSuffix(clean, "/..") {
		p.fail(v, field, "%q must be %s inside the repository (relative, without ..)", v.Value, what)
	}
	return v.Value
}

func (p *parser) id(v *yaml.Node, field, what string) string {
	if !entityID.MatchString(v.Value) {
		p.fail(v, field, "%q is not a GitBook ID (letters, digits, '-' and '_')%s", v.Value, what)
	}
	return v.Value
}

func (p *parser) site(n *yaml.Node) *Site {
	s := &Site{Line: n.Line}
	p.object(n, "site", siteFields, func(key string, v *yaml.Node) {
		switch key {
		case "config":
			s.Config, s.Line = p.repoPath(v, "site.config", "a file"), v.Line
		case "organization":
			s.Organization = p.id(v, "site.organization", "")
		case "site":
			s.Site = p.id(v, "site.site", "; copy it from the site's settings URL")
		case "spaces":
			s.Spaces, s.KeyLines = map[string]string{}, map[string][2]int{}
			for i := 0; i+1 < len(v.Content); i += 2 {
				k, id := v.Content[i], v.Content[i+1]
				s.Spaces[k.Value] = p.id(id, "site.spaces."+k.Value, "; copy it from the space's URL")
				s.KeyLines[k.Value] = [2]int{k.Line, k.Column}
			}
		}
	})
	if (s.Organization == "") != (s.Site == "") {
		p.fail(n, "site", "set both organization and site to look space IDs up, or neither")
	}
	return s
}

func (p *parser) spaces(list *yaml.Node) []Space {
	var out []Space
	ids, keys := map[string]int{}, map[string]int{}
	for _, n := range list.Content {
		sp := Space{Path: ".", Mode: ModeAuto, Comment: Comment{Enabled: true}, Line: n.Line, Col: n.Column}
		hasPath := false
		p.object(n, "spaces", spaceFields, func(key string, v *yaml.Node) {
			field := "spaces." + key
			switch key {
			case "space":
				sp.Space = p.id(v, field, "; copy it from the space's URL")
				if first, dup := ids[v.Value]; dup {
					p.fail(v, field, "%q is already configured at line %d", v.Value, first)
				}
				ids[v.Value] = v.Line
			case "key":
				sp.Key = v.Value
				if first, dup := keys[v.Value]; dup {
					p.fail(v, field, "%q is already configured at line %d", v.Value, first)
				}
				keys[v.Value] = v.Line
			case "organization":
				sp.Organization = p.id(v, field, "")
			case "path":
				sp.Path, hasPath = p.repoPath(v, field, "a directory"), true
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
				p.object(v, field, commentFields, func(key string, v *yaml.Node) {
					switch key {
					case "enabled":
						sp.Comment.Enabled = v.Value == "true"
					case "marker":
						sp.Comment.Marker = v.Value
					}
				})
			}
		})
		switch {
		case n.Kind != yaml.MappingNode:
		case !hasKey(n, "space") && !hasKey(n, "key"):
			p.fail(n, "spaces.space", "required (or key, for a space of docs.yaml)")
		case sp.Key != "" && hasPath:
			p.fail(n, "spaces.path", "a space with key takes its directory from docs.yaml; remove path")
		}
		out = append(out, sp)
	}
	return out
}

func (p *parser) openapi(list *yaml.Node) []OpenAPI {
	var out []OpenAPI
	for _, n := range list.Content {
		o := OpenAPI{Line: n.Line}
		p.object(n, "spaces.openapi", openapiFields, func(key string, v *yaml.Node) {
			field := "spaces.openapi." + key
			switch key {
			case "spec":
				o.Spec = v.Value
				if len(v.Value) > 100 || !SlugRule.MatchString(v.Value) {
					p.fail(v, field, "%q is not a valid slug (letters, digits and single hyphens, at most 100 characters)", v.Value)
				}
			case "file":
				o.File = p.repoPath(v, field, "a file")
			case "url":
				o.URL = v.Value
			case "organization":
				o.Organization = p.id(v, field, "")
			case "fail-on-breaking":
				o.FailOnBreaking = v.Value == "true"
			case "publish-on-pull-request":
				o.PublishOnPR = v.Value == "true"
			case "strict":
				o.Strict = v.Value == "true"
			}
		})
		if n.Kind == yaml.MappingNode && (o.File == "") == (o.URL == "") {
			p.fail(n, "spaces.openapi", "give exactly one of file or url")
		}
		out = append(out, o)
	}
	return out
}
