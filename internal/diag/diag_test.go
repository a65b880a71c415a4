package diag

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	tests := []struct {
		d    Diagnostic
		want string
	}{
		{Errorf("a.yaml", 3, 5, "unknown key %q", "x"), `a.yaml:3:5: unknown key "x"`},
		{Warnf("SUMMARY.md", 7, 0, "missing"), "SUMMARY.md:7: missing"},
		{Diagnostic{File: "f", Message: "m"}, "f: m"},
		{Diagnostic{Message: "m"}, "m"},
		{Diagnostic{File: "spec.yaml", Line: 2, Col: 1, Field: "/info", Message: "required"}, "spec.yaml:2:1: /info: required"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestListErr(t *testing.T) {
	l := List{Warnf("a", 1, 1, "w"), Errorf("b", 2, 1, "e1"), Errorf("c", 3, 1, "e2")}
	if got := len(l.Warnings()); got != 1 {
		t.Fatalf("warnings = %d, want 1", got)
	}
	err := l.Err()
	if err == nil {
		t.Fatal("Err() = nil with two errors")
	}
	var d Diagnostic
	if !errors.As(err, &d) || d.File != "b" {
		t.Fatalf("errors.As found %+v, want the first error", d)
	}
	if got := As(fmt.Errorf("load: %w", err)); len(got) != 2 || got[1].File != "c" {
		t.Fatalf("As() = %+v, want both errors", got)
	}
	if (List{Warnf("a", 1, 1, "w")}).Err() != nil {
		t.Fatal("a list of warnings is not an error")
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	keys := []string{"root", "structure", "redirects", "gitSync"}
	for _, tt := range []struct{ in, want string }{
		{"sructure", "structure"},
		{"gitsync", "gitSync"},
		{"strukture", "structure"},
		{"rot", "root"},
		{"plugins", ""},
		{"x", ""},
		{strings.Repeat("structure", 100), ""},
	} {
		if got := Suggest(tt.in, keys); got != tt.want {
			t.Errorf("Suggest(%.20q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
