package emulator

import (
	"net/http"
	"strings"
	"time"

	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/gitformat"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

// The functions here render the emulator's state in the exact shapes of
// GitBook's OpenAPI description, required fields included; the contract
// tests hold them to it.

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func (s *Server) userJSON(id string) map[string]any {
	m := s.users[id]
	if m == nil {
		m = &member{ID: id, DisplayName: id}
	}
	u := map[string]any{"object": "user", "id": m.ID, "displayName": m.DisplayName,
		"urls": map[string]any{"location": s.baseURL + "/v1/users/" + m.ID}}
	if m.Email != "" {
		u["email"] = m.Email
	}
	return u
}

func (s *Server) appURL(parts ...string) string {
	u := s.opts.AppURL
	for _, p := range parts {
		u += "/" + p
	}
	return u
}

// layoutJSON is the page layout GitBook reports: its defaults, with what
// the page's front matter "layout" says.
func layoutJSON(l *gitformat.Layout) map[string]any {
	out := map[string]any{
		"width": "default", "cover": true, "coverSize": "hero", "coverMask": "none", "title": true,
		"description": true, "tableOfContents": true, "outline": true, "pagination": true,
		"metadata": true, "tags": true, "actions": true, "anchors": true,
	}
	if l == nil {
		return out
	}
	if l.Width == "default" || l.Width == "wide" {
		out["width"] = l.Width
	}
	switch l.Cover.Size {
	case "hero", "full", "background":
		out["coverSize"] = l.Cover.Size
	}
	switch l.Cover.Mask {
	case "none", "radial":
		out["coverMask"] = l.Cover.Mask
	}
	for key, t := range map[string]*bool{"cover": l.Cover.Visible, "title": l.Title.Visible, "description": l.Description.Visible,
		"tableOfContents": l.TableOfContents.Visible, "outline": l.Outline.Visible, "pagination": l.Pagination.Visible,
		"metadata": l.Metadata.Visible, "tags": l.Tags.Visible, "actions": l.Actions.Visible, "anchors": l.Anchors.Visible} {
		if t != nil {
			out[key] = *t
		}
	}
	return out
}

// pageView is what a page answer needs beyond the page: where it sits and
// whether (and how) to include its body.
type pageView struct {
	sp       *space
	rev      *revision
	withGit  bool
	markdown bool // format=markdown: the body as Markdown
	stable   bool // format.markdown.refs=stable
	paths    map[string]string
	files    map[string]string
}

func (s *Server) newView(sp *space, rev *revision, r *http.Request) *pageView {
	q := r.URL.Query()
	v := &pageView{sp: sp, rev: rev, withGit: q.Get("metadata") != "false", markdown: q.Get("format") == "markdown",
		stable: q.Get("format.markdown.refs") == "stable"}
	if v.markdown {
		v.paths = gitformat.AssignPaths(rev.Pages, gitformat.DefaultConfig(), nil)
		v.files = map[string]string{}
		for _, f := range rev.Files {
			v.files[f.ID] = f.GitPath
			if f.GitPath == "" {
				v.files[f.ID] = ".gitbook/assets/" + f.Name
			}
		}
	}
	return v
}

// pageJSON renders a page. Lists carry no bodies: GitBook's description
// sends callers to getPageById or getPageByPath for a page's content, and
// its pages point at their body with documentId.
func (s *Server) pageJSON(v *pageView, p *page, parentPath string, withBody bool) map[string]any {
	sp := v.sp
	path := p.Slug
	if parentPath != "" {
		path = parentPath + "/" + p.Slug
	}
	out := map[string]any{"id": p.ID, "title": p.Title}
	if p.LinkTitle != "" {
		out["linkTitle"] = p.LinkTitle
	}
	if p.Meta.Icon != "" {
		out["icon"] = p.Meta.Icon
	}
	if p.Meta.Emoji != "" {
		out["emoji"] = p.Meta.Emoji
	}
	switch p.Kind {
	case gitformat.KindGroup:
		out["kind"], out["type"], out["slug"], out["path"] = "group", "group", p.Slug, path
	case gitformat.KindLink:
		out["kind"], out["type"] = "link", "link"
		if t := p.Target; t != nil && t.URL != "" {
			out["target"] = map[string]any{"kind": "url", "url": t.URL}
			out["href"] = t.URL
		} else if t != nil {
			out["target"] = map[string]any{"kind": "anchor", "anchor": strings.TrimPrefix(t.Anchor, "#"), "page": t.Page}
		}
		return out
	default:
		out["kind"], out["type"], out["slug"], out["path"] = "sheet", "document", p.Slug, path
		out["urls"] = map[string]any{"app": s.appURL("o", sp.Org, "s", sp.ID, path)}
		out["layout"] = layoutJSON(p.Meta.Layout)
		out["tags"] = []any{}
		out["documentId"] = "doc-" + p.ID
		if c := p.Meta.Cover; c != nil {
			cover := map[string]any{"yPos": c.YPos}
			switch {
			case c.File != "":
				cover["ref"] = map[string]any{"kind": "file", "file": c.File}
			case strings.Contains(c.Path, "://"):
				cover["ref"] = map[string]any{"kind": "url", "url": c.Path}
			}
			if c.Height >= 10 && c.Height <= 700 {
				cover["height"] = c.Height
			}
			out["cover"] = cover
		}
		if withBody && v.markdown {
			file := v.paths[p.ID]
			out["markdown"] = gitformat.RenderMarkdown(p, file, v.paths, v.files, v.stable)
		}
		if p.Meta.Description != "" {
			out["description"] = p.Meta.Description
		}
		if p.Meta.Hidden {
			out["hidden"] = true
		}
		if p.Meta.NoIndex {
			out["noIndex"] = true
		}
		if p.Meta.NoRobotsIndex {
			out["noRobotsIndex"] = true
		}
		if v.withGit && p.GitPath != "" {
			out["git"] = map[string]any{"oid": p.GitOID, "path": sp.gitPath(p.GitPath)}
		}
	}
	out["pages"] = s.pageList(v, p.Children, path)
	return out
}

// pageList renders pages. Computed pages (a builtin:openapi block) are
// left out: GitBook answers with the pages it computes from them, which
// the emulator does not compute; they are kept for the export.
func (s *Server) pageList(v *pageView, pages []*page, parentPath string) []any {
	out := make([]any, 0, len(pages))
	for _, p := range pages {
		if p.Kind != gitformat.KindComputed {
			out = append(out, s.pageJSON(v, p, parentPath, false))
		}
	}
	return out
}

func (s *Server) pagesJSON(v *pageView, pages []*page) []any { return s.pageList(v, pages, "") }

func (s *Server) fileJSON(sp *space, f *file, withGit bool) map[string]any {
	download := s.baseURL + "/_emulator/files/" + sp.ID + "/" + f.ID
	if f.Data == nil && f.URL != "" {
		download = f.URL
	}
	out := map[string]any{"id": f.ID, "name": f.Name, "contentType": f.ContentType, "downloadURL": download, "size": len(f.Data)}
	if withGit && f.GitPath != "" {
		out["git"] = map[string]any{"oid": gitformat.BlobHash(f.Data), "path": sp.gitPath(f.GitPath)}
	}
	return out
}

func (s *Server) revisionJSON(v *pageView) map[string]any {
	sp, rev, withGit := v.sp, v.rev, v.withGit
	files := make([]any, 0, len(rev.Files))
	for _, f := range rev.Files {
		files = append(files, s.fileJSON(sp, f, withGit))
	}
	out := map[string]any{
		"object": "revision", "id": rev.ID, "type": rev.Type, "parents": rev.Parents,
		"pages": s.pagesJSON(v, rev.Pages), "files": files,
		"reusableContents": []any{}, "tags": []any{},
		"urls":      map[string]any{"app": s.appURL("o", sp.Org, "s", sp.ID, "~", "revisions", rev.ID)},
		"createdAt": ts(rev.CreatedAt),
	}
	if withGit && rev.Git != nil {
		g := map[string]any{"oid": rev.Git.OID, "message": rev.Git.Message, "createdByGitBook": rev.Git.CreatedByGitBook}
		if rev.Git.Ref != "" {
			g["ref"] = rev.Git.Ref
		}
		out["git"] = g
	}
	if rev.Type == "merge" {
		if cr := sp.findCR(rev.MergedFrom); cr != nil {
			out["mergedFrom"] = s.crJSON(sp, cr)
		}
	}
	return out
}

func (s *Server) crJSON(sp *space, cr *changeRequest) map[string]any {
	out := map[string]any{
		"object": "change-request", "id": cr.ID, "number": cr.Number, "status": cr.Status,
		"subject": cr.Subject, "createdBy": s.userJSON(cr.CreatedBy), "createdAt": ts(cr.CreatedAt),
		"updatedAt": ts(cr.UpdatedAt), "space": sp.ID, "revision": cr.Revision,
		"revisionInitial": cr.RevisionInitial, "comments": 0, "outdated": cr.outdated(sp),
		"urls": map[string]any{
			"app":      s.appURL("o", sp.Org, "s", sp.ID, "~", "changes", cr.ID),
			"location": s.baseURL + "/v1/spaces/" + sp.ID + "/change-requests/" + cr.ID,
		},
	}
	if len(cr.Links) > 0 {
		links := make([]any, 0, len(cr.Links))
		for _, l := range cr.Links {
			lj := map[string]any{"id": l.ID, "ref": map[string]any{"kind": "url", "url": l.URL}}
			if l.Title != "" {
				lj["title"] = l.Title
			}
			links = append(links, lj)
		}
		out["links"] = links
	}
	if cr.RevisionMergedAncestor != "" {
		out["revisionMergedAncestor"] = cr.RevisionMergedAncestor
	}
	if cr.Description != nil {
		out["description"] = cr.Description
	}
	if cr.MergedAt != nil {
		out["mergedAt"] = ts(*cr.MergedAt)
		out["revisionMerged"] = cr.RevisionMerged
		out["mergedBy"] = s.userJSON("api-user")
	}
	return out
}

func (s *Server) spaceJSON(sp *space) map[string]any {
	out := map[string]any{
		"object": "space", "id": sp.ID, "title": sp.Title, "emoji": "", "organization": sp.Org,
		"visibility": "private", "revision": sp.Current, "createdAt": ts(sp.CreatedAt), "updatedAt": ts(sp.UpdatedAt),
		"comments": 0, "changeRequests": len(sp.CRs), "changeRequestsOpen": sp.countCRs("open"),
		"changeRequestsDraft": sp.countCRs("draft"), "mergeRules": map[string]any{"type": "inherit"},
		"urls": map[string]any{
			"app":      s.appURL("o", sp.Org, "s", sp.ID),
			"location": s.baseURL + "/v1/spaces/" + sp.ID,
		},
		"defaultLevel": "inherit",
		"permissions": map[string]any{"view": true, "access": true, "admin": true, "viewInviteLinks": true,
			"edit": true, "triggerGitSync": true, "comment": true, "merge": true, "review": true, "installIntegration": true},
	}
	return out
}

// gitInfoJSON is GitBook's GitSyncState for an installed Git Sync.
func (s *Server) gitInfoJSON(sp *space) map[string]any {
	out := map[string]any{
		"installationId":       "inst-" + sp.ID,
		"installationProvider": sp.sync.provider,
		"installationStatus":   "active",
		"operationTimeout":     600000,
		"url":                  redact.URL(sp.sync.url),
	}
	if op := sp.Op; op != nil {
		o := map[string]any{"state": op.State, "direction": op.Direction, "startedAt": ts(op.StartedAt)}
		if op.EndedAt != nil {
			o["endedAt"] = ts(*op.EndedAt)
		}
		if op.Error != "" {
			o["error"] = op.Error
		}
		out["operation"] = o
	}
	return out
}

func (s *Server) memberJSON(m *member) map[string]any {
	return map[string]any{"object": "member", "id": m.ID, "role": m.Role, "user": s.userJSON(m.ID),
		"disabled": false, "joinedAt": ts(m.JoinedAt), "sso": false, "spaces": 0, "teams": 0, "sites": 0}
}

func (s *Server) specJSON(org *organization, sp *spec) map[string]any {
	out := map[string]any{
		"object": "openapi-spec", "id": sp.ID, "createdAt": ts(sp.CreatedAt), "updatedAt": ts(sp.UpdatedAt),
		"slug": sp.Slug, "processingState": sp.State, "lastProcessedErrorCount": len(sp.Errors),
		"permissions": map[string]any{"view": true, "edit": true},
		"urls": map[string]any{
			"app":      s.appURL("o", org.ID, "openapi", sp.Slug),
			"location": s.baseURL + "/v1/orgs/" + org.ID + "/openapi/" + sp.Slug,
		},
		"visibility": "private",
	}
	if len(sp.Versions) > 0 {
		out["lastVersion"] = sp.Versions[len(sp.Versions)-1].ID
	}
	if sp.SourceURL != "" {
		out["sourceURL"] = sp.SourceURL
	}
	if sp.ProcessedAt != nil {
		out["lastProcessedAt"] = ts(*sp.ProcessedAt)
	}
	if sp.ErrorCode != "" {
		out["lastProcessErrorCode"] = sp.ErrorCode
		errs := make([]any, 0, len(sp.Errors))
		for _, e := range sp.Errors {
			ej := map[string]any{"message": e.Message}
			if e.Code != "" {
				ej["code"] = e.Code
			}
			errs = append(errs, ej)
		}
		out["lastProcessedErrors"] = errs
	}
	return out
}

func (s *Server) specVersionJSON(org *organization, sp *spec, v *specVersion) map[string]any {
	u := v.URL
	if u == "" {
		u = s.baseURL + "/_emulator/openapi/" + org.ID + "/" + sp.Slug + "/" + v.ID
	}
	return map[string]any{"object": "openapi-spec-version", "id": v.ID, "url": u, "createdAt": ts(v.CreatedAt),
		"urls": map[string]any{"location": s.baseURL + "/v1/orgs/" + org.ID + "/openapi/" + sp.Slug + "/versions/" + v.ID}}
}

func (sp *space) countCRs(status string) int {
	n := 0
	for _, cr := range sp.CRs {
		if cr.Status == status {
			n++
		}
	}
	return n
}

func (sp *space) findCR(idOrNumber string) *changeRequest {
	for _, cr := range sp.CRs {
		if cr.ID == idOrNumber || itoa(cr.Number) == idOrNumber {
			return cr
		}
	}
	return nil
}
