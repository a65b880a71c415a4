package content

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name, in string
		want     Config
		wantErr  string
	}{
		{"empty means defaults", "", DefaultConfig(), ""},
		{"root with ./ and trailing slash", "root: ./docs/\n", Config{Root: "docs", Readme: "README.md", Summary: "SUMMARY.md"}, ""},
		{"structure", "structure:\n  readme: what.md\n  summary: ./toc/summary.md\n", Config{Readme: "what.md", Summary: "toc/summary.md"}, ""},
		{"redirects", "redirects:\n  old/page: new.md\n", Config{Readme: "README.md", Summary: "SUMMARY.md", Redirects: map[string]string{"old/page": "new.md"}}, ""},
		{"root outside", "root: ../elsewhere\n", Config{}, "leaves the project"},
		{"bad yaml", "root: [\n", Config{}, ".gitbook.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConfig([]byte(tt.in), ".gitbook.yaml")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func dump(entries []*Entry) string {
	var b strings.Builder
	var walk func(list []*Entry, depth int)
	walk = func(list []*Entry, depth int) {
		for _, e := range list {
			fmt.Fprintf(&b, "%s%s %q path=%q anchor=%q label=%q href=%q line=%d\n", strings.Repeat(".", depth), e.Kind, e.Title, e.Path, e.Anchor, e.NavLabel, e.Href, e.Line)
			walk(e.Children, depth+1)
		}
	}
	walk(entries, 0)
	return b.String()
}

func TestParseSummary(t *testing.T) {
	tests := []struct {
		name, in, want string
		warnings       int
		wantErr        string
	}{
		{
			name: "nesting by indentation, mixed bullets and tabs",
			in:   "# Table of contents\n\n* [A](a.md)\n    - [B](a/b.md)\n\t+ [C](a/c.md)\n* [D](d.md)\n", // a tab reaches column 4, as B does
			want: "document \"A\" path=\"a.md\" anchor=\"\" label=\"\" href=\"\" line=3\n" +
				".document \"B\" path=\"a/b.md\" anchor=\"\" label=\"\" href=\"\" line=4\n" +
				".document \"C\" path=\"a/c.md\" anchor=\"\" label=\"\" href=\"\" line=5\n" +
				"document \"D\" path=\"d.md\" anchor=\"\" label=\"\" href=\"\" line=6\n",
		},
		{
			name: "groups, link titles, external links, anchors, escapes, encoded paths",
			in: "* [Home](README.md)\n\n## Guides\n\n* [Install \\(Linux\\)](<guides/install linux.md> \"Install\")\n" +
				"* [Site](https://example.com/x)\n* [Spaced](guides/my%20page.md#top)\n* [Hi [there]](hi.md)\n",
			want: "document \"Home\" path=\"README.md\" anchor=\"\" label=\"\" href=\"\" line=1\n" +
				"group \"Guides\" path=\"\" anchor=\"\" label=\"\" href=\"\" line=3\n" +
				".document \"Install (Linux)\" path=\"guides/install linux.md\" anchor=\"\" label=\"Install\" href=\"\" line=5\n" +
				".link \"Site\" path=\"\" anchor=\"\" label=\"\" href=\"https://example.com/x\" line=6\n" +
				".document \"Spaced\" path=\"guides/my page.md\" anchor=\"#top\" label=\"\" href=\"\" line=7\n" +
				".document \"Hi [there]\" path=\"hi.md\" anchor=\"\" label=\"\" href=\"\" line=8\n",
		},
		{
			name: "a file listed twice: plain is dropped with a warning, anchored becomes a link",
			in:   "* [A](a.md)\n* [A again](a.md)\n* [Part](a.md#part)\n",
			want: "document \"A\" path=\"a.md\" anchor=\"\" label=\"\" href=\"\" line=1\n" +
				"link \"Part\" path=\"\" anchor=\"\" label=\"\" href=\"a.md#part\" line=3\n",
			warnings: 1,
		},
		{
			name:     "plain text items and prose are warnings, not pages",
			in:       "Some prose\n* Not a link\n* [A](a.md)\n",
			want:     "document \"A\" path=\"a.md\" anchor=\"\" label=\"\" href=\"\" line=3\n",
			warnings: 2,
		},
		{name: "broken link names the line", in: "* [A](a.md)\n* [B(b.md)\n", wantErr: "SUMMARY.md:2: malformed link"},
		{name: "path escaping the root", in: "* [A](../a.md)\n", wantErr: "SUMMARY.md:1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSummary([]byte(tt.in), "SUMMARY.md")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := dump(s.Entries); got != tt.want {
				t.Errorf("entries:\n%s\nwant:\n%s", got, tt.want)
			}
			if len(s.Warnings) != tt.warnings {
				t.Errorf("warnings = %q, want %d", s.Warnings, tt.warnings)
			}
		})
	}
}

// TestSummaryRoundTrip renders a parsed summary and parses it again.
func TestSummaryRoundTrip(t *testing.T) {
	in := "* [Home](README.md)\n* [A [x] \\\\ y](a/README.md \"Short\")\n  * [B](a/b%20c.md)\n* [Ext](https://e.com)\n\n## Group\n\n* [C](c.md#sec)\n"
	s1, err := ParseSummary([]byte(in), "in")
	if err != nil {
		t.Fatal(err)
	}
	out := RenderSummary(s1.Entries)
	s2, err := ParseSummary(out, "out")
	if err != nil {
		t.Fatal(err)
	}
	strip := func(s string) string { // lines differ by construction
		return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' }), "|")
	}
	a, b := dump(s1.Entries), dump(s2.Entries)
	if strip(removeLines(a)) != strip(removeLines(b)) {
		t.Errorf("round trip changed the tree:\n%s\n---\n%s\nrendered:\n%s", a, b, out)
	}
}

func removeLines(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if i := strings.LastIndex(l, " line="); i >= 0 {
			l = l[:i]
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func TestFrontMatter(t *testing.T) {
	tests := []struct {
		name, in   string
		wantMeta   Meta
		wantBody   string
		wantErr    bool
		roundTrips bool
	}{
		{"none", "# Title\n", Meta{}, "# Title\n", false, true},
		{"fields", "---\ndescription: Hi\nhidden: true\nicon: gear\n---\n\n# T\n", Meta{Description: "Hi", Hidden: true, Icon: "gear"}, "# T\n", false, true},
		{"horizontal rule is not front matter", "---\n\ntext\n", Meta{}, "---\n\ntext\n", false, true},
		{"bad yaml", "---\ndescription: [\n---\nx\n", Meta{}, "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, body, err := SplitFrontMatter([]byte(tt.in), "p.md")
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "p.md") {
					t.Fatalf("err = %v, want one naming p.md", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Description != tt.wantMeta.Description || m.Hidden != tt.wantMeta.Hidden || m.Icon != tt.wantMeta.Icon || string(body) != tt.wantBody {
				t.Errorf("got %+v %q", m, body)
			}
			if tt.roundTrips {
				if again := string(JoinFrontMatter(m, body)); again != tt.in {
					t.Errorf("round trip: %q, want %q", again, tt.in)
				}
			}
		})
	}
}

func memFiles(files map[string]string) Files {
	return Files{
		Read: func(p string) ([]byte, error) {
			if s, ok := files[p]; ok {
				return []byte(s), nil
			}
			return nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
		},
		List: func(dir string) ([]string, error) {
			var out []string
			for p := range files {
				if dir == "" || strings.HasPrefix(p, dir+"/") {
					out = append(out, p)
				}
			}
			sort.Strings(out)
			return out, nil
		},
	}
}

func TestLoad(t *testing.T) {
	t.Run("missing readme names the file and the setting", func(t *testing.T) {
		_, err := Load(memFiles(map[string]string{".gitbook.yaml": "root: docs\n", "docs/SUMMARY.md": ""}), "")
		if !errors.Is(err, ErrNoReadme) || !strings.Contains(err.Error(), "docs/README.md") || !strings.Contains(err.Error(), "structure.readme") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("missing files are skipped with a warning naming the line", func(t *testing.T) {
		p, err := Load(memFiles(map[string]string{"README.md": "x", "SUMMARY.md": "* [R](README.md)\n* [Gone](gone.md)\n"}), "")
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Pages) != 1 || len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "SUMMARY.md:2") {
			t.Fatalf("pages %d, warnings %q", len(p.Pages), p.Warnings)
		}
	})
}

func TestPaths(t *testing.T) {
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
	taken := map[string]bool{"guide/new.md": true}
	if got := PathForNewPage("guide/README.md", "new", false, func(p string) bool { return taken[p] }); got != "guide/new-2.md" {
		t.Errorf("PathForNewPage = %q", got)
	}
	if got := PathForNewPage("intro.md", "child", true, nil); got != "intro/child/README.md" {
		t.Errorf("PathForNewPage with children = %q", got)
	}
}

func TestPageTitle(t *testing.T) {
	for _, tt := range []struct{ body, fallback, want string }{
		{"# Install\n\ntext", "Setup", "Install"},
		{"\n\n# when\\(\\)\n", "x", "when()"},
		{"Intro text\n# Later heading\n", "From SUMMARY", "From SUMMARY"},
		{"## Second level\n", "From SUMMARY", "From SUMMARY"},
		{"", "From SUMMARY", "From SUMMARY"},
	} {
		if got := PageTitle([]byte(tt.body), tt.fallback); got != tt.want {
			t.Errorf("PageTitle(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}
