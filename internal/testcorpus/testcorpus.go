// Package testcorpus finds the read-only material beside the repository
// (../shared: GitBook's API description, real docs repositories, OpenAPI
// specs) for tests, which read it in place and skip when it is absent.
package testcorpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Shared returns the absolute path of ../shared seen from the module root,
// or skips the test when it is not there (a clone on its own).
func Shared(t testing.TB) string {
	t.Helper()
	dir, ok := find()
	if !ok {
		t.Skip("../shared is not beside the repository; skipping a test that reads it")
	}
	return dir
}

// Path returns a file or folder under ../shared, skipping the test when
// it is missing.
func Path(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(Shared(t), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s is not present: %v", p, err)
	}
	return p
}

func find() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			shared := filepath.Join(filepath.Dir(dir), "shared")
			if fi, err := os.Stat(shared); err == nil && fi.IsDir() {
				return shared, true
			}
			return "", false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
