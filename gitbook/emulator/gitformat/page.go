package gitformat

import "maps"

// Page kinds, as GitBook's API names them.
const (
	KindDocument = "document"
	KindGroup    = "group"
	KindLink     = "link"
	KindComputed = "computed"
)

// Page is one page of a space. Revisions own deep copies (Clone), so a
// revision once served never changes apart from its Git metadata.
type Page struct {
	ID        string
	Kind      string
	Title     string
	LinkTitle string // sidebar label: [title](file "label") in SUMMARY.md
	Slug      string
	Meta      Meta // documents: what the front matter says

	// Document is the Markdown body in GitBook's normal form (see
	// Normalize), without front matter and without the title heading.
	Document string
	// Refs maps link destinations written in Document (without their
	// "#anchor") to the page or file they named when it was written.
	Refs map[string]Ref

	Target   *Target // links: where the link goes
	Computed string  // computed pages: the YAML of the block in SUMMARY.md

	GitPath string // file relative to the content root; "" until written to Git
	GitOID  string // blob the page was last read from or written to

	Source Source // how the repository wrote the page, to write it back alike

	Children []*Page
}

// Ref is what a link names: a page (with an anchor in it) or a file.
type Ref struct {
	Page string `yaml:"page,omitempty"`
	File string `yaml:"file,omitempty"`
}

// Target is where a link page goes: a URL, or an anchor in a page.
type Target struct {
	URL    string `yaml:"url,omitempty"`
	Page   string `yaml:"page,omitempty"`
	Anchor string `yaml:"anchor,omitempty"`
}

// Source keeps how a page was written in the repository. The export writes
// the same text back while the page's title (and, for groups, slug) is the
// one read with it: GitBook's SUMMARY link text can differ from the page
// title ("Document an API" for the page "OpenAPI" in GitBook's own docs),
// and its escaping differs between headings and links.
type Source struct {
	Title   string `yaml:"title,omitempty"`   // the title when read
	Slug    string `yaml:"slug,omitempty"`    // the slug when read
	Heading string `yaml:"heading,omitempty"` // documents: the title heading's text; groups: the whole heading line
	Summary string `yaml:"summary,omitempty"` // link text in SUMMARY.md
}

// Clone copies a page and its children.
func (p *Page) Clone() *Page {
	c := *p
	c.Refs = maps.Clone(p.Refs)
	if p.Target != nil {
		t := *p.Target
		c.Target = &t
	}
	c.Meta = p.Meta.clone()
	c.Children = ClonePages(p.Children)
	return &c
}

// ClonePages deep-copies a page list.
func ClonePages(list []*Page) []*Page {
	if list == nil {
		return nil
	}
	out := make([]*Page, len(list))
	for i, p := range list {
		out[i] = p.Clone()
	}
	return out
}

// Walk visits pages depth-first with their parent (nil at the root).
func Walk(pages []*Page, fn func(p, parent *Page)) {
	var walk func(list []*Page, parent *Page)
	walk = func(list []*Page, parent *Page) {
		for _, p := range list {
			fn(p, parent)
			walk(p.Children, p)
		}
	}
	walk(pages, nil)
}

// File is a file of a space (an image or attachment).
type File struct {
	ID          string
	Name        string
	ContentType string
	Data        []byte
	URL         string // uploaded by URL: GitBook fetches it; the emulator keeps the address
	GitPath     string // relative to the content root
}
