package gitformat

import (
	"net/url"
	"path"
	"strings"

	"github.com/yuin/goldmark/ast"
)

// linkSpan is a link destination in a document: a Markdown link or image
// "](dest)", or an href, src or url attribute (HTML and GitBook's
// {% content-ref url="..." %} and {% file src="..." %} blocks).
type linkSpan struct {
	start, end int // the destination, without angle brackets
	dest       string
	markdown   bool // in "](...)": spaces need angle brackets
	angle      bool // written "](<...>)"
}

// scanLinks finds link destinations outside code.
func scanLinks(doc string) []linkSpan {
	src := []byte(doc)
	code := make([]bool, len(src)+1)
	_ = ast.Walk(parseMarkdown(src), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			from := n.Pos()
			to := from
			if l := n.Lines(); l.Len() > 0 {
				to = l.At(l.Len() - 1).Stop
			}
			for i := max(from, 0); i < to && i < len(src); i++ {
				code[i] = true
			}
			return ast.WalkSkipChildren, nil
		case *ast.CodeSpan:
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				if t, ok := c.(*ast.Text); ok {
					for i := t.Segment.Start; i < t.Segment.Stop; i++ {
						code[i] = true
					}
				}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	var out []linkSpan
	for i := 0; i+1 < len(src); i++ {
		if src[i] != ']' || src[i+1] != '(' || code[i] {
			continue
		}
		j := i + 2
		if j < len(src) && src[j] == '<' {
			k := strings.IndexAny(doc[j:], ">\n")
			if k > 0 && src[j+k] == '>' {
				out = append(out, linkSpan{j + 1, j + k, doc[j+1 : j+k], true, true})
			}
			continue
		}
		depth, k := 0, j
	scan:
		for ; k < len(src); k++ {
			switch src[k] {
			case ' ', '\t', '\n':
				break scan
			case '(':
				depth++
			case ')':
				if depth == 0 {
					break scan
				}
				depth--
			}
		}
		if k > j {
			out = append(out, linkSpan{j, k, doc[j:k], true, false})
		}
	}
	// Attributes: href="...", src="..." and url="..." after a space.
	for i := 0; ; {
		j := strings.Index(doc[i:], "=\"")
		if j < 0 {
			break
		}
		eq := i + j
		i = eq + 2
		if code[eq] {
			continue
		}
		name := ""
		for _, n := range [...]string{"href", "src", "url"} {
			if strings.HasSuffix(doc[:eq], n) && eq > len(n) && !isWordByte(doc[eq-len(n)-1]) {
				name = n
			}
		}
		if name == "" {
			continue
		}
		end := strings.IndexAny(doc[i:], "\"\n")
		if end < 0 || doc[i+end] != '"' {
			continue
		}
		out = append(out, linkSpan{i, i + end, doc[i : i+end], false, false})
		i += end
	}
	return out
}

// isExternal reports a destination that leaves the space: a scheme, a
// protocol-relative or absolute URL.
func isExternal(dest string) bool {
	if strings.HasPrefix(dest, "/") || strings.HasPrefix(dest, "#") {
		return true
	}
	if i := strings.IndexAny(dest, ":/?#"); i > 0 && dest[i] == ':' {
		return true
	}
	return false
}

// splitFragment cuts "#anchor" (and any query) off a destination.
func splitFragment(dest string) (p, frag string) {
	if i := strings.IndexByte(dest, '#'); i >= 0 {
		dest, frag = dest[:i], dest[i:]
	}
	if i := strings.IndexByte(dest, '?'); i >= 0 {
		dest = dest[:i]
	}
	return dest, frag
}

// linkTargets lists the files a relative destination written in the file
// from may name (both relative to the content root): the path itself, then
// its folder's README.md ("../plans/" is the page plans/README.md). None
// when it leaves the content root.
func linkTargets(from, dest string) []string {
	p, _ := splitFragment(dest)
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	if p == "" {
		return nil
	}
	t := path.Clean(path.Join(path.Dir(from), p))
	if t == ".." || strings.HasPrefix(t, "../") || strings.HasPrefix(t, "/") {
		return nil
	}
	if t == "." {
		return []string{"README.md"}
	}
	if strings.HasSuffix(p, "/") {
		return []string{path.Join(t, "README.md")}
	}
	return []string{t, path.Join(t, "README.md")}
}

// resolvesTo reports whether dest, written in from, names the file target.
func resolvesTo(from, dest, target string) bool {
	for _, t := range linkTargets(from, dest) {
		if t == target {
			return true
		}
	}
	return false
}

// relativeLink is the destination GitBook writes in the file from for a
// link to the file to: a relative path, a folder with a trailing "/" for a
// folder's README ("./" for the page's own folder).
func relativeLink(from, to string) string {
	dir := path.Dir(from)
	if path.Base(to) == "README.md" && path.Dir(to) != "." {
		rel := relPath(dir, path.Dir(to))
		if rel == "." {
			return "./"
		}
		return rel + "/"
	}
	return relPath(dir, to)
}

// relPath is path.Rel for clean slash paths relative to the same root.
func relPath(fromDir, to string) string {
	if fromDir == "." {
		fromDir = ""
	}
	var a, b []string
	if fromDir != "" {
		a = strings.Split(fromDir, "/")
	}
	if to != "" && to != "." {
		b = strings.Split(to, "/")
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	parts := make([]string, 0, len(a)-i+len(b)-i)
	for range a[i:] {
		parts = append(parts, "..")
	}
	parts = append(parts, b[i:]...)
	if len(parts) == 0 {
		return "."
	}
	return strings.Join(parts, "/")
}
