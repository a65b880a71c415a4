// Package golden compares test output with files under testdata/, and
// rewrites them when the tests run with -update, so that a change in
// output is reviewed as a diff of the golden file.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/sergi/go-diff/diffmatchpatch"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// Update reports whether the tests run with -update.
func Update() bool { return *update }

// Check compares got with the file at path (relative to the package's
// directory, normally testdata/...), or writes it under -update.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the tests with -update to create it)", err)
	}
	if string(want) == string(got) {
		return
	}
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(string(want), string(got))
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)
	t.Errorf("%s differs (-want +got; run the tests with -update to accept):\n%s", path, unified(diffs))
}

func unified(diffs []diffmatchpatch.Diff) string {
	var out []byte
	for _, d := range diffs {
		prefix := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			prefix = '-'
		case diffmatchpatch.DiffInsert:
			prefix = '+'
		}
		for _, line := range splitLines(d.Text) {
			out = append(out, prefix)
			out = append(out, line...)
			out = append(out, '\n')
		}
	}
	return string(out)
}

func splitLines(s string) []string {
	var lines []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		lines = append(lines, s[:i])
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return lines
}
