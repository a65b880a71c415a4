package content

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets: no input panics, and what parses without error survives a
// round trip. Seeds are in testdata/fuzz/<target>; scripts/fuzz.sh runs
// every target of the repository.

func FuzzParseSummary(f *testing.F) {
	for _, s := range []string{
		"# Table of contents\n\n* [A](a.md)\n  * [B](b/README.md \"Label\")\n\n## G <a href=\"#g\" id=\"g\"></a>\n\n* [C](c.md#x)\n\n***\n\n* [D](https://d)\n",
		"* ```yaml\n  type: builtin:openapi\n  ```\n",
		"<!--\n* [X](x.md)\n-->\n- Plain\n  - [Y](y.md) (draft)\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSummary(data, "SUMMARY.md")
		if s == nil {
			t.Fatal("no summary returned")
		}
		if err != nil || !utf8.Valid(data) {
			return
		}
		// Rendering and reading again keeps the tree.
		again, err := ParseSummary(RenderSummary(s.Entries), "again")
		if err != nil {
			t.Fatalf("rendered summary does not parse: %v\n%s", err, RenderSummary(s.Entries))
		}
		if a, b := noLines(dump(s.Entries)), noLines(dump(again.Entries)); a != b {
			t.Fatalf("round trip changed the tree:\n%s\n---\n%s\nrendered:\n%s", a, b, RenderSummary(s.Entries))
		}
	})
}

func FuzzSplitFrontMatter(f *testing.F) {
	for _, s := range []string{
		"---\ndescription: d\nhidden: true\nlayout:\n  width: wide\n---\n\n# T\n",
		"---\ntitle: x\n---\n",
		"---\n\ntext\n",
		"---\r\na: [1\r\n---\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, body, err := SplitFrontMatter(data, "p.md")
		if err != nil {
			return
		}
		_ = DocumentTitle(m, body, "fallback")
		if m.Empty() || bytes.HasPrefix(body, []byte("---")) {
			return // written back, the body's own rule would read as front matter
		}
		// Writing it back keeps the body, and is stable: YAML oddities
		// (a null key) may be normalised once, then never again.
		once := JoinFrontMatter(m, body)
		m2, body2, err := SplitFrontMatter(once, "again")
		if err != nil {
			t.Fatalf("joined front matter does not parse: %v\n%s", err, once)
		}
		if !bytes.Equal(body, body2) {
			t.Fatalf("body %q became %q", body, body2)
		}
		if twice := JoinFrontMatter(m2, body2); !bytes.Equal(once, twice) {
			t.Fatalf("not stable:\n%s\n---\n%s", once, twice)
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"root: ./docs/\nstructure:\n  readme: intro.md\n  summary: toc.md\nredirects:\n  old: new.md\n",
		"structure:\n  sumary: x\n",
		"root: ../..\n",
		"redirects: [a]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig(data, ".gitbook.yaml")
		if err != nil {
			return
		}
		for _, p := range append([]string{cfg.Root, cfg.Readme, cfg.Summary}, redirectTargets(cfg)...) {
			if strings.HasPrefix(p, "/") || p == ".." || strings.HasPrefix(p, "../") {
				t.Fatalf("path %q leaves the project", p)
			}
		}
	})
}

func redirectTargets(c Config) []string {
	var out []string
	for _, v := range c.Redirects {
		out = append(out, v)
	}
	return out
}

// FuzzCountLines: no input panics, and the counts are within the sizes.
func FuzzCountLines(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nB\nc")
	f.Add("x\nx\nx\n", "x\ny\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		added, removed := CountLines(a, b)
		la, lb := len(splitLines(a)), len(splitLines(b))
		if added < 0 || removed < 0 || added > lb || removed > la || la-removed != lb-added {
			t.Fatalf("+%d -%d for %d and %d lines", added, removed, la, lb)
		}
	})
}
