package sync

import (
	"context"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// GitBook is what the engine itself asks of GitBook about a space.
// *gitbook.Client answers it; unit tests answer with a fake.
type GitBook interface {
	GitInfo(ctx context.Context, spaceID string) (*gitbook.GitInfo, error)
	CurrentRevision(ctx context.Context, spaceID string) (*gitbook.Revision, error)
	RevisionPagesMarkdown(ctx context.Context, spaceID, revisionID string, pageIDs []string) (map[string]string, error)
	Import(ctx context.Context, spaceID string, r gitbook.ImportRequest) error
	Export(ctx context.Context, spaceID string, r gitbook.ExportRequest) error
}

// ChangeRequests does what the engine decides for a change request; the
// changerequest package knows how.
type ChangeRequests interface {
	// Propose brings the change request of opts.Link up to date with the
	// project's pages in scope, and returns warnings about the project.
	Propose(ctx context.Context, opts changerequest.Options, proj *content.Project, files content.Files, scope changerequest.Scope) (*changerequest.Result, diag.List, error)
	Merge(ctx context.Context, opts changerequest.Options) (*changerequest.Result, error)
	Archive(ctx context.Context, opts changerequest.Options) (*changerequest.Result, error)
	// Open lists the space's open change requests kept for a pull request
	// or a branch.
	Open(ctx context.Context, spaceID string) ([]changerequest.Tracked, error)
}

// clientChangeRequests is package changerequest over one client.
type clientChangeRequests struct{ c *gitbook.Client }

func (a clientChangeRequests) Propose(ctx context.Context, o changerequest.Options, proj *content.Project, files content.Files, scope changerequest.Scope) (*changerequest.Result, diag.List, error) {
	o.Client = a.c
	desired, warnings, err := changerequest.Desired(proj, files)
	if err != nil {
		return nil, warnings, err
	}
	res, err := changerequest.Update(ctx, o, desired, scope)
	return res, warnings, err
}

func (a clientChangeRequests) Merge(ctx context.Context, o changerequest.Options) (*changerequest.Result, error) {
	o.Client = a.c
	return changerequest.Merge(ctx, o)
}

func (a clientChangeRequests) Archive(ctx context.Context, o changerequest.Options) (*changerequest.Result, error) {
	o.Client = a.c
	return changerequest.Archive(ctx, o)
}

func (a clientChangeRequests) Open(ctx context.Context, spaceID string) ([]changerequest.Tracked, error) {
	return changerequest.Open(ctx, a.c, spaceID)
}
