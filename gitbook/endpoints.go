package gitbook

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Space returns a space.
func (c *Client) Space(ctx context.Context, spaceID string) (*Space, error) {
	var s Space
	return &s, c.do(ctx, request{method: http.MethodGet, path: "/spaces/" + esc(spaceID), out: &s})
}

// GitInfo returns the space's Git Sync state. A space with no provider
// yields an error matching ErrNoGitProvider.
func (c *Client) GitInfo(ctx context.Context, spaceID string) (*GitInfo, error) {
	var g GitInfo
	err := c.do(ctx, request{method: http.MethodGet, path: "/spaces/" + esc(spaceID) + "/git/info", out: &g, notFound: ErrNoGitProvider})
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// Import queues an import of a Git repository into the space. It returns as
// soon as GitBook accepted it; follow GitInfo for the outcome.
func (c *Client) Import(ctx context.Context, spaceID string, r ImportRequest) error {
	return c.do(ctx, request{method: http.MethodPost, path: "/spaces/" + esc(spaceID) + "/git/import", body: r})
}

// Export queues an export of the space to a Git repository.
func (c *Client) Export(ctx context.Context, spaceID string, r ExportRequest) error {
	return c.do(ctx, request{method: http.MethodPost, path: "/spaces/" + esc(spaceID) + "/git/export", body: r})
}

// CurrentRevision returns the space's live content with its git metadata.
func (c *Client) CurrentRevision(ctx context.Context, spaceID string) (*Revision, error) {
	var r Revision
	return &r, c.do(ctx, request{method: http.MethodGet, path: "/spaces/" + esc(spaceID) + "/content", out: &r})
}

// Pages lists the page tree of the space's live content.
func (c *Client) Pages(ctx context.Context, spaceID string) ([]Page, error) {
	var out struct {
		Pages []Page `json:"pages"`
	}
	err := c.do(ctx, request{method: http.MethodGet, path: "/spaces/" + esc(spaceID) + "/content/pages", out: &out})
	return out.Pages, err
}

// PageMarkdown returns one live page with its body as Markdown. The live
// content can move on between two reads: to read the pages of a revision
// already listed, use RevisionPageMarkdown.
func (c *Client) PageMarkdown(ctx context.Context, spaceID, pageID string) (*Page, error) {
	var p Page
	return &p, c.do(ctx, request{method: http.MethodGet, path: "/spaces/" + esc(spaceID) + "/content/page/" + esc(pageID),
		query: url.Values{"format": {"markdown"}}, out: &p})
}

// RevisionPageMarkdown returns one page of a revision of the space (the
// live content's, or a change request's) with its body as Markdown
// (getPageInRevisionById). A revision never changes, so the pages of one
// listing are read as they were listed, whatever was merged or edited
// since.
func (c *Client) RevisionPageMarkdown(ctx context.Context, spaceID, revisionID, pageID string) (*Page, error) {
	var p Page
	return &p, c.do(ctx, request{method: http.MethodGet, path: "/spaces/" + esc(spaceID) + "/revisions/" + esc(revisionID) + "/page/" + esc(pageID),
		query: url.Values{"format": {"markdown"}}, out: &p})
}

// maxPageReads bounds the page reads RevisionPagesMarkdown has in flight:
// enough to hide latency, few enough to stay clear of GitBook's rate limit.
const maxPageReads = 8

// RevisionPagesMarkdown reads pages of one revision as RevisionPageMarkdown
// does, several at a time, and returns their bodies by page ID.
func (c *Client) RevisionPagesMarkdown(ctx context.Context, spaceID, revisionID string, pageIDs []string) (map[string]string, error) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(maxPageReads)
	var mu sync.Mutex
	bodies := make(map[string]string, len(pageIDs))
	for _, id := range pageIDs {
		g.Go(func() error {
			p, err := c.RevisionPageMarkdown(ctx, spaceID, revisionID, id)
			if err != nil {
				return fmt.Errorf("read page %s: %w", id, err)
			}
			mu.Lock()
			bodies[id] = p.Markdown
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return bodies, nil
}

func crPath(spaceID, crID string) string {
	return "/spaces/" + esc(spaceID) + "/change-requests/" + esc(crID)
}

// CreateChangeRequest opens a change request.
func (c *Client) CreateChangeRequest(ctx context.Context, spaceID, subject string) (*ChangeRequest, error) {
	var cr ChangeRequest
	return &cr, c.do(ctx, request{method: http.MethodPost, path: "/spaces/" + esc(spaceID) + "/change-requests",
		body: map[string]string{"subject": subject}, out: &cr})
}

// ChangeRequest returns one change request by ID or number.
func (c *Client) ChangeRequest(ctx context.Context, spaceID, crID string) (*ChangeRequest, error) {
	var cr ChangeRequest
	return &cr, c.do(ctx, request{method: http.MethodGet, path: crPath(spaceID, crID), out: &cr})
}

// ChangeRequests lists the space's change requests with the given status
// (GitBook defaults to open when status is empty).
func (c *Client) ChangeRequests(ctx context.Context, spaceID, status string) ([]ChangeRequest, error) {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	return listAll[ChangeRequest](ctx, c, "/spaces/"+esc(spaceID)+"/change-requests", q)
}

// UpdateChangeRequest changes a change request's subject, links or status.
func (c *Client) UpdateChangeRequest(ctx context.Context, spaceID, crID string, u ChangeRequestUpdate) (*ChangeRequest, error) {
	var cr ChangeRequest
	return &cr, c.do(ctx, request{method: http.MethodPatch, path: crPath(spaceID, crID), body: u, out: &cr})
}

// ApplyChanges sends one content batch (at most MaxChangesPerBatch changes);
// GitBook applies all of it or none.
func (c *Client) ApplyChanges(ctx context.Context, spaceID, crID string, changes []Change) (*ContentUpdate, error) {
	if len(changes) == 0 || len(changes) > MaxChangesPerBatch {
		return nil, fmt.Errorf("change request %s: a content batch takes 1 to at most %d changes, got %d; split it", crID, MaxChangesPerBatch, len(changes))
	}
	var out ContentUpdate
	return &out, c.do(ctx, request{method: http.MethodPost, path: crPath(spaceID, crID) + "/content",
		query: url.Values{"compat": {"false"}}, body: map[string]any{"changes": changes}, out: &out})
}

// ChangeRequestPages lists the page tree of a change request.
func (c *Client) ChangeRequestPages(ctx context.Context, spaceID, crID string) ([]Page, error) {
	var out struct {
		Pages []Page `json:"pages"`
	}
	err := c.do(ctx, request{method: http.MethodGet, path: crPath(spaceID, crID) + "/content/pages", out: &out})
	return out.Pages, err
}

// ChangeRequestRevision returns the change request's current content.
func (c *Client) ChangeRequestRevision(ctx context.Context, spaceID, crID string) (*Revision, error) {
	var r Revision
	return &r, c.do(ctx, request{method: http.MethodGet, path: crPath(spaceID, crID) + "/content", out: &r})
}

// ChangeRequestPageMarkdown returns one page of a change request as Markdown.
func (c *Client) ChangeRequestPageMarkdown(ctx context.Context, spaceID, crID, pageID string) (*Page, error) {
	var p Page
	return &p, c.do(ctx, request{method: http.MethodGet, path: crPath(spaceID, crID) + "/content/page/" + esc(pageID),
		query: url.Values{"format": {"markdown"}}, out: &p})
}

// RequestReviewers asks users (by ID) to review a change request.
func (c *Client) RequestReviewers(ctx context.Context, spaceID, crID string, userIDs []string) ([]RequestedReviewer, error) {
	var out struct {
		Users []RequestedReviewer `json:"users"`
	}
	err := c.do(ctx, request{method: http.MethodPost, path: crPath(spaceID, crID) + "/requested-reviewers",
		body: map[string]any{"users": userIDs}, out: &out})
	return out.Users, err
}

// RequestedReviewers lists who was asked to review a change request.
func (c *Client) RequestedReviewers(ctx context.Context, spaceID, crID string) ([]RequestedReviewer, error) {
	return listAll[RequestedReviewer](ctx, c, crPath(spaceID, crID)+"/requested-reviewers", nil)
}

// SubmitReview approves a change request or requests changes.
func (c *Client) SubmitReview(ctx context.Context, spaceID, crID, status string) (*Review, error) {
	var r Review
	return &r, c.do(ctx, request{method: http.MethodPost, path: crPath(spaceID, crID) + "/reviews",
		body: map[string]string{"status": status}, out: &r})
}

// Reviews lists the reviews of a change request.
func (c *Client) Reviews(ctx context.Context, spaceID, crID string) ([]Review, error) {
	return listAll[Review](ctx, c, crPath(spaceID, crID)+"/reviews", nil)
}

// MergeChangeRequest merges a change request into the live content. A
// Result of MergeConflicts was merged too, with conflicts to resolve in
// GitBook.
func (c *Client) MergeChangeRequest(ctx context.Context, spaceID, crID string) (*MergeResult, error) {
	var m MergeResult
	return &m, c.do(ctx, request{method: http.MethodPost, path: crPath(spaceID, crID) + "/merge", out: &m})
}

// RebaseChangeRequest brings a change request up to date with the live
// content (GitBook's updateChangeRequest: "rebases the change request onto
// the latest primary revision of the space"). A Result of MergeConflicts
// was applied too, with conflicts to resolve in GitBook. Sending it twice
// does no more than once, so it is resent like a read.
func (c *Client) RebaseChangeRequest(ctx context.Context, spaceID, crID string) (*MergeResult, error) {
	var m MergeResult
	return &m, c.do(ctx, request{method: http.MethodPost, path: crPath(spaceID, crID) + "/update", out: &m, resendable: true})
}

// Members lists an organization's members, filtered by search when given
// (GitBook matches display name and e-mail).
func (c *Client) Members(ctx context.Context, orgID, search string) ([]Member, error) {
	q := url.Values{}
	if search != "" {
		q.Set("search", search)
	}
	return listAll[Member](ctx, c, "/orgs/"+esc(orgID)+"/members", q)
}

func specPath(orgID, slug string) string { return "/orgs/" + esc(orgID) + "/openapi/" + esc(slug) }

// OpenAPISpecs lists an organization's specs.
func (c *Client) OpenAPISpecs(ctx context.Context, orgID string) ([]OpenAPISpec, error) {
	return listAll[OpenAPISpec](ctx, c, "/orgs/"+esc(orgID)+"/openapi", nil)
}

// OpenAPISpec returns one spec by slug.
func (c *Client) OpenAPISpec(ctx context.Context, orgID, slug string) (*OpenAPISpec, error) {
	var s OpenAPISpec
	return &s, c.do(ctx, request{method: http.MethodGet, path: specPath(orgID, slug), out: &s})
}

// PutOpenAPISpec creates the spec or adds a version to it. Each PUT
// GitBook receives adds a version ("Update to upload a new version", in
// GitBook's docs), so one whose outcome is unknown (answer lost, 502,
// 503, 504) is not resent: the error matches ErrOutcomeUnknown, and the
// spec's latest version says whether it arrived.
func (c *Client) PutOpenAPISpec(ctx context.Context, orgID, slug string, src OpenAPISource) (*OpenAPISpec, error) {
	var s OpenAPISpec
	return &s, c.do(ctx, request{method: http.MethodPut, path: specPath(orgID, slug),
		body: map[string]any{"source": src}, out: &s, once: true})
}

// OpenAPISpecVersions lists a spec's versions, newest first.
func (c *Client) OpenAPISpecVersions(ctx context.Context, orgID, slug string) ([]OpenAPISpecVersion, error) {
	return listAll[OpenAPISpecVersion](ctx, c, specPath(orgID, slug)+"/versions", nil)
}

// LatestOpenAPIRaw returns the text of a spec's latest version as submitted.
func (c *Client) LatestOpenAPIRaw(ctx context.Context, orgID, slug string) (*OpenAPIRaw, error) {
	var r OpenAPIRaw
	return &r, c.do(ctx, request{method: http.MethodGet, path: specPath(orgID, slug) + "/versions/latest/content/raw", out: &r})
}
