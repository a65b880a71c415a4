package openapi_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/emulatortest"
	"github.com/gitbook-sync/gitbook-sync/openapi"
)

var update = flag.Bool("update", false, "rewrite golden files")

var ctx = context.Background()

func TestValidate(t *testing.T) {
	tests := []struct {
		file       string
		wantErrors int
		wantText   string
	}{
		{"testdata/pets-3.0.yaml", 0, ""},
		{"testdata/pets-3.1.json", 0, ""}, // 3.1 type arrays and an ECMA-262 lookahead
		{"testdata/multi/openapi.yaml", 0, ""},
		{"testdata/invalid.yaml", 1, `testdata/invalid.yaml:5: /paths/~1things/get: duplicate field "id" in required`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			spec, problems, err := openapi.LoadFile(ctx, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if n := openapi.Errors(problems); n != tt.wantErrors {
				t.Fatalf("%d errors, want %d: %v", n, tt.wantErrors, problems)
			}
			if tt.wantText != "" && !strings.HasPrefix(problems[0].String(), tt.wantText) {
				t.Errorf("problem %q, want it to start with %q", problems[0], tt.wantText)
			}
			if tt.wantErrors == 0 && spec == nil {
				t.Error("no spec")
			}
		})
	}
	t.Run("not OpenAPI", func(t *testing.T) {
		_, problems, _ := openapi.LoadData(ctx, []byte("title: notes\n"), "notes.yaml")
		if openapi.Errors(problems) != 1 || !strings.Contains(problems[0].Message, "not an OpenAPI") {
			t.Errorf("problems: %v", problems)
		}
	})
	t.Run("a reference to a missing file names it", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "api.yaml")
		os.WriteFile(p, []byte("openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: x\n          content:\n            application/json:\n              schema: {$ref: 'missing.yaml#/X'}\n"), 0o644)
		_, problems, err := openapi.LoadFile(ctx, p)
		if err != nil || openapi.Errors(problems) != 1 || !strings.Contains(problems[0].Message, "missing.yaml") {
			t.Errorf("problems: %v %v", problems, err)
		}
	})
}

func TestLinesInJSON(t *testing.T) {
	data := []byte("{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"x\", \"version\": \"1\"},\n  \"paths\": {\n    \"/a\": {\n      \"get\": {\n        \"responses\": {\"200\": {\"description\": \"x\", \"content\": {\"application/json\": {\"schema\": {\"type\": \"object\", \"required\": [\"id\", \"id\"]}}}}}\n      }\n    }\n  }\n}\n")
	_, problems, _ := openapi.LoadData(ctx, data, "api.json")
	if len(problems) != 1 || problems[0].Line != 6 || problems[0].Pointer != "/paths/~1a/get" {
		t.Errorf("problems: %+v", problems)
	}
}

func TestIdenticalIgnoresFormatting(t *testing.T) {
	yamlText, _ := os.ReadFile("testdata/pets-3.0.yaml")
	reordered := []byte("info: {version: \"1.0\", title: Pets}\n" + strings.Replace(string(yamlText), "info: {title: Pets, version: \"1.0\"}\n", "", 1))
	if !openapi.Identical(yamlText, reordered) {
		t.Error("key order and flow style should not matter")
	}
	if openapi.Identical(yamlText, []byte(strings.Replace(string(yamlText), "The pets", "All pets", 1))) {
		t.Error("a changed description is a change")
	}
}

func TestDiffSummaryGolden(t *testing.T) {
	old, _, _ := openapi.LoadFile(ctx, "testdata/pets-3.0.yaml")
	new, _, _ := openapi.LoadFile(ctx, "testdata/pets-3.1.json")
	c, err := openapi.Compare(old, new)
	if err != nil {
		t.Fatal(err)
	}
	got := c.Summary()
	golden := "testdata/diff-summary.md"
	if *update {
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, _ := os.ReadFile(golden)
	if got != string(want) {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	if len(c.Removed) != 1 || c.Removed[0] != "GET /pets/{id}" || len(c.Added) != 1 || c.Added[0] != "POST /pets" || len(c.Breaking) == 0 {
		t.Errorf("changes: %+v", c)
	}
	same, _ := openapi.Compare(old, old)
	if !same.Empty() || same.Summary() != "No change to the API's operations.\n" {
		t.Errorf("same spec: %+v", same)
	}
}

func publishOpts(c *gitbook.Client, slug string, src openapi.Source) openapi.PublishOptions {
	return openapi.PublishOptions{Client: c, Organization: "org-1", Slug: slug, Source: src, Poll: 5 * time.Millisecond, Wait: 10 * time.Second}
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

	res, err := openapi.Publish(ctx, publishOpts(c, "pets", openapi.Source{File: "testdata/pets-3.0.yaml"}))
	if err != nil || !res.First || !res.Published || res.Version == "" {
		t.Fatalf("first publish: %+v %v", res, err)
	}
	if w := writes(env); w != 1 {
		t.Errorf("first publish: %d writes", w)
	}

	res, err = openapi.Publish(ctx, publishOpts(c, "pets", openapi.Source{File: "testdata/pets-3.0.yaml"}))
	if err != nil || !res.Identical || res.Published {
		t.Fatalf("unchanged: %+v %v", res, err)
	}
	if w := writes(env); w != 0 {
		t.Errorf("unchanged spec: %d writes, want 0", w)
	}

	res, err = openapi.Publish(ctx, publishOpts(c, "pets", openapi.Source{File: "testdata/pets-3.1.json"}))
	if err != nil || !res.Published || res.Changes == nil || len(res.Changes.Breaking) == 0 {
		t.Fatalf("changed: %+v %v", res, err)
	}
	versions, _ := c.OpenAPISpecVersions(ctx, "org-1", "pets")
	if len(versions) != 2 {
		t.Errorf("%d versions, want 2", len(versions))
	}
	writes(env)

	_, err = openapi.Publish(ctx, publishOpts(c, "pets", openapi.Source{File: "testdata/invalid.yaml"}))
	if !errors.Is(err, openapi.ErrInvalid) {
		t.Errorf("invalid: %v", err)
	}
	if w := writes(env); w != 0 {
		t.Errorf("an invalid spec was sent: %d writes", w)
	}

	// A spec split across files is sent as one document.
	res, err = openapi.Publish(ctx, publishOpts(c, "split", openapi.Source{File: "testdata/multi/openapi.yaml"}))
	if err != nil || !res.Published {
		t.Fatalf("multi-file: %+v %v", res, err)
	}
	raw, _ := c.LatestOpenAPIRaw(ctx, "org-1", "split")
	if strings.Contains(raw.Text, "order.yaml") || !strings.Contains(raw.Text, "sku") {
		t.Errorf("the published text still refers to other files:\n%s", raw.Text)
	}
	if res, err = openapi.Publish(ctx, publishOpts(c, "split", openapi.Source{File: "testdata/multi/openapi.yaml"})); err != nil || !res.Identical {
		t.Errorf("re-publishing the split spec: %+v %v", res, err)
	}

	if _, err := c.PutOpenAPISpec(ctx, "org-1", "Bad Slug", gitbook.OpenAPISource{Text: "x"}); gitbook.StatusOf(err) != 400 {
		t.Errorf("bad slug: %v", err)
	}
}

func TestPublishURLSource(t *testing.T) {
	served := map[string]string{"/good.yaml": mustRead(t, "testdata/pets-3.0.yaml"), "/bad.yaml": "just: notes\n"}
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
	res, err := openapi.Publish(ctx, publishOpts(c, "from-url", openapi.Source{URL: src.URL + "/good.yaml"}))
	if err != nil || !res.Published {
		t.Fatalf("url: %+v %v", res, err)
	}
	res, err = openapi.Publish(ctx, publishOpts(c, "bad-url", openapi.Source{URL: src.URL + "/bad.yaml"}))
	if !errors.Is(err, openapi.ErrProcessing) || len(res.Problems) == 0 || !strings.Contains(err.Error(), "PARSE_ERROR") {
		t.Errorf("rejected in processing: %+v %v", res, err)
	}
	_, err = openapi.Publish(ctx, publishOpts(c, "gone", openapi.Source{URL: src.URL + "/missing.yaml"}))
	if !errors.Is(err, openapi.ErrProcessing) || !strings.Contains(err.Error(), "FETCH_ERROR") {
		t.Errorf("fetch error: %v", err)
	}
}

func mustRead(t *testing.T, p string) string {
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
