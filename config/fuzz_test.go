package config

import (
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// Fuzz targets: no input panics; every error points at a place; nothing
// that parses names a path outside the repository. Seeds are in
// testdata/fuzz/<target>; scripts/fuzz.sh runs every target.

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"spaces:\n  - space: s1\n    path: docs\n    openapi:\n      - spec: pet\n        file: api.yaml\n    comment: {enabled: false}\n",
		"site:\n  organization: o\n  site: s\n  spaces: {k: id}\nspaces:\n  - key: k\n    mode: import\n",
		"spaces:\n  - space: abc\n   path: docs\n",
		"spaces: [x, {space: [a]}]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, FileName)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || len(diag.As(err)) == 0 {
				t.Fatalf("error without a place: %v", err)
			}
			return
		}
		for _, sp := range c.Spaces {
			paths := []string{sp.Path}
			for _, o := range sp.OpenAPI {
				paths = append(paths, o.File)
			}
			for _, p := range paths {
				if leaves(p) {
					t.Fatalf("path %q leaves the repository", p)
				}
			}
		}
	})
}

func FuzzParseSite(f *testing.F) {
	f.Add([]byte(siteYAML))
	f.Add([]byte("site:\n  structure:\n    - {type: space, key: a, title: A, path: a, content: {directory: null}}\n"))
	f.Add([]byte("site:\n  structure:\n    - type: section-group\n      children:\n        - type: section\n          children: [1, {type: space}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, _, err := ParseSite(data, "docs/docs.yaml")
		if err != nil {
			if len(diag.As(err)) == 0 {
				t.Fatalf("error without a place: %v", err)
			}
			return
		}
		for _, s := range sc.Spaces {
			if s.Synced && leaves(s.Directory) {
				t.Fatalf("directory %q leaves the repository", s.Directory)
			}
		}
	})
}

func leaves(p string) bool {
	c := path.Clean(p)
	return strings.HasPrefix(p, "/") || c == ".." || strings.HasPrefix(c, "../")
}
