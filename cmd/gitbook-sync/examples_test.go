package main

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The example workflow is what users copy: least privilege, serialized
// runs, and never pull_request_target.
func TestExampleWorkflow(t *testing.T) {
	data, err := os.ReadFile("../../examples/github-workflow.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On          map[string]any    `yaml:"on"`
		Permissions map[string]string `yaml:"permissions"`
		Concurrency map[string]any    `yaml:"concurrency"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	if _, bad := wf.On["pull_request_target"]; bad {
		t.Error("the example must not use pull_request_target")
	}
	want := map[string]string{"contents": "read", "pull-requests": "write"}
	if len(wf.Permissions) != len(want) {
		t.Errorf("permissions %v, want exactly %v", wf.Permissions, want)
	}
	for k, v := range want {
		if wf.Permissions[k] != v {
			t.Errorf("permissions.%s = %q, want %q", k, wf.Permissions[k], v)
		}
	}
	if wf.Concurrency["group"] == nil {
		t.Error("the example needs a concurrency group")
	}
	if !strings.Contains(string(data), "secrets.GITBOOK_TOKEN") {
		t.Error("the GitBook token must come from a secret")
	}
	var gl map[string]any
	gldata, err := os.ReadFile("../../examples/gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(gldata, &gl); err != nil || gl["gitbook-sync"] == nil {
		t.Errorf("examples/gitlab-ci.yml: %v", err)
	}
}
