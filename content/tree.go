package content

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// Files gives read access to one commit of a repository. Paths are
// slash-separated and relative to the repository root. Symbolic links are
// followed as ResolveLinks says: a read through a link that leaves the
// repository is an error matching ErrOutside, which Load turns into an
// error naming the file and the setting that led there.
type Files struct {
	// Read returns a file's bytes, or an error matching fs.ErrNotExist.
	Read func(p string) ([]byte, error)
	// List returns every file path below dir (recursively). It is only
	// needed when a project has no SUMMARY.md.
	List func(dir string) ([]string, error)
	// Exists, when set, answers whether a file exists without reading it;
	// large projects need it, as every SUMMARY entry is checked.
	Exists func(p string) (bool, error)
	// Resolve, when set, gives the path a file resolves to after links,
	// and its blob: with it a page diff sees an edit to a link's target
	// behind an unchanged link.
	Resolve func(p string) (real, blob string, err error)
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
	Kind     string // KindDocument, KindGroup, KindLink, KindComputed
	Title    string // the title from SUMMARY.md; ResolveTitles applies GitBook's rule
	NavLabel string
	Slug     string    // groups: the slug GitBook wrote as the heading's anchor
	Path     string    // file, relative to the content root: a document's own, or the page a link points to
	Anchor   string    // links to a heading of a page
	Href     string    // external links
	Computed *Computed // computed pages
	Line     int       // line in SUMMARY.md, 0 when inferred
	Col      int
	Children []*Page
}

// Project is a repository's docs project as GitBook sees it.
type Project struct {
	Dir    string // project directory in the repository ("" = root)
	Config Config
	Pages  []*Page
	// Diagnostics are the problems found in .gitbook.yaml, SUMMARY.md
	// and the files it lists, errors and warnings, in the order found.
	Diagnostics diag.List
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
// summary. Page bodies are not read here (see ResolveTitles).
//
// Problems are collected in the project's Diagnostics. When any is an
// error — a summary entry whose file is missing, a path through a
// symbolic link, an invalid .gitbook.yaml — Load returns the project (as
// far as it could be read) together with an error that joins them:
// diag.As recovers each with its place.
func Load(files Files, dir string) (*Project, error) { return load(files, dir, true) }

// LoadForDiff is Load without checking that each summary entry's file
// exists: comparing two versions learns that from the changed files (see
// DiffPages), and on large projects the check costs more than the rest of
// the diff.
func LoadForDiff(files Files, dir string) (*Project, error) { return load(files, dir, false) }

func load(files Files, dir string, checkFiles bool) (*Project, error) {
	p := &Project{Dir: dir, Config: DefaultConfig()}
	cfgPath := Join(dir, ConfigFile)
	data, err := files.Read(cfgPath)
	hasConfig := err == nil
	if d, ok := outsideDiag(err, cfgPath, 0, 0, ""); ok {
		return nil, d
	}
	switch {
	case err == nil:
		p.Config, err = ParseConfig(data, cfgPath)
		p.Diagnostics = append(p.Diagnostics, p.Config.Diagnostics...)
		if err != nil {
			return p, err
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read %s: %w", cfgPath, err)
	}
	for _, s := range []struct {
		path, field string
		line        int
	}{
		{p.ContentPath(""), "root", p.Config.RootLine}, // a link out on the way to the root is the root's
		{p.ContentPath(p.Config.Readme), "structure.readme", p.Config.ReadmeLine},
		{p.ContentPath(p.Config.Summary), "structure.summary", p.Config.SummaryLine},
	} {
		if s.path == "" {
			continue
		}
		if err := p.refuseOutside(files, s.path, cfgPath, s.field, s.line); err != nil {
			return nil, err
		}
	}

	readmePath := p.ContentPath(p.Config.Readme)
	if _, err := files.Read(readmePath); errors.Is(err, fs.ErrNotExist) {
		file := cfgPath
		if !hasConfig { // point at the file expected
			file = readmePath
		}
		d := diag.Errorf(file, p.Config.ReadmeLine, 0, "%s does not exist: GitBook needs the space's first page there (set structure.readme in %s to your first page)", readmePath, cfgPath)
		d.Field = "structure.readme"
		return nil, fmt.Errorf("%w: %w", ErrNoReadme, d)
	} else if err != nil {
		return nil, fmt.Errorf("read %s: %w", readmePath, err)
	}

	summaryPath := p.ContentPath(p.Config.Summary)
	data, err = files.Read(summaryPath)
	switch {
	case err == nil:
		s, _ := ParseSummary(data, summaryPath)
		p.Diagnostics = append(p.Diagnostics, s.Diagnostics...)
		p.Pages = pagesFromEntries(s.Entries)
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
	if checkFiles {
		if err := p.checkFiles(files); err != nil {
			return nil, err
		}
		if err := p.checkRedirects(files, cfgPath); err != nil {
			return nil, err
		}
	}
	p.ensureReadmeFirst()
	return p, p.Diagnostics.Err()
}

// refuseOutside returns an error diagnostic when path leads out of the
// repository through a symbolic link; file, line and field name the
// setting that led there. Other errors are left to the read that needs
// the file (path may be a directory, which some Files cannot read).
func (p *Project) refuseOutside(files Files, path, file, field string, line int) error {
	_, err := files.exists(path)
	if d, ok := outsideDiag(err, file, line, 0, field); ok {
		return d
	}
	return nil
}

// pagesFromEntries makes the page tree of a summary. A large summary has
// tens of thousands of entries: the pages and the lists of children are
// carved out of two allocations.
func pagesFromEntries(entries []*Entry) []*Page {
	n := 0
	var count func(list []*Entry)
	count = func(list []*Entry) {
		n += len(list)
		for _, e := range list {
			count(e.Children)
		}
	}
	count(entries)
	pages, lists := make([]Page, n), make([]*Page, n)
	var convert func(list []*Entry) []*Page
	convert = func(list []*Entry) []*Page {
		out := lists[:len(list):len(list)] // appending to it reallocates
		lists = lists[len(list):]
		for i, e := range list {
			pg := &pages[0]
			pages = pages[1:]
			*pg = Page{Kind: e.Kind, Title: e.Title, NavLabel: e.NavLabel, Slug: e.Slug, Path: e.Path,
				Anchor: e.Anchor, Href: e.Href, Computed: e.Computed, Line: e.Line, Col: e.Col}
			out[i] = pg
		}
		for i, e := range list {
			out[i].Children = convert(e.Children)
		}
		return out
	}
	return convert(entries)
}

// checkFiles drops document pages whose file does not exist or leads out
// of the repository through a symbolic link, each with an error
// diagnostic at its SUMMARY.md line (at the file itself for a page found
// in the folders): such an entry is a problem to fix, never a page to add.
func (p *Project) checkFiles(files Files) error {
	summary := p.ContentPath(p.Config.Summary)
	var check func(list []*Page) ([]*Page, error)
	check = func(list []*Page) ([]*Page, error) {
		kept := list[:0]
		for _, pg := range list {
			if pg.Kind == KindDocument && pg.Path != "" {
				full := p.ContentPath(pg.Path)
				file := summary
				if pg.Line == 0 {
					file = full
				}
				ok, err := files.exists(full)
				if d, outside := outsideDiag(err, file, pg.Line, pg.Col, ""); outside {
					p.Diagnostics = append(p.Diagnostics, d)
					continue
				}
				if err != nil {
					return nil, fmt.Errorf("read %s: %w", full, err)
				}
				if !ok {
					p.Diagnostics = append(p.Diagnostics, diag.Errorf(file, pg.Line, pg.Col, "%s does not exist: create it or remove the entry", full))
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

// checkRedirects warns about redirects to files that do not exist, and
// refuses those that lead out of the repository.
func (p *Project) checkRedirects(files Files, cfgPath string) error {
	for _, from := range slices.Sorted(maps.Keys(p.Config.Redirects)) {
		to := p.ContentPath(p.Config.Redirects[from])
		ok, err := files.exists(to)
		if d, outside := outsideDiag(err, cfgPath, p.Config.RedirectLines[from], 0, "redirects."+from); outside {
			p.Diagnostics = append(p.Diagnostics, d)
			continue
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", to, err)
		}
		if !ok {
			d := diag.Warnf(cfgPath, p.Config.RedirectLines[from], 0, "redirect target %s does not exist", to)
			d.Field = "redirects." + from
			p.Diagnostics = append(p.Diagnostics, d)
		}
	}
	return nil
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

var (
	nonSlug   = regexp.MustCompile(`[^a-z0-9]+`)
	slugWords = strings.NewReplacer("&", " and ", "'", "", "’", "")
)

// Slug makes a URL slug from a title or file name as GitBook does: "&" is
// "and" and apostrophes vanish ("Editing & publishing" is
// editing-and-publishing, "site’s theme" sites-theme, as the folders and
// files of GitBook's export show).
func Slug(s string) string {
	s = slugWords.Replace(strings.ToLower(s))
	s = nonSlug.ReplaceAllString(s, "-")
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
