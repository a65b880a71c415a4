package content

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // fmt of root, readme, summary, redirects
		diags    []string
	}{
		{name: "empty means defaults", in: "", want: `"" README.md SUMMARY.md map[]`},
		{name: "root with ./ and trailing slash", in: "root: ./docs/\n", want: `"docs" README.md SUMMARY.md map[]`},
		{name: "structure", in: "structure:\n  readme: what.md\n  summary: ./toc/summary.md\n", want: `"" what.md toc/summary.md map[]`},
		{name: "redirects", in: "redirects:\n  old/page: new.md\n", want: `"" README.md SUMMARY.md map[old/page:new.md]`},
		{
			name: "a typo in a key is caught with the key meant", in: "structure:\n  sumary: toc.md\n",
			diags: []string{"error: .gitbook.yaml:2:3: structure.sumary: unknown key \"sumary\"; did you mean summary?"},
		},
		{
			name: "an unknown top-level key lists the valid ones", in: "root: docs\nplugins: [x]\n",
			diags: []string{"error: .gitbook.yaml:2:1: plugins: unknown key \"plugins\"; valid keys: root, structure, redirects"},
		},
		{name: "root leaving the project names the field", in: "root: ../..\n", diags: []string{"error: .gitbook.yaml:1:7: root: \"../..\" leaves the project directory"}},
		{name: "an absolute root", in: "root: /etc\n", diags: []string{"error: .gitbook.yaml:1:7: root: \"/etc\" must be a relative path"}},
		{name: "a readme that is a directory", in: "structure:\n  readme: ./\n", diags: []string{"error: .gitbook.yaml:2:11: structure.readme: \"./\": want a file path"}},
		{name: "a wrong type", in: "structure: docs\n", diags: []string{"error: .gitbook.yaml:1:12: structure: want a mapping with keys readme, summary, got \"docs\""}},
		{
			name: "a redirect with a leading ./ is a warning", in: "redirects:\n  help: ./support.md\n", want: `"" README.md SUMMARY.md map[help:support.md]`,
			diags: []string{".gitbook.yaml:2:9: redirects.help: \"./support.md\": GitBook ignores redirects to a path with a leading \"./\""},
		},
		{
			name: "wrong indentation is reported where the parser stopped", in: "structure:\n  readme: a.md\n summary: b.md\n",
			diags: []string{"error: .gitbook.yaml:3:2: invalid YAML: did not find expected key"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseConfig([]byte(tt.in), ".gitbook.yaml")
			checkDiags(t, got.Diagnostics, tt.diags)
			if (err != nil) != (len(got.Diagnostics.Errors()) > 0) {
				t.Errorf("err = %v", err)
			}
			if err != nil && len(diag.As(err)) == 0 {
				t.Errorf("err %v carries no diagnostic", err)
			}
			if tt.want != "" {
				if s := fmt.Sprintf("%q %s %s %v", got.Root, got.Readme, got.Summary, got.Redirects); s != tt.want {
					t.Errorf("got %s, want %s", s, tt.want)
				}
			}
		})
	}
}

func TestFrontMatter(t *testing.T) {
	tests := []struct {
		name, in   string
		check      func(Meta) bool
		wantBody   string
		wantErr    string
		roundTrips bool
	}{
		{name: "none", in: "# Title\n", wantBody: "# Title\n", roundTrips: true},
		{name: "fields", in: "---\ndescription: Hi\nhidden: true\nicon: gear\n---\n\n# T\n", wantBody: "# T\n", roundTrips: true,
			check: func(m Meta) bool { return m.Description == "Hi" && m.Hidden && m.Icon == "gear" }},
		{
			name: "layout, cover and coverY are carried in the order written",
			in:   "---\ndescription: Hi\ncover: .gitbook/assets/hero.png\ncoverY: 0\nlayout:\n  width: wide\n  title:\n    visible: false\n---\n\n# T\n",
			check: func(m Meta) bool {
				return m.Extra["cover"] == ".gitbook/assets/hero.png" && m.Extra["coverY"] == 0 && m.Extra["layout"].(map[string]any)["width"] == "wide"
			},
			wantBody: "# T\n", roundTrips: true,
		},
		{name: "a front matter title", in: "---\ntitle: Empty template\n---\n\nCopy\n", wantBody: "Copy\n", roundTrips: true,
			check: func(m Meta) bool { return m.Title == "Empty template" }},
		{name: "horizontal rule is not front matter", in: "---\n\ntext\n", wantBody: "---\n\ntext\n", roundTrips: true},
		{name: "a closing line must be exactly ---", in: "---\na: 1\n----\n", wantBody: "---\na: 1\n----\n", roundTrips: true},
		{name: "bad yaml names the file and line", in: "---\ndescription: ok\nhidden: [\n---\nx\n", wantErr: "p.md:4:1: front matter:"},
		{name: "a wrong type names the line", in: "---\ndescription: ok\nhidden: maybe\n---\nx\n", wantErr: "p.md:3:9: front matter:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, body, err := SplitFrontMatter([]byte(tt.in), "p.md")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || len(diag.As(err)) != 1 {
					t.Fatalf("err = %v, want a diagnostic containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(body) != tt.wantBody || (tt.check != nil && !tt.check(m)) {
				t.Errorf("got %+v %q", m, body)
			}
			if tt.roundTrips {
				if again := string(JoinFrontMatter(m, body)); again != tt.in {
					t.Errorf("round trip:\n%s\nwant:\n%s", again, tt.in)
				}
			}
		})
	}
}

// A value written as an alias is written back as its value: its anchor may
// be on a value written anew, or on a key that is not written back (a null
// key, found by FuzzSplitFrontMatter).
func TestFrontMatterAliases(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		edit     func(*Meta)
		want     string
	}{
		{"the anchored value changed", "---\ndescription: &d Hi\ntitle: *d\n---\n\nx\n", func(m *Meta) { m.Description = "Bye" },
			"---\ndescription: Bye\ntitle: Hi\n---\n\nx\n"},
		{"the anchor was on a null key", "---\n: &x\nlayout: *x\nemoji: e\n---\n\nx\n", func(*Meta) {},
			"---\nlayout: null\nemoji: e\n---\n\nx\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, body, err := SplitFrontMatter([]byte(tt.in), "p.md")
			if err != nil {
				t.Fatal(err)
			}
			tt.edit(&m)
			out := JoinFrontMatter(m, body)
			if string(out) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", out, tt.want)
			}
			if _, _, err := SplitFrontMatter(out, "again"); err != nil {
				t.Errorf("written back, it does not parse: %v", err)
			}
		})
	}
}

// TestDocumentTitle is GitBook's rule from its API description: the
// document's front matter or leading heading take precedence, the
// SUMMARY link text is the fallback. GitbookIO/public-docs shows the same
// on import: a push with [API Reference](reference.md) and "# Reference"
// came back from GitBook's export as [Reference](reference.md).
func TestDocumentTitle(t *testing.T) {
	for _, tt := range []struct {
		meta           Meta
		body, fallback string
		want           string
	}{
		{body: "# Install\n\ntext", fallback: "Setup", want: "Install"},
		{body: "\n\n# when\\(\\)\n", fallback: "x", want: "when()"},
		{body: "# Bulk patching with `stubs()`\n", fallback: "x", want: "Bulk patching with stubs()"},
		{body: "# The *new* way #\n", fallback: "x", want: "The new way"},
		{body: "Intro text\n# Later heading\n", fallback: "From SUMMARY", want: "From SUMMARY"},
		{body: "## Second level\n", fallback: "From SUMMARY", want: "From SUMMARY"},
		{body: "    # code, not a heading\n", fallback: "From SUMMARY", want: "From SUMMARY"},
		{body: "", fallback: "From SUMMARY", want: "From SUMMARY"},
		{meta: Meta{Title: "Front"}, body: "# Heading\n", fallback: "Link", want: "Front"},
	} {
		if got := DocumentTitle(tt.meta, []byte(tt.body), tt.fallback); got != tt.want {
			t.Errorf("DocumentTitle(%+v, %q) = %q, want %q", tt.meta, tt.body, got, tt.want)
		}
	}
}

type memFS struct {
	files map[string]string
	links map[string]string // symbolic links: path → target
}

func memFiles(files map[string]string) Files { return (&memFS{files: files}).Files() }

func (m *memFS) Files() Files {
	return Files{
		Read: func(p string) ([]byte, error) {
			real, err := ResolveLinks(p, func(q string) (string, bool, error) {
				target, ok := m.links[q]
				return target, ok, nil
			})
			if err != nil {
				return nil, err
			}
			if s, ok := m.files[real]; ok {
				return []byte(s), nil
			}
			return nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
		},
		List: func(dir string) ([]string, error) {
			var out []string
			for _, p := range slices.Sorted(maps.Keys(m.files)) {
				if dir == "" || strings.HasPrefix(p, dir+"/") {
					out = append(out, p)
				}
			}
			return out, nil
		},
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	t.Run("missing readme names the file and the setting", func(t *testing.T) {
		_, err := Load(memFiles(map[string]string{".gitbook.yaml": "root: docs\n", "docs/SUMMARY.md": ""}), "")
		if !errors.Is(err, ErrNoReadme) || !strings.Contains(err.Error(), "docs/README.md") || diag.As(err)[0].Field != "structure.readme" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a summary entry to a missing file is an error at its line, never a page", func(t *testing.T) {
		p, err := Load(memFiles(map[string]string{"README.md": "x", "SUMMARY.md": "* [R](README.md)\n* [Gone](gone.md)\n"}), "")
		if err == nil || p == nil {
			t.Fatalf("err = %v", err)
		}
		if len(p.Pages) != 1 {
			t.Errorf("pages %d", len(p.Pages))
		}
		checkDiags(t, p.Diagnostics, []string{"error: SUMMARY.md:2:3: gone.md does not exist"})
		if got := diag.As(err); len(got) != 1 || got[0].Line != 2 {
			t.Errorf("diag.As(err) = %v", got)
		}
	})
	t.Run("warnings of the summary reach the project", func(t *testing.T) {
		p, err := Load(memFiles(map[string]string{"docs/README.md": "x", "docs/SUMMARY.md": "* [R](README.md) (draft)\n"}), "docs")
		if err != nil {
			t.Fatal(err)
		}
		checkDiags(t, p.Diagnostics, []string{"docs/SUMMARY.md:1:3: text outside the link"})
	})
	t.Run("a typo in .gitbook.yaml stops the load with the project's diagnostics", func(t *testing.T) {
		p, err := Load(memFiles(map[string]string{"d/.gitbook.yaml": "structure:\n  sumary: toc.md\n", "d/README.md": "x"}), "d")
		if err == nil || p == nil || !strings.Contains(err.Error(), "d/.gitbook.yaml:2:3: structure.sumary: unknown key \"sumary\"; did you mean summary?") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("redirects to missing files are warnings", func(t *testing.T) {
		p, err := Load(memFiles(map[string]string{".gitbook.yaml": "redirects:\n  old: new.md\n", "README.md": "x", "SUMMARY.md": "* [R](README.md)\n"}), "")
		if err != nil {
			t.Fatal(err)
		}
		checkDiags(t, p.Diagnostics, []string{".gitbook.yaml:2: redirects.old: redirect target new.md does not exist"})
	})
}

// TestSymlinks: a symbolic link is followed while it stays inside the
// repository; one that leaves it is refused, naming the file and the
// setting (or the SUMMARY.md line) that led there.
func TestSymlinks(t *testing.T) {
	t.Parallel()
	base := map[string]string{"real/README.md": "x", "real/SUMMARY.md": "* [R](README.md)\n* [P](p.md)\n", "real/p.md": "# P\n", "shared/p.md": "# Shared\n"}
	for _, tt := range []struct {
		name  string
		links map[string]string
		cfg   string
		want  string // "" when the project loads
		pages int
	}{
		{name: "root through a link inside", links: map[string]string{"docs": "real"}, cfg: "root: docs\n", pages: 2},
		{name: "a page linked inside", links: map[string]string{"real/p.md": "../shared/p.md"}, cfg: "root: real\n", pages: 2},
		{name: "root through a link out", links: map[string]string{"docs": "../../etc"}, cfg: "root: docs\n",
			want: ".gitbook.yaml:1: root: symbolic link docs → ../../etc leads outside the repository"},
		{name: "readme out", links: map[string]string{"real/README.md": "/etc/passwd"}, cfg: "root: real\n",
			want: ".gitbook.yaml: structure.readme: symbolic link real/README.md → /etc/passwd leads outside"},
		{name: "summary out", links: map[string]string{"real/SUMMARY.md": "/etc/passwd"}, cfg: "root: real\nstructure:\n  summary: SUMMARY.md\n",
			want: ".gitbook.yaml:3: structure.summary: symbolic link real/SUMMARY.md → /etc/passwd"},
		{name: "a page out", links: map[string]string{"real/p.md": "../../p.md"}, cfg: "root: real\n",
			want: "real/SUMMARY.md:2:3: symbolic link real/p.md → ../../p.md leads outside the repository"},
		{name: ".gitbook.yaml itself", links: map[string]string{".gitbook.yaml": "/etc/gitbook.yaml"}, cfg: "root: real\n",
			want: ".gitbook.yaml: symbolic link .gitbook.yaml → /etc/gitbook.yaml leads outside"},
		{name: "a redirect out", links: map[string]string{"real/old.md": "/etc/passwd"}, cfg: "root: real\nredirects:\n  old: old.md\n",
			want: ".gitbook.yaml:3: redirects.old: symbolic link real/old.md → /etc/passwd"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			files := maps.Clone(base)
			files[".gitbook.yaml"] = tt.cfg
			p, err := Load((&memFS{files: files, links: tt.links}).Files(), "")
			if tt.want == "" {
				if err != nil || len(p.Pages) != tt.pages {
					t.Fatalf("Load = %v, %v; want %d pages", p, err, tt.pages)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant %q", err, tt.want)
			}
			if ds := diag.As(err); len(ds) == 0 || !strings.Contains(ds[0].Message, "only files inside it are read") {
				t.Errorf("no diagnostic saying what to do: %v", ds)
			}
		})
	}
	// Without SUMMARY.md, a page found in the folders that is a link out
	// is refused at the file.
	_, err := Load((&memFS{files: map[string]string{"README.md": "x", "p.md": "x"}, links: map[string]string{"p.md": "../p.md"}}).Files(), "")
	if err == nil || !strings.Contains(err.Error(), "p.md: symbolic link p.md → ../p.md leads outside") {
		t.Errorf("inferred page out: %v", err)
	}
}

func TestResolveTitlesAndLinks(t *testing.T) {
	t.Parallel()
	files := memFiles(map[string]string{
		"README.md":       "# Welcome\n",
		"SUMMARY.md":      "* [Home](README.md)\n* [API Reference](ref.md)\n* [Guide](guide/README.md \"Guide\")\n  * [Setup](guide/setup.md)\n",
		"ref.md":          "---\ndescription: d\n---\n\n# Reference\n\nSee [setup](guide/setup.md#step-2), [home](./README.md), [orphan](notes.md), [site](https://x.y) and <a href=\"guide/README.md\">the guide</a>.\n\n[self](#top)\n",
		"guide/README.md": "no heading\n",
		"guide/setup.md":  "# Setup\n\n[up](../ref.md) [out](../../etc/x.md)\n",
	})
	p, err := Load(files, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ResolveTitles(files); err != nil {
		t.Fatal(err)
	}
	var titles []string
	Walk(p.Pages, func(pg, _ *Page) { titles = append(titles, pg.Title) })
	if got := strings.Join(titles, "|"); got != "Welcome|Reference|Guide|Setup" {
		t.Errorf("titles %s", got)
	}
	checkDiags(t, p.Diagnostics, []string{
		"SUMMARY.md:1:3: GitBook titles README.md \"Welcome\" from the page itself, not \"Home\"",
		"SUMMARY.md:2:3: GitBook titles ref.md \"Reference\" from the page itself, not \"API Reference\" from this link; change the page's heading to rename it, or write [Reference](ref.md \"API Reference\")",
	})

	doc, err := p.ReadDocument(files, p.Pages[1])
	if err != nil {
		t.Fatal(err)
	}
	links, problems := p.PageLinks("ref.md", doc.Body, "ref.md")
	var got []string
	for _, l := range links {
		page := "-"
		if l.Page != nil {
			page = l.Page.Title
		}
		got = append(got, fmt.Sprintf("%d:%s%s=%s", l.Line, l.Path, l.Anchor, page))
	}
	if s := strings.Join(got, " "); s != "3:guide/setup.md#step-2=Setup 3:README.md=Welcome 3:notes.md=- 3:guide/README.md=Guide 5:ref.md#top=Reference" {
		t.Errorf("links: %s", s)
	}
	checkDiags(t, problems, []string{"ref.md:3:58: link to notes.md: no SUMMARY.md entry makes it a page"})

	big := bytes.Repeat([]byte("[x](notes.md)\n"), MaxLinkCheck/14+1)
	if links, problems := p.PageLinks("ref.md", big, "ref.md"); links != nil || len(problems) != 1 || !strings.Contains(problems[0].Message, "its links are not checked") {
		t.Errorf("a page over the limit: %d links, %v", len(links), problems)
	}
}

func TestPaths(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, slug, title string }{
		{"guide/getting-started.md", "getting-started", "Getting started"},
		{"guide/README.md", "guide", "Guide"},
		{"README.md", "", "README"},
		{"My Page_2.md", "my-page-2", "My Page 2"},
	} {
		if got := SlugForPath(tt.in); got != tt.slug {
			t.Errorf("SlugForPath(%q) = %q, want %q", tt.in, got, tt.slug)
		}
		if got := TitleFromPath(tt.in); got != tt.title {
			t.Errorf("TitleFromPath(%q) = %q, want %q", tt.in, got, tt.title)
		}
	}
	for in, want := range map[string]string{"Editing & publishing documentation": "editing-and-publishing-documentation", "How to customize your site’s theme": "how-to-customize-your-sites-theme", "Node.js/NPM": "node-js-npm"} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}
