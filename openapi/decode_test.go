package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/rogpeppe/go-internal/txtar"
	"go.yaml.in/yaml/v4"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/internal/testcorpus"
)

// The concurrent decoding gives the document kin-openapi gives for the
// whole text, and the same problems, on every spec at hand: the shared
// corpus, the test specs, GitBook's verdicts and the fuzz corpus.
func TestDecodeModelMatchesWholeDocument(t *testing.T) {
	t.Parallel()
	inputs := specTexts(t)
	inputs["paths and schemas with extensions, nulls and odd keys"] = given([]byte(`openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  x-paths: {a: 1}
  /a:
    x-item: 12345678901234567890
    get: {responses: {'200': {description: ok}}}
  /b: null
  nope: {}
components:
  schemas:
    A: {type: object, properties: {b: {$ref: '#/components/schemas/B'}}}
    B: true
    200: {type: integer, minimum: 1.0}
    'bad name': {type: string, pattern: '^(?=a)'}
    D: {$ref: '#/components/schemas/A', description: sibling}
  x-c: 1
x-top: [1, 2]
`))

	inputs["many schemas, some with problems"] = given(manySchemas(3*schemasPerPart + 5))
	// Found in review: an alias to the paths mapping (it is emptied as its
	// entries are taken apart), and keys that encoding/json takes for
	// one (it matches struct fields without regard to case).
	const info = `"openapi":"3.0.3","info":{"title":"t","version":"1"}`
	for name, text := range map[string]string{
		"alias to paths":          "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: &p {/a: {get: {responses: {'200': {description: ok}}}}}\ncomponents: {schemas: {A: {x-paths: *p}}}\n",
		"alias to schemas":        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\ncomponents: {schemas: &s {A: {type: string}}}\npaths: {x-s: *s}\n",
		"paths-inside-itself":     "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: &p {/a: {get: {responses: {'200': {description: ok}}}}, /b: {x: *p}}\n",
		"Paths null":              `{` + info + `,"paths":{"/a":{}},"Paths":null}`,
		"Paths given twice":       `{` + info + `,"paths":{"/a":{}},"Paths":{"/b":{}}}`,
		"Components null":         `{` + info + `,"paths":{},"components":{"schemas":{"A":{}}},"Components":null}`,
		"pathſ null":              `{` + info + `,"paths":{"/a":{}},"pathſ":null}`,
		"componentſ null":         `{` + info + `,"paths":{},"components":{"schemas":{"A":{}}},"componentſ":null}`,
		"ſchemas null":            `{` + info + `,"paths":{},"components":{"schemas":{"A":{}},"ſchemas":null}}`,
		"Schemas null":            `{` + info + `,"paths":{},"components":{"schemas":{"A":{}},"Schemas":null}}`,
		"paths differing by case": `{` + info + `,"paths":{"/Pets":{"summary":"a"},"/pets":{"summary":"b"}}}`,
	} {
		inputs[name] = given([]byte(text))
	}
	inputs["null-schema"] = given([]byte("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents: {schemas: {A: null}}\n"))

	for name, input := range inputs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			text := input(t)
			whole, wholeProblems, wholeErr := modelBy(wholeModel, plainValidate, text)
			split, splitProblems, splitErr := modelBy(decodeModel, validateModel, text)
			if (wholeErr != nil) != (splitErr != nil) {
				t.Fatalf("whole document: %v; concurrently: %v", wholeErr, splitErr)
			}
			if wholeErr != nil {
				if strings.HasPrefix(name, "testdata/p") || strings.HasPrefix(name, "shared/") || strings.Contains(name, " ") {
					t.Fatalf("a spec meant to load: %v", wholeErr)
				}
				return
			}
			if !bytes.Equal(whole, split) {
				t.Errorf("the documents differ:\nwhole:        %.3000s\nconcurrently: %.3000s", whole, split)
			}
			if strings.Contains(name, "with problems") && strings.Count(wholeProblems, "\n") < 10 {
				t.Errorf("too few problems found for the test to tell anything:\n%s", wholeProblems)
			}
			if wholeProblems != splitProblems {
				t.Errorf("the problems differ:\nwhole:\n%s\nconcurrently:\n%s", wholeProblems, splitProblems)
			}
		})
	}
}

// specTexts are the specs at hand, by name: the shared corpus (skipped
// without it), the test specs, GitBook's verdicts and the fuzz corpus.
func specTexts(t *testing.T) map[string]func(t *testing.T) []byte {
	t.Helper()
	inputs := map[string]func(t *testing.T) []byte{}
	for _, p := range []string{
		"corpus/openapi/openai-openai-openapi/openapi.yaml",
		"corpus/openapi/swagger-api-swagger-petstore/openapi.yaml",
		"gitbook-api/openapi.json",
	} {
		inputs["shared/"+p] = func(t *testing.T) []byte { return readFile(t, testcorpus.Path(t, p)) }
	}
	for _, p := range []string{"testdata/pets-3.0.yaml", "testdata/pets-3.1.json", "testdata/duplicate-required.yaml"} {
		inputs[p] = given(readFile(t, p))
	}
	ar, err := txtar.ParseFile("testdata/gitbook-parser.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ar.Files {
		inputs["gitbook-parser.txtar/"+f.Name] = given(f.Data)
	}
	seeds, _ := filepath.Glob("testdata/fuzz/FuzzLoad/*")
	for _, p := range seeds {
		_, text, _ := strings.Cut(string(readFile(t, p)), "\n")
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(text), "string("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		inputs[p] = given([]byte(s))
	}
	return inputs
}

func given(text []byte) func(*testing.T) []byte { return func(*testing.T) []byte { return text } }

func plainValidate(ctx context.Context, kdoc *openapi3.T, opts []openapi3.ValidationOption) []error {
	return leaves(kdoc.Validate(ctx, opts...))
}

// modelBy decodes an accepted OpenAPI 3 text with decode, resolves its
// references and validates it with check: the model as JSON, and the
// problems as they are reported.
func modelBy(decode func(*yaml.Node) (*openapi3.T, error), check func(context.Context, *openapi3.T, []openapi3.ValidationOption) []error, text []byte) ([]byte, string, error) {
	doc, rej, _ := parse("spec.yaml", text)
	if rej != Accepted || get(doc.root, "openapi") == nil {
		return nil, "", errors.New("not an accepted OpenAPI 3 text")
	}
	at := positionsOf(doc.root)
	kdoc, err := decode(doc.root)
	if err != nil {
		return nil, "", err
	}
	if err := openapi3.NewLoader().ResolveRefsIn(kdoc, nil); err != nil {
		return nil, "", err
	}
	// What is reported, and kin-openapi's errors as T.Validate gives them.
	var problems diag.List
	var texts []string
	for _, err := range check(context.Background(), kdoc, validationOptions(kdoc)) {
		problems = append(problems, placed(err, "spec.yaml", at))
		texts = append(texts, err.Error())
	}
	slices.Sort(texts)
	data, err := json.Marshal(kdoc)
	return data, sorted(problems).String() + "\n" + strings.Join(texts, "\n"), err
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// manySchemas is a 3.1 spec of n component schemas, enough to be decoded
// and validated in parts; every seventh has problems kin-openapi reports,
// and paths refer to some.
func manySchemas(n int) []byte {
	var b strings.Builder
	b.WriteString("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n")
	for i := range n / 10 {
		fmt.Fprintf(&b, "  /s%d:\n    get:\n      responses:\n        '200':\n          description: ok\n          content: {application/json: {schema: {$ref: '#/components/schemas/S%d'}}}\n", i, i*10)
	}
	b.WriteString("components:\n  schemas:\n")
	for i := range n {
		switch {
		case i%7 == 3:
			fmt.Fprintf(&b, "    S%d: {type: object, required: [a, a], properties: {a: {type: string, pattern: '^(?=x)'}}}\n", i)
		case i%7 == 5:
			fmt.Fprintf(&b, "    'bad name %d': {type: strin}\n", i)
			fallthrough
		default:
			fmt.Fprintf(&b, "    S%d: {type: object, properties: {next: {$ref: '#/components/schemas/S%d'}, n: {type: integer, minimum: %d}}}\n", i, (i+1)%n, i)
		}
	}
	return []byte(b.String())
}

// Strings written straight into the JSON read back as encoding/json's.
func TestWriteString(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", `a "quoted" \ path`, "tab\tnew\nline", "<b>&amp;</b>", "café ☕", "\u2028", "bad \xff utf-8", "\x00"} {
		var b bytes.Buffer
		writeString(&b, s)
		want, _ := json.Marshal(s)
		var got, wantBack string
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Errorf("%q written as %s: %v", s, b.Bytes(), err)
		}
		_ = json.Unmarshal(want, &wantBack)
		if got != wantBack {
			t.Errorf("%q reads back as %q, want %q", s, got, wantBack)
		}
	}
}
