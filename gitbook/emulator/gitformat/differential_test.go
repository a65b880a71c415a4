package gitformat_test

import (
	"cmp"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/gitformat"
	"github.com/gitbook-sync/gitbook-sync/internal/golden"
	"github.com/gitbook-sync/gitbook-sync/internal/testcorpus"
)

// node is one page as either reader sees it.
type node struct {
	kind, title, path, slug string
	children                []node
}

// TestDifferentialWithClient reads the corpus repositories with the
// client's content package and with gitformat, and lists where their page
// trees differ (kinds, titles, paths, slugs, nesting). Each difference was
// settled on GitBook's evidence in gitformat's favour (see the package doc
// and TestImportCases); testdata/differential.golden records those that
// remain in the client, and any new difference fails.
func TestDifferentialWithClient(t *testing.T) {
	t.Parallel()
	root := testcorpus.Path(t, "corpus")
	type project struct{ repo, dir string }
	projects := []project{
		{"GitbookIO-public-docs", "documentation"}, {"GitbookIO-public-docs", "developers"}, {"GitbookIO-public-docs", "changelog"},
		{"GitbookIO-public-docs", "guides"}, {"GitbookIO-public-docs", "policies"}, {"Brain-WP-BrainMonkey", ""},
	}
	var report strings.Builder
	for _, pr := range projects {
		fsys := gitformat.DirFS(filepath.Join(root, pr.repo))
		mine, err := gitformat.Read(fsys, pr.dir, func(key string) string { return key })
		if err != nil {
			t.Fatalf("%s/%s: gitformat: %v", pr.repo, pr.dir, err)
		}
		files := content.Files{Read: fsys.ReadFile, List: fsys.List}
		theirs, err := content.Load(files, pr.dir)
		if err != nil {
			t.Fatalf("%s/%s: content: %v", pr.repo, pr.dir, err)
		}
		if err := theirs.ResolveTitles(files); err != nil {
			t.Fatalf("%s/%s: content titles: %v", pr.repo, pr.dir, err)
		}
		var diffs []string
		compare(fromGitformat(mine.Pages, ""), fromContent(theirs.Pages, ""), "", &diffs)
		fmt.Fprintf(&report, "## %s %s: %d differences\n", pr.repo, cmp.Or(pr.dir, "."), len(diffs))
		for _, d := range diffs {
			report.WriteString(d + "\n")
		}
	}
	golden.Check(t, filepath.Join("testdata", "differential.golden"), []byte(report.String()))
}

func fromGitformat(list []*gitformat.Page, parent string) []node {
	var out []node
	for _, p := range list {
		n := node{kind: p.Kind, title: p.Title, path: p.GitPath, slug: p.Slug}
		n.children = fromGitformat(p.Children, join(parent, p.Slug))
		out = append(out, n)
	}
	return out
}

// fromContent reads the client's tree as the client names pages: titles
// by its ResolveTitles, slugs from files, or from a group's anchor.
func fromContent(list []*content.Page, parent string) []node {
	var out []node
	for _, p := range list {
		n := node{kind: p.Kind, title: p.Title, path: p.Path}
		switch p.Kind {
		case content.KindDocument:
			n.slug = cmp.Or(content.SlugForPath(p.Path), content.Slug(n.title))
		case content.KindGroup:
			n.slug = cmp.Or(p.Slug, content.Slug(p.Title))
		case content.KindLink:
			n.path = ""
		}
		n.children = fromContent(p.Children, join(parent, n.slug))
		out = append(out, n)
	}
	return out
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return path.Join(a, b)
}

// compare walks both trees in order and lists what differs: "emulator"
// is gitformat's reading, "client" content's.
func compare(mine, theirs []node, at string, diffs *[]string) {
	for i := 0; i < len(mine) || i < len(theirs); i++ {
		switch {
		case i >= len(theirs):
			*diffs = append(*diffs, fmt.Sprintf("%s[%d]: only the emulator has %s %q (%s)", at, i, mine[i].kind, mine[i].title, mine[i].path))
			continue
		case i >= len(mine):
			*diffs = append(*diffs, fmt.Sprintf("%s[%d]: only the client has %s %q (%s)", at, i, theirs[i].kind, theirs[i].title, theirs[i].path))
			continue
		}
		m, c := mine[i], theirs[i]
		where := fmt.Sprintf("%s[%d] %q", at, i, m.title)
		for _, f := range [][3]string{{"kind", m.kind, c.kind}, {"title", m.title, c.title}, {"path", m.path, c.path}, {"slug", m.slug, c.slug}} {
			if f[1] != f[2] {
				*diffs = append(*diffs, fmt.Sprintf("%s: %s: emulator %q, client %q", where, f[0], f[1], f[2]))
			}
		}
		if m.kind != c.kind {
			continue // no point comparing what hangs below different things
		}
		compare(m.children, c.children, join(at, m.slug), diffs)
	}
}
