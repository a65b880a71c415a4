package report

import (
	"errors"
	"fmt"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/openapi"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// Sample returns results that reach every part of the templates: each
// outcome, every kind of page change with its text, change requests,
// OpenAPI specs with problems and long lists of changes, warnings and a
// failure. New runs a user's templates on it before any real run.
func Sample() []gbsync.Result {
	var many []openapi.Operation
	for i := range collapseAfter + 2 {
		many = append(many, openapi.Operation{Method: "GET", Path: fmt.Sprintf("/pets/%d", i)})
	}
	return []gbsync.Result{
		{
			Space: "space-1", Path: "docs", State: gbsync.RepoAhead, Decision: gbsync.DoImport, Outcome: gbsync.Imported,
			RevisionURL: "https://app.gitbook.com/o/org-1/s/space-1/~/revisions/rev-9", DiffSource: "git",
			Diff: &content.Diff{
				Pages: []content.PageChange{
					{Op: content.Modified, Title: "Install", Path: "guide/install.md", Added: 2, Removed: 1,
						Old: "# Install\n\nStep one.\nStep two.\n", New: "# Install\n\nStep one.\nStep 2.\nStep three.\n"},
					{Op: content.Added, Title: "FAQ", Path: "guide/faq.md", Added: 1, New: "# FAQ\n"},
					{Op: content.Deleted, Title: "Old", Path: "old.md", Removed: 3, Old: "a\nb\nc\n"},
					{Op: content.Renamed, Title: "Usage", Path: "guide/use.md", OldPath: "guide/usage.md"},
					{Op: content.Moved, Title: "Tips", Path: "tips.md", Note: "now under guide/README.md"},
				},
				NotPages: []string{"notes.md"},
			},
			Diagnostics: []diag.Diagnostic{diag.Warnf("SUMMARY.md", 7, 0, "gone.md does not exist; the entry is skipped")},
		},
		{
			Space: "space-2", Path: ".", State: gbsync.Diverged, Decision: gbsync.Stop, Outcome: gbsync.Stopped,
			Reasons:    []string{"the space's commit abc1234 and HEAD have both moved on", "gitbook-sync never overwrites GitBook edits"},
			DiffSource: "api",
			Diff:       &content.Diff{Pages: []content.PageChange{{Op: content.Modified, Title: "A", Path: "a.md", Added: 1, Removed: 2}}},
			SpaceDiff:  &content.Diff{Pages: []content.PageChange{{Op: content.Modified, Title: "B", Path: "b.md", Added: 1, Removed: 1}}},
		},
		{
			Space: "space-3", Path: ".", State: gbsync.Unknown, Decision: gbsync.Stop, Outcome: gbsync.Failed,
			Err: errors.New("inspect: gitbook: GET /spaces/space-3/content: 404: Space not found"), HTTPStatus: 404,
		},
		{Space: "space-4", Path: ".", State: gbsync.InSync, Decision: gbsync.Nothing, Outcome: gbsync.Unchanged},
		{
			Space: "space-5", Path: "api-docs", State: gbsync.InSync, Decision: gbsync.DoChangeRequest, Outcome: gbsync.Proposed,
			Reasons: []string{"pull request #7 is proposed to GitBook as a change request"},
			ChangeRequest: &changerequest.Result{Number: 3, URL: "https://app.gitbook.com/o/org-1/s/space-5/~/changes/cr-3",
				Created: true, Writes: 4, Batches: 1, Pages: []content.PageChange{{Op: content.Added, Title: "Pets", Path: "pets.md", Added: 9}}},
			OpenAPI: []*openapi.Result{
				{Slug: "pets", Source: "api/pets.yaml", Version: "2",
					Changes: &openapi.Changes{
						Breaking: []openapi.Change{{ID: "api-path-removed-without-deprecation", Level: "error", Method: "GET", Path: "/pets/{id}", Message: "api path removed without deprecation"}},
						Added:    many, Removed: []openapi.Operation{{Method: "GET", Path: "/pets/{id}"}}, Changed: []openapi.Operation{{Method: "GET", Path: "/pets"}},
						Warnings: []openapi.Change{{ID: "response-property-added", Level: "warning", Method: "GET", Path: "/pets", Message: "response property added"}}}},
				{Slug: "store", Source: "api/store.yaml", Published: true, Version: "5", URL: "https://app.gitbook.com/o/org-1/openapi/store",
					Changes: &openapi.Changes{}},
				{Slug: "users", Source: "api/users.yaml", Identical: true},
				{Slug: "orders", Source: "api/orders.yaml", First: true,
					Diagnostics: []diag.Diagnostic{{File: "api/orders.yaml", Line: 12, Field: "/paths/~1orders/get", Severity: diag.Error, Message: "duplicate field \"id\" in required"},
						{File: "api/orders.yaml", Line: 3, Severity: diag.Warning, Message: "unknown keyword"}}},
			},
		},
		{
			Space: "space-6", Path: ".", State: gbsync.InSync, Decision: gbsync.DoChangeRequest, Outcome: gbsync.Planned,
			ChangeRequest: &changerequest.Result{Created: true, Pages: []content.PageChange{{Op: content.Modified, Title: "Home", Path: "README.md", Added: 1, Removed: 1}}},
		},
		{
			Space: "space-7", Path: ".", State: gbsync.InSync, Decision: gbsync.DoMerge, Outcome: gbsync.Merged, NewRevision: "rev-10",
			ChangeRequest: &changerequest.Result{Number: 2, URL: "https://app.gitbook.com/o/org-1/s/space-7/~/changes/cr-2", Merged: true},
		},
	}
}
