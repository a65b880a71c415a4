package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/gitbook-sync/gitbook-sync/ci"
)

// The openapi commands turn their flags and arguments into their options.
func TestOpenAPIOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		ok   func(o openapiOptions) bool
	}{
		{[]string{"validate", "--strict", "--root", "/repo", "api.yaml"}, func(o openapiOptions) bool {
			v, ok := o.(*OpenAPIValidateOptions)
			return ok && v.File == "api.yaml" && v.Strict && v.Root == "/repo"
		}},
		{[]string{"diff", "-o", "org-1", "--fail-on-breaking", "--json", "old.yaml", "pets"}, func(o openapiOptions) bool {
			d, ok := o.(*OpenAPIDiffOptions)
			return ok && d.Old == "old.yaml" && d.New == "pets" && d.Organization == "org-1" && d.FailOnBreaking && d.JSON
		}},
		{[]string{"publish", "-s", "pets", "-o", "org-1", "--force", "--strict", "--timeout", "90s", "https://example.com/api.yaml"}, func(o openapiOptions) bool {
			p, ok := o.(*OpenAPIPublishOptions)
			return ok && p.Source == "https://example.com/api.yaml" && p.Slug == "pets" && p.Organization == "org-1" &&
				p.Force && p.Strict && p.Timeout == 90*time.Second && p.Root == ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.args[0], func(t *testing.T) {
			t.Parallel()
			f, _ := testFactory(t, nil, &ci.Context{})
			var got openapiOptions
			cmd := NewCmdOpenAPI(f, func(o openapiOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if got == nil || !tt.ok(got) {
				t.Errorf("options %#v", got)
			}
		})
	}
}

// Bad usage of publish exits 2 before anything is read or sent.
func TestOpenAPIPublishUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"publish", "-o", "org-1", "api.yaml"},
		{"publish", "-s", "Pet Store", "-o", "org-1", "api.yaml"},
	} {
		f, _ := testFactory(t, map[string]string{gitbookTokenVar: "t"}, &ci.Context{})
		cmd := NewCmdOpenAPI(f, nil)
		cmd.SetArgs(args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		if err := cmd.Execute(); exitCodeOf(err) != exitUsage {
			t.Errorf("%v: %v (exit %d), want a usage error", args, err, exitCodeOf(err))
		}
	}
}
