package content

import (
	"bytes"
	"reflect"
	"slices"
	"strings"

	"github.com/yuin/goldmark/ast"
	yaml "go.yaml.in/yaml/v4"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// Meta is the page metadata GitBook keeps in a Markdown file's front matter.
type Meta struct {
	// Title, when set, is the page's title: it takes precedence over the
	// leading heading, as GitBook's API description states.
	Title       string `yaml:"title,omitempty"`
	Description string `yaml:"description,omitempty"`
	Hidden      bool   `yaml:"hidden,omitempty"`
	Icon        string `yaml:"icon,omitempty"`
	Emoji       string `yaml:"emoji,omitempty"`
	// Other keys (layout, cover, coverY, metadata, if, ...) are carried as
	// they are.
	Extra map[string]any `yaml:",inline"`
	// read holds the file's mapping, so that writing back keeps the key
	// order and the style of every value left unchanged.
	read *yaml.Node
}

// metaFields is Meta without its methods, for encoding and decoding.
type metaFields Meta

// UnmarshalYAML decodes the front matter and remembers how it was written.
func (m *Meta) UnmarshalYAML(n *yaml.Node) error {
	var f metaFields
	if err := n.Decode(&f); err != nil {
		return err
	}
	*m = Meta(f)
	m.read = n
	return nil
}

// MarshalYAML writes the keys in the order they were read, new keys after;
// a value equal to the one read is written as it was (folded text, key
// order inside layout, ...).
func (m Meta) MarshalYAML() (any, error) {
	var n yaml.Node
	if err := n.Encode(metaFields(m)); err != nil {
		return nil, err
	}
	if m.read == nil || m.read.Kind != yaml.MappingNode || n.Kind != yaml.MappingNode {
		return &n, nil
	}
	var before metaFields
	if m.read.Decode(&before) != nil {
		return &n, nil
	}
	was := map[string]*yaml.Node{}
	var order []string
	for i := 0; i+1 < len(m.read.Content); i += 2 {
		k := m.read.Content[i].Value
		was[k] = m.read.Content[i+1]
		order = append(order, k)
	}
	type pair struct{ k, v *yaml.Node }
	var pairs []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		// A value with an alias is written out: its anchor may be on a
		// value written anew, or on a key not written back at all.
		if old, ok := was[k.Value]; ok && !hasAlias(old) && reflect.DeepEqual(before.value(k.Value), metaFields(m).value(k.Value)) {
			v = old
		}
		pairs = append(pairs, pair{k, v})
	}
	rank := func(k string) int {
		if i := slices.Index(order, k); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return rank(a.k.Value) - rank(b.k.Value) })
	n.Content = n.Content[:0]
	for _, p := range pairs {
		n.Content = append(n.Content, p.k, p.v)
	}
	return &n, nil
}

func hasAlias(n *yaml.Node) bool {
	return n.Kind == yaml.AliasNode || slices.ContainsFunc(n.Content, hasAlias)
}

// value returns the value of one front matter key.
func (f metaFields) value(key string) any {
	switch key {
	case "title":
		return f.Title
	case "description":
		return f.Description
	case "hidden":
		return f.Hidden
	case "icon":
		return f.Icon
	case "emoji":
		return f.Emoji
	}
	return f.Extra[key]
}

// Empty reports whether m has nothing to write.
func (m Meta) Empty() bool {
	return m.Title == "" && m.Description == "" && !m.Hidden && m.Icon == "" && m.Emoji == "" && len(m.Extra) == 0
}

// SplitFrontMatter separates "---\nyaml\n---\n" from the body. A file that
// does not start with a front matter block is all body. A front matter
// that is not valid YAML is an error diagnostic at its line in name.
func SplitFrontMatter(md []byte, name string) (Meta, []byte, error) {
	var m Meta
	rest, ok := bytes.CutPrefix(md, []byte("---\n"))
	if !ok {
		if rest, ok = bytes.CutPrefix(md, []byte("---\r\n")); !ok {
			return m, md, nil
		}
	}
	// The block ends at the first line that is exactly "---".
	block, body, found := []byte(nil), []byte(nil), false
	for off := 0; off < len(rest); {
		end := bytes.IndexByte(rest[off:], '\n')
		next := len(rest)
		if end >= 0 {
			next = off + end + 1
		}
		if string(bytes.TrimRight(rest[off:next], " \t\r\n")) == "---" {
			block, body, found = rest[:off], rest[next:], true
			break
		}
		off = next
	}
	if !found {
		return m, md, nil // an opening rule with no closing one is a horizontal rule
	}
	if len(bytes.TrimSpace(block)) > 0 {
		if err := yaml.Unmarshal(block, &m); err != nil {
			line, col := yamlErrorPos(err)
			if line > 0 {
				line++ // the block starts on the file's second line
			}
			return Meta{}, md, diag.Errorf(name, line, col, "front matter: %s", yamlErrorMessage(err))
		}
	}
	return m, bytes.TrimLeft(body, "\r\n"), nil
}

// JoinFrontMatter writes meta (when not empty) above body.
func JoinFrontMatter(m Meta, body []byte) []byte {
	if m.Empty() {
		return body
	}
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		// Every value came from YAML or is a plain string: encoding
		// cannot fail; keep the body rather than lose it.
		return body
	}
	_ = enc.Close()
	b.WriteString("---\n\n")
	b.Write(body)
	return b.Bytes()
}

// DocumentTitle is the title GitBook gives a page from its file, the rule
// GitBook's API description states for Markdown documents ("the
// document's frontmatter or leading heading ... take precedence, matching
// Git Sync"): a front matter title, else a leading "# heading", else
// fallback (the link text in SUMMARY.md).
func DocumentTitle(m Meta, body []byte, fallback string) string {
	if t := strings.TrimSpace(m.Title); t != "" {
		return t
	}
	if h := leadingHeading(body); h != "" {
		return h
	}
	return fallback
}

// leadingHeading returns the plain text of a level-1 ATX heading on the
// first non-blank line. Only that line is parsed: pages can be large.
func leadingHeading(body []byte) string {
	for len(body) > 0 {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		t := bytes.TrimLeft(line, " ")
		if len(bytes.TrimSpace(t)) == 0 {
			continue
		}
		if len(line)-len(t) > 3 || !(bytes.HasPrefix(t, []byte("# ")) || bytes.HasPrefix(t, []byte("#\t"))) {
			return ""
		}
		src := bytes.TrimRight(line, "\r")
		h, ok := parseMarkdown(src).FirstChild().(*ast.Heading)
		if !ok || h.Level != 1 {
			return ""
		}
		return plainText(h, src)
	}
	return ""
}
