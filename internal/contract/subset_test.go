package contract

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata from ../shared")

// fullDescription is GitBook's complete OpenAPI description, kept read-only
// beside the project; tests that need it skip when it is absent.
const fullDescription = "../../../shared/gitbook-api/openapi.json"

func TestSubsetMatchesFullDescription(t *testing.T) {
	full, err := os.ReadFile(fullDescription)
	if os.IsNotExist(err) {
		t.Skipf("%s not present", fullDescription)
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := Subset(full, Used)
	if err != nil {
		t.Fatal(err)
	}
	stored := filepath.Join("testdata", subsetFile)
	if *update {
		if err := os.WriteFile(stored, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(stored)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date with %s; run: go test ./internal/contract -run TestSubset -update", stored, fullDescription)
	}
}

func TestSubsetRejectsUnknownOperation(t *testing.T) {
	full := []byte(`{"openapi":"3.1.0","paths":{"/a":{"get":{}}},"components":{}}`)
	if _, err := Subset(full, []Operation{{"post", "/a"}}); err == nil {
		t.Fatal("want error for an operation missing from the description")
	}
	if _, err := Subset(full, []Operation{{"get", "/b"}}); err == nil {
		t.Fatal("want error for a path missing from the description")
	}
}

func TestSubsetFollowsRefsTransitively(t *testing.T) {
	full := []byte(`{"openapi":"3.1.0","paths":{"/a":{"get":{"responses":{"200":{"$ref":"#/components/responses/R"}}}},"/b":{"get":{}}},
	"components":{"responses":{"R":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/A"}}}}},
	"schemas":{"A":{"properties":{"b":{"$ref":"#/components/schemas/B"}}},"B":{"type":"string"},"Unused":{}}}}`)
	out, err := Subset(full, []Operation{{"get", "/a"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"A"`, `"B"`, `"R"`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("subset lacks %s", want)
		}
	}
	for _, unwanted := range []string{`"Unused"`, `"/b"`} {
		if bytes.Contains(out, []byte(unwanted)) {
			t.Errorf("subset keeps %s", unwanted)
		}
	}
}
