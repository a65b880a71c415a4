package gitformat

import (
	"path"
	"strings"
)

// Index finds pages and files the ways a document sent through the API
// may link them (GitBook's description of updateChangeRequestContent).
type Index struct {
	Pages     map[string]bool   // page IDs
	Files     map[string]bool   // file IDs
	SlugPaths map[string]string // "guides/setup" -> page ID
	PageFiles map[string]string // the file a page would have in Git -> page ID
	FilePaths map[string]string // ".gitbook/assets/a.png" -> file ID
	BatchRefs map[string]Ref    // refs given in the same batch
	fileOf    map[string]string // page ID -> its file
}

// NewIndex indexes a page tree and its files.
func NewIndex(pages []*Page, files []*File) *Index {
	ix := &Index{Pages: map[string]bool{}, Files: map[string]bool{}, SlugPaths: map[string]string{},
		PageFiles: map[string]string{}, FilePaths: map[string]string{}, BatchRefs: map[string]Ref{}}
	paths := AssignPaths(pages, DefaultConfig(), nil)
	ix.fileOf = paths
	var walk func(list []*Page, parent string)
	walk = func(list []*Page, parent string) {
		for _, p := range list {
			ix.Pages[p.ID] = true
			sp := join(parent, p.Slug)
			if p.Kind == KindDocument || p.Kind == KindGroup {
				if _, dup := ix.SlugPaths[sp]; !dup {
					ix.SlugPaths[sp] = p.ID
				}
			}
			if f, ok := paths[p.ID]; ok {
				ix.PageFiles[f] = p.ID
			}
			walk(p.Children, sp)
		}
	}
	walk(pages, "")
	for _, f := range files {
		ix.Files[f.ID] = true
		p := f.GitPath
		if p == "" {
			p = ".gitbook/assets/" + f.Name
		}
		ix.FilePaths[p] = f.ID
	}
	return ix
}

// PageFile is the file the page id would have in Git.
func (ix *Index) PageFile(id string) string { return ix.fileOf[id] }

// Resolve reads the links of a document sent through the API for the page
// whose Git file is file, as GitBook's description lists them: /pages/<id>,
// /pages/<slug path>, /pages/<file>.md, /files/<id>, a relative link from
// the page, or a ref given in the same batch. A link to a page that
// matches nothing "is left as plain text rather than causing the request
// to fail"; other links (external, or to files) stay as written.
func (ix *Index) Resolve(doc, file string) (string, map[string]Ref) {
	src := []byte(doc)
	var refs map[string]Ref
	var edits []edit
	for _, l := range scanLinks(doc) {
		key, _ := splitFragment(l.dest)
		ref, found, pageLike := ix.lookup(key, file)
		if found {
			if refs == nil {
				refs = map[string]Ref{}
			}
			refs[key] = ref
			continue
		}
		if pageLike && l.markdown {
			if from, to, text, ok := linkExtent(src, l); ok {
				edits = append(edits, edit{from, to, text})
			}
		}
	}
	if len(edits) == 0 {
		return doc, refs
	}
	out := string(applyEdits(src, edits))
	// Links kept are found again in the edited text by their destination.
	return out, refs
}

// lookup finds what a destination (without its anchor) names. pageLike
// says an unresolved one was meant for a page.
func (ix *Index) lookup(dest, file string) (ref Ref, found, pageLike bool) {
	switch {
	case strings.HasPrefix(dest, "/pages/"):
		rest := strings.TrimPrefix(dest, "/pages/")
		if ix.Pages[rest] {
			return Ref{Page: rest}, true, true
		}
		if id, ok := ix.PageFiles[rest]; ok {
			return Ref{Page: id}, true, true
		}
		if id, ok := ix.SlugPaths[strings.Trim(rest, "/")]; ok {
			return Ref{Page: id}, true, true
		}
		return Ref{}, false, true
	case strings.HasPrefix(dest, "/files/"):
		if id := strings.TrimPrefix(dest, "/files/"); ix.Files[id] {
			return Ref{File: id}, true, false
		}
		return Ref{}, false, false
	case isExternal(dest) || dest == "":
		return Ref{}, false, false
	}
	name := strings.TrimSuffix(strings.TrimPrefix(dest, "./"), ".md")
	if r, ok := ix.BatchRefs[name]; ok && !strings.Contains(name, "/") {
		return r, true, r.Page != ""
	}
	for _, t := range linkTargets(file, dest) {
		if id, ok := ix.PageFiles[t]; ok {
			return Ref{Page: id}, true, true
		}
		if id, ok := ix.FilePaths[t]; ok {
			return Ref{File: id}, true, false
		}
	}
	p, _ := splitFragment(dest)
	ext := path.Ext(strings.TrimSuffix(p, "/"))
	return Ref{}, false, ext == ".md" || ext == ""
}

// linkExtent finds the whole Markdown link around a destination:
// "[text](dest "title")" and its text. Images are not links to pages.
func linkExtent(src []byte, l linkSpan) (from, to int, text string, ok bool) {
	close := l.start - 2 // the "]" of "]("
	if l.angle {
		close--
	}
	if close < 0 || src[close] != ']' {
		return 0, 0, "", false
	}
	depth := 0
	open := -1
	for i := close - 1; i >= 0; i-- {
		if i > 0 && src[i-1] == '\\' {
			continue
		}
		if src[i] == ']' {
			depth++
		} else if src[i] == '[' {
			if depth == 0 {
				open = i
				break
			}
			depth--
		} else if src[i] == '\n' && i > 0 && src[i-1] == '\n' {
			return 0, 0, "", false
		}
	}
	if open < 0 || (open > 0 && src[open-1] == '!') {
		return 0, 0, "", false
	}
	end := l.end
	if l.angle {
		end++
	}
	// An optional title, then ")".
	rest := src[end:]
	i := 0
	for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t') {
		i++
	}
	if i < len(rest) && (rest[i] == '"' || rest[i] == '\'') {
		q := rest[i]
		j := i + 1
		for j < len(rest) && rest[j] != q {
			j++
		}
		i = j + 1
	}
	if i >= len(rest) || rest[i] != ')' {
		return 0, 0, "", false
	}
	return open, end + i + 1, string(src[open+1 : close]), true
}
