package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/openapi"
)

// runSpecs validates, compares and publishes the space's OpenAPI specs:
// published from the source-of-truth branch, only compared on pull
// requests (unless configured otherwise), never sent in a dry run. A spec
// failing marks the space failed without undoing its sync.
func runSpecs(ctx context.Context, opts Options, sp config.Space, res *Result) {
	if len(sp.OpenAPI) == 0 {
		return
	}
	var problems []error
	for _, e := range sp.OpenAPI {
		org := cmp.Or(e.Organization, sp.Organization)
		if org == "" {
			problems = append(problems, fmt.Errorf("openapi %s: set organization (on the entry or the space)", e.Spec))
			continue
		}
		src := openapi.Source{URL: e.URL}
		if e.File != "" {
			src.File = e.File
			if opts.Repo.Dir != "" {
				src.File = filepath.Join(opts.Repo.Dir, e.File)
			}
			if err := opts.Repo.inside(src.File); err != nil {
				d := diag.Diagnostic{File: e.File, Field: "openapi.file", Severity: diag.Error, Message: err.Error()}
				res.Diagnostics = append(res.Diagnostics, d)
				problems = append(problems, fmt.Errorf("openapi %s: %s: %w", e.Spec, e.File, err))
				continue
			}
		}
		onPR := opts.PullRequest != nil && opts.PullRequest.State == PROpen
		po := openapi.PublishOptions{Client: opts.Client, Organization: org, Slug: e.Spec, Source: src,
			Root: opts.Repo.Dir, Strict: e.Strict,
			DryRun: opts.DryRun || (onPR && !e.PublishOnPR), Wait: opts.Wait, Poll: opts.Poll.Initial}
		out, err := openapi.Publish(ctx, po)
		if out != nil {
			out.Source = e.File + e.URL
			res.OpenAPI = append(res.OpenAPI, out)
		}
		switch {
		case err != nil:
			problems = append(problems, err)
		case onPR && e.FailOnBreaking && out.Changes != nil && len(out.Changes.Breaking) > 0:
			problems = append(problems, fmt.Errorf("openapi %s: %d breaking changes (fail-on-breaking)", e.Spec, len(out.Changes.Breaking)))
		}
	}
	if len(problems) > 0 {
		res.Outcome, res.Err = Failed, errors.Join(append([]error{res.Err}, problems...)...)
	}
}
