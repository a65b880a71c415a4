package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestParse(t *testing.T) {
	in := `spaces:
  - space: space-1
    organization: org-1
    path: docs
    branch: main
    mode: change-request
    reviewers: [reviewer@example.com, user-2]
    review: approve
    openapi:
      - spec: petstore
        file: api/openapi.yaml
        fail-on-breaking: true
    comment:
      enabled: false
      marker: docs
  - space: space-2
`
	cfg, err := Parse([]byte(in), FileName)
	if err != nil {
		t.Fatal(err)
	}
	want := []Space{
		{Space: "space-1", Organization: "org-1", Path: "docs", Branch: "main", Mode: ModeChangeRequest,
			Reviewers: []string{"reviewer@example.com", "user-2"}, Review: "approve",
			OpenAPI: []OpenAPI{{Spec: "petstore", File: "api/openapi.yaml", FailOnBreaking: true, Line: 10}},
			Comment: Comment{Enabled: false, Marker: "docs"}, Line: 2},
		{Space: "space-2", Path: ".", Mode: ModeAuto, Comment: Comment{Enabled: true}, Line: 16},
	}
	if !reflect.DeepEqual(cfg.Spaces, want) {
		t.Errorf("got  %+v\nwant %+v", cfg.Spaces, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ".gitbook-sync.yaml: the file is empty; it needs a spaces: list"},
		{"no spaces", "spaces: []\n", ".gitbook-sync.yaml:1:1: spaces: at least one space is required"},
		{"unknown top key", "space: x\n", `.gitbook-sync.yaml:1:1: unknown key "space"; valid keys: spaces`},
		{"unknown space key", "spaces:\n  - space: a\n    mdoe: auto\n", `.gitbook-sync.yaml:3:5: unknown key "mdoe"; valid keys: branch, comment, mode, openapi, organization, path, preview, review, reviewers, space`},
		{"bad mode", "spaces:\n  - space: a\n    mode: push\n", `.gitbook-sync.yaml:3:11: mode: "push" is not valid; choose one of: auto, import, change-request, export`},
		{"wrong type", "spaces:\n  - space: [a]\n", `.gitbook-sync.yaml:2:12: space: want a string, got a list`},
		{"bool wanted", "spaces:\n  - space: a\n    comment:\n      enabled: yes please\n", `.gitbook-sync.yaml:4:16: enabled: want true or false, got "yes please"`},
		{"duplicate space", "spaces:\n  - space: a\n  - space: a\n", `.gitbook-sync.yaml:3:12: space: "a" is already configured at line 2`},
		{"invalid id", "spaces:\n  - space: https://app.gitbook.com/x\n", `.gitbook-sync.yaml:2:12: space: "https://app.gitbook.com/x" is not a GitBook ID (letters, digits, '-' and '_'); copy it from the space's URL`},
		{"missing space", "spaces:\n  - path: docs\n", ".gitbook-sync.yaml:2:5: space: required"},
		{"bad slug", "spaces:\n  - space: a\n    openapi:\n      - spec: Pet Store\n        file: x.yaml\n", `.gitbook-sync.yaml:4:15: spec: "Pet Store" is not a valid slug (letters, digits and single hyphens, at most 100 characters)`},
		{"file and url", "spaces:\n  - space: a\n    openapi:\n      - spec: p\n", ".gitbook-sync.yaml:4:9: openapi: give exactly one of file or url"},
		{"path escapes", "spaces:\n  - space: a\n    path: ../x\n", `.gitbook-sync.yaml:3:11: path: "../x" must be a directory inside the repository`},
		{"yaml syntax", "spaces:\n  - space: a\n    mode: [auto\n", ".gitbook-sync.yaml:2:1: invalid YAML: did not find expected ',' or ']'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in), FileName)
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v\nwant  %s", err, tt.want)
			}
		})
	}
}

func TestSchemaIsCurrent(t *testing.T) {
	got := Schema()
	if !json.Valid(got) {
		t.Fatal("schema is not JSON")
	}
	if *update {
		if err := os.WriteFile("schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("config/schema.json is out of date; run: go test ./config -update")
	}
	for _, key := range []string{`"mode"`, `"reviewers"`, `"fail-on-breaking"`, `"change-request"`} {
		if !strings.Contains(string(got), key) {
			t.Errorf("schema lacks %s", key)
		}
	}
}
