package emulator

import (
	"time"
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

var defaultLayout = map[string]any{
	"width": "default", "cover": true, "coverSize": "hero", "coverMask": "none", "title": true,
	"description": true, "tableOfContents": true, "outline": true, "pagination": true,
	"metadata": true, "tags": true, "actions": true, "anchors": true,
}

// pageJSON renders a page. GitBook's description requires a document page
// to carry its document, so list answers include the Markdown too.
func (s *Server) pageJSON(sp *space, p *page, parentPath string, withGit bool) map[string]any {
	path := p.Slug
	if parentPath != "" {
		path = parentPath + "/" + p.Slug
	}
	out := map[string]any{"id": p.ID, "title": p.Title}
	if p.LinkTitle != "" {
		out["linkTitle"] = p.LinkTitle
	}
	if p.Icon != "" {
		out["icon"] = p.Icon
	}
	if p.Emoji != "" {
		out["emoji"] = p.Emoji
	}
	switch p.Kind {
	case "group":
		out["kind"], out["type"], out["slug"], out["path"] = "group", "group", p.Slug, path
	case "link":
		out["kind"], out["type"] = "link", "link"
		out["target"] = map[string]any{"kind": "url", "url": p.Href}
		out["href"] = p.Href
		if p.Hidden {
			out["hidden"] = true
		}
		return out
	default:
		out["kind"], out["type"], out["slug"], out["path"] = "sheet", "document", p.Slug, path
		out["urls"] = map[string]any{"app": s.appURL("o", sp.Org, "s", sp.ID, path)}
		out["layout"] = defaultLayout
		out["tags"] = []any{}
		out["markdown"] = p.Markdown
		if p.Description != "" {
			out["description"] = p.Description
		}
		if p.Hidden {
			out["hidden"] = true
		}
		if withGit && p.GitPath != "" {
			out["git"] = map[string]any{"oid": p.GitOID, "path": p.GitPath}
		}
	}
	children := make([]any, 0, len(p.Children))
	for _, c := range p.Children {
		children = append(children, s.pageJSON(sp, c, path, withGit))
	}
	out["pages"] = children
	return out
}

func (s *Server) pagesJSON(sp *space, pages []*page, withGit bool) []any {
	out := make([]any, 0, len(pages))
	for _, p := range pages {
		out = append(out, s.pageJSON(sp, p, "", withGit))
	}
	return out
}

func (s *Server) revisionJSON(sp *space, rev *revision, withGit bool) map[string]any {
	files := make([]any, 0, len(rev.Files))
	for _, f := range rev.Files {
		fj := map[string]any{"id": f.ID, "name": f.Name, "contentType": f.ContentType,
			"downloadURL": s.baseURL + "/_emulator/files/" + sp.ID + "/" + f.ID, "size": len(f.Data)}
		if withGit && f.GitPath != "" {
			fj["git"] = map[string]any{"oid": "", "path": f.GitPath}
		}
		files = append(files, fj)
	}
	out := map[string]any{
		"object": "revision", "id": rev.ID, "type": rev.Type, "parents": rev.Parents,
		"pages": s.pagesJSON(sp, rev.Pages, withGit), "files": files,
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
		"revisionInitial": cr.RevisionInitial, "comments": 0, "outdated": cr.Status == "open" && cr.RevisionInitial != sp.Current,
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

func (s *Server) gitInfoJSON(sp *space) map[string]any {
	out := map[string]any{
		"installationId":       "inst-" + sp.ID,
		"installationProvider": sp.Provider,
		"installationStatus":   "active",
		"operationTimeout":     600000,
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
