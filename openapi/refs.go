package openapi

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// refs follows the $refs of a spec's files. GitBook receives one text, so
// every other file must be read here and bundled; a reference into a file
// that cannot be read, or out of the repository, is an error. A reference
// inside a document that does not resolve is GitBook's informational
// INVALID_REFERENCE: a warning (GitBook shows it unresolved).
type refs struct {
	repo  *repo
	files map[string]*document // by resolved path
	diags diag.List
}

// follow checks every $ref of doc, read from path, and of the files it
// leads to.
func (r *refs) follow(doc *document, path string) {
	walk(doc.root, nil, func(n *yaml.Node, at []string) bool {
		if n.Kind != yaml.MappingNode {
			return true
		}
		if ref := get(n, "$ref"); ref != nil && ref.Kind == yaml.ScalarNode {
			r.check(doc, path, ref, append(at[:len(at):len(at)], "$ref"))
		}
		return true
	})
}

func (r *refs) check(doc *document, path string, ref *yaml.Node, at []string) {
	fail := func(sev diag.Severity, format string, args ...any) {
		r.diags = append(r.diags, diag.Diagnostic{File: doc.name, Line: ref.Line, Col: ref.Column, Field: pointer(at),
			Severity: sev, Message: fmt.Sprintf(format, args...)})
	}
	target, frag, _ := strings.Cut(ref.Value, "#")
	if target == "" {
		if !resolves(doc.root, frag) {
			fail(diag.Warning, "%q does not resolve in this file: GitBook shows it unresolved", ref.Value)
		}
		return
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "" && u.Scheme != "file") || u.Host != "" {
		fail(diag.Error, "%q: only files in the repository are followed; copy the document into the repository and refer to it by its path", ref.Value)
		return
	}
	file := filepath.FromSlash(u.Path)
	if !filepath.IsAbs(file) {
		file = filepath.Join(filepath.Dir(path), file)
	}
	resolved, data, err := r.repo.read(file)
	var outside *errOutside
	switch {
	case errors.As(err, &outside):
		fail(diag.Error, "%q: %v", ref.Value, err)
		return
	case errors.Is(err, fs.ErrNotExist):
		fail(diag.Error, "%q: %s does not exist", ref.Value, file)
		return
	case err != nil:
		fail(diag.Error, "%q: %v", ref.Value, err)
		return
	}
	other, seen := r.files[resolved]
	if !seen {
		var d *diag.Diagnostic
		other = &document{name: file, text: data}
		other.root, _, d = parseText(file, data)
		r.files[resolved] = other
		if d != nil {
			r.diags = append(r.diags, *d)
		} else {
			defer r.follow(other, file)
		}
	}
	if other.root != nil && !resolves(other.root, frag) {
		fail(diag.Error, "%q: %q is not in %s", ref.Value, "#"+frag, file)
	}
}

// resolves reports whether a $ref fragment (a JSON pointer, possibly
// percent-encoded) names a node under root.
func resolves(root *yaml.Node, frag string) bool {
	if p, err := url.PathUnescape(frag); err == nil {
		frag = p
	}
	segs, ok := segments(frag)
	if !ok {
		return false
	}
	_, ok = lookup(root, segs)
	return ok
}
