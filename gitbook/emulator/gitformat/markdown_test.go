package gitformat

import (
	"strings"
	"testing"
)

// TestNormalize: each rule turns what GitBook's export never writes into
// what it does; GitBook's own output is left alone (TestRoundTripPublicDocs
// holds that on 283 pages).
func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"line endings", "a\r\nb\rc\n", "a\nb\nc\n"},
		{"bullets", "- a\n- b\n  + c\n", "* a\n* b\n  * c\n"},
		{"bullets in a quote", "> - a\n", "> * a\n"},
		{"ordered delimiter", "1) a\n2) b\n", "1. a\n2. b\n"},
		{"thematic breaks", "a\n\n---\n\nb\n\n* * *\n\n___\n", "a\n\n***\n\nb\n\n***\n\n***\n"},
		{"setext headings", "Title\n=====\n\nSub\n---\n", "# Title\n\n## Sub\n"},
		{"closing hashes", "## Title ##\n", "## Title\n"},
		{"emphasis", "an *em* word and **strong**\n", "an _em_ word and **strong**\n"},
		{"strong", "a __strong__ word\n", "a **strong** word\n"},
		{"intraword star emphasis stays", "foo*bar*baz\n", "foo*bar*baz\n"},
		{"hard break of spaces", "line one  \nline two\n", "line one\\\nline two\n"},
		{"trailing spaces", "text   \n\n# H \n", "text\n\n# H\n"},
		{"code is kept", "```\na  \n- b\n*c*\n```\n", "```\na  \n- b\n*c*\n```\n"},
		{"indented code becomes fenced", "text\n\n    code\n    more\n", "text\n\n```\ncode\nmore\n```\n"},
		{"HTML is kept", "<div>\n- a  \n</div>\n", "<div>\n- a  \n</div>\n"},
		{"final newline", "text", "text\n"},
		{"blank lines are kept", "a\n\n\n\nb\n\n", "a\n\n\n\nb\n\n"},
		{"empty", "\n\n", ""},
		{"GitBook's blocks are kept", "{% hint style=\"info\" %}\n_note_\n{% endhint %}\n", "{% hint style=\"info\" %}\n_note_\n{% endhint %}\n"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("%s: Normalize(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
		if again := Normalize(tt.want); again != tt.want {
			t.Errorf("%s: not a fixed point: %q -> %q", tt.name, tt.want, again)
		}
	}
}

func TestTitles(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ heading, title string }{
		{"Bulk patching with `stubs()`", "Bulk patching with stubs()"},
		{`Patching functions with when\(\)`, "Patching functions with when()"},
		{`Get Started <a href="#getting-started" id="getting-started"></a>`, "Get Started"},
		{`The complete guide \[updated for 2026]`, "The complete guide [updated for 2026]"},
		{"Search &amp; Quick find", "Search & Quick find"},
		{"**Bold** _title_", "Bold title"},
	} {
		if got := plainText(tt.heading); got != tt.title {
			t.Errorf("plainText(%q) = %q, want %q", tt.heading, got, tt.title)
		}
	}
	// Escaping a title for a heading or a link reads back as the title.
	for _, title := range []string{"A [b] `c` *d* _e_ <f> \\g", "Search & Quick find", "when()"} {
		for _, link := range []bool{false, true} {
			if got := plainText(escapeInline(title, link)); got != title {
				t.Errorf("escapeInline(%q, %v) reads back as %q", title, link, got)
			}
		}
	}
}

func TestSlugify(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Editing & publishing documentation": "editing-and-publishing-documentation",
		"How to use GitBook’s editor":        "how-to-use-gitbooks-editor",
		"Get Started":                        "get-started",
		"Développeurs":                       "developpeurs",
		"🇺🇸 English":                         "english",
		"  --  ":                             "",
		strings.Repeat("ab ", 60):            strings.TrimRight(strings.Repeat("ab-", 60)[:MaxSlug], "-"),
	} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLinks(t *testing.T) {
	t.Parallel()
	doc := "[a](b.md) ![i](<../x y.png> \"t\") `[not](c.md)` <a href=\"d/\">d</a> {% content-ref url=\"e.md\" %}\n\n```\n[no](f.md)\n```\n"
	var got []string
	for _, l := range scanLinks(doc) {
		got = append(got, l.dest)
	}
	if strings.Join(got, ",") != "b.md,../x y.png,d/,e.md" {
		t.Errorf("links = %v", got)
	}
	for _, tt := range []struct{ from, to, want string }{
		{"a/b.md", "a/c.md", "c.md"},
		{"a/b.md", "README.md", "../README.md"},
		{"a/b.md", "a/README.md", "./"},
		{"README.md", "plans/README.md", "plans/"},
		{"x/y/z.md", "x/q/r.md", "../q/r.md"},
	} {
		if got := relativeLink(tt.from, tt.to); got != tt.want {
			t.Errorf("relativeLink(%s, %s) = %s, want %s", tt.from, tt.to, got, tt.want)
		}
		if !resolvesTo(tt.from, relativeLink(tt.from, tt.to), tt.to) {
			t.Errorf("%s does not resolve back to %s from %s", relativeLink(tt.from, tt.to), tt.to, tt.from)
		}
	}
}

func TestFrontMatterRewrite(t *testing.T) {
	t.Parallel()
	m, body, err := splitFrontMatter([]byte("---\ndescription: Old\nlayout:\n  width: wide\ntags:\n  - beta\n---\n\n# T\n"))
	if err != nil || string(body) != "# T\n" {
		t.Fatalf("split: %q %v", body, err)
	}
	if m.render() != "---\ndescription: Old\nlayout:\n  width: wide\ntags:\n  - beta\n---\n\n" {
		t.Errorf("unchanged front matter rewritten: %q", m.render())
	}
	m.Description, m.Hidden = "New", true
	if got, want := m.render(), "---\ndescription: New\nlayout:\n  width: wide\ntags:\n  - beta\nhidden: true\n---\n\n"; got != want {
		t.Errorf("render = %q, want %q", got, want)
	}
	if _, _, err := splitFrontMatter([]byte("---\n: [\n---\n")); err == nil {
		t.Error("invalid front matter was accepted")
	}
}
