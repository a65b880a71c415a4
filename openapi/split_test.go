package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// wholeLoad is kin-openapi's own loading, which loadSplit must match.
func wholeLoad(t *testing.T, data []byte) *openapi3.T {
	t.Helper()
	loader := newLoader(context.Background())
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		t.Fatalf("whole load: %v", err)
	}
	return doc
}

// sameDoc fails unless both documents encode to the same JSON and give
// the same validation problems.
func sameDoc(t *testing.T, name string, data []byte, split, whole *openapi3.T) {
	t.Helper()
	a, err := json.Marshal(split)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(whole)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		i := 0
		for i < len(a) && i < len(b) && a[i] == b[i] {
			i++
		}
		lo := max(0, i-200)
		t.Fatalf("split load differs from whole load at byte %d:\nsplit: %s\nwhole: %s", i, a[lo:min(len(a), i+200)], b[lo:min(len(b), i+200)])
	}
	_, ps, _ := finish(context.Background(), name, data, split, nil)
	_, pw, _ := finish(context.Background(), name, data, whole, nil)
	if len(ps) != len(pw) {
		t.Fatalf("%d problems split, %d whole", len(ps), len(pw))
	}
	for i := range ps {
		if ps[i] != pw[i] {
			t.Errorf("problem %d: split %v, whole %v", i, ps[i], pw[i])
		}
	}
}

func TestSplitLoadMatchesWholeOnRealSpecs(t *testing.T) {
	files := []string{
		"../../shared/corpus/openapi/openai-openai-openapi/openapi.yaml",
		"../../shared/corpus/openapi/swagger-api-swagger-petstore/openapi.yaml",
		"../../shared/gitbook-api/openapi.json",
		"testdata/pets-3.0.yaml",
		"testdata/pets-3.1.json",
		"testdata/invalid.yaml",
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if os.IsNotExist(err) && strings.HasPrefix(f, "../../shared") {
				t.Skip("shared material absent")
			}
			if err != nil {
				t.Fatal(err)
			}
			doc, ok := loadSplit(context.Background(), data)
			if !ok {
				t.Fatal("split load refused a plain single-file spec")
			}
			sameDoc(t, f, data, doc, wholeLoad(t, data))
		})
	}
}

// layouts are texts the cutter must load as the whole load does, or refuse.
var layouts = func() []struct {
	name   string
	text   string
	wantOK bool
} {
	const head = "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\n"
	pathsYAML := "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: a\n  /b:\n    get:\n      responses:\n        '200':\n          description: b\n"
	return []struct {
		name   string
		text   string
		wantOK bool
	}{
		{"plain", head + pathsYAML, true},
		{"document marker and comments", "---\n# top\n" + head + "# before paths\n" + pathsYAML + "# trailing\n", true},
		{"four-space indentation and CRLF", strings.ReplaceAll(strings.ReplaceAll(head+pathsYAML, "  ", "    "), "\n", "\r\n"), true},
		{"no final newline", strings.TrimSuffix(head+pathsYAML, "\n"), true},
		{"extensions among paths and components", head + "paths:\n  x-tag: 1\n  /a:\n    get:\n      responses:\n        '200':\n          description: a\n  /b: {}\ncomponents:\n  x-c: [1, 2]\n  schemas:\n    A:\n      type: string\n    B: {$ref: '#/components/schemas/A'}\n  responses: {}\n", true},
		{"block scalars and quoted keys", head + "paths:\n  \"/a\":\n    description: |\n      line one\n\n      # not a comment\n    get:\n      responses:\n        '200':\n          description: >-\n            folded\n            text\n  '/b':\n    get:\n      responses:\n        '200':\n          description: b\n", true},
		{"quoted scalars and flow collections over lines", head + "paths:\n  /a:\n    description: \"starts here\n  /looks: like a path\"\n    summary: 'single\n  /x: y'\n    get:\n      tags: [a,\n  \"/z: w]\"]\n      responses: {'200': {description:\n  ok}}\n  /b:\n    get:\n      responses:\n        '200':\n          description: b\n", true},
		{"quoted scalar over top-level lines", "A: \"x\npaths:\n 00:1:\n0: y\"\n" + head + pathsYAML, true},
		{"components map given twice", head + "components:\n  schemas:\n    A: {}\n    B: {}\n  schemas:\n" + pathsYAML, false},
		{"escaped key among paths", head + pathsYAML + "  \"\\x78-a\": 1\n", false},
		{"quoted top-level key", "\"openapi\": 3.0.3\ninfo: {title: t, version: '1'}\n" + pathsYAML, false},
		{"anchor used across entries", head + "paths:\n  /a:\n    get: &op\n      responses:\n        '200':\n          description: a\n  /b:\n    get: *op\n", false},
		{"anchor used within an entry", head + "paths:\n  /a:\n    get: &op\n      responses:\n        '200':\n          description: a\n    put: *op\n  /b:\n    get:\n      responses:\n        '200':\n          description: b\n", true},
		{"path given twice", head + pathsYAML + "  /a:\n    get:\n      responses:\n        '200':\n          description: again\n", false},
		{"paths given twice", head + pathsYAML + "\"paths\":\n  /c: {}\n", false},
		{"flow mapping across lines", head + "paths: {/a: {get: {responses: {'200': {description: a}}}},\n  /b: {}}\n", false},
		{"second document", head + pathsYAML + "---\nopenapi: 3.1.0\n", false},
		{"sequence where paths belong", head + "paths:\n  - /a\n  - /b\n", false},
		{"json", `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"a"}}}},"x-p":true,"/b":{}},"components":{"schemas":{"A":{"type":"string"},"B":{"$ref":"#/components/schemas/A"}},"x-c":1,"responses":{}}}`, true},
		{"json with a key given twice", `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{},"/a":{"get":{}}}}`, false},
		{"json with text after it", `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{},"/b":{}}} {}`, false},
	}
}()

// The cutter either reproduces the whole-document load or refuses.
func TestSplitLoadLayouts(t *testing.T) {
	tests := layouts
	defer func(n int) { pieceSize = n }(pieceSize)
	for _, size := range []int{pieceSize, 1} { // one piece; a piece per entry
		pieceSize = size
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%d", tt.name, size), func(t *testing.T) {
				data := []byte(tt.text)
				doc, ok := loadSplit(context.Background(), data)
				// With a piece per entry, every case is decided; in one
				// piece, an anchor may be found where the whole load
				// finds it, and the result must then match.
				if ok != tt.wantOK && (size == 1 || tt.wantOK) {
					t.Fatalf("split load ok = %v, want %v", ok, tt.wantOK)
				}
				if ok {
					sameDoc(t, tt.name, data, doc, wholeLoad(t, data))
				}
			})
		}
	}
}

// FuzzSplitLoad holds the cutter to its promise on arbitrary text: when
// it accepts a document, kin-openapi's whole load accepts it too and
// reads the same document.
func FuzzSplitLoad(f *testing.F) {
	for _, seed := range []string{
		"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: &o\n      responses: {'200': {description: a}}\n  /b:\n    get: *o\n",
		"openapi: 3.0.3\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    A: {type: string}\n    B:\n      $ref: '#/components/schemas/A'\n  x-y: 1\n",
		`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{},"x-b":2},"components":{"schemas":{"A":{}}}}`,
	} {
		f.Add(seed)
	}
	for _, l := range layouts {
		f.Add(l.text)
	}
	defer func(n int) { pieceSize = n }(pieceSize)
	pieceSize = 1
	f.Fuzz(func(t *testing.T, text string) {
		data := []byte(text)
		doc, ok := loadSplit(context.Background(), data)
		if !ok {
			return
		}
		loader := newLoader(context.Background())
		loader.IsExternalRefsAllowed = false
		whole, err := loader.LoadFromData(data)
		if err != nil {
			t.Fatalf("split load accepted what the whole load rejects: %v", err)
		}
		a, _ := json.Marshal(doc)
		b, _ := json.Marshal(whole)
		if !bytes.Equal(a, b) {
			t.Fatalf("split load differs:\nsplit: %s\nwhole: %s", a, b)
		}
	})
}

// manyProblems is a spec with enough component schemas to be validated
// in batches, and problems T.Validate finds across parts of the document:
// an operation requiring a security scheme not defined, two operations
// with one id, a path parameter not declared, a bad component name, and
// schemas wrong in themselves.
func manyProblems() []byte {
	var b strings.Builder
	b.WriteString("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n")
	b.WriteString("  /a/{id}:\n    get:\n      operationId: same\n      security: [{nowhere: []}]\n      responses: {'200': {description: ok}}\n")
	b.WriteString("  /b:\n    get:\n      operationId: same\n      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/S7'}}}}}\n")
	b.WriteString("components:\n  securitySchemes:\n    key: {type: apiKey, in: header, name: X-Key}\n  schemas:\n    'bad name!': {type: string}\n")
	for i := range 150 {
		fmt.Fprintf(&b, "    S%d:\n      type: object\n      properties: {id: {type: string}}\n", i)
		if i%20 == 7 {
			b.WriteString("      required: [id, id]\n")
		}
	}
	return []byte(b.String())
}

// validate, which checks batches of component schemas on other cores,
// reports what kin-openapi's T.Validate reports.
func TestValidateMatchesKin(t *testing.T) {
	generated := filepath.Join(t.TempDir(), "many-problems.yaml")
	if err := os.WriteFile(generated, manyProblems(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{
		generated,
		"../../shared/corpus/openapi/openai-openai-openapi/openapi.yaml",
		"../../shared/gitbook-api/openapi.json",
		"testdata/invalid.yaml",
		"testdata/pets-3.1.json",
	} {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if os.IsNotExist(err) && strings.HasPrefix(f, "../../shared") {
				t.Skip("shared material absent")
			}
			if err != nil {
				t.Fatal(err)
			}
			doc := wholeLoad(t, data)
			var got, want []string
			for _, e := range validate(context.Background(), doc) {
				got = append(got, e.Error())
			}
			for _, e := range multi(doc.Validate(context.Background(), validationOptions(doc)...)) {
				want = append(want, e.Error())
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("validate:\n%s\nT.Validate:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if (strings.Contains(f, "invalid") || f == generated) && len(got) == 0 {
				t.Error("no problem found in an invalid spec")
			}
			if f == generated {
				for _, want := range []string{"nowhere", `"same"`, "id", "bad name!", "duplicate field"} {
					if !strings.Contains(strings.Join(got, "\n"), want) {
						t.Errorf("no problem mentions %s:\n%s", want, strings.Join(got, "\n"))
					}
				}
			}
		})
	}
}

// jsonLine finds keys deep in a large document, past strings holding
// braces and escaped quotes.
func TestJSONLineOnALargeSpec(t *testing.T) {
	data, err := os.ReadFile("../../shared/gitbook-api/openapi.json")
	if os.IsNotExist(err) {
		t.Skip("shared material absent")
	}
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	n := 0
	for name := range doc.Components.Schemas {
		line := jsonLine(data, []string{"components", "schemas", name})
		if line == 0 || !strings.Contains(lines[line-1], `"`+name+`"`) {
			t.Fatalf("schema %s: line %d", name, line)
		}
		if n++; n == 50 {
			break
		}
	}
	// A name not there: the line of the deepest key found.
	if line := jsonLine(data, []string{"components", "schemas", "NoSuchSchema"}); line == 0 || !strings.Contains(lines[line-1], `"schemas"`) {
		t.Errorf("missing schema: line %d", line)
	}
}

// A problem's line is its key's, not that of a same-named key met earlier
// deeper in the document.
func TestProblemLineIsTheDirectChild(t *testing.T) {
	text := "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        B: {type: string}\n    B:\n      type: object\n      required: [id, id]\n"
	_, problems, err := LoadData(context.Background(), []byte(text), "api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || problems[0].Line != 10 || problems[0].Pointer != "/components/schemas/B" {
		t.Errorf("problems: %+v", problems)
	}
}
