package report

import (
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// Problems lists what a run found wrong, each at its place when known:
// the results' diagnostics, their OpenAPI problems, and each failure (as
// the diagnostics it carries, or as one error naming the space). CI shows
// them as annotations.
func Problems(results []gbsync.Result) diag.List {
	var out diag.List
	for _, r := range results {
		out = append(out, r.Diagnostics...)
		for _, api := range r.OpenAPI {
			if api == nil {
				continue
			}
			out = append(out, api.Diagnostics...)
		}
		if r.Err == nil {
			continue
		}
		if ds := diag.As(r.Err); len(ds) > 0 {
			out = append(out, ds...)
			continue
		}
		out = append(out, diag.Diagnostic{Severity: diag.Error, Message: "space " + r.Space + ": " + r.ErrorText()})
	}
	return out
}
