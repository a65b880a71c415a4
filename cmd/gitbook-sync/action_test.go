package main

import (
	"io"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// notInputs are sync flags the Action deliberately does not expose, and why.
var notInputs = map[string]string{
	"json":                "the Action writes outputs instead",
	"format":              "the Action writes the report to the step summary and the JSON to the results output",
	"concurrency":         "the default suits CI",
	"organization":        "set in the configuration file",
	"pull-request":        "read from the event payload",
	"pull-request-title":  "read from the event payload",
	"pull-request-number": "read from the event payload",
	"pull-request-state":  "read from the event payload",
	"pull-request-base":   "read from the event payload",
	"pull-request-ref":    "read from the event payload",
	"repo":                "the workspace",
	"api-url":             "passed as GITBOOK_API_URL",
	"help":                "not for CI",
}

// Inputs handled outside actionInputs, with where they go.
var specialInputs = map[string]string{
	"gitbook-token": "GITBOOK_TOKEN",
	"token":         "GITHUB_TOKEN",
	"api-url":       "GITBOOK_API_URL",
	"command":       "INPUT_COMMAND",
	"dry-run":       "INPUT_DRY_RUN",
	"version":       "VERSION",
}

func TestActionInputsReachTheBinary(t *testing.T) {
	data, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs map[string]struct {
			Description string `yaml:"description"`
			Default     *string
		} `yaml:"inputs"`
		Outputs map[string]struct {
			Description string `yaml:"description"`
		} `yaml:"outputs"`
		Runs struct {
			Steps []struct {
				Env map[string]string `yaml:"env"`
				Run string            `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, s := range action.Runs.Steps {
		for k, v := range s.Env {
			env[k] = v
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("a run script splices an expression into shell: %q", s.Run)
		}
	}
	mapped := map[string]string{}
	for _, in := range actionInputs {
		mapped[in.input] = in.env
	}
	for name, in := range action.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
		if !strings.Contains(string(data), "inputs."+name+" }}") {
			t.Errorf("input %s is never used in action.yml", name)
		}
		target, ok := mapped[name]
		if !ok {
			if target, ok = specialInputs[name]; !ok {
				t.Errorf("input %s is not read by the binary (add it to actionInputs)", name)
				continue
			}
		}
		if v, ok := env[target]; !ok || v != "${{ inputs."+name+" }}" {
			t.Errorf("input %s should reach the step as %s, got %q", name, target, v)
		}
	}
	for name := range mapped {
		if _, ok := action.Inputs[name]; !ok {
			t.Errorf("actionInputs maps %s, which action.yml does not declare", name)
		}
	}
	// Every flag a user needs is an input, or deliberately not one.
	f, _ := newFactory(io.Discard, io.Discard, func(string) string { return "" })
	cmd := NewCmdSync(f, nil)
	var missing []string
	cmd.Flags().VisitAll(func(f *pflagFlag) {
		if _, ok := mapped[f.Name]; ok {
			return
		}
		if _, ok := notInputs[f.Name]; ok {
			return
		}
		missing = append(missing, f.Name)
	})
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("sync flags with no Action input (add one, or list it in notInputs with a reason): %v", missing)
	}
	for _, in := range actionInputs {
		if cmd.Flags().Lookup(in.flag) == nil && in.flag != "config" {
			t.Errorf("actionInputs maps %s to --%s, which sync does not have", in.input, in.flag)
		}
	}
	for _, out := range []string{"state", "decision", "revision", "change-request-url", "comment-url", "results"} {
		if _, ok := action.Outputs[out]; !ok {
			t.Errorf("output %s is not declared", out)
		}
	}
}

type pflagFlag = pflag.Flag
