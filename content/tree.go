package content

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Files gives read access to one commit or directory of a repository.
// Paths are slash-separated and relative to the repository root.
type Files struct {
	// Read returns a file's bytes, or an error matching fs.ErrNotExist.
	Read func(p string) ([]byte, error)
	// List returns every file path below dir (recursively). It is only
	// needed when a project has no SUMMARY.md.
	List func(dir string) ([]string, error)
	// Exists, when set, answers whether a file exists without reading it;
	// large projects need it, as every SUMMARY entry is checked.
	Exists func(p string) (bool, error)
}

func (f Files) exists(p string) (bool, error) {
	if f.Exists != nil {
		return f.Exists(p)
	}
	_, err := f.Read(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// Page is one page of the tree GitBook builds from a repository.
type Page struct {
	Kind     string // KindDocument, KindGroup, KindLink
	Title    string
	NavLabel string
	Path     string // file, relative to the content root; "" for groups and links
	Href     string
	Line     int // line in SUMMARY.md, 0 when inferred
	Children []*Page
}

// Project is a repository's docs project as GitBook sees it.
type Project struct {
	Dir      string // project directory in the repository ("" = root)
	Config   Config
	Pages    []*Page
	Warnings []string
}

// ContentPath returns the repository path of a file relative to the content root.
func (p *Project) ContentPath(rel string) string {
	return Join(p.Dir, p.Config.Root, rel)
}

// ErrNoReadme is returned when the project's first page is missing; GitBook
// refuses such an import.
var ErrNoReadme = errors.New("README not found")

// Load builds the page tree of the project at dir, as GitBook's import does:
// .gitbook.yaml, then the summary, or the directory layout when there is no
// summary. Summary entries whose file is missing are dropped with a
// warning. Page bodies are not read here.
func Load(files Files, dir string) (*Project, error) { return load(files, dir, true) }

// LoadForDiff is Load without checking that each summary entry's file
// exists: comparing two versions learns that from the changed files, and
// on large projects the check costs more than the rest of the diff.
func LoadForDiff(files Files, dir string) (*Project, error) { return load(files, dir, false) }

func load(files Files, dir string, checkFiles bool) (*Project, error) {
	p := &Project{Dir: dir, Config: DefaultConfig()}
	cfgPath := Join(dir, ConfigFile)
	data, err := files.Read(cfgPath)
	switch {
	case err == nil:
		if p.Config, err = ParseConfig(data, cfgPath); err != nil {
			return nil, err
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read %s: %w", cfgPath, err)
	}

	readmePath := p.ContentPath(p.Config.Readme)
	if _, err := files.Read(readmePath); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s does not exist (set structure.readme in %s to your first page)", ErrNoReadme, readmePath, cfgPath)
		}
		return nil, fmt.Errorf("read %s: %w", readmePath, err)
	}

	summaryPath := p.ContentPath(p.Config.Summary)
	data, err = files.Read(summaryPath)
	switch {
	case err == nil:
		s, err := ParseSummary(data, summaryPath)
		if err != nil {
			return nil, err
		}
		p.Warnings = s.Warnings
		p.Pages = pagesFromEntries(s.Entries)
		if checkFiles {
			if err := p.checkFiles(files); err != nil {
				return nil, err
			}
		}
	case errors.Is(err, fs.ErrNotExist):
		if files.List == nil {
			return nil, fmt.Errorf("%s does not exist", summaryPath)
		}
		if p.Pages, err = p.inferTree(files); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("read %s: %w", summaryPath, err)
	}
	p.ensureReadmeFirst()
	return p, nil
}

func pagesFromEntries(entries []*Entry) []*Page {
	out := make([]*Page, 0, len(entries))
	for _, e := range entries {
		out = append(out, &Page{Kind: e.Kind, Title: e.Title, NavLabel: e.NavLabel, Path: e.Path,
			Href: e.Href, Line: e.Line, Children: pagesFromEntries(e.Children)})
	}
	return out
}

// checkFiles drops summary entries whose file does not exist, with a
// warning naming the line: GitBook skips them rather than failing.
func (p *Project) checkFiles(files Files) error {
	var check func(list []*Page) ([]*Page, error)
	check = func(list []*Page) ([]*Page, error) {
		kept := list[:0]
		for _, pg := range list {
			if pg.Kind == KindDocument {
				ok, err := files.exists(p.ContentPath(pg.Path))
				if err != nil {
					return nil, fmt.Errorf("read %s: %w", p.ContentPath(pg.Path), err)
				}
				if !ok {
					p.Warnings = append(p.Warnings, fmt.Sprintf("%s:%d: %s does not exist; the entry is skipped",
						p.ContentPath(p.Config.Summary), pg.Line, p.ContentPath(pg.Path)))
					continue
				}
			}
			var err error
			if pg.Children, err = check(pg.Children); err != nil {
				return nil, err
			}
			kept = append(kept, pg)
		}
		return kept, nil
	}
	var err error
	p.Pages, err = check(p.Pages)
	return err
}

// ensureReadmeFirst puts the readme page first when the summary omits it,
// as GitBook always shows it as the space's first page.
func (p *Project) ensureReadmeFirst() {
	found := false
	Walk(p.Pages, func(pg *Page, _ *Page) {
		if pg.Kind == KindDocument && pg.Path == p.Config.Readme {
			found = true
		}
	})
	if found {
		return
	}
	readme := &Page{Kind: KindDocument, Title: "Introduction", Path: p.Config.Readme}
	p.Pages = append([]*Page{readme}, p.Pages...)
}

// inferTree builds pages from the directory layout: Markdown files sorted
// by path; a folder's README.md is the parent of the folder's other pages.
func (p *Project) inferTree(files Files) ([]*Page, error) {
	root := p.ContentPath("")
	all, err := files.List(root)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", root, err)
	}
	var mds []string
	for _, f := range all {
		rel := strings.TrimPrefix(strings.TrimPrefix(f, root), "/")
		if strings.HasSuffix(strings.ToLower(rel), ".md") && rel != p.Config.Summary && !strings.HasPrefix(rel, ".") && !strings.Contains(rel, "/.") {
			mds = append(mds, rel)
		}
	}
	sort.Strings(mds)
	folders := map[string]*Page{}
	var top []*Page
	var parentOf func(dir string) *Page
	parentOf = func(dir string) *Page {
		if dir == "" {
			return nil
		}
		if f, ok := folders[dir]; ok {
			return f
		}
		return parentOf(Dir(dir))
	}
	for _, rel := range mds {
		pg := &Page{Kind: KindDocument, Path: rel, Title: TitleFromPath(rel)}
		dir := Dir(rel)
		isIndex := strings.EqualFold(path.Base(rel), "README.md") && dir != ""
		var parent *Page
		if isIndex {
			folders[dir] = pg
			parent = parentOf(Dir(dir))
		} else {
			parent = parentOf(dir)
		}
		if parent == nil {
			top = append(top, pg)
		} else {
			parent.Children = append(parent.Children, pg)
		}
	}
	return top, nil
}

// Walk visits pages depth-first with their parent.
func Walk(pages []*Page, fn func(p, parent *Page)) {
	var walk func(list []*Page, parent *Page)
	walk = func(list []*Page, parent *Page) {
		for _, pg := range list {
			fn(pg, parent)
			walk(pg.Children, pg)
		}
	}
	walk(pages, nil)
}

// TitleFromPath makes a title from a file name: "getting-started.md" is
// "Getting started"; a folder's README takes the folder's name.
func TitleFromPath(p string) string {
	base := strings.TrimSuffix(path.Base(p), path.Ext(p))
	if strings.EqualFold(base, "README") && Dir(p) != "" {
		base = path.Base(Dir(p))
	}
	base = strings.NewReplacer("-", " ", "_", " ").Replace(base)
	if base == "" {
		return "Untitled"
	}
	return strings.ToUpper(base[:1]) + base[1:]
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slug makes a URL slug from a title or file name.
func Slug(s string) string {
	s = nonSlug.ReplaceAllString(strings.ToLower(s), "-")
	s = strings.Trim(s, "-")
	if len(s) > 100 {
		s = strings.Trim(s[:100], "-")
	}
	return s
}

// SlugForPath is the slug GitBook gives a page from its file: the file name
// without extension, or the folder name for a folder's README.
func SlugForPath(p string) string {
	base := strings.TrimSuffix(path.Base(p), path.Ext(p))
	if strings.EqualFold(base, "README") {
		if d := Dir(p); d != "" {
			base = path.Base(d)
		} else {
			return ""
		}
	}
	return Slug(base)
}

// PathForNewPage chooses the file of a page that has none yet (created in
// GitBook): beside its parent, as folder/README.md when it has children.
func PathForNewPage(parentPath, slug string, hasChildren bool, taken func(string) bool) string {
	dir := ""
	if parentPath != "" {
		dir = Dir(parentPath)
		if !strings.EqualFold(path.Base(parentPath), "README.md") {
			dir = Join(dir, strings.TrimSuffix(path.Base(parentPath), path.Ext(parentPath)))
		}
	}
	if slug == "" {
		slug = "untitled"
	}
	for i := 1; ; i++ {
		name := slug
		if i > 1 {
			name = fmt.Sprintf("%s-%d", slug, i)
		}
		var p string
		if hasChildren {
			p = Join(dir, name, "README.md")
		} else {
			p = Join(dir, name+".md")
		}
		if taken == nil || !taken(p) {
			return p
		}
	}
}

// Entries turns pages back into summary entries (for RenderSummary).
func Entries(pages []*Page) []*Entry {
	out := make([]*Entry, 0, len(pages))
	for _, p := range pages {
		out = append(out, &Entry{Kind: p.Kind, Title: p.Title, NavLabel: p.NavLabel, Path: p.Path, Href: p.Href, Children: Entries(p.Children)})
	}
	return out
}
