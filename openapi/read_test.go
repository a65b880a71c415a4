package openapi

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// A text parsed as it is read gives what parsing the whole text gives:
// the same verdict, the same diagnostic, the same nodes at the same
// places; a YAML text is not kept, and its sum is the text's.
func TestParseFromMatchesParse(t *testing.T) {
	t.Parallel()
	inputs := specTexts(t)
	for name, text := range map[string]string{
		"no colon":                                 "# a comment\nopenapi 3.0.3\n",
		"a YAML error before the first colon":      "openapi\n- [\nkey: value\n",
		"a YAML error long before the first colon": "openapi\n- [\n" + strings.Repeat("z\n", 200<<10) + "key: value\n",
		"a document start":                         "---\nopenapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n",
		"a second document":                        "openapi: 3.0.3\n---\nopenapi: 3.0.3\n",
		"white space first":                        " \t\r\n\nopenapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n",
		"more white space than is peeked":          strings.Repeat(" \n", 40<<10) + "openapi: 3.0.3\n",
		"a key starting like true":                 "title: x\nopenapi: 3.0.3\n",
		"a number":                                 "-1\n",
		"a sequence":                               "- a\n- b: c\n",
		"a colon first":                            ":a\n",
		"a duplicate key":                          "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nopenapi: 3.0.3\n",
		"empty":                                    "",
		"JSON":                                     `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}`,
		"broken JSON":                              `{"openapi": }`,
	} {
		inputs[name] = given([]byte(text))
	}
	for name, input := range inputs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			text := input(t)
			want := parsed(parse("spec.yaml", text))
			readers := map[string]io.Reader{"whole": bytes.NewReader(text)}
			if len(text) < 1<<20 {
				readers["byte by byte"] = iotest.OneByteReader(bytes.NewReader(text))
			}
			for how, in := range readers {
				doc, rej, d, err := parseFrom("spec.yaml", in)
				if err != nil {
					t.Fatalf("%s: %v", how, err)
				}
				if got := parsed(doc, rej, d); got != want {
					t.Errorf("%s: parsed as read:\n%.2000s\nparsed whole:\n%.2000s", how, got, want)
				}
				if doc.text == nil && doc.sum != sha256.Sum256(text) {
					t.Errorf("%s: the sum is not the text's", how)
				}
				if doc.text != nil && !bytes.Equal(doc.text, text) {
					t.Errorf("%s: the text kept is not the text read", how)
				}
			}
		})
	}
}

// parsed describes what parse found: the verdict, the diagnostic, and the
// document with the positions problems are placed by.
func parsed(doc *document, rej Rejection, d *diag.Diagnostic) string {
	s := fmt.Sprintf("rejection %d", rej)
	if d != nil {
		s += ", " + d.String()
	}
	if doc.root != nil {
		data, err := toJSON(doc.root)
		s += fmt.Sprintf("\nJSON %s (%v)\npositions %v", data, err, positionsOf(doc.root))
	}
	return s
}

// A text is parsed as it is read only when parseText would take it for
// YAML before reading more than its first bytes.
func TestSurelyYAML(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		head string
		yaml bool
	}{
		{"openapi: 3.1.0", true},
		{"# comment\n", true},
		{"---\n", true},
		{" \t\r\n Openapi", true},
		{"swagger: '2.0'", true},
		{"{", false},
		{"[1]", false},
		{`"a"`, false},
		{"title: x", false}, // could be true
		{"false", false},
		{"null", false},
		{"-1", false},
		{"- a", false},
		{"7", false},
		{"", false},
		{" \n\t", false},
		{"\v openapi: 3.0.3", false}, // white space to TrimSpace, not to JSON
		{"\xef\xbb\xbfopenapi: 3.0.3", false},
		{":", false},
	} {
		if got := surelyYAML([]byte(tt.head)); got != tt.yaml {
			t.Errorf("surelyYAML(%q) = %v, want %v", tt.head, got, tt.yaml)
		}
	}
}

// A file that cannot be read to its end is an error, not a verdict.
func TestParseFromReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	for _, head := range []string{"openapi: 3.0.3\ninfo:", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n", `{"openapi": "3.0.3"`} {
		_, _, _, err := parseFrom("spec.yaml", io.MultiReader(strings.NewReader(head), iotest.ErrReader(boom)))
		if !errors.Is(err, boom) {
			t.Errorf("%q then a read error: %v", head, err)
		}
	}
}

func FuzzParseFrom(f *testing.F) {
	for _, s := range []string{"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n", "# c\nopenapi\n- [\nk: v\n", "---\na: &x {b: *x}\n", "openapi: 1\nopenapi: 2\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		doc, rej, d, err := parseFrom("spec.yaml", iotest.HalfReader(strings.NewReader(text)))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := parsed(doc, rej, d), parsed(parse("spec.yaml", []byte(text))); got != want {
			t.Fatalf("parsed as read:\n%s\nparsed whole:\n%s", got, want)
		}
	})
}
