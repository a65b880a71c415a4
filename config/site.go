package config

import (
	"fmt"
	"path"
	"strings"

	yaml "go.yaml.in/yaml/v4"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// SiteFile is GitBook's site-wide Git Sync file (schema GitSyncSiteConfig
// in GitBook's API description). It lives in the site's project
// directory, the repository root unless the site sets one.
const SiteFile = "docs.yaml"

// SiteConfig is a parsed docs.yaml: the spaces of the site, in order.
type SiteConfig struct {
	File   string // repository path of docs.yaml
	Title  string
	Spaces []SiteSpace
}

// SiteSpace is one node of type space in docs.yaml.
type SiteSpace struct {
	Key         string
	Title       string
	Path        string // the space's path on the site
	SectionPath string // path of the section it is in, "" at the top level
	// Directory is the repository path of the space's content, from
	// content.directory: "./guides" and "guides" below the directory of
	// docs.yaml, "/guides" from the repository root. Synced is false for
	// content.directory: null — the space does not come from the
	// repository.
	Directory string
	Synced    bool
	Language  string
	Line, Col int
}

// The keys GitBook's schema allows on each node type (additionalProperties
// is false throughout).
var siteNodeKeys = map[string][]string{
	"section-group": {"type", "key", "title", "localizedTitle", "icon", "draft", "children"},
	"section":       {"type", "key", "title", "localizedTitle", "description", "localizedDescription", "icon", "default", "path", "condition", "children"},
	"space":         {"type", "key", "title", "localizedTitle", "path", "default", "hidden", "draft", "condition", "content"},
	"external-link": {"type", "key", "title", "localizedTitle", "description", "localizedDescription", "icon", "url", "draft", "condition"},
}

// ParseSite reads docs.yaml. name is its repository path: directories are
// resolved from its folder. What gitbook-sync needs (node types, keys,
// space paths and directories) is checked strictly, as GitBook's import
// fails the sync on them: errors, at their line and column, in the joined
// error. Keys GitBook's schema does not know are warnings — the file is
// GitBook's and its schema grows — returned with the site.
func ParseSite(data []byte, name string) (*SiteConfig, diag.List, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		d := content.YAMLError(name, err)
		return nil, diag.List{d}, errorsOf(diag.List{d})
	}
	if len(doc.Content) == 0 {
		d := diag.Errorf(name, 0, 0, "the file is empty; it needs site: with a structure:")
		return nil, diag.List{d}, errorsOf(diag.List{d})
	}
	sp := &siteParser{name: name, base: content.Dir(name), keys: map[string]int{}, dirLang: map[string]string{}}
	sc := &SiteConfig{File: name}
	root := doc.Content[0]
	sp.mapping(root, "", []string{"$schema", "version", "site"}, func(k, v *yaml.Node) {
		if k.Value != "site" {
			return
		}
		seenStructure := false
		sp.mapping(v, "site", []string{"title", "structure"}, func(k, v *yaml.Node) {
			switch k.Value {
			case "title":
				sc.Title = v.Value
			case "structure":
				seenStructure = true
				sp.nodes(v, "site.structure", "", sc)
			}
		})
		if v.Kind == yaml.MappingNode && !seenStructure {
			sp.fail(v, "site.structure", "required: the list of sections and spaces")
		}
	})
	if root.Kind == yaml.MappingNode && !hasKey(root, "site") {
		sp.fail(root, "site", "required: docs.yaml needs site: with a structure:")
	}
	return sc, sp.problems, errorsOf(sp.problems)
}

type siteParser struct {
	name     string
	base     string // directory of docs.yaml in the repository
	problems diag.List
	keys     map[string]int    // key -> line
	dirLang  map[string]string // directory -> language, checked for agreement
}

func (p *siteParser) fail(n *yaml.Node, field, format string, args ...any) {
	d := diag.Errorf(p.name, n.Line, n.Column, format, args...)
	d.Field = field
	p.problems = append(p.problems, d)
}

// mapping checks keys like content.Mapping, but an unknown key is a
// warning: GitBook may add keys before gitbook-sync knows them.
func (p *siteParser) mapping(n *yaml.Node, field string, keys []string, fn func(k, v *yaml.Node)) {
	content.Mapping(n, field, keys, func(n *yaml.Node, f, format string, args ...any) {
		d := diag.Errorf(p.name, n.Line, n.Column, format, args...)
		if n.Kind == yaml.ScalarNode && strings.HasPrefix(d.Message, "unknown key") {
			d.Severity = diag.Warning
		}
		d.Field = f
		p.problems = append(p.problems, d)
	}, fn)
}

func hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

func value(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// nodes reads a list of structure nodes. section is the path of the
// section they are in.
func (p *siteParser) nodes(list *yaml.Node, field, section string, sc *SiteConfig) {
	if list.Kind == yaml.ScalarNode && list.Tag == "!!null" {
		return
	}
	if list.Kind != yaml.SequenceNode {
		p.fail(list, field, "want a list of nodes, got %s", content.KindName(list))
		return
	}
	for _, n := range list.Content {
		if n.Kind != yaml.MappingNode {
			p.fail(n, field, "want a node (a mapping with type and key), got %s", content.KindName(n))
			continue
		}
		typ := value(n, "type")
		if typ == nil {
			p.fail(n, field+".type", "required: one of section-group, section, space, external-link")
			continue
		}
		allowed, ok := siteNodeKeys[typ.Value]
		if !ok {
			msg := "%q is not a node type; choose one of: section-group, section, space, external-link"
			if s := diag.Suggest(typ.Value, []string{"section-group", "section", "space", "external-link"}); s != "" {
				msg = "%q is not a node type; did you mean " + s + "?"
			}
			p.fail(typ, field+".type", msg, typ.Value)
			continue
		}
		key := p.requireString(n, field, "key")
		if key != "" {
			if first, dup := p.keys[key]; dup {
				p.fail(value(n, "key"), field+".key", "%q is already used at line %d: GitBook tells nodes apart by key", key, first)
			}
			p.keys[key] = value(n, "key").Line
		}
		var children *yaml.Node
		var sp SiteSpace
		p.mapping(n, field, allowed, func(k, v *yaml.Node) {
			switch k.Value {
			case "children":
				children = v
			case "content":
				sp.Directory, sp.Synced, sp.Language = p.spaceContent(v, field+".content")
			}
		})
		switch typ.Value {
		case "section-group":
			if children != nil {
				p.nodes(children, field+".children", section, sc)
			}
		case "section":
			path := p.requireString(n, field, "path")
			if children != nil {
				p.nodes(children, field+".children", path, sc)
			}
		case "space":
			sp.Key, sp.SectionPath = key, section
			sp.Title = p.requireString(n, field, "title")
			sp.Path = p.requireString(n, field, "path")
			sp.Line, sp.Col = n.Line, n.Column
			if value(n, "content") == nil {
				p.fail(n, field+".content", "required: content.directory, the space's directory or null")
				continue
			}
			if sp.Synced {
				if lang, seen := p.dirLang[sp.Directory]; seen && lang != sp.Language {
					p.fail(n, field+".content.language", "spaces reading %s must declare the same language (%q and %q): GitBook reads a directory once", sp.Directory, lang, sp.Language)
				}
				p.dirLang[sp.Directory] = sp.Language
			}
			sc.Spaces = append(sc.Spaces, sp)
		}
	}
}

func (p *siteParser) requireString(n *yaml.Node, field, key string) string {
	v := value(n, key)
	if v == nil {
		p.fail(n, field+"."+key, "required")
		return ""
	}
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" || v.Value == "" {
		p.fail(v, field+"."+key, "want a non-empty string, got %s", content.KindName(v))
		return ""
	}
	return v.Value
}

// spaceContent reads content: {directory, language}.
func (p *siteParser) spaceContent(n *yaml.Node, field string) (dir string, synced bool, lang string) {
	p.mapping(n, field, []string{"directory", "language"}, func(k, v *yaml.Node) {
		switch k.Value {
		case "language":
			lang = v.Value
		case "directory":
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				return
			}
			if v.Kind != yaml.ScalarNode || v.Value == "" {
				p.fail(v, field+".directory", "want a directory or null, got %s", content.KindName(v))
				return
			}
			d, err := siteDirectory(p.base, v.Value)
			if err != nil {
				p.fail(v, field+".directory", "%v", err)
				return
			}
			dir, synced = d, true
		}
	})
	if n.Kind == yaml.MappingNode && !hasKey(n, "directory") {
		p.fail(n, field+".directory", "required: the space's directory, or null")
	}
	return dir, synced, lang
}

// siteDirectory resolves content.directory as GitBook documents it:
// "./docs" and "docs" below the site's project directory, "/docs" from the
// repository root; ".." is rejected.
func siteDirectory(base, dir string) (string, error) {
	rel := dir
	if strings.HasPrefix(dir, "/") {
		base, rel = "", strings.TrimLeft(dir, "/")
	}
	for _, seg := range strings.Split(rel, "/") {
		if seg == ".." {
			return "", fmt.Errorf("%q: parent-directory segments (..) are rejected, as by GitBook", dir)
		}
	}
	if strings.ContainsRune(rel, '\\') || strings.ContainsRune(rel, 0) {
		return "", fmt.Errorf("%q is not a directory path", dir)
	}
	return content.Join(base, path.Clean("/" + rel)[1:]), nil
}
