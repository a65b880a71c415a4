package gitformat

import (
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"sort"
	"strings"
)

// FS reads one commit of a repository. Paths are slash-separated and
// relative to the repository root.
type FS interface {
	// ReadFile returns a file's bytes, or an error matching fs.ErrNotExist.
	ReadFile(name string) ([]byte, error)
	// List returns every file below dir, recursively, sorted.
	List(dir string) ([]string, error)
}

// IDs gives the ID of the page or file with a key (its file, or for groups
// and links their place): the same key gets the same ID on every import.
type IDs func(key string) string

// Project is a space as read from (or written to) a repository.
type Project struct {
	Dir      string // project directory in the repository ("" for the root)
	Config   Config
	Pages    []*Page
	Files    []*File
	Warnings []string
}

// ContentPath is the repository path of a file relative to the content root.
func (p *Project) ContentPath(rel string) string { return join(p.Dir, p.Config.Root, rel) }

// ErrNoReadme is the import failure of a project without its first page.
var ErrNoReadme = errors.New("README not found")

// Read imports the project in dir as GitBook's Git Sync does:
// .gitbook.yaml, then SUMMARY.md, or the folders when there is none.
func Read(fsys FS, dir string, ids IDs) (*Project, error) {
	dir = strings.Trim(path.Clean("/"+dir), "/")
	p := &Project{Dir: dir, Config: DefaultConfig()}
	cfgPath := join(dir, ConfigFile)
	switch data, err := fsys.ReadFile(cfgPath); {
	case err == nil:
		if p.Config, err = ParseConfig(data); err != nil {
			return nil, fmt.Errorf("%s: %w", cfgPath, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read %s: %w", cfgPath, err)
	}
	r := &reader{fsys: fsys, p: p, ids: ids, byPath: map[string]*Page{}}
	readme := p.ContentPath(p.Config.Readme)
	if _, err := fsys.ReadFile(readme); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s does not exist; GitBook needs the space's first page there (or structure.readme in %s)", ErrNoReadme, readme, cfgPath)
		}
		return nil, fmt.Errorf("read %s: %w", readme, err)
	}
	summary := p.ContentPath(p.Config.Summary)
	data, err := fsys.ReadFile(summary)
	switch {
	case err == nil:
		entries, warnings := parseSummary(data, summary, path.Dir(p.Config.Summary))
		p.Warnings = append(p.Warnings, warnings...)
		if p.Pages, err = r.pages(entries, ""); err != nil {
			return nil, err
		}
	case errors.Is(err, fs.ErrNotExist):
		if p.Pages, err = r.inferred(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("read %s: %w", summary, err)
	}
	if r.byPath[p.Config.Readme] == nil {
		// GitBook always shows the first page, listed or not.
		first, err := r.document(&entry{kind: KindDocument, file: p.Config.Readme})
		if err != nil {
			return nil, err
		}
		p.Pages = append([]*Page{first}, p.Pages...)
	}
	setSlugs(p.Pages)
	if err := r.files(); err != nil {
		return nil, err
	}
	r.resolve()
	return p, nil
}

type reader struct {
	fsys       FS
	p          *Project
	ids        IDs
	byPath     map[string]*Page // documents by file
	fileByPath map[string]*File
}

func (r *reader) warn(format string, args ...any) {
	r.p.Warnings = append(r.p.Warnings, fmt.Sprintf(format, args...))
}

func (r *reader) pages(entries []*entry, parentKey string) ([]*Page, error) {
	var out []*Page
	for i, e := range entries {
		var pg *Page
		switch e.kind {
		case KindGroup:
			pg = &Page{Kind: KindGroup, Title: e.title, Slug: e.slug, Source: Source{Heading: e.raw}}
			if pg.Slug == "" {
				pg.Slug = Slugify(e.title)
			}
			pg.ID = r.ids("group:" + pg.Slug)
		case KindLink:
			pg = &Page{Kind: KindLink, Title: e.title, LinkTitle: e.label, Target: &Target{URL: e.href}, Source: Source{Summary: e.raw}}
			pg.ID = r.ids("link:" + parentKey + ":" + e.href)
		case KindComputed:
			pg = &Page{Kind: KindComputed, Computed: e.computed, Title: computedTitle(e.computed)}
			pg.ID = r.ids(fmt.Sprintf("computed:%s:%d", parentKey, i))
		case KindDocument:
			if first := r.byPath[e.file]; first != nil {
				if e.anchor == "" {
					r.warn("%s:%d: %s is listed a second time; a file is one page", r.p.ContentPath(r.p.Config.Summary), e.line, e.file)
					continue
				}
				// A second entry with an anchor is a link to a heading of
				// that page: GitBook writes such links this way.
				pg = &Page{Kind: KindLink, Title: e.title, LinkTitle: e.label, Target: &Target{Page: first.ID, Anchor: e.anchor}, Source: Source{Summary: e.raw}}
				pg.ID = r.ids("link:" + parentKey + ":" + e.file + e.anchor)
				break
			}
			var err error
			if pg, err = r.document(e); err != nil {
				return nil, err
			}
			if pg == nil {
				r.warn("%s:%d: %s does not exist; the entry is skipped", r.p.ContentPath(r.p.Config.Summary), e.line, r.p.ContentPath(e.file))
				kids, err := r.pages(e.children, parentKey)
				if err != nil {
					return nil, err
				}
				out = append(out, kids...)
				continue
			}
		}
		pg.Source.Title, pg.Source.Slug = pg.Title, pg.Slug
		if pg.Title == "" {
			pg.Title = "Untitled"
		}
		var err error
		if pg.Children, err = r.pages(e.children, pg.ID); err != nil {
			return nil, err
		}
		out = append(out, pg)
	}
	return out, nil
}

func computedTitle(yamlText string) string {
	for _, l := range strings.Split(yamlText, "\n") {
		if t, ok := strings.CutPrefix(strings.TrimSpace(l), "type:"); ok && strings.TrimSpace(t) != "" {
			return strings.TrimSpace(t)
		}
	}
	return "Computed content"
}

// document reads a page's file; nil when it does not exist.
func (r *reader) document(e *entry) (*Page, error) {
	full := r.p.ContentPath(e.file)
	data, err := r.fsys.ReadFile(full)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", full, err)
	}
	pg, err := ParseFile(data, e.file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", full, err)
	}
	if pg.Title == "" {
		pg.Title = e.title
	}
	if pg.Title == "" {
		pg.Title = titleFromFile(e.file)
	}
	pg.LinkTitle, pg.Source.Summary = e.label, e.raw
	pg.ID = r.ids("page:" + e.file)
	r.byPath[e.file] = pg
	return pg, nil
}

// ParseFile reads a page file: front matter, title heading, body. The
// title is the front matter's, else the leading heading's ("" when
// neither). file is relative to the content root.
func ParseFile(data []byte, file string) (*Page, error) {
	meta, body, err := splitFrontMatter([]byte(strings.ReplaceAll(string(data), "\r\n", "\n")))
	if err != nil {
		return nil, err
	}
	pg := &Page{Kind: KindDocument, Meta: meta, GitPath: file, GitOID: BlobHash(data), Slug: slugForFile(file)}
	doc := string(body)
	if heading, rest, ok := splitTitle(doc); ok {
		pg.Title, pg.Source.Heading, doc = plainText(heading), heading, rest
	}
	if meta.Title != "" {
		pg.Title = meta.Title
	}
	pg.Document = Normalize(doc)
	return pg, nil
}

// inferred builds the tree from the folders, as GitBook does without a
// SUMMARY.md: Markdown files in path order, a folder's README.md the
// parent of the folder's other pages.
func (r *reader) inferred() ([]*Page, error) {
	root := r.p.ContentPath("")
	all, err := r.fsys.List(root)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", root, err)
	}
	var mds []string
	for _, f := range all {
		rel := strings.TrimPrefix(strings.TrimPrefix(f, root), "/")
		if strings.EqualFold(path.Ext(rel), ".md") && rel != r.p.Config.Summary && !strings.HasPrefix(rel, ".") && !strings.Contains(rel, "/.") {
			mds = append(mds, rel)
		}
	}
	sort.Strings(mds)
	folders := map[string]*Page{}
	parentOf := func(dir string) *Page {
		for ; dir != "."; dir = path.Dir(dir) {
			if f, ok := folders[dir]; ok {
				return f
			}
		}
		return nil
	}
	var top []*Page
	for _, rel := range mds {
		pg, err := r.document(&entry{kind: KindDocument, file: rel})
		if err != nil || pg == nil {
			return nil, err
		}
		pg.Source.Title, pg.Source.Slug = pg.Title, pg.Slug
		dir := path.Dir(rel)
		parent := parentOf(dir)
		if strings.EqualFold(path.Base(rel), "README.md") && dir != "." {
			folders[dir] = pg
			parent = parentOf(path.Dir(dir))
		}
		if parent == nil {
			top = append(top, pg)
		} else {
			parent.Children = append(parent.Children, pg)
		}
	}
	return top, nil
}

// setSlugs makes sibling slugs unique. A page's slug comes from its file,
// a group's from its heading's anchor or title. The first page of a space
// (README.md) has no file slug and takes its title's.
func setSlugs(list []*Page) {
	used := map[string]bool{}
	for _, p := range list {
		if p.Kind == KindLink || p.Kind == KindComputed {
			continue
		}
		s := p.Slug
		if s == "" {
			s = Slugify(p.Title)
		}
		p.Slug = UniqueSlug(s, used)
		if p.Source.Slug == "" || p.Kind == KindDocument {
			p.Source.Slug = p.Slug
		}
		setSlugs(p.Children)
	}
}

// files reads the space's files: everything in .gitbook/assets.
func (r *reader) files() error {
	dir := r.p.ContentPath(".gitbook/assets")
	list, err := r.fsys.List(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	r.fileByPath = map[string]*File{}
	for _, f := range list {
		data, err := r.fsys.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue // a link to nothing, or to a folder
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", f, err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(f, r.p.ContentPath("")), "/")
		file := &File{Name: path.Base(f), ContentType: ContentType(f), Data: data, GitPath: rel, ID: r.ids("file:" + rel)}
		r.p.Files = append(r.p.Files, file)
		r.fileByPath[rel] = file
	}
	return nil
}

// ContentType guesses a file's MIME type from its name.
func ContentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// resolve records what each relative link of each page names, and the
// page of each anchor link.
func (r *reader) resolve() {
	Walk(r.p.Pages, func(pg, _ *Page) {
		if pg.Kind != KindDocument {
			return
		}
		pg.Refs = resolveLinks(pg.Document, pg.GitPath, func(target string) (Ref, bool) {
			if t := r.byPath[target]; t != nil {
				return Ref{Page: t.ID}, true
			}
			if f := r.fileByPath[target]; f != nil {
				return Ref{File: f.ID}, true
			}
			return Ref{}, false
		})
		if pg.Meta.Cover != nil {
			for _, target := range linkTargets(pg.GitPath, pg.Meta.Cover.Path) {
				if f := r.fileByPath[target]; f != nil {
					pg.Meta.Cover.File = f.ID
				}
			}
		}
	})
}

// resolveLinks maps the relative destinations in doc, written in the file
// from, to what find says they name.
func resolveLinks(doc, from string, find func(target string) (Ref, bool)) map[string]Ref {
	var refs map[string]Ref
	for _, l := range scanLinks(doc) {
		if isExternal(l.dest) {
			continue
		}
		for _, target := range linkTargets(from, l.dest) {
			if ref, ok := find(target); ok {
				if refs == nil {
					refs = map[string]Ref{}
				}
				key, _ := splitFragment(l.dest)
				refs[key] = ref
				break
			}
		}
	}
	return refs
}
