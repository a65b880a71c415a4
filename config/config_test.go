package config

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/internal/golden"
)

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
			Comment: Comment{Enabled: false, Marker: "docs"}, Line: 2, Col: 5},
		{Space: "space-2", Path: ".", Mode: ModeAuto, Comment: Comment{Enabled: true}, Line: 16, Col: 5},
	}
	if !reflect.DeepEqual(cfg.Spaces, want) {
		t.Errorf("got  %+v\nwant %+v", cfg.Spaces, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ".gitbook-sync.yaml: the file is empty; it needs a spaces: list or a site: block"},
		{"no spaces", "spaces: []\n", ".gitbook-sync.yaml:1:1: spaces: at least one space is required, or a site: block to take them from docs.yaml"},
		{"unknown top key", "space: x\n", `.gitbook-sync.yaml:1:1: space: unknown key "space"; did you mean spaces?`},
		{"typo in a space key", "spaces:\n  - space: a\n    mdoe: auto\n", `.gitbook-sync.yaml:3:5: spaces.mdoe: unknown key "mdoe"; did you mean mode?`},
		{"unknown space key", "spaces:\n  - space: a\n    colour: red\n", `.gitbook-sync.yaml:3:5: spaces.colour: unknown key "colour"; valid keys: space, key, organization, path, branch, mode, reviewers, review, preview, openapi, comment`},
		{"bad mode", "spaces:\n  - space: a\n    mode: push\n", `.gitbook-sync.yaml:3:11: spaces.mode: "push" is not valid; choose one of: auto, import, change-request, export`},
		{"wrong type", "spaces:\n  - space: [a]\n", `.gitbook-sync.yaml:2:12: spaces.space: want a string, got a list`},
		{"bool wanted", "spaces:\n  - space: a\n    comment:\n      enabled: yes please\n", `.gitbook-sync.yaml:4:16: spaces.comment.enabled: want true or false, got "yes please"`},
		{"duplicate space", "spaces:\n  - space: a\n  - space: a\n", `.gitbook-sync.yaml:3:12: spaces.space: "a" is already configured at line 2`},
		{"invalid id", "spaces:\n  - space: https://app.gitbook.com/x\n", `.gitbook-sync.yaml:2:12: spaces.space: "https://app.gitbook.com/x" is not a GitBook ID (letters, digits, '-' and '_'); copy it from the space's URL`},
		{"missing space", "spaces:\n  - path: docs\n", ".gitbook-sync.yaml:2:5: spaces.space: required (or key, for a space of docs.yaml)"},
		{"bad slug", "spaces:\n  - space: a\n    openapi:\n      - spec: Pet Store\n        file: x.yaml\n", `.gitbook-sync.yaml:4:15: spaces.openapi.spec: "Pet Store" is not a valid slug (letters, digits and single hyphens, at most 100 characters)`},
		{"file and url", "spaces:\n  - space: a\n    openapi:\n      - spec: p\n", ".gitbook-sync.yaml:4:9: spaces.openapi: give exactly one of file or url"},
		{"path escapes", "spaces:\n  - space: a\n    path: ../x\n", `.gitbook-sync.yaml:3:11: spaces.path: "../x" must be a directory inside the repository (relative, without ..)`},
		{"spec file escapes", "spaces:\n  - space: a\n    openapi:\n      - spec: p\n        file: ../../x.yaml\n", `.gitbook-sync.yaml:5:15: spaces.openapi.file: "../../x.yaml" must be a file inside the repository (relative, without ..)`},
		{"absolute spec file", "spaces:\n  - space: a\n    openapi:\n      - spec: p\n        file: /etc/x.yaml\n", `.gitbook-sync.yaml:5:15: spaces.openapi.file: "/etc/x.yaml" must be a file inside the repository (relative, without ..)`},
		{"yaml syntax", "spaces:\n  - space: a\n    mode: [auto\n", ".gitbook-sync.yaml:4:1: invalid YAML: did not find expected ',' or ']'"},
		{"wrong indentation is reported where it is, not at 1:1", "spaces:\n  - space: abc\n   path: docs\n", ".gitbook-sync.yaml:3:4: invalid YAML: did not find expected '-' indicator"},
		{"half of the site lookup", "site:\n  organization: o\n", ".gitbook-sync.yaml:2:3: site: set both organization and site to look space IDs up, or neither"},
		{"key and path", "site: {}\nspaces:\n  - key: k\n    path: docs\n", ".gitbook-sync.yaml:3:5: spaces.path: a space with key takes its directory from docs.yaml; remove path"},
		{"every problem is reported", "spaces:\n  - space: a\n    mode: push\n  - space: b\n    branch: [x]\n", ".gitbook-sync.yaml:3:11: spaces.mode: \"push\" is not valid; choose one of: auto, import, change-request, export\n.gitbook-sync.yaml:5:13: spaces.branch: want a string, got a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.in), FileName)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
			// The cmd renders annotations from *Error, the report from
			// diagnostics: both find the first problem.
			var ce *Error
			if !errors.As(err, &ce) || ce.Line == 0 && regexp.MustCompile(`\.yaml:\d`).MatchString(tt.want) {
				t.Errorf("errors.As(*Error) = %+v", ce)
			}
			if ds := diag.As(err); len(ds) != strings.Count(tt.want, "\n")+1 || ds[0].Severity != diag.Error {
				t.Errorf("diag.As = %v", ds)
			}
		})
	}
}

func TestSchemaIsCurrent(t *testing.T) {
	got := Schema()
	if !json.Valid(got) {
		t.Fatal("schema is not JSON")
	}
	golden.Check(t, "schema.json", got)
	for _, key := range []string{`"mode"`, `"reviewers"`, `"fail-on-breaking"`, `"change-request"`} {
		if !strings.Contains(string(got), key) {
			t.Errorf("schema lacks %s", key)
		}
	}
}

// TestREADME keeps the README's configuration examples valid and its
// error examples the ones Parse writes.
func TestREADME(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	blocks := map[string]string{}
	for _, h := range []string{"### Configuration: `.gitbook-sync.yaml`", "### Sites: GitBook's `docs.yaml`"} {
		i := strings.Index(doc, h+"\n")
		if i < 0 {
			t.Fatalf("README has no %q", h)
		}
		section := doc[i+len(h):]
		if j := strings.Index(section, "\n### "); j >= 0 {
			section = section[:j]
		}
		blocks[h] = section
		start := strings.Index(section, "```yaml\n")
		end := strings.Index(section[start+8:], "```")
		if _, err := Parse([]byte(section[start+8:start+8+end]), FileName); err != nil {
			t.Errorf("the yaml under %s does not parse: %v", h, err)
		}
	}
	for _, ex := range []struct{ in, want string }{
		{"spaces:\n  - space: s7Ad9Xk2\n    orgnization: o4Kq1Mn8\n", `.gitbook-sync.yaml:3:5: spaces.orgnization: unknown key "orgnization"; did you mean organization?`},
		{"spaces:\n  - space: s7Ad9Xk2\n    path: docs\n   mode: auto\n", `.gitbook-sync.yaml:4:4: invalid YAML: did not find expected '-' indicator`},
	} {
		_, err := Parse([]byte(ex.in), FileName)
		if err == nil || !strings.Contains(blocks["### Configuration: `.gitbook-sync.yaml`"], "gitbook-sync: "+err.Error()+"\n") {
			t.Errorf("README should show %q (got %v)", ex.want, err)
		}
	}
}
