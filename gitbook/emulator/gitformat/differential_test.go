package gitformat_test

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/gitformat"
	"github.com/gitbook-sync/gitbook-sync/internal/testcorpus"
)

var update = flag.Bool("update", false, "rewrite testdata/differential.golden")

// corpusFS reads a corpus repository in place, for both readers.
type corpusFS string

func (d corpusFS) ReadFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(string(d), filepath.FromSlash(name)))
}

func (d corpusFS) List(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(filepath.Join(string(d), filepath.FromSlash(dir)), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() {
			rel, _ := filepath.Rel(string(d), p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

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
		fsys := corpusFS(filepath.Join(root, pr.repo))
		mine, err := gitformat.Read(fsys, pr.dir, func(key string) string { return key })
		if err != nil {
			t.Fatalf("%s/%s: gitformat: %v", pr.repo, pr.dir, err)
		}
		theirs, err := content.Load(content.Files{Read: fsys.ReadFile, List: fsys.List}, pr.dir)
		if err != nil {
			t.Fatalf("%s/%s: content: %v", pr.repo, pr.dir, err)
		}
		var diffs []string
		compare(fromGitformat(mine.Pages, ""), fromContent(fsys, theirs, theirs.Pages, ""), "", &diffs)
		fmt.Fprintf(&report, "## %s %s: %d differences\n", pr.repo, cmpOr(pr.dir, "."), len(diffs))
		for _, d := range diffs {
			report.WriteString(d + "\n")
		}
	}
	golden := filepath.Join("testdata", "differential.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := report.String(); got != string(want) {
		t.Errorf("the readers differ otherwise than %s records (go test -run Differential -update rewrites it):\n%s", golden, got)
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
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

// fromContent reads the client's tree the way the client names pages:
// the leading heading over the SUMMARY title, slugs from files.
func fromContent(fsys corpusFS, proj *content.Project, list []*content.Page, parent string) []node {
	var out []node
	for _, p := range list {
		n := node{kind: p.Kind, title: p.Title, path: p.Path}
		switch p.Kind {
		case content.KindDocument:
			if data, err := fsys.ReadFile(proj.ContentPath(p.Path)); err == nil {
				if _, body, err := content.SplitFrontMatter(data, p.Path); err == nil {
					n.title = content.PageTitle(body, p.Title)
				}
			} else if !errors.Is(err, fs.ErrNotExist) {
				n.title = "(unreadable)"
			}
			n.slug = content.SlugForPath(p.Path)
			if n.slug == "" {
				n.slug = content.Slug(n.title)
			}
		case content.KindGroup:
			n.slug = content.Slug(p.Title)
		case content.KindLink:
			n.path = ""
		}
		n.children = fromContent(fsys, proj, p.Children, join(parent, n.slug))
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
