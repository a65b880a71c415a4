package gitformat

import (
	"bytes"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

// Meta is what a page's front matter says. The API fields are parsed out;
// Raw keeps the YAML as written so that keys GitBook knows and this
// emulator does not model (tags, metaLinks, ...) and GitBook's own layout
// of the block are written back unchanged.
type Meta struct {
	Fields
	Layout *Layout
	Cover  *Cover
	Raw    string // the YAML between the "---" lines, as read
	read   Fields // Fields as Raw says them; a change means Raw must be rewritten
}

// Fields are the front matter keys the API exposes as page fields.
type Fields struct {
	Title         string `yaml:"title,omitempty"` // a front matter title names the page
	Description   string `yaml:"description,omitempty"`
	Hidden        bool   `yaml:"hidden,omitempty"`
	NoIndex       bool   `yaml:"noIndex,omitempty"`
	NoRobotsIndex bool   `yaml:"noRobotsIndex,omitempty"`
	Icon          string `yaml:"icon,omitempty"`
	Emoji         string `yaml:"emoji,omitempty"`
}

// Layout is the "layout" key: which parts of the page show.
type Layout struct {
	Width           string `yaml:"width"`
	Cover           toggle `yaml:"cover"`
	Title           toggle `yaml:"title"`
	Description     toggle `yaml:"description"`
	TableOfContents toggle `yaml:"tableOfContents"`
	Outline         toggle `yaml:"outline"`
	Pagination      toggle `yaml:"pagination"`
	Metadata        toggle `yaml:"metadata"`
	Tags            toggle `yaml:"tags"`
	Actions         toggle `yaml:"actions"`
	Anchors         toggle `yaml:"anchors"`
}

type toggle struct {
	Visible *bool  `yaml:"visible"`
	Size    string `yaml:"size"`
	Mask    string `yaml:"mask"`
}

// Cover is the page's cover image: "cover", "coverY" and "coverHeight".
type Cover struct {
	Path   string // as written, relative to the page's file (or a URL)
	File   string // the space's file it names, when it does
	YPos   float64
	Height float64
}

func (m Meta) clone() Meta {
	if m.Layout != nil {
		l := *m.Layout
		m.Layout = &l
	}
	if m.Cover != nil {
		c := *m.Cover
		m.Cover = &c
	}
	return m
}

type frontMatter struct {
	Title         string  `yaml:"title"`
	Description   string  `yaml:"description"`
	Hidden        bool    `yaml:"hidden"`
	NoIndex       bool    `yaml:"noIndex"`
	NoRobotsIndex bool    `yaml:"noRobotsIndex"`
	Icon          string  `yaml:"icon"`
	Emoji         string  `yaml:"emoji"`
	Layout        *Layout `yaml:"layout"`
	Cover         string  `yaml:"cover"`
	CoverY        float64 `yaml:"coverY"`
	CoverHeight   float64 `yaml:"coverHeight"`
}

// splitFrontMatter separates a leading "---" YAML block from the body and
// reads it. A file whose first line is not "---", or with no closing
// line, is all body.
func splitFrontMatter(data []byte) (Meta, []byte, error) {
	rest, ok := bytes.CutPrefix(data, []byte("---\n"))
	if !ok {
		return Meta{}, data, nil
	}
	var raw string
	var body []byte
	if bytes.HasPrefix(rest, []byte("---\n")) || string(rest) == "---" {
		body = rest[min(4, len(rest)):]
	} else {
		end := bytes.Index(rest, []byte("\n---\n"))
		switch {
		case end >= 0:
			raw, body = string(rest[:end+1]), rest[end+5:]
		case bytes.HasSuffix(rest, []byte("\n---")):
			raw = string(rest[:len(rest)-3])
		default:
			return Meta{}, data, nil
		}
	}
	m, err := parseMeta(raw)
	if err != nil {
		return Meta{}, nil, err
	}
	body, _ = bytes.CutPrefix(body, []byte("\n"))
	return m, body, nil
}

func parseMeta(raw string) (Meta, error) {
	var fm frontMatter
	if err := yaml.Unmarshal([]byte(raw), &fm); err != nil {
		return Meta{}, fmt.Errorf("front matter: %w", err)
	}
	m := Meta{Raw: raw, Layout: fm.Layout}
	m.Fields = Fields{Title: fm.Title, Description: fm.Description, Hidden: fm.Hidden, NoIndex: fm.NoIndex,
		NoRobotsIndex: fm.NoRobotsIndex, Icon: fm.Icon, Emoji: fm.Emoji}
	m.read = m.Fields
	if fm.Cover != "" {
		m.Cover = &Cover{Path: fm.Cover, YPos: fm.CoverY, Height: fm.CoverHeight}
	}
	return m, nil
}

// SplitDocument reads Markdown sent through the API (a change request's
// document): its front matter, and the rest normalised. Unlike Git Sync,
// the API keeps a leading heading in the document (GitBook's own CLI
// strips it before sending for that reason); the caller decides the title.
func SplitDocument(md string) (Meta, string, error) {
	m, body, err := splitFrontMatter([]byte(strings.ReplaceAll(md, "\r\n", "\n")))
	if err != nil {
		return Meta{}, "", err
	}
	return m, Normalize(string(body)), nil
}

// LeadingHeading returns the plain text of a document's leading level-1
// heading, if it has one.
func LeadingHeading(doc string) (string, bool) {
	h, _, ok := splitTitle(doc)
	if !ok {
		return "", false
	}
	t := plainText(h)
	return t, t != ""
}

// RestoreMeta rebuilds a page's Meta from its front matter as written and
// its fields as they are now (for a saved emulator state).
func RestoreMeta(raw string, f Fields, coverFile string) (Meta, error) {
	m, err := parseMeta(raw)
	if err != nil {
		return Meta{}, err
	}
	m.Fields = f
	if m.Cover != nil {
		m.Cover.File = coverFile
	}
	return m, nil
}

// render writes the front matter block ("---\n...---\n\n"), or nothing.
func (m Meta) render() string {
	if m.Raw != "" && m.Fields == m.read {
		return "---\n" + m.Raw + "---\n\n"
	}
	var doc yaml.Node
	if m.Raw != "" {
		if err := yaml.Unmarshal([]byte(m.Raw), &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			doc = yaml.Node{}
		}
	}
	if len(doc.Content) == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	root := doc.Content[0]
	setKey(root, "description", m.Description != "", str(m.Description))
	setKey(root, "icon", m.Icon != "", str(m.Icon))
	setKey(root, "emoji", m.Emoji != "", str(m.Emoji))
	setKey(root, "hidden", m.Hidden, boolean(true))
	setKey(root, "noIndex", m.NoIndex, boolean(true))
	setKey(root, "noRobotsIndex", m.NoRobotsIndex, boolean(true))
	if len(root.Content) == 0 {
		return ""
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	_ = enc.Encode(&doc)
	return "---\n" + b.String() + "---\n\n"
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func boolean(v bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(v)}
}

// setKey sets (present) or removes a key of a YAML mapping, in place.
func setKey(m *yaml.Node, key string, present bool, val *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != key {
			continue
		}
		if present {
			m.Content[i+1] = val
		} else {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
		}
		return
	}
	if present {
		m.Content = append(m.Content, str(key), val)
	}
}
