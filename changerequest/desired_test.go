package changerequest_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// TestDesiredReadsAsGitBook: what the content API cannot create is left out
// with a warning at its SUMMARY line, titles follow GitBook's rule, and an
// image that leads out of the repository is an error naming the page.
func TestDesiredReadsAsGitBook(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"README.md": "# Home\n",
		"SUMMARY.md": "# Table of contents\n\n* [Home](README.md)\n* [Link text](guide.md)\n* [Elsewhere](https://example.com)\n" +
			"* No file yet\n* ```yaml\n  type: builtin:openapi\n  props:\n    models: true\n  dependencies:\n    spec:\n      ref:\n        kind: openapi\n        spec: petstore\n  ```\n",
		"guide.md": "---\ntitle: From front matter\n---\n\n# Heading\n\nBody.\n",
	}
	tree, warnings, err := desired(t, files, nil)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, p := range tree.Pages {
		titles = append(titles, p.Title)
	}
	if got := strings.Join(titles, ", "); got != "Home, From front matter" {
		t.Errorf("pages sent: %s; want the two documents with files, titled by GitBook's rule", got)
	}
	var where []string
	for _, w := range warnings {
		where = append(where, fmt.Sprintf("%s:%d", w.File, w.Line))
	}
	if got := strings.Join(where, " "); got != "SUMMARY.md:5 SUMMARY.md:6 SUMMARY.md:7" {
		t.Errorf("warnings at %s; want the link, the page without a file and the computed page: %v", got, warnings)
	}

	files["guide.md"] = "# Guide\n\n![](.gitbook/assets/logo.png)\n"
	outside := fmt.Errorf("symbolic link .gitbook/assets: %w", content.ErrOutside)
	_, _, err = desired(t, files, map[string]error{".gitbook/assets/logo.png": outside})
	if !errors.Is(err, content.ErrOutside) || !strings.Contains(err.Error(), "guide.md") {
		t.Errorf("an image outside the repository: %v; want an error naming the page", err)
	}
}

// desired loads files as a project at the repository root and reads its
// pages; fail makes reading a path fail with that error.
func desired(t *testing.T, files map[string]string, fail map[string]error) (*changerequest.Tree, diag.List, error) {
	t.Helper()
	read := func(p string) ([]byte, error) {
		if err, ok := fail[p]; ok {
			return nil, err
		}
		data, ok := files[p]
		if !ok {
			return nil, fs.ErrNotExist
		}
		return []byte(data), nil
	}
	list := func(dir string) ([]string, error) {
		var out []string
		for p := range files {
			out = append(out, p)
		}
		return out, nil
	}
	cf := content.Files{Read: read, List: list}
	proj, err := content.Load(cf, "")
	if err != nil {
		t.Fatal(err)
	}
	return changerequest.Desired(proj, cf)
}
