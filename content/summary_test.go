package content

import (
	"fmt"
	"strings"
	"testing"

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
