package sync

import (
	"context"
	"fmt"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
)

// GitBook is what the engine itself asks of GitBook about a space.
// *gitbook.Client answers it; unit tests answer with a fake.
type GitBook interface {
	GitInfo(ctx context.Context, spaceID string) (*gitbook.GitInfo, error)
	CurrentRevision(ctx context.Context, spaceID string) (*gitbook.Revision, error)
	PageMarkdown(ctx context.Context, spaceID, pageID string) (*gitbook.Page, error)
	Import(ctx context.Context, spaceID string, r gitbook.ImportRequest) error
	Export(ctx context.Context, spaceID string, r gitbook.ExportRequest) error
}

// ChangeRequests does what the engine decides for a change request; the
// changerequest package knows how.
type ChangeRequests interface {
	Update(ctx context.Context, opts changerequest.Options, desired []*changerequest.Page, scope changerequest.Scope) (*changerequest.Result, error)
	Merge(ctx context.Context, opts changerequest.Options) (*changerequest.Result, error)
	Archive(ctx context.Context, opts changerequest.Options) (*changerequest.Result, error)
	// Open lists the space's open change requests (open and draft).
	Open(ctx context.Context, spaceID string) ([]gitbook.ChangeRequest, error)
}

// clientChangeRequests is package changerequest over one client.
type clientChangeRequests struct{ c *gitbook.Client }

func (a clientChangeRequests) Update(ctx context.Context, o changerequest.Options, desired []*changerequest.Page, scope changerequest.Scope) (*changerequest.Result, error) {
	o.Client = a.c
	return changerequest.Update(ctx, o, desired, scope)
}

func (a clientChangeRequests) Merge(ctx context.Context, o changerequest.Options) (*changerequest.Result, error) {
	o.Client = a.c
	return changerequest.Merge(ctx, o)
}

func (a clientChangeRequests) Archive(ctx context.Context, o changerequest.Options) (*changerequest.Result, error) {
	o.Client = a.c
	return changerequest.Archive(ctx, o)
}

func (a clientChangeRequests) Open(ctx context.Context, spaceID string) ([]gitbook.ChangeRequest, error) {
	var all []gitbook.ChangeRequest
	for _, status := range []string{gitbook.CROpen, gitbook.CRDraft} {
		crs, err := a.c.ChangeRequests(ctx, spaceID, status)
		if err != nil {
			return nil, fmt.Errorf("list change requests of space %s: %w", spaceID, err)
		}
		all = append(all, crs...)
	}
	return all, nil
}
