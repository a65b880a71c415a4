// Package contract holds the part of GitBook's OpenAPI description that
// gitbook-sync relies on, and checks HTTP traffic against it. Tests wrap the
// emulator's handler with it, which sees every request any client sends and
// every answer, so that a shape the real API does not allow fails the build
// instead of reaching users.
package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Operation names one method on one path template of the GitBook API.
type Operation struct {
	Method string // lower case, as in the description
	Path   string // as in the description, e.g. /spaces/{spaceId}/git/info
}

// Used lists every operation gitbook-sync's client calls or its emulator
// serves. Adding an endpoint to the client starts here; the subset test then
// asks for testdata to be regenerated.
var Used = []Operation{
	{"get", "/spaces/{spaceId}"},
	{"get", "/spaces/{spaceId}/git/info"},
	{"post", "/spaces/{spaceId}/git/import"},
	{"post", "/spaces/{spaceId}/git/export"},
	{"get", "/spaces/{spaceId}/content"},
	{"get", "/spaces/{spaceId}/content/pages"},
	{"get", "/spaces/{spaceId}/content/page/{pageId}"},
	{"get", "/spaces/{spaceId}/content/path/{pagePath}"},
	{"get", "/spaces/{spaceId}/content/files"},
	{"get", "/spaces/{spaceId}/content/files/{fileId}"},
	{"get", "/spaces/{spaceId}/revisions/{revisionId}/page/{pageId}"},
	{"get", "/spaces/{spaceId}/change-requests"},
	{"post", "/spaces/{spaceId}/change-requests"},
	{"get", "/spaces/{spaceId}/change-requests/{changeRequestId}"},
	{"patch", "/spaces/{spaceId}/change-requests/{changeRequestId}"},
	{"post", "/spaces/{spaceId}/change-requests/{changeRequestId}/merge"},
	{"post", "/spaces/{spaceId}/change-requests/{changeRequestId}/update"},
	{"get", "/spaces/{spaceId}/change-requests/{changeRequestId}/content"},
	{"post", "/spaces/{spaceId}/change-requests/{changeRequestId}/content"},
	{"get", "/spaces/{spaceId}/change-requests/{changeRequestId}/content/pages"},
	{"get", "/spaces/{spaceId}/change-requests/{changeRequestId}/content/page/{pageId}"},
	{"get", "/spaces/{spaceId}/change-requests/{changeRequestId}/content/path/{pagePath}"},
	{"get", "/spaces/{spaceId}/change-requests/{changeRequestId}/content/files"},
	{"get", "/spaces/{spaceId}/change-requests/{changeRequestId}/content/files/{fileId}"},
	{"get", "/spaces/{spaceId}/change-requests/{changeRequestId}/requested-reviewers"},
	{"post", "/spaces/{spaceId}/change-requests/{changeRequestId}/requested-reviewers"},
	{"get", "/spaces/{spaceId}/change-requests/{changeRequestId}/reviews"},
	{"post", "/spaces/{spaceId}/change-requests/{changeRequestId}/reviews"},
	{"get", "/orgs/{organizationId}/members"},
	{"get", "/orgs/{organizationId}/sites/{siteId}/structure"},
	{"get", "/orgs/{organizationId}/openapi"},
	{"get", "/orgs/{organizationId}/openapi/{specSlug}"},
	{"put", "/orgs/{organizationId}/openapi/{specSlug}"},
	{"get", "/orgs/{organizationId}/openapi/{specSlug}/versions"},
	{"get", "/orgs/{organizationId}/openapi/{specSlug}/versions/latest/content/raw"},
}

// Subset cuts the full description down to ops and every component they
// reach through $ref, so that the stored copy is small enough to review yet
// validates exactly as the full description would.
func Subset(full []byte, ops []Operation) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(full, &doc); err != nil {
		return nil, fmt.Errorf("parse OpenAPI description: %w", err)
	}
	paths, _ := doc["paths"].(map[string]any)
	components, _ := doc["components"].(map[string]any)
	if paths == nil || components == nil {
		return nil, fmt.Errorf("OpenAPI description has no paths or components")
	}

	outPaths := map[string]any{}
	for _, op := range ops {
		item, ok := paths[op.Path].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("path %s is not in the description", op.Path)
		}
		method, ok := item[op.Method]
		if !ok {
			return nil, fmt.Errorf("operation %s %s is not in the description", strings.ToUpper(op.Method), op.Path)
		}
		dst, _ := outPaths[op.Path].(map[string]any)
		if dst == nil {
			dst = map[string]any{}
			// Path-level parameters apply to every method.
			if params, ok := item["parameters"]; ok {
				dst["parameters"] = params
			}
			outPaths[op.Path] = dst
		}
		dst[op.Method] = method
	}

	// Security schemes are referenced by name, not by $ref.
	outComponents := map[string]any{}
	if ss, ok := components["securitySchemes"]; ok {
		outComponents["securitySchemes"] = ss
	}
	seen := map[string]bool{}
	// GitBook answers any operation with these when authentication fails,
	// access is denied, a limit is hit or the server fails, without each
	// operation declaring them; the checker validates such answers with them.
	queue := collectRefs(outPaths, crossCuttingRefs(components))
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		if seen[ref] {
			continue
		}
		seen[ref] = true
		parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
		if len(parts) != 2 {
			return nil, fmt.Errorf("unsupported $ref %q", ref)
		}
		kind, name := parts[0], unescapePointer(parts[1])
		src, _ := components[kind].(map[string]any)
		val, ok := src[name]
		if !ok {
			return nil, fmt.Errorf("$ref %q points nowhere", ref)
		}
		dst, _ := outComponents[kind].(map[string]any)
		if dst == nil {
			dst = map[string]any{}
			outComponents[kind] = dst
		}
		dst[name] = val
		queue = collectRefs(val, queue)
	}

	out := map[string]any{}
	for _, k := range []string{"openapi", "info", "servers", "security"} {
		if v, ok := doc[k]; ok {
			out[k] = v
		}
	}
	out["paths"] = outPaths
	out["components"] = outComponents

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// CrossCutting maps the statuses any operation may answer to the shared
// response that describes them.
var CrossCutting = map[int]string{
	400: "BadRequestError", // request validation applies to every operation
	401: "UnauthorizedError",
	403: "ForbiddenError",
	404: "NotFoundError", // any path naming a space, page or change request that does not exist
	429: "UnexpectedError",
	500: "UnexpectedError",
	502: "UnexpectedError",
	503: "UnexpectedError",
	504: "UnexpectedError",
}

func crossCuttingRefs(components map[string]any) []string {
	described, _ := components["responses"].(map[string]any)
	var refs []string
	for _, name := range CrossCutting {
		if _, ok := described[name]; ok && !slices.Contains(refs, "#/components/responses/"+name) {
			refs = append(refs, "#/components/responses/"+name)
		}
	}
	sort.Strings(refs)
	return refs
}

func collectRefs(v any, acc []string) []string {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok && strings.HasPrefix(ref, "#/components/") {
			acc = append(acc, ref)
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			acc = collectRefs(x[k], acc)
		}
	case []any:
		for _, e := range x {
			acc = collectRefs(e, acc)
		}
	}
	return acc
}

func unescapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}
