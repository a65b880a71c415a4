// Package content reads GitBook's repository format as GitBook's Git Sync
// import reads it: .gitbook.yaml, SUMMARY.md, front matter, page titles and
// links, and the mapping between files and pages. Every problem found is a
// diag.Diagnostic at its file, line and column.
package content

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v4"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// ConfigFile is GitBook's per-project configuration file.
const ConfigFile = ".gitbook.yaml"

// Config is a parsed .gitbook.yaml with GitBook's defaults applied.
type Config struct {
	Root      string            // directory of the content, relative to the project directory; "" for the project itself
	Readme    string            // first page, relative to Root
	Summary   string            // table of contents, relative to Root
	Redirects map[string]string // old path -> file, relative to Root
	// Lines of the settings in the file, for diagnostics (0: not set).
	RootLine, ReadmeLine, SummaryLine int
	RedirectLines                     map[string]int
	// Diagnostics holds every problem found, warnings included.
	Diagnostics diag.List
}

// DefaultConfig is what GitBook assumes without a .gitbook.yaml.
func DefaultConfig() Config {
	return Config{Readme: "README.md", Summary: "SUMMARY.md"}
}

// The keys GitBook documents for .gitbook.yaml.
var (
	configKeys    = []string{"root", "structure", "redirects"}
	structureKeys = []string{"readme", "summary"}
)

// ParseConfig reads .gitbook.yaml strictly: unknown keys (with the key
// meant, for a typo), wrong types and paths leaving the project are
// errors at their line and column. An empty file means the defaults. name
// is the file's path, used in diagnostics. The error joins the
// diagnostics; diag.As recovers them.
func ParseConfig(data []byte, name string) (Config, error) {
	cfg := DefaultConfig()
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		d := YAMLError(name, err)
		cfg.Diagnostics = diag.List{d}
		return cfg, d
	}
	if len(doc.Content) == 0 {
		return cfg, nil
	}
	var problems diag.List
	fail := func(n *yaml.Node, field, format string, args ...any) {
		d := diag.Errorf(name, n.Line, n.Column, format, args...)
		d.Field = field
		problems = append(problems, d)
	}
	relPath := func(v *yaml.Node, field string, file bool) (string, bool) {
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			fail(v, field, "want a path, got %s", KindName(v))
			return "", false
		}
		p, err := cleanRel(v.Value)
		if err != nil {
			fail(v, field, "%v", err)
			return "", false
		}
		if file && p == "" {
			fail(v, field, "%q: want a file path inside the root", v.Value)
			return "", false
		}
		return p, true
	}
	root := doc.Content[0]
	Mapping(root, "", configKeys, fail, func(k, v *yaml.Node) {
		switch k.Value {
		case "root":
			if p, ok := relPath(v, "root", false); ok {
				cfg.Root, cfg.RootLine = p, k.Line
			}
		case "structure":
			Mapping(v, "structure", structureKeys, fail, func(k, v *yaml.Node) {
				field := "structure." + k.Value
				p, ok := relPath(v, field, true)
				if !ok {
					return
				}
				if k.Value == "readme" {
					cfg.Readme, cfg.ReadmeLine = p, k.Line
				} else {
					cfg.Summary, cfg.SummaryLine = p, k.Line
				}
			})
		case "redirects":
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				return
			}
			if v.Kind != yaml.MappingNode {
				fail(v, "redirects", "want a mapping of old paths to files, got %s", KindName(v))
				return
			}
			cfg.Redirects, cfg.RedirectLines = map[string]string{}, map[string]int{}
			for i := 0; i+1 < len(v.Content); i += 2 {
				from, to := v.Content[i], v.Content[i+1]
				field := "redirects." + from.Value
				if from.Kind != yaml.ScalarNode || from.Value == "" {
					fail(from, "redirects", "want an old path as the key, got %s", KindName(from))
					continue
				}
				p, ok := relPath(to, field, true)
				if !ok {
					continue
				}
				if strings.HasPrefix(to.Value, "/") || strings.HasPrefix(to.Value, "./") {
					d := diag.Warnf(name, to.Line, to.Column, "%q: GitBook ignores redirects to a path with a leading %q; write %q", to.Value, strings.SplitAfter(to.Value, "/")[0], p)
					d.Field = field
					problems = append(problems, d)
				}
				cfg.Redirects[from.Value] = p
				cfg.RedirectLines[from.Value] = to.Line
			}
		}
	})
	cfg.Diagnostics = problems
	return cfg, problems.Err()
}

// Mapping walks a YAML mapping whose keys must be among keys: an unknown
// key is reported with the closest valid key, a repeated key too, then fn
// gets each valid pair. prefix names the mapping in fields ("" at the top).
func Mapping(n *yaml.Node, prefix string, keys []string, fail func(n *yaml.Node, field, format string, args ...any), fn func(k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		fail(n, prefix, "want a mapping with keys %s, got %s", strings.Join(keys, ", "), KindName(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		field := k.Value
		if prefix != "" {
			field = prefix + "." + k.Value
		}
		switch {
		case !slices.Contains(keys, k.Value):
			msg := fmt.Sprintf("unknown key %q", k.Value)
			if s := diag.Suggest(k.Value, keys); s != "" {
				msg += fmt.Sprintf("; did you mean %s?", s)
			} else {
				msg += "; valid keys: " + strings.Join(keys, ", ")
			}
			fail(k, field, "%s", msg)
		case seen[k.Value]:
			fail(k, field, "key %q is set twice", k.Value)
		default:
			seen[k.Value] = true
			fn(k, v)
		}
	}
}

// KindName describes a YAML node for messages: "a mapping", "a list", or
// the scalar quoted.
func KindName(n *yaml.Node) string {
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

// YAMLError turns a YAML syntax error into a diagnostic at the place the
// parser stopped (not where the enclosing block began).
func YAMLError(file string, err error) diag.Diagnostic {
	line, col := yamlErrorPos(err)
	return diag.Errorf(file, line, col, "invalid YAML: %s", yamlErrorMessage(err))
}

func yamlErrorPos(err error) (line, col int) {
	var le *yaml.LoadError
	if errors.As(err, &le) {
		return le.Mark.Line, le.Mark.Column
	}
	return 0, 0
}

func yamlErrorMessage(err error) string {
	var le *yaml.LoadError
	if errors.As(err, &le) {
		return le.Message
	}
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// cleanRel normalises a relative path such as "./docs/" to "docs"; it
// refuses paths that leave the project.
func cleanRel(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "", nil
	}
	if strings.HasPrefix(p, "/") || strings.ContainsRune(p, '\\') || strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("%q must be a relative path inside the project directory", p)
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%q leaves the project directory", p)
	}
	if c == "." {
		c = ""
	}
	return c, nil
}

// Join joins repository path elements, ignoring empty ones.
func Join(elem ...string) string {
	var parts []string
	for _, e := range elem {
		if e != "" && e != "." {
			parts = append(parts, e)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return path.Join(parts...)
}
