package content

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// dump prints a tree one entry a line, children indented with dots.
func dump(entries []*Entry) string {
	var b strings.Builder
	var walk func(list []*Entry, depth int)
	walk = func(list []*Entry, depth int) {
		for _, e := range list {
			fmt.Fprintf(&b, "%s%s %q", strings.Repeat(".", depth), e.Kind, e.Title)
			for _, f := range []struct{ k, v string }{{"slug", e.Slug}, {"path", e.Path}, {"anchor", e.Anchor}, {"label", e.NavLabel}, {"href", e.Href}} {
				if f.v != "" {
					fmt.Fprintf(&b, " %s=%q", f.k, f.v)
				}
			}
			if e.Computed != nil {
				fmt.Fprintf(&b, " type=%q spec=%q", e.Computed.Type, e.Computed.Spec)
			}
			fmt.Fprintf(&b, " line=%d\n", e.Line)
			walk(e.Children, depth+1)
		}
	}
	walk(entries, 0)
	return b.String()
}

// TestParseSummary holds every import case: each reads the SUMMARY.md
// forms GitBook's export writes (seen in GitbookIO/public-docs and its
// history) and the forms people write by hand.
func TestParseSummary(t *testing.T) {
	tests := []struct {
		name, in, want string
		diags          []string // substrings, one per diagnostic, in order
	}{
		{
			name: "nesting by indentation, mixed bullets and tabs",
			in:   "# Table of contents\n\n* [A](a.md)\n    - [B](a/b.md)\n\t+ [C](a/c.md)\n* [D](d.md)\n",
			want: "document \"A\" path=\"a.md\" line=3\n" +
				".document \"B\" path=\"a/b.md\" line=4\n" +
				".document \"C\" path=\"a/c.md\" line=5\n" +
				"document \"D\" path=\"d.md\" line=6\n",
		},
		{
			name: "group heading with GitBook's anchor: no HTML in the title, the id is the slug",
			in:   "* [Home](README.md)\n\n## Get Started <a href=\"#getting-started\" id=\"getting-started\"></a>\n\n* [Quickstart](q.md)\n",
			want: "document \"Home\" path=\"README.md\" line=1\n" +
				"group \"Get Started\" slug=\"getting-started\" line=3\n" +
				".document \"Quickstart\" path=\"q.md\" line=5\n",
		},
		{
			name: "*** ends the group: the pages after it are at the top level",
			in:   "* [Home](README.md)\n\n## Help\n\n* [Support](support.md)\n\n***\n\n* [Skill](skill/README.md)\n  * [Write](skill/write.md)\n",
			want: "document \"Home\" path=\"README.md\" line=1\n" +
				"group \"Help\" line=3\n" +
				".document \"Support\" path=\"support.md\" line=5\n" +
				"document \"Skill\" path=\"skill/README.md\" line=9\n" +
				".document \"Write\" path=\"skill/write.md\" line=10\n",
		},
		{
			name: "page.md#anchor is a link to a heading of that page, before or after the page",
			in:   "* [Buttons](inline.md#buttons)\n* [Inline](inline.md)\n* [Icons](inline.md#icons)\n",
			want: "link \"Buttons\" path=\"inline.md\" anchor=\"#buttons\" line=1\n" +
				"document \"Inline\" path=\"inline.md\" line=2\n" +
				"link \"Icons\" path=\"inline.md\" anchor=\"#icons\" line=3\n",
		},
		{
			name:  "a file listed only with an anchor is the page",
			in:    "* [A](a.md)\n* [Part](b.md#part)\n* [More](b.md#more)\n",
			want:  "document \"A\" path=\"a.md\" line=1\ndocument \"Part\" path=\"b.md\" line=2\nlink \"More\" path=\"b.md\" anchor=\"#more\" line=3\n",
			diags: []string{"SUMMARY.md:2:3: b.md is listed only with an anchor (#part): the entry is taken as the page and the anchor ignored"},
		},
		{
			name: "GitBook's export writes a link to a page as the page's file: the entry with sub-pages is the page",
			in:   "* [Publish](publish/README.md)\n  * [Access](access/README.md)\n* [Access](access/README.md)\n  * [Okta](access/okta.md)\n",
			want: "document \"Publish\" path=\"publish/README.md\" line=1\n" +
				".link \"Access\" path=\"access/README.md\" line=2\n" +
				"document \"Access\" path=\"access/README.md\" line=3\n" +
				".document \"Okta\" path=\"access/okta.md\" line=4\n",
		},
		{
			name:  "a file listed twice, neither with sub-pages: the first is the page",
			in:    "* [A](a.md)\n* [A again](a.md)\n",
			want:  "document \"A\" path=\"a.md\" line=1\nlink \"A again\" path=\"a.md\" line=2\n",
			diags: []string{"SUMMARY.md:2:3: a.md is already listed at line 1"},
		},
		{
			name:  "a file listed twice with sub-pages is an error",
			in:    "* [A](a.md)\n  * [B](b.md)\n* [A](a.md)\n  * [C](c.md)\n",
			want:  "document \"A\" path=\"a.md\" line=1\n.document \"B\" path=\"b.md\" line=2\nlink \"A\" path=\"a.md\" line=3\n.document \"C\" path=\"c.md\" line=4\n",
			diags: []string{"error: SUMMARY.md:3:3: a.md is listed with sub-pages at lines 1 and 3"},
		},
		{
			name: "backticks, emphasis, escapes and entities are markup, not title text",
			in:   "* [Patching with `when()`](when.md)\n* [Bulk patching with stubs\\(\\)](stubs.md)\n* [*New* &amp; \\[beta\\]](new.md)\n",
			want: "document \"Patching with when()\" path=\"when.md\" line=1\n" +
				"document \"Bulk patching with stubs()\" path=\"stubs.md\" line=2\n" +
				"document \"New & [beta]\" path=\"new.md\" line=3\n",
		},
		{
			name:  "text after the link: the path is the link's, the rest is reported",
			in:    "* [A](a.md) (draft)\n",
			want:  "document \"A\" path=\"a.md\" line=1\n",
			diags: []string{"SUMMARY.md:1:3: text outside the link"},
		},
		{
			name: "entries inside a multi-line HTML comment are not pages",
			in:   "* [A](a.md)\n<!--\n* [B](b.md)\n\n* [C](c.md)\n-->\n* [D](d.md)\n  <!-- * [E](e.md) -->\n",
			want: "document \"A\" path=\"a.md\" line=1\ndocument \"D\" path=\"d.md\" line=7\n",
		},
		{
			name: "link titles, external links, angle brackets and encoded paths",
			in:   "* [Install](<guides/install linux.md> \"Install on Linux\")\n* [Site](https://example.com/x)\n* [Mail](mailto:a@b.c)\n* [Spaced](guides/my%20page.md)\n* [Hi [there]](hi.md)\n",
			want: "document \"Install\" path=\"guides/install linux.md\" label=\"Install on Linux\" line=1\n" +
				"link \"Site\" href=\"https://example.com/x\" line=2\n" +
				"link \"Mail\" href=\"mailto:a@b.c\" line=3\n" +
				"document \"Spaced\" path=\"guides/my page.md\" line=4\n" +
				"document \"Hi [there]\" path=\"hi.md\" line=5\n",
		},
		{
			name: "GitBook's computed OpenAPI block is a computed page under its parent, reported",
			in: "* [API reference](api/README.md)\n  * ```yaml\n    props:\n      models: false\n    type: builtin:openapi\n" +
				"    dependencies:\n      spec:\n        ref:\n          kind: openapi\n          spec: gitbook\n    ```\n* [Errors](errors.md)\n",
			want: "document \"API reference\" path=\"api/README.md\" line=1\n" +
				".computed \"\" type=\"builtin:openapi\" spec=\"gitbook\" line=2\n" +
				"document \"Errors\" path=\"errors.md\" line=12\n",
			diags: []string{"SUMMARY.md:2:5: computed page (builtin:openapi of spec \"gitbook\")"},
		},
		{
			name:  "a list item without a link becomes an empty page, keeping its sub-pages",
			in:    "* [AI](ai/README.md)\n  - Configuration\n    - [Customizing](ai/custom.md)\n",
			want:  "document \"AI\" path=\"ai/README.md\" line=1\n.document \"Configuration\" line=2\n..document \"Customizing\" path=\"ai/custom.md\" line=3\n",
			diags: []string{"SUMMARY.md:2:5: \"Configuration\" has no link: GitBook makes it an empty page"},
		},
		{
			name:  "prose and other blocks are reported, not pages",
			in:    "Some prose\n\n* [A](a.md)\n* [Logo](logo.png)\n",
			want:  "document \"A\" path=\"a.md\" line=3\n",
			diags: []string{"SUMMARY.md:1:1: not a list item or heading", "SUMMARY.md:4:3: logo.png is not a Markdown file"},
		},
		{
			name:  "a malformed link is an error at its line",
			in:    "* [A](a.md)\n* [B(b.md)\n",
			want:  "document \"A\" path=\"a.md\" line=1\n",
			diags: []string{"error: SUMMARY.md:2:3: malformed link"},
		},
		{
			name:  "a path leaving the content root is an error",
			in:    "* [A](../a.md)\n",
			diags: []string{"error: SUMMARY.md:1:3: link \"../a.md\": want a Markdown file inside the content root"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := ParseSummary([]byte(tt.in), "SUMMARY.md")
			if got := dump(s.Entries); got != tt.want {
				t.Errorf("entries:\n%s\nwant:\n%s", got, tt.want)
			}
			checkDiags(t, s.Diagnostics, tt.diags)
			if (err != nil) != (len(s.Diagnostics.Errors()) > 0) {
				t.Errorf("err = %v with diagnostics %v", err, s.Diagnostics)
			}
		})
	}
}

// checkDiags compares diagnostics with substrings of their text; a want
// starting with "error: " must be an error, any other a warning.
func checkDiags(t *testing.T, got diag.List, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("diagnostics:\n%s\nwant %d: %q", got, len(want), want)
	}
	for i, w := range want {
		sev := diag.Warning
		if s, ok := strings.CutPrefix(w, "error: "); ok {
			sev, w = diag.Error, s
		}
		if got[i].Severity != sev || !strings.Contains(got[i].String(), w) {
			t.Errorf("diagnostic %d = %s %q, want %s containing %q", i, got[i].Severity, got[i], sev, w)
		}
	}
}

// TestSummaryRoundTrip renders a parsed summary and parses it again: the
// tree, slugs, anchors, labels and computed pages survive.
func TestSummaryRoundTrip(t *testing.T) {
	in := "* [Home](README.md)\n* [A [x] \\\\ y *z* `c`](a/README.md \"Short\")\n  * [B](a/b%20c.md)\n  * ```yaml\n    type: builtin:openapi\n    props:\n      models: true\n    ```\n" +
		"* [Ext](https://e.com)\n\n## Group <a href=\"#grp\" id=\"grp\"></a>\n\n* [C](c.md)\n* [Sec](c.md#sec)\n\n***\n\n* [D](d.md)\n"
	s1, err := ParseSummary([]byte(in), "in")
	if err != nil {
		t.Fatal(err)
	}
	out := RenderSummary(s1.Entries)
	s2, err := ParseSummary(out, "out")
	if err != nil {
		t.Fatal(err)
	}
	if a, b := noLines(dump(s1.Entries)), noLines(dump(s2.Entries)); a != b {
		t.Errorf("round trip changed the tree:\n%s\n---\n%s\nrendered:\n%s", a, b, out)
	}
}

func noLines(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if i := strings.LastIndex(l, " line="); i >= 0 {
			l = l[:i]
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// largeSummary is a SUMMARY.md laid out as ../shared/bench/mkrepo.py lays
// out its 20,000 pages: groups of folders, each folder's README with its
// pages nested under it.
func largeSummary(pages int) []byte {
	var b strings.Builder
	b.WriteString("# Table of contents\n\n* [Introduction](README.md)\n")
	groups := max(1, pages/400)
	for g := range groups {
		fmt.Fprintf(&b, "\n\n## Group-%03d\n\n", g)
		for sub := range 20 {
			fmt.Fprintf(&b, "* [Topic %d.%d](group-%03d/topic-%02d/README.md)\n", g, sub, g, sub)
			for i := sub*groups + g; i < pages; i += 20 * groups {
				fmt.Fprintf(&b, "  * [Page %d](group-%03d/topic-%02d/page-%06d.md)\n", i, g, sub, i)
			}
		}
	}
	return []byte(b.String())
}

func BenchmarkParseSummary(b *testing.B) {
	data := largeSummary(20000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSummary(data, "SUMMARY.md"); err != nil {
			b.Fatal(err)
		}
	}
}

// samePlainLinks fails unless ParseSummary, which reads plainly written
// links without goldmark's inline parser, gives exactly what goldmark's
// CommonMark parser alone gives: entries, lines, columns, diagnostics.
func samePlainLinks(t testing.TB, in []byte) {
	t.Helper()
	want, wantErr := parseSummary(markdown, in, "SUMMARY.md")
	got, gotErr := ParseSummary(in, "SUMMARY.md")
	if !reflect.DeepEqual(got, want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("%q:\ngot:\n%s%v\nwant (goldmark alone):\n%s%v", in, dump(got.Entries), got.Diagnostics, dump(want.Entries), want.Diagnostics)
	}
}

// plainLinkCases are lines around the plain form, where CommonMark reads
// them differently: setext headings, lazy continuation, indented code,
// reference definitions, tabs, CR, quotes, brackets, entities.
var plainLinkCases = []string{
	"[A](a.md)\n---\n",
	"[A](a.md)\n===\n",
	"* [A](a.md)\n  ---\n",
	"* [A](a.md)\n  ===\n",
	"* [A](a.md)\n===\n",
	"- [A](a.md)\n---\n",
	"[x]: /y\n===\n[A](a.md)\n",
	"[a.md]: b.md\n* [A](a.md)\n* [a.md]\n",
	"* [A](a.md)\n[B](b.md)\n",
	"* [A](a.md)\n      * [B](b.md)\n",
	"* [A](a.md)\n\n      * [B](b.md)\n",
	"* [A](a.md)\n\n  [B](b.md)\n",
	"* [A](a.md)  \n* [B](b.md)\t\n",
	"* [A](a.md)\r\n* [B](b.md)\r\n",
	"*\t[A](a.md)\n\t* [B](b.md)\n  \t[C](c.md)\n",
	"*     [A](a.md)\n*    [B](b.md)\n",
	"    [A](a.md)\n",
	"[A](a.md)\n",
	"> [A](a.md)\n> * [B](b.md)\n",
	"* [A](a.md \"L\")\n* [B](b.md 'L')\n* [C](c.md (L))\n* [D](d.md \"\")\n* [E](e.md  \"M  N\" )\n",
	"* [A](<a b.md>)\n* [B]( b.md )\n* [C](c.md\"x\")\n* [D](d(1).md)\n",
	"* [](b.md)\n* [ ](c.md)\n* [ A  B ](a.md)\n* [A\u00a0B\u2003](a.md)\n",
	"* [A](a.md)\x00\n* [B\x00](b.md)\n* [C](c\x7f.md)\n",
	"* [A&amp;B](a.md)\n* [A](a&amp;.md)\n* [A](a%20b.md \"&lt;\")\n",
	"* [A\\]](a.md)\n* [A](a\\).md)\n* [A](a.md \"x\\\"y\")\n",
	"* [A [B]](a.md)\n* [A](a.md)]\n* [[A](a.md)](b.md)\n* ![A](a.md)\n",
	"* [*A*](a.md)\n* [`A`](a.md)\n* [_A_](a.md)\n* [<b>A</b>](a.md)\n* [<http://x>](a.md)\n",
	"* [A](http://x.com)\n* [A](//x)\n* [A](a.md#h)\n* [A](%2e%2e/a.md)\n* [A](../a.md)\n* [A](a.png)\n* [A](#x)\n* [A](x:y)\n* [A](1x:y.md)\n",
	"* [A](a.md)\n  * [A](a.md)\n* [B](b.md#x)\n* [B](b.md#y)\n",
	"* [A](a.md)\n<div>\n* [B](b.md)\n</div>\n  <!-- [C](c.md) -->\n",
	"1. [A](a.md)\n2) [B](b.md)\n* [C](c.md)\n",
	"## [A](a.md)\n\n* [B](b.md)\n\n***\n\n* [C](c.md)\n",
	"* [A](a.md) \\\n* [B](b.md)\\\n  [C](c.md)\n",
	"* ```yaml\n  [A](a.md)\n  ```\n* ~~~\n[B](b.md)\n",
	"* [A](a.md)",
	"[A](a.md)\n    [B](b.md)\n",
	"  * [A](a.md)\n * [B](b.md)\n   * [C](c.md)\n    * [D](d.md)\n",
}

func TestPlainLinksAsGoldmark(t *testing.T) {
	t.Parallel()
	for _, in := range plainLinkCases {
		samePlainLinks(t, []byte(in))
	}
	samePlainLinks(t, largeSummary(2000))
	files := corpusFiles(t, "corpus/GitbookIO-public-docs")
	for _, dir := range publicDocsSpaces {
		data, err := files.Read(dir + "/SUMMARY.md")
		if err != nil {
			t.Fatal(err)
		}
		samePlainLinks(t, data)
	}
}

// summaryPieces builds SUMMARY.md-like documents line by line from
// choices, for comparing the two parsers where CommonMark's rules meet.
var summaryPieces = [][]string{
	{"", "", "  ", "    ", "      ", "\t", " ", "   ", "        "},   // indentation
	{"* ", "- ", "+ ", "", "1. ", "> ", "*   ", "*     ", "*\t", ""}, // marker
	{ // content
		"[A](a.md)", "[B](b/README.md)", "[A](a.md \"Lab el\")", "[C c](c.md#h)", "[D](https://d.io)",
		"[A](a.md)", "[B](b.md)", "[E *e*](e.md)", "[F](f.md) x", "[G](<g g.md>)", "[H](h.md 'h')",
		"## Group", "## G <a href=\"#g\" id=\"g\"></a>", "# Table of contents", "***", "---", "===", "",
		"Text", "[x]: /y", "[A]", "```yaml", "```", "<!--", "-->", "<div>", "[](a.md)", "[I](i.png)",
		"[A](../a.md)", "[J](j.md)  ", "[K](k.md)\r", "[L\\](l.md)", "[M](m&amp;.md)",
	},
}

// genSummary makes a document from choice bytes, three a line.
func genSummary(choices []byte) []byte {
	var b strings.Builder
	for i := 0; i+2 < len(choices); i += 3 {
		for k, set := range summaryPieces {
			b.WriteString(set[int(choices[i+k])%len(set)])
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

func TestPlainLinksAsGoldmarkGenerated(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for range n {
		choices := make([]byte, 3*(1+r.IntN(12)))
		for i := range choices {
			choices[i] = byte(r.UintN(256))
		}
		samePlainLinks(t, genSummary(choices))
	}
}

func FuzzPlainLinksAsGoldmark(f *testing.F) {
	for _, s := range plainLinkCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		samePlainLinks(t, data)
		samePlainLinks(t, genSummary(data))
	})
}

func TestHasScheme(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
	for _, s := range []string{"", ":", "a:", "a", "http://x", "mailto:a", "1a:", "a1+.-:x", "a_b:", "-a:", "a.md", "a/b:c", "Z9:"} {
		if got, want := hasScheme(s), re.MatchString(s); got != want {
			t.Errorf("hasScheme(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestCollapseSpaces(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", " ", "a", " a", "a ", "a  b", "a b c", "a\tb", "a\u00a0b", "é b", "a\nb", "\x00a", "a\x85"} {
		if got, want := collapseSpaces(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("collapseSpaces(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestPlainLinksSkipInlineParsing: the plain form does become a
// summaryLink (else the comparisons above would compare goldmark with
// itself), and a setext underline keeps the paragraph goldmark's.
func TestPlainLinksSkipInlineParsing(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"* [A b](a.md)\n": true, "* [A](a.md \"L\")": true, "[A](a.md)\n\n": true,
		"[A](a.md)\n---\n": false, "* [A](a.md) x\n": false, "* [A](a.md)\n  [B](b.md)\n": false,
	} {
		found := false
		_ = ast.Walk(parseSummaryMarkdown(summaryMarkdown, []byte(in)), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			_, ok := n.(*summaryLink)
			found = found || ok
			return ast.WalkContinue, nil
		})
		if found != want {
			t.Errorf("%q: summaryLink found = %v, want %v", in, found, want)
		}
	}
}
