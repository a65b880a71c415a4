package openapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/emulatortest"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/internal/golden"
	"github.com/gitbook-sync/gitbook-sync/internal/httpfault"
	"github.com/gitbook-sync/gitbook-sync/internal/testcorpus"
	"github.com/gitbook-sync/gitbook-sync/openapi"
)

var ctx = context.Background()

// The client refuses exactly what GitBook's own parser refuses (the
// archive's verdicts were recorded by running it).
func TestGitBookVerdicts(t *testing.T) {
	t.Parallel()
	ar, err := txtar.ParseFile("testdata/gitbook-parser.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ar.Files {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			reject := strings.HasPrefix(f.Name, "reject/")
			rej, msg := openapi.Verdict(f.Data)
			if (rej != openapi.Accepted) != reject || (reject && msg == "") {
				t.Errorf("Check = %v %q, want rejected %v", rej, msg, reject)
			}
			spec, problems := openapi.LoadData(ctx, f.Data, f.Name)
			if errs := problems.Errors(); (len(errs) > 0) != reject || (spec == nil) != reject {
				t.Errorf("LoadData: spec %v, problems %v; want rejected %v", spec != nil, problems, reject)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	// A mapping with more keys than are compared one by one.
	bigMapping := "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {}\nx-big:\n"
	for i := range 20 {
		bigMapping += fmt.Sprintf("  k%d: %d\n", i, i)
	}
	tests := []struct {
		name, text    string
		errors, warns int
		first         string // the first diagnostic, as printed
	}{
		{"pets 3.0", read(t, "testdata/pets-3.0.yaml"), 0, 0, ""},
		{"pets 3.1 (type arrays, an ECMA-262 lookahead)", read(t, "testdata/pets-3.1.json"), 0, 0, ""},
		{"kin-openapi's finding is a warning, placed by the parser", read(t, "testdata/duplicate-required.yaml"), 0, 1,
			`spec.yaml:5:5: /paths/~1things/get: duplicate field "id" in required`},
		{"no info: GitBook processes it", "openapi: 3.0.3\npaths: {}\n", 0, 1, "spec.yaml:1:1: /info: must be an object"},
		{"openApi: A", "openApi: A\n", 1, 0, `spec.yaml:1:1: not an OpenAPI document: no "openapi" (or "swagger") version field`},
		{"a number for a version", "openapi: 3.0\ninfo: {title: x, version: '1'}\npaths: {}\n", 1, 0,
			`spec.yaml:1:10: /openapi: openapi: the version must be a string: quote it (openapi: "3.0.0")`},
		{"unsupported version", "openapi: 4.0.0\n", 1, 0, `spec.yaml:1:10: /openapi: openapi: version "4.0.0" is not one GitBook reads (3.0, 3.1, 3.2)`},
		{"duplicate key", "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {}\npaths: {}\n", 1, 0,
			`spec.yaml:4:1: /paths: key "paths" is given twice (first on line 3); GitBook's YAML parser refuses duplicate keys`},
		{"duplicate key in a nested mapping", "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get: {responses: {'200': {description: a, description: b}}}\n", 1, 0,
			`spec.yaml:5:47: /paths/~1a/get/responses/200/description: key "description" is given twice (first on line 5); GitBook's YAML parser refuses duplicate keys`},
		{"duplicate key in a large mapping", bigMapping + "  k3: again\n", 1, 0,
			`spec.yaml:25:3: /x-big/k3: key "k3" is given twice (first on line 8); GitBook's YAML parser refuses duplicate keys`},
		{"a large mapping without duplicates", bigMapping, 0, 0, ""},
		{"the same text as a number and as a string is two keys", "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {}\nx-codes: {1: a, '1': b}\n", 0, 0, ""},
		{"YAML syntax", "openapi: 3.0.3\ninfo: [\n", 1, 0, "spec.yaml:3:1: not valid YAML: did not find expected node content"},
		{"broken JSON", "{\"openapi\": \"3.0.3\",\n \"info\": }", 1, 0, "spec.yaml:2:10: not valid JSON: invalid character '}' looking for beginning of value"},
		{"an internal $ref that does not resolve", "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/Nope'}\n", 0, 1,
			`spec.yaml:7:23: /paths/~1a/get/responses/200/$ref: "#/components/responses/Nope" does not resolve in this file: GitBook shows it unresolved`},
		{"Swagger 2.0: GitBook converts it", "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n", 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			p := filepath.Join(dir, "spec.yaml")
			write(t, p, tt.text)
			spec, problems, err := openapi.LoadFile(ctx, p, dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(problems.Errors()) != tt.errors || len(problems.Warnings()) != tt.warns {
				t.Fatalf("%d errors, %d warnings, want %d and %d:\n%s", len(problems.Errors()), len(problems.Warnings()), tt.errors, tt.warns, problems)
			}
			if (spec == nil) != (tt.errors > 0) {
				t.Errorf("spec %v with %d errors", spec != nil, tt.errors)
			}
			if tt.first != "" {
				if got := strings.TrimPrefix(problems[0].String(), dir+"/"); got != tt.first {
					t.Errorf("first problem:\n got %s\nwant %s", got, tt.first)
				}
			}
		})
	}
}

func TestLinesInJSON(t *testing.T) {
	t.Parallel()
	data := []byte("{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"x\", \"version\": \"1\"},\n  \"paths\": {\n    \"/a\": {\n      \"get\": {\n        \"responses\": {\"200\": {\"description\": \"x\", \"content\": {\"application/json\": {\"schema\": {\"type\": \"object\", \"required\": [\"id\", \"id\"]}}}}}\n      }\n    }\n  }\n}\n")
	dir := t.TempDir()
	write(t, filepath.Join(dir, "api.json"), string(data))
	_, problems, err := openapi.LoadFile(ctx, filepath.Join(dir, "api.json"), dir)
	if err != nil || len(problems) != 1 || problems[0].Line != 6 || problems[0].Col != 7 || problems[0].Field != "/paths/~1a/get" {
		t.Errorf("problems: %+v %v", problems, err)
	}
}

// A YAML spec is parsed as it is read and read again for its text, which
// must be the text that was checked; a JSON spec's text is kept.
func TestTextIsTheTextChecked(t *testing.T) {
	t.Parallel()
	yamlText := read(t, "testdata/pets-3.0.yaml")
	jsonText := read(t, "testdata/pets-3.1.json")
	for _, tt := range []struct {
		name, file, text string
		change           bool
		want             string // the error, when the file changed
	}{
		{"YAML as checked", "spec.yaml", yamlText, false, ""},
		{"YAML changed meanwhile", "spec.yaml", yamlText, true, "the file changed while it was being checked: run again"},
		{"JSON as checked", "spec.json", jsonText, false, ""},
		{"JSON changed meanwhile: the text checked is kept", "spec.json", jsonText, true, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			p := filepath.Join(dir, tt.file)
			write(t, p, tt.text)
			c, problems, err := openapi.Check(p, dir)
			if err != nil || c == nil {
				t.Fatalf("%v %v", problems, err)
			}
			if tt.change {
				write(t, p, tt.text+"\n")
			}
			text, err := c.Text()
			spec, problems := c.Model(ctx)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Text: %v, want %q", err, tt.want)
				}
				if errs := problems.Errors(); len(errs) != 1 || !strings.Contains(errs[0].Message, tt.want) || errs[0].File != p {
					t.Errorf("Model: %v, want one error %q", problems, tt.want)
				}
				return
			}
			if err != nil || string(text) != tt.text {
				t.Errorf("Text: %.40q %v, want the file as checked", text, err)
			}
			if len(problems) != 0 || string(spec.Text) != tt.text {
				t.Errorf("Model: Text %.40q, %v; want the file as checked", spec.Text, problems)
			}
		})
	}
}

// Every file read for a spec is inside the repository once symlinks are
// resolved; anything else is refused, naming the file and the field.
func TestFilesStayInTheRepository(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	repo := filepath.Join(base, "repo")
	write(t, filepath.Join(base, "secret.yaml"), "Secret: {type: string, description: the password is hunter2}\n")
	write(t, filepath.Join(repo, "schemas.yaml"), "Pet: {type: object}\n")
	spec := func(ref string) string {
		return "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: x\n          content:\n            application/json:\n              schema: {$ref: '" + ref + "'}\n"
	}
	write(t, filepath.Join(repo, "inside.yaml"), spec("schemas.yaml#/Pet"))
	write(t, filepath.Join(repo, "up.yaml"), spec("../secret.yaml#/Secret"))
	write(t, filepath.Join(repo, "abs.yaml"), spec(filepath.Join(base, "secret.yaml")+"#/Secret"))
	write(t, filepath.Join(repo, "missing.yaml"), spec("nope.yaml#/Pet"))
	write(t, filepath.Join(repo, "fragment.yaml"), spec("schemas.yaml#/Dog"))
	write(t, filepath.Join(repo, "via-link.yaml"), spec("link.yaml#/Secret"))
	mustSymlink(t, filepath.Join(base, "secret.yaml"), filepath.Join(repo, "link.yaml"))
	write(t, filepath.Join(base, "outside-spec.yaml"), spec("schemas.yaml#/Pet"))
	mustSymlink(t, filepath.Join(base, "outside-spec.yaml"), filepath.Join(repo, "linked-spec.yaml"))
	mustSymlink(t, "inside.yaml", filepath.Join(repo, "alias.yaml"))
	// Absolute, so GitBook's copy of the repository cannot follow it.
	mustSymlink(t, filepath.Join(repo, "inside.yaml"), filepath.Join(repo, "abs-alias.yaml"))

	tests := []struct{ file, field, want string }{
		{"inside.yaml", "", ""},
		{"alias.yaml", "", ""}, // a relative symlink to a file inside the repository
		{"up.yaml", "/paths/~1a/get/responses/200/content/application~1json/schema/$ref", "outside the repository"},
		{"abs.yaml", "/paths/~1a/get/responses/200/content/application~1json/schema/$ref", "outside the repository"},
		{"via-link.yaml", "/paths/~1a/get/responses/200/content/application~1json/schema/$ref", "symbolic link link.yaml → " + filepath.Join(base, "secret.yaml") + " leads outside the repository"},
		{"linked-spec.yaml", "file", "symbolic link linked-spec.yaml → " + filepath.Join(base, "outside-spec.yaml") + " leads outside the repository"},
		{"abs-alias.yaml", "file", "symbolic link abs-alias.yaml → " + filepath.Join(repo, "inside.yaml") + " leads outside the repository"},
		{"missing.yaml", "/paths/~1a/get/responses/200/content/application~1json/schema/$ref", "does not exist"},
		{"fragment.yaml", "/paths/~1a/get/responses/200/content/application~1json/schema/$ref", `"#/Dog" is not in`},
	}
	// The repository's root spelt through a link above it, as /tmp is
	// /private/tmp on macOS: the same files are inside it.
	mustSymlink(t, repo, filepath.Join(base, "spelt"))
	for _, p := range []struct{ file, root string }{
		{filepath.Join(base, "spelt", "inside.yaml"), repo},
		{filepath.Join(repo, "inside.yaml"), filepath.Join(base, "spelt")},
	} {
		if _, problems, err := openapi.LoadFile(ctx, p.file, p.root); err != nil || len(problems.Errors()) > 0 {
			t.Errorf("%s in %s: %v %v", p.file, p.root, problems, err)
		}
	}
	if _, problems, _ := openapi.LoadFile(ctx, filepath.Join(base, "spelt", "up.yaml"), repo); len(problems.Errors()) != 1 {
		t.Errorf("a link out, through the other spelling of the root: %v", problems)
	}

	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			spec, problems, err := openapi.LoadFile(ctx, filepath.Join(repo, tt.file), repo)
			if err != nil {
				t.Fatal(err)
			}
			errs := problems.Errors()
			if tt.want == "" {
				if len(errs) > 0 || spec == nil {
					t.Fatalf("refused: %v", problems)
				}
				if strings.Contains(string(spec.Text), "schemas.yaml") {
					t.Errorf("the text sent still refers to another file:\n%s", spec.Text)
				}
				return
			}
			if spec != nil || len(errs) != 1 || errs[0].Field != tt.field || !strings.Contains(errs[0].Message, tt.want) || errs[0].File != filepath.Join(repo, tt.file) {
				t.Fatalf("problems %v; want one error at %s saying %q", problems, tt.field, tt.want)
			}
			if strings.Contains(problems.String(), "hunter2") {
				t.Error("the outside file's content was read into a message")
			}
		})
	}
}

func TestOpenAISpecPublishes(t *testing.T) {
	t.Parallel()
	p := testcorpus.Path(t, "corpus/openapi/openai-openai-openapi/openapi.yaml")
	spec, problems, err := openapi.LoadFile(ctx, p, filepath.Dir(p))
	if err != nil || spec == nil || len(problems.Errors()) > 0 {
		t.Fatalf("spec %v, err %v, errors:\n%s", spec != nil, err, problems.Errors())
	}
	for _, d := range problems {
		if d.Line == 0 {
			t.Errorf("a problem without a line: %s", d)
		}
	}
}

func TestDiffGolden(t *testing.T) {
	t.Parallel()
	old := load(t, "testdata/pets-3.0.yaml")
	new := load(t, "testdata/pets-3.1.json")
	c, err := openapi.Compare(old, new)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/diff-summary.md", []byte(c.Summary()))
	if len(c.Removed) != 1 || c.Removed[0].String() != "GET /pets/{id}" || len(c.Added) != 1 || c.Added[0].String() != "POST /pets" {
		t.Errorf("changes: %+v", c)
	}
	if len(c.Breaking) == 0 || c.Breaking[0].Level != "error" || c.Breaking[0].ID == "" {
		t.Errorf("breaking: %+v", c.Breaking)
	}
	same, _ := openapi.Compare(old, old)
	if !same.Empty() || same.Summary() != "No change to the API's operations.\n" {
		t.Errorf("same spec: %+v", same)
	}
}

func TestLongListsFold(t *testing.T) {
	t.Parallel()
	c := &openapi.Changes{}
	for i := range 11 {
		c.Added = append(c.Added, openapi.Operation{Method: "GET", Path: fmt.Sprintf("/a%d", i)})
	}
	c.Breaking = []openapi.Change{{ID: "api-path-removed-without-deprecation", Level: "error", Method: "GET", Path: "/b", Message: "api path removed without deprecation"}}
	s := c.Summary()
	if !strings.HasPrefix(s, "**Breaking changes** (1)\n- `GET /b: api path removed") || !strings.Contains(s, "<details><summary><b>Operations added</b> (11)</summary>") {
		t.Errorf("summary:\n%s", s)
	}
}

func publishOpts(c *gitbook.Client, slug, file string) openapi.PublishOptions {
	return openapi.PublishOptions{Client: c, Organization: "org-1", Slug: slug, Source: openapi.Source{File: file}, Root: "testdata", Poll: 5 * time.Millisecond, Wait: 10 * time.Second}
}

func writes(env *emulatortest.Env) int {
	n := 0
	for _, r := range env.Server.Requests() {
		if r.Method != http.MethodGet {
			n++
		}
	}
	env.Server.ResetRequests()
	return n
}

func TestPublishLifecycle(t *testing.T) {
	env := emulatortest.Start(t, emulator.Seed{}, emulator.Options{OperationDelay: 20 * time.Millisecond})
	c := env.Client(t, nil)

	res, err := openapi.Publish(ctx, publishOpts(c, "pets", "testdata/pets-3.0.yaml"))
	if err != nil || !res.First || !res.Published || res.Version == "" {
		t.Fatalf("first publish: %+v %v", res, err)
	}
	if w := writes(env); w != 1 {
		t.Errorf("first publish: %d writes", w)
	}

	res, err = openapi.Publish(ctx, publishOpts(c, "pets", "testdata/pets-3.0.yaml"))
	if err != nil || !res.Identical || res.Published {
		t.Fatalf("unchanged: %+v %v", res, err)
	}
	if w := writes(env); w != 0 {
		t.Errorf("unchanged spec: %d writes, want 0", w)
	}

	// A dry run (a pull request) compares and sends nothing.
	o := publishOpts(c, "pets", "testdata/pets-3.1.json")
	o.DryRun = true
	res, err = openapi.Publish(ctx, o)
	if err != nil || res.Published || res.Changes == nil || len(res.Changes.Breaking) == 0 || len(res.Changes.Added) != 1 {
		t.Fatalf("dry run: %+v %v", res, err)
	}
	if w := writes(env); w != 0 {
		t.Errorf("dry run: %d writes", w)
	}

	res, err = openapi.Publish(ctx, publishOpts(c, "pets", "testdata/pets-3.1.json"))
	if err != nil || !res.Published || res.Version == "" {
		t.Fatalf("changed: %+v %v", res, err)
	}
	versions, _ := c.OpenAPISpecVersions(ctx, "org-1", "pets")
	if len(versions) != 2 {
		t.Errorf("%d versions, want 2", len(versions))
	}
	writes(env)

	// Warnings are shown and do not stop publishing; strict stops it.
	o = publishOpts(c, "warned", "testdata/duplicate-required.yaml")
	res, err = openapi.Publish(ctx, o)
	if err != nil || !res.Published || len(res.Diagnostics) != 1 || res.Diagnostics[0].Severity != diag.Warning {
		t.Errorf("warnings: %+v %v", res, err)
	}
	writes(env)
	o.Strict, o.Force = true, true
	if _, err = openapi.Publish(ctx, o); !errors.Is(err, openapi.ErrInvalid) || !strings.Contains(err.Error(), "strict") {
		t.Errorf("strict: %v", err)
	}
	if w := writes(env); w != 0 {
		t.Errorf("strict sent the spec: %d writes", w)
	}

	// A spec split across files is sent as one document.
	res, err = openapi.Publish(ctx, publishOpts(c, "split", "testdata/multi/openapi.yaml"))
	if err != nil || !res.Published {
		t.Fatalf("multi-file: %+v %v", res, err)
	}
	raw, _ := c.LatestOpenAPIRaw(ctx, "org-1", "split")
	if strings.Contains(raw.Text, "order.yaml") || !strings.Contains(raw.Text, "sku") {
		t.Errorf("the published text still refers to other files:\n%s", raw.Text)
	}
	if res, err = openapi.Publish(ctx, publishOpts(c, "split", "testdata/multi/openapi.yaml")); err != nil || !res.Identical {
		t.Errorf("re-publishing the split spec: %+v %v", res, err)
	}
	writes(env)

	// What GitBook refuses is not sent.
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.yaml"), "openApi: A\n")
	o = publishOpts(c, "refused", filepath.Join(dir, "a.yaml"))
	o.Root = dir
	if _, err := openapi.Publish(ctx, o); !errors.Is(err, openapi.ErrInvalid) {
		t.Errorf("refused: %v", err)
	}
	if w := writes(env); w != 0 {
		t.Errorf("an invalid spec was sent: %d writes", w)
	}
}

// What GitBook's processing refuses comes back as ErrProcessing with its
// errors; URL sources are fetched by GitBook.
func TestPublishURLSource(t *testing.T) {
	served := map[string]string{"/good.yaml": read(t, "testdata/pets-3.0.yaml"), "/bad.yaml": "just: notes\n", "/dup.yaml": "openapi: 3.0.3\nopenapi: 3.0.3\n"}
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if body, ok := served[r.URL.Path]; ok {
			fmt.Fprint(w, body)
			return
		}
		http.NotFound(w, r)
	}))
	defer src.Close()
	env := emulatortest.Start(t, emulator.Seed{}, emulator.Options{})
	c := env.Client(t, nil)
	url := func(slug, path string) openapi.PublishOptions {
		return openapi.PublishOptions{Client: c, Organization: "org-1", Slug: slug, Source: openapi.Source{URL: src.URL + path}, Poll: 5 * time.Millisecond, Wait: 10 * time.Second}
	}
	res, err := openapi.Publish(ctx, url("from-url", "/good.yaml"))
	if err != nil || !res.Published {
		t.Fatalf("url: %+v %v", res, err)
	}
	for _, tt := range []struct{ path, want string }{
		{"/bad.yaml", "Can’t find supported Swagger/OpenAPI version"},
		{"/dup.yaml", "Invalid OpenAPI document"},
	} {
		res, err = openapi.Publish(ctx, url("bad", tt.path))
		if !errors.Is(err, openapi.ErrProcessing) || !strings.Contains(err.Error(), "PARSE_ERROR") || len(res.Diagnostics) != 1 || !strings.Contains(res.Diagnostics[0].Message, tt.want) {
			t.Errorf("%s: %+v %v", tt.path, res, err)
		}
	}
	_, err = openapi.Publish(ctx, url("gone", "/missing.yaml"))
	if !errors.Is(err, openapi.ErrProcessing) || !strings.Contains(err.Error(), "FETCH_ERROR") {
		t.Errorf("fetch error: %v", err)
	}
}

func load(t *testing.T, p string) *openapi.Spec {
	t.Helper()
	s, problems, err := openapi.LoadFile(ctx, p, "testdata")
	if err != nil || s == nil {
		t.Fatalf("%s: %v %v", p, problems, err)
	}
	return s
}

func read(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func write(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// A PUT whose answer is lost is not sent again: each PUT adds a version.
// When GitBook received it, the run follows its processing and reports
// it published; when not, it fails saying so, and the next run sends it.
func TestPublishAnswerLost(t *testing.T) {
	for _, tt := range []struct {
		name             string
		earlier, carried bool
	}{
		{"new spec, received", false, true},
		{"new spec, not received", false, false},
		{"new version, received", true, true},
		{"new version, not received", true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := emulatortest.Start(t, emulator.Seed{}, emulator.Options{OperationDelay: 20 * time.Millisecond})
			direct := env.Client(t, nil)
			before := 0
			if tt.earlier {
				if _, err := openapi.Publish(ctx, publishOpts(direct, "pets", "testdata/pets-3.0.yaml")); err != nil {
					t.Fatal(err)
				}
				before = 1
			}
			writes(env)
			isPut := func(r *http.Request) bool { return r.Method == http.MethodPut }
			c, err := gitbook.New(gitbook.Options{BaseURL: env.URL, Token: env.Token,
				HTTPClient: &http.Client{Transport: httpfault.Answer503(isPut, tt.carried)(http.DefaultTransport)},
				Sleep:      func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
			if err != nil {
				t.Fatal(err)
			}
			res, err := openapi.Publish(ctx, publishOpts(c, "pets", "testdata/pets-3.1.json"))
			versions, _ := direct.OpenAPISpecVersions(ctx, "org-1", "pets")
			if w := writes(env); tt.carried != (w == 1) || w > 1 {
				t.Errorf("%d writes reached GitBook; want the PUT once if it was carried, else none", w)
			}
			if tt.carried {
				if err != nil || !res.Published || res.Version == "" || len(versions) != before+1 {
					t.Fatalf("received but answer lost: %+v, %v, %d versions; want published once", res, err, len(versions))
				}
				return
			}
			if !errors.Is(err, gitbook.ErrOutcomeUnknown) || !strings.Contains(err.Error(), "run again to send it") || res.Published || len(versions) != before {
				t.Fatalf("not received: %+v, %v, %d versions; want a failure saying to run again", res, err, len(versions))
			}
			// The next run sends it.
			res, err = openapi.Publish(ctx, publishOpts(direct, "pets", "testdata/pets-3.1.json"))
			if err != nil || !res.Published {
				t.Fatalf("next run: %+v %v", res, err)
			}
		})
	}
}

// A lost PUT after a version GitBook could not process: those errors may
// be of the earlier text, so they are not put on this file; the outcome
// stays unknown and the run says to check and run again.
func TestPublishAnswerLostAfterFailedProcessing(t *testing.T) {
	t.Parallel()
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "just: notes\n") }))
	defer src.Close()
	env := emulatortest.Start(t, emulator.Seed{}, emulator.Options{})
	direct := env.Client(t, nil)
	earlier := openapi.PublishOptions{Client: direct, Organization: "org-1", Slug: "pets", Source: openapi.Source{URL: src.URL + "/bad.yaml"}, Poll: 5 * time.Millisecond, Wait: 10 * time.Second}
	if _, err := openapi.Publish(ctx, earlier); !errors.Is(err, openapi.ErrProcessing) {
		t.Fatalf("earlier, refused version: %v", err)
	}
	isPut := func(r *http.Request) bool { return r.Method == http.MethodPut }
	c, err := gitbook.New(gitbook.Options{BaseURL: env.URL, Token: env.Token,
		HTTPClient: &http.Client{Transport: httpfault.Answer503(isPut, false)(http.DefaultTransport)},
		Sleep:      func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := openapi.Publish(ctx, publishOpts(c, "pets", "testdata/pets-3.0.yaml"))
	if !errors.Is(err, gitbook.ErrOutcomeUnknown) || errors.Is(err, openapi.ErrProcessing) || !strings.Contains(err.Error(), "of this text or of an earlier one") {
		t.Errorf("error %v; want the outcome unknown, not this file's processing failure", err)
	}
	for _, d := range res.Diagnostics {
		if strings.HasPrefix(d.Message, "GitBook:") {
			t.Errorf("the earlier version's processing error was put on this file: %v", d)
		}
	}
}
