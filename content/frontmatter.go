package content

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Meta is the page metadata GitBook keeps in a Markdown file's front matter.
type Meta struct {
	Description string `yaml:"description,omitempty"`
	Hidden      bool   `yaml:"hidden,omitempty"`
	Icon        string `yaml:"icon,omitempty"`
	Emoji       string `yaml:"emoji,omitempty"`
	// Other keys (layout, cover, ...) are carried as they are.
	Extra map[string]any `yaml:",inline"`
}

// SplitFrontMatter separates "---\nyaml\n---\n" from the body. A file that
// does not start with a front matter block is all body.
func SplitFrontMatter(md []byte, name string) (Meta, []byte, error) {
	var m Meta
	rest, ok := bytes.CutPrefix(md, []byte("---\n"))
	if !ok {
		if rest, ok = bytes.CutPrefix(md, []byte("---\r\n")); !ok {
			return m, md, nil
		}
	}
	end := bytes.Index(rest, []byte("\n---"))
	if end < 0 {
		return m, md, nil // an opening rule with no closing one is a horizontal rule
	}
	block := rest[:end+1]
	body := rest[end+4:]
	if i := bytes.IndexByte(body, '\n'); i >= 0 && len(bytes.TrimSpace(body[:i])) == 0 {
		body = body[i+1:]
	} else if len(bytes.TrimSpace(body)) == 0 {
		body = nil
	}
	if err := yaml.Unmarshal(block, &m); err != nil {
		return m, md, fmt.Errorf("%s: front matter: %w", name, err)
	}
	body = bytes.TrimLeft(body, "\r\n")
	return m, body, nil
}

// JoinFrontMatter writes meta (when not empty) above body.
func JoinFrontMatter(m Meta, body []byte) []byte {
	if m.Description == "" && !m.Hidden && m.Icon == "" && m.Emoji == "" && len(m.Extra) == 0 {
		return body
	}
	var b bytes.Buffer
	b.WriteString("---\n")
	out, _ := yaml.Marshal(m)
	b.Write(out)
	b.WriteString("---\n\n")
	b.Write(body)
	return b.Bytes()
}

// PageTitle is the title GitBook gives a page whose Markdown body is body:
// a leading "# heading" wins over the title from SUMMARY.md (fallback), as
// GitBook's API description states for Git Sync and change requests.
func PageTitle(body []byte, fallback string) string {
	for _, line := range strings.Split(string(body), "\n") {
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		if h, ok := strings.CutPrefix(t, "# "); ok && strings.TrimSpace(h) != "" {
			return unescape(h)
		}
		break
	}
	return fallback
}
