package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper()                        {}
func (r *recorder) Errorf(format string, a ...any) { r.failed = format }
func (r *recorder) Fatalf(format string, a ...any) { r.failed = format }

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(path, []byte("one\ntwo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	Check(r, path, []byte("one\ntwo\n"))
	if r.failed != "" {
		t.Fatalf("equal output failed: %s", r.failed)
	}
	Check(r, path, []byte("one\nthree\n"))
	if !strings.Contains(r.failed, "differs") {
		t.Fatalf("different output passed")
	}
	if got := unified(nil); got != "" {
		t.Fatalf("unified(nil) = %q", got)
	}
	r = &recorder{TB: t}
	Check(r, filepath.Join(dir, "missing.txt"), []byte("x"))
	if !strings.Contains(r.failed, "-update") {
		t.Fatalf("a missing golden file must say how to create it, got %q", r.failed)
	}
}
