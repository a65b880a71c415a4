package gitformat

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// Change is one file an export writes (Data) or removes (Data nil), by
// repository path.
type Change struct {
	Path string
	Data []byte
}

// BlobHash is the Git blob ID of data.
func BlobHash(data []byte) string { return plumbing.ComputeHash(plumbing.BlobObject, data).String() }

// Write renders a space's pages and files into the project dir of a
// repository whose current tree is old (nil for an empty repository), as
// GitBook's export does. Pages never written before get a file (and their
// GitPath and GitOID are set, on the pages given):
//
//   - the space's first page is structure.readme (README.md) when no page is;
//   - a page with children is <slug>/README.md, others <slug>.md;
//   - they go in their parent's folder: a group's slug, or the folder of a
//     page's README.md (a page file.md has its children in file/);
//   - a path some file already has gets a "-2" suffix: GitBook does not
//     overwrite files it did not write.
//
// Each page file is its front matter, "# <title>" and the document, with
// links to pages and files written relative to the file. SUMMARY.md
// follows the tree. Files of pages and assets no longer in the space are
// removed. A new project (an empty directory) gets a .gitbook.yaml, so
// that what was written reads back; an existing one is left as it is.
func Write(old FS, dir string, pages []*Page, files []*File) ([]Change, error) {
	dir = strings.Trim(path.Clean("/"+dir), "/")
	proj := &Project{Dir: dir, Config: DefaultConfig()}
	var changes []Change
	existing := map[string]bool{}
	var before *Project
	if old != nil {
		cfgPath := join(dir, ConfigFile)
		data, err := old.ReadFile(cfgPath)
		switch {
		case err == nil:
			if proj.Config, err = ParseConfig(data); err != nil {
				return nil, fmt.Errorf("%s: %w", cfgPath, err)
			}
		case !errors.Is(err, fs.ErrNotExist):
			return nil, err
		}
		all, err := old.List(proj.ContentPath(""))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if len(all) == 0 {
			// A new project: written with its configuration so that it
			// reads back whatever GitBook's defaults become.
			changes = append(changes, Change{cfgPath, proj.Config.render()})
		}
		for _, f := range all {
			existing[strings.TrimPrefix(strings.TrimPrefix(f, proj.ContentPath("")), "/")] = true
		}
		if p, err := Read(old, dir, func(string) string { return "" }); err == nil {
			before = p
		}
	} else {
		changes = append(changes, Change{join(dir, ConfigFile), proj.Config.render()})
	}

	own := map[string]bool{} // files of the space's pages, as they were
	if before != nil {
		Walk(before.Pages, func(p, _ *Page) {
			if p.Kind == KindDocument {
				own[p.GitPath] = true
			}
		})
		for _, f := range before.Files {
			own[f.GitPath] = true
		}
	}
	paths := AssignPaths(pages, proj.Config, func(p string) bool { return existing[p] && !own[p] })
	filePaths := assignFilePaths(files, func(p string) bool { return existing[p] && !own[p] })

	written := map[string]bool{}
	Walk(pages, func(p, _ *Page) {
		if p.Kind != KindDocument {
			return
		}
		p.GitPath = paths[p.ID]
		data := []byte(RenderFile(p, p.GitPath, paths, filePaths))
		p.GitOID = BlobHash(data)
		written[p.GitPath] = true
		changes = append(changes, Change{proj.ContentPath(p.GitPath), data})
	})
	summary := proj.Config.Summary
	written[summary] = true
	changes = append(changes, Change{proj.ContentPath(summary), renderSummary(pages, func(id string) string { return paths[id] })})
	for _, f := range files {
		if f.Data == nil && f.URL != "" {
			continue // uploaded by URL: the emulator has no bytes to write
		}
		f.GitPath = filePaths[f.ID]
		written[f.GitPath] = true
		changes = append(changes, Change{proj.ContentPath(f.GitPath), f.Data})
	}
	for p := range own {
		if !written[p] {
			changes = append(changes, Change{Path: proj.ContentPath(p)})
		}
	}
	return changes, nil
}

// AssignPaths gives every document page its file, relative to the content
// root: the one it has, or a new one as Write describes. taken says which
// paths belong to other files.
func AssignPaths(pages []*Page, cfg Config, taken func(string) bool) map[string]string {
	out := map[string]string{}
	used := map[string]bool{}
	Walk(pages, func(p, _ *Page) {
		if p.Kind == KindDocument && p.GitPath != "" && !used[p.GitPath] {
			out[p.ID] = p.GitPath
			used[p.GitPath] = true
		}
	})
	if !used[cfg.Readme] {
		for _, p := range pages {
			if p.Kind == KindDocument {
				if old, ok := out[p.ID]; ok {
					delete(used, old)
				}
				out[p.ID] = cfg.Readme
				used[cfg.Readme] = true
				break
			}
		}
	}
	free := func(p string) bool { return !used[p] && (taken == nil || !taken(p)) }
	var place func(list []*Page, dir string)
	place = func(list []*Page, dir string) {
		for _, p := range list {
			childDir := dir
			switch p.Kind {
			case KindGroup:
				childDir = join(dir, p.Slug)
			case KindDocument:
				if _, ok := out[p.ID]; !ok {
					out[p.ID] = newPath(dir, p.Slug, len(p.Children) > 0, free)
					used[out[p.ID]] = true
				}
				own := out[p.ID]
				if path.Base(own) == "README.md" {
					childDir = path.Dir(own)
					if childDir == "." {
						childDir = dir
					}
				} else {
					childDir = strings.TrimSuffix(own, path.Ext(own))
				}
			}
			place(p.Children, childDir)
		}
	}
	place(pages, "")
	return out
}

func newPath(dir, slug string, folder bool, free func(string) bool) string {
	if slug == "" {
		slug = "untitled"
	}
	for i := 1; ; i++ {
		name := slug
		if i > 1 {
			name = fmt.Sprintf("%s-%d", slug, i)
		}
		p := join(dir, name+".md")
		if folder {
			p = join(dir, name, "README.md")
		}
		if free(p) {
			return p
		}
	}
}

func assignFilePaths(files []*File, taken func(string) bool) map[string]string {
	out := map[string]string{}
	used := map[string]bool{}
	for _, f := range files {
		if f.GitPath != "" && !used[f.GitPath] {
			out[f.ID] = f.GitPath
			used[f.GitPath] = true
		}
	}
	for _, f := range files {
		if _, ok := out[f.ID]; ok {
			continue
		}
		ext := path.Ext(f.Name)
		base := strings.TrimSuffix(f.Name, ext)
		for i := 0; ; i++ {
			name := f.Name
			if i > 0 {
				name = fmt.Sprintf("%s (%d)%s", base, i, ext) // GitBook's own "image (1).png"
			}
			p := ".gitbook/assets/" + name
			if !used[p] && !taken(p) {
				out[f.ID] = p
				used[p] = true
				break
			}
		}
	}
	return out
}

// RenderFile writes a page file: front matter, the title heading and the
// document, its links written from the file at file.
func RenderFile(p *Page, file string, pages, files map[string]string) string {
	return p.Meta.render() + RenderMarkdown(p, file, pages, files, false)
}

// RenderMarkdown is a page as the API gives it with format=markdown: the
// title as a leading heading (GitBook's CLI says so of its answers), then
// the document, with links relative to file or, with stable, as
// /pages/<id> and /files/<id>. The metadata is in the page's fields.
func RenderMarkdown(p *Page, file string, pages, files map[string]string, stable bool) string {
	heading := escapeInline(p.Title, false)
	if p.Source.Heading != "" && p.Title == p.Source.Title {
		heading = p.Source.Heading
	}
	return "# " + heading + "\n\n" + RenderDocument(p, file, pages, files, stable)
}

// RenderDocument writes a page's document with its links to pages and
// files pointing where those are now. A link keeps the text it was written
// with while that still names the same page or file; otherwise it becomes
// the path relative to file, or /broken/pages/<id> (/broken/files/<id>)
// for what no longer exists, as GitBook writes such links.
func RenderDocument(p *Page, file string, pages, files map[string]string, stable bool) string {
	if len(p.Refs) == 0 {
		return p.Document
	}
	var edits []edit
	for _, l := range scanLinks(p.Document) {
		key, frag := splitFragment(l.dest)
		ref, ok := p.Refs[key]
		if !ok {
			continue
		}
		kind, id, target := "pages", ref.Page, pages[ref.Page]
		if ref.File != "" {
			kind, id, target = "files", ref.File, files[ref.File]
		}
		var dest string
		switch {
		case stable:
			dest = "/" + kind + "/" + id + frag
		case target == "":
			dest = "/broken/" + kind + "/" + id + frag
		case !isExternal(l.dest) && resolvesTo(file, l.dest, target):
			continue
		default:
			dest = relativeLink(file, target) + frag
		}
		if dest == l.dest {
			continue
		}
		if l.markdown && strings.ContainsAny(dest, " ") && !l.angle {
			dest = "<" + dest + ">"
		}
		edits = append(edits, edit{l.start, l.end, dest})
	}
	return string(applyEdits([]byte(p.Document), edits))
}
