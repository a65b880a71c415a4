package content

import (
	"cmp"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/internal/testcorpus"
)

// The corpus holds GitBook's own docs repository, written by GitBook's Git
// Sync export, and Brain-WP/BrainMonkey, an older export. What GitBook
// writes, the client must read back to the same tree.

// corpusFiles reads a corpus directory in place (it is no Git repository).
func corpusFiles(t *testing.T, rel string) Files {
	t.Helper()
	root, err := os.OpenRoot(testcorpus.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return Files{
		Read: func(p string) ([]byte, error) { return root.ReadFile(cmp.Or(p, ".")) },
		Exists: func(p string) (bool, error) {
			fi, err := root.Stat(cmp.Or(p, "."))
			if errors.Is(err, fs.ErrNotExist) {
				return false, nil
			}
			return err == nil && fi.Mode().IsRegular(), err
		},
		List: func(dir string) ([]string, error) {
			var out []string
			err := fs.WalkDir(root.FS(), cmp.Or(dir, "."), func(p string, e fs.DirEntry, err error) error {
				if err == nil && e.Type().IsRegular() {
					out = append(out, p)
				}
				return err
			})
			return out, err
		},
	}
}

// publicDocsSpaces are the directories docs.yaml maps to synced spaces
// (config.Discover reads them from docs.yaml; see its tests).
var publicDocsSpaces = []string{"documentation", "developers", "changelog", "guides", "policies"}

// TestCorpusSummaryRoundTrip: each SUMMARY.md GitBook exported, parsed and
// written again, is byte-identical — groups with their anchors, "***",
// anchor links, labels, the computed OpenAPI block.
func TestCorpusSummaryRoundTrip(t *testing.T) {
	files := corpusFiles(t, "corpus/GitbookIO-public-docs")
	for _, dir := range publicDocsSpaces {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			data, err := files.Read(dir + "/SUMMARY.md")
			if err != nil {
				t.Fatal(err)
			}
			s, err := ParseSummary(data, dir+"/SUMMARY.md")
			if err != nil {
				t.Fatal(err)
			}
			if out := RenderSummary(s.Entries); string(out) != string(data) {
				t.Errorf("rendered SUMMARY.md differs from GitBook's:\n%s", out)
			}
		})
	}
}

func TestCorpusPublicDocs(t *testing.T) {
	files := corpusFiles(t, "corpus/GitbookIO-public-docs")
	projects := map[string]*Project{}
	for _, dir := range publicDocsSpaces {
		p, err := Load(files, dir)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if err := p.ResolveTitles(files); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		projects[dir] = p
		// Every link GitBook exported between pages resolves to a page.
		Walk(p.Pages, func(pg, _ *Page) {
			if pg.Kind != KindDocument {
				return
			}
			doc, err := p.ReadDocument(files, pg)
			if err != nil {
				t.Fatal(err)
			}
			if _, problems := p.PageLinks(pg.Path, doc.Body, p.ContentPath(pg.Path)); len(problems) > 0 {
				t.Errorf("unresolved page links:\n%s", problems)
			}
		})
	}

	// Diagnostics: the computed block, and the two pages whose heading
	// GitBook left stale when only the title changed (its export rewrites
	// a file only when the document changes).
	var got []string
	for _, dir := range publicDocsSpaces {
		for _, d := range projects[dir].Diagnostics {
			got = append(got, d.String())
		}
	}
	want := []string{
		`documentation/SUMMARY.md:54:3: GitBook titles create-content/openapi/README.md "OpenAPI" from the page itself, not "Document an API"`,
		`documentation/SUMMARY.md:201:5: GitBook titles account-and-billing/billing-faq/free-trial.md "Free trial" from the page itself, not "Free trials"`,
		`developers/SUMMARY.md:34:5: computed page (builtin:openapi of spec "gitbook")`,
	}
	if len(got) != len(want) {
		t.Fatalf("diagnostics:\n%s", strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("diagnostic %d = %s\nwant %s…", i, got[i], want[i])
		}
	}

	find := func(dir string, match func(pg *Page) bool) (*Page, *Page) {
		var found, parent *Page
		Walk(projects[dir].Pages, func(pg, par *Page) {
			if found == nil && match(pg) {
				found, parent = pg, par
			}
		})
		if found == nil {
			t.Fatalf("%s: page not found", dir)
		}
		return found, parent
	}
	doc := projects["documentation"]
	if g, _ := find("documentation", func(pg *Page) bool { return pg.Kind == KindGroup && pg.Slug != "" }); g.Title != "Get Started" || g.Slug != "getting-started" {
		t.Errorf("group = %q slug %q", g.Title, g.Slug)
	}
	skill, parent := find("documentation", func(pg *Page) bool { return pg.Path == "skill/README.md" })
	if parent != nil || doc.Pages[len(doc.Pages)-1] != skill {
		t.Errorf("after ***, Skill should be the last top-level page; parent %v", parent)
	}
	var anchors []string
	Walk(doc.Pages, func(pg, _ *Page) {
		if pg.Kind == KindLink && pg.Anchor != "" {
			anchors = append(anchors, pg.Path+pg.Anchor)
		}
	})
	if s := strings.Join(anchors, " "); s != "create-content/formatting/inline.md#buttons create-content/formatting/inline.md#icons create-content/formatting/inline.md#expressions" {
		t.Errorf("anchor links: %s", s)
	}
	api, _ := find("developers", func(pg *Page) bool { return pg.Kind == KindComputed })
	if api.Computed.Type != "builtin:openapi" || api.Computed.Spec != "gitbook" {
		t.Errorf("computed page %+v", api.Computed)
	}
	if _, parent := find("developers", func(pg *Page) bool { return pg.Kind == KindComputed }); parent == nil || parent.Path != "gitbook-api/api-reference/README.md" {
		t.Errorf("computed page's parent = %+v", parent)
	}
	if home, _ := find("changelog", func(pg *Page) bool { return pg.Path == "README.md" }); home.NavLabel != "2026" || home.Title != "Product updates" {
		t.Errorf("changelog home: %q label %q", home.Title, home.NavLabel)
	}
	// Front matter beyond description is carried: layout, cover, coverY.
	readme, _ := find("documentation", func(pg *Page) bool { return pg.Path == "README.md" })
	d, err := doc.ReadDocument(files, readme)
	if err != nil {
		t.Fatal(err)
	}
	if d.Meta.Extra["cover"] == nil || d.Meta.Extra["coverY"] != 0 || d.Meta.Extra["layout"] == nil {
		t.Errorf("front matter %+v", d.Meta)
	}
}

// TestCorpusBrainMonkey is the older export style: root and structure in
// .gitbook.yaml, a lowercase summary.md, escaped parentheses in titles,
// and headings with code spans that are the same titles.
func TestCorpusBrainMonkey(t *testing.T) {
	files := corpusFiles(t, "corpus/Brain-WP-BrainMonkey")
	p, err := Load(files, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Config.Root != "docs" || p.Config.Readme != "what-and-why.md" || p.Config.Summary != "summary.md" {
		t.Fatalf("config %+v", p.Config)
	}
	if err := p.ResolveTitles(files); err != nil {
		t.Fatal(err)
	}
	if len(p.Diagnostics) != 0 {
		t.Errorf("diagnostics:\n%s", p.Diagnostics)
	}
	var titles []string
	Walk(p.Pages, func(pg, _ *Page) {
		if strings.Contains(pg.Title, "()") {
			titles = append(titles, pg.Title)
		}
	})
	if s := strings.Join(titles, "|"); s != "Patching functions with when()|Bulk patching with stubs()|Testing functions with expect()" {
		t.Errorf("titles: %s", s)
	}
}
