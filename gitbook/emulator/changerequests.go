package emulator

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/gitbook-sync/gitbook-sync/content"
)

const maxBatch = 50

func (s *Server) listCRs(w http.ResponseWriter, r *http.Request) {
	sp := s.space(w, r)
	if sp == nil {
		return
	}
	status := r.URL.Query().Get("status")
	if status == "" {
		status = "open"
	}
	var items []map[string]any
	// Newest first, as GitBook lists them.
	for i := len(sp.CRs) - 1; i >= 0; i-- {
		if sp.CRs[i].Status == status {
			items = append(items, s.crJSON(sp, sp.CRs[i]))
		}
	}
	writeJSON(w, http.StatusOK, listPage(r, items))
}

func (s *Server) createCR(w http.ResponseWriter, r *http.Request) {
	sp := s.space(w, r)
	if sp == nil {
		return
	}
	var body struct {
		Subject string `json:"subject"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if len([]rune(body.Subject)) > 100 {
		writeError(w, http.StatusBadRequest, "subject must be at most 100 characters")
		return
	}
	now := s.opts.Now().UTC()
	cr := &changeRequest{ID: s.newID("cr"), Number: len(sp.CRs) + 1, Subject: body.Subject, Status: "open", Space: sp.ID,
		Revision: sp.Current, RevisionInitial: sp.Current, CreatedBy: "api-user", CreatedAt: now, UpdatedAt: now}
	sp.CRs = append(sp.CRs, cr)
	w.Header().Set("Location", s.baseURL+"/v1/spaces/"+sp.ID+"/change-requests/"+cr.ID)
	writeJSON(w, http.StatusCreated, s.crJSON(sp, cr))
}

func (s *Server) getCR(w http.ResponseWriter, r *http.Request) {
	if sp, cr := s.cr(w, r); cr != nil {
		writeJSON(w, http.StatusOK, s.crJSON(sp, cr))
	}
}

func (s *Server) patchCR(w http.ResponseWriter, r *http.Request) {
	sp, cr := s.cr(w, r)
	if cr == nil {
		return
	}
	var body struct {
		Subject *string `json:"subject"`
		Status  string  `json:"status"`
		Links   []struct {
			ID  string `json:"id"`
			Ref struct {
				Kind string `json:"kind"`
				URL  string `json:"url"`
			} `json:"ref"`
			Title string `json:"title"`
		} `json:"links"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if cr.Status == "merged" {
		writeError(w, http.StatusBadRequest, "A merged change request cannot be changed")
		return
	}
	if body.Subject != nil {
		if len([]rune(*body.Subject)) > 100 {
			writeError(w, http.StatusBadRequest, "subject must be at most 100 characters")
			return
		}
		cr.Subject = *body.Subject
	}
	if body.Links != nil {
		if len(body.Links) > 10 {
			writeError(w, http.StatusBadRequest, "a change request has at most 10 links")
			return
		}
		links := make([]crLink, 0, len(body.Links))
		for _, l := range body.Links {
			id := l.ID
			if id == "" {
				id = s.newID("link")
			}
			links = append(links, crLink{ID: id, URL: l.Ref.URL, Title: l.Title})
		}
		cr.Links = links
	}
	switch body.Status {
	case "":
	case "open", "draft", "archived":
		cr.Status = body.Status
	default:
		writeError(w, http.StatusBadRequest, "status must be draft, open or archived")
		return
	}
	cr.UpdatedAt = s.opts.Now().UTC()
	if r.Header.Get("Prefer") == "return=minimal" {
		w.Header().Set("Preference-Applied", "return=minimal")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, s.crJSON(sp, cr))
}

func (s *Server) getCRContent(w http.ResponseWriter, r *http.Request) {
	if sp, cr := s.cr(w, r); cr != nil {
		writeJSON(w, http.StatusOK, s.revisionJSON(sp, sp.Revisions[cr.Revision], wantGit(r)))
	}
}

func (s *Server) getCRPages(w http.ResponseWriter, r *http.Request) {
	if sp, cr := s.cr(w, r); cr != nil {
		writeJSON(w, http.StatusOK, map[string]any{"pages": s.pagesJSON(sp, sp.Revisions[cr.Revision].Pages, wantGit(r))})
	}
}

func (s *Server) getCRPage(w http.ResponseWriter, r *http.Request) {
	if sp, cr := s.cr(w, r); cr != nil {
		s.writePage(w, r, sp, sp.Revisions[cr.Revision])
	}
}

// change is one content operation as GitBook receives it.
type change struct {
	Operation   string          `json:"operation"`
	Page        string          `json:"page"`
	Ref         string          `json:"ref"`
	Title       *string         `json:"title"`
	Description *string         `json:"description"`
	Slug        *string         `json:"slug"`
	Hidden      *bool           `json:"hidden"`
	Icon        *string         `json:"icon"`
	Emoji       *string         `json:"emoji"`
	Into        json.RawMessage `json:"into"`
	At          *int            `json:"at"`
	Document    *struct {
		Markdown *string `json:"markdown"`
	} `json:"document"`
	Files []struct {
		Name        string `json:"name"`
		Ref         string `json:"ref"`
		ContentType string `json:"contentType"`
		Base64      string `json:"base64"`
		URL         string `json:"url"`
	} `json:"files"`
}

type outcome struct {
	object, pageID, ref string
}

func (s *Server) postCRContent(w http.ResponseWriter, r *http.Request) {
	sp, cr := s.cr(w, r)
	if cr == nil {
		return
	}
	var body struct {
		Changes []change `json:"changes"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	switch {
	case cr.Status == "merged" || cr.Status == "archived":
		writeError(w, http.StatusBadRequest, "Change request is "+cr.Status+" and cannot be edited")
		return
	case len(body.Changes) == 0:
		writeError(w, http.StatusBadRequest, "changes: at least one change is required")
		return
	case len(body.Changes) > maxBatch:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("changes: at most %d changes per request, got %d", maxBatch, len(body.Changes)))
		return
	}
	base := sp.Revisions[cr.Revision]
	// The batch applies to a copy: one invalid change rejects all of it.
	pages := clonePages(base.Pages)
	files := append([]*file(nil), base.Files...)
	var outcomes []outcome
	var inserted []*file
	refs := map[string]bool{}
	for i, ch := range body.Changes {
		o, newFiles, err := s.applyChange(&pages, ch, refs)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("changes[%d] (%s): %v", i, ch.Operation, err))
			return
		}
		files = append(files, newFiles...)
		inserted = append(inserted, newFiles...)
		outcomes = append(outcomes, o...)
	}
	rev := &revision{ID: s.newID("rev"), Type: "edits", Parents: []string{base.ID}, Pages: pages, Files: files, CreatedAt: s.opts.Now().UTC()}
	sp.Revisions[rev.ID] = rev
	cr.Revision = rev.ID
	cr.UpdatedAt = rev.CreatedAt
	if r.URL.Query().Get("compat") != "false" {
		writeJSON(w, http.StatusOK, s.crJSON(sp, cr))
		return
	}
	seen := map[string]bool{}
	var changes []any
	for _, o := range outcomes {
		if seen[o.pageID] {
			continue
		}
		seen[o.pageID] = true
		if o.object == "deleted_page" {
			changes = append(changes, map[string]any{"object": o.object, "page": o.pageID})
			continue
		}
		c := map[string]any{"object": o.object, "page": map[string]any{"object": "page", "id": o.pageID,
			"urls": map[string]any{"location": s.baseURL + "/v1/spaces/" + sp.ID + "/change-requests/" + cr.ID + "/content/page/" + o.pageID}}}
		if o.ref != "" {
			c["ref"] = o.ref
		}
		changes = append(changes, c)
	}
	if changes == nil {
		changes = []any{}
	}
	resp := map[string]any{"changeRequest": s.crJSON(sp, cr), "changes": changes}
	if len(inserted) > 0 {
		fl := make([]any, 0, len(inserted))
		for _, f := range inserted {
			fl = append(fl, map[string]any{"id": f.ID, "name": f.Name, "contentType": f.ContentType,
				"downloadURL": s.baseURL + "/_emulator/files/" + sp.ID + "/" + f.ID, "size": len(f.Data)})
		}
		resp["insertedFiles"] = fl
	}
	writeJSON(w, http.StatusOK, resp)
}

// locate finds a page with its sibling list and index.
func locate(list *[]*page, id string) (*page, *[]*page, int) {
	for i, p := range *list {
		if p.ID == id {
			return p, list, i
		}
		if found, l, j := locate(&p.Children, id); found != nil {
			return found, l, j
		}
	}
	return nil, nil, -1
}

func contains(p *page, id string) bool {
	if p.ID == id {
		return true
	}
	for _, c := range p.Children {
		if contains(c, id) {
			return true
		}
	}
	return false
}

func insertAt(list *[]*page, p *page, at *int) error {
	if at == nil {
		*list = append(*list, p)
		return nil
	}
	if *at < 0 || *at > len(*list) {
		return fmt.Errorf("at: %d is out of range (0 to %d)", *at, len(*list))
	}
	*list = append(*list, nil)
	copy((*list)[*at+1:], (*list)[*at:])
	(*list)[*at] = p
	return nil
}

// applyMeta sets page fields from the change and the Markdown front matter,
// which takes precedence, as in GitBook.
func applyMeta(p *page, ch change) error {
	if ch.Title != nil {
		if *ch.Title == "" {
			return errors.New("title: must not be empty")
		}
		p.Title = *ch.Title
	}
	if ch.Description != nil {
		p.Description = *ch.Description
	}
	if ch.Hidden != nil {
		p.Hidden = *ch.Hidden
	}
	if ch.Icon != nil {
		p.Icon = *ch.Icon
	}
	if ch.Emoji != nil {
		p.Emoji = *ch.Emoji
	}
	if ch.Document != nil && ch.Document.Markdown != nil {
		meta, body, err := content.SplitFrontMatter([]byte(*ch.Document.Markdown), "document")
		if err != nil {
			return err
		}
		if meta.Description != "" {
			p.Description = meta.Description
		}
		if meta.Hidden {
			p.Hidden = true
		}
		if meta.Icon != "" {
			p.Icon = meta.Icon
		}
		if meta.Emoji != "" {
			p.Emoji = meta.Emoji
		}
		p.Markdown = string(body)
		// The leading heading names the page, before the title field.
		p.Title = content.PageTitle(body, p.Title)
	}
	return nil
}

func siblingsOf(pages *[]*page, parentID string) (*[]*page, error) {
	if parentID == "" {
		return pages, nil
	}
	parent, _, _ := locate(pages, parentID)
	if parent == nil {
		return nil, fmt.Errorf("into: page %q not found", parentID)
	}
	if parent.Kind == content.KindLink {
		return nil, fmt.Errorf("into: page %q is a link and cannot have children", parentID)
	}
	return &parent.Children, nil
}

func slugFree(list []*page, slug string, except *page) bool {
	for _, p := range list {
		if p != except && p.Slug == slug {
			return false
		}
	}
	return true
}

func (s *Server) applyChange(pages *[]*page, ch change, refs map[string]bool) ([]outcome, []*file, error) {
	switch ch.Operation {
	case "insert_page":
		if ch.Document == nil {
			return nil, nil, errors.New("document is required")
		}
		if ch.Ref != "" {
			if refs[ch.Ref] {
				return nil, nil, fmt.Errorf("ref %q is used twice in the batch", ch.Ref)
			}
			refs[ch.Ref] = true
		}
		var parentID string
		if len(ch.Into) > 0 && string(ch.Into) != "null" {
			if err := json.Unmarshal(ch.Into, &parentID); err != nil {
				return nil, nil, fmt.Errorf("into: want a page ID")
			}
		}
		siblings, err := siblingsOf(pages, parentID)
		if err != nil {
			return nil, nil, err
		}
		p := &page{ID: s.newID("page"), Kind: content.KindDocument, Title: "Untitled"}
		if err := applyMeta(p, ch); err != nil {
			return nil, nil, err
		}
		if ch.Slug != nil {
			if !slugFree(*siblings, *ch.Slug, nil) {
				return nil, nil, fmt.Errorf("slug %q is already used by a sibling page", *ch.Slug)
			}
			p.Slug = *ch.Slug
		} else {
			used := map[string]bool{}
			for _, sib := range *siblings {
				used[sib.Slug] = true
			}
			p.Slug = uniqueSlug(content.Slug(p.Title), used)
		}
		if err := insertAt(siblings, p, ch.At); err != nil {
			return nil, nil, err
		}
		return []outcome{{"created_page", p.ID, ch.Ref}}, nil, nil

	case "update_page":
		p, list, idx := locate(pages, ch.Page)
		if p == nil {
			return nil, nil, fmt.Errorf("page %q not found", ch.Page)
		}
		if err := applyMeta(p, ch); err != nil {
			return nil, nil, err
		}
		if ch.Slug != nil && *ch.Slug != p.Slug {
			if !slugFree(*list, *ch.Slug, p) {
				return nil, nil, fmt.Errorf("slug %q is already used by a sibling page", *ch.Slug)
			}
			p.Slug = *ch.Slug
		}
		if len(ch.Into) > 0 || ch.At != nil {
			target := list
			if len(ch.Into) > 0 {
				var parentID string
				if string(ch.Into) != "null" {
					if err := json.Unmarshal(ch.Into, &parentID); err != nil {
						return nil, nil, fmt.Errorf("into: want a page ID or null")
					}
					if contains(p, parentID) {
						return nil, nil, errors.New("into: a page cannot move into itself or its descendants")
					}
				}
				var err error
				if target, err = siblingsOf(pages, parentID); err != nil {
					return nil, nil, err
				}
			}
			*list = append((*list)[:idx], (*list)[idx+1:]...)
			if err := insertAt(target, p, ch.At); err != nil {
				return nil, nil, err
			}
		}
		return []outcome{{"updated_page", p.ID, ""}}, nil, nil

	case "delete_page":
		p, list, idx := locate(pages, ch.Page)
		if p == nil {
			return nil, nil, fmt.Errorf("page %q not found", ch.Page)
		}
		*list = append((*list)[:idx], (*list)[idx+1:]...)
		return []outcome{{"deleted_page", p.ID, ""}}, nil, nil

	case "insert_files":
		if len(ch.Files) == 0 || len(ch.Files) > 20 {
			return nil, nil, fmt.Errorf("files: want 1 to 20 files, got %d", len(ch.Files))
		}
		var out []*file
		for _, f := range ch.Files {
			if f.Name == "" {
				return nil, nil, errors.New("files: name is required")
			}
			if f.Base64 == "" {
				return nil, nil, fmt.Errorf("file %q: the emulator takes base64 content only (it cannot fetch URLs)", f.Name)
			}
			if f.ContentType == "" {
				return nil, nil, fmt.Errorf("file %q: contentType is required with base64", f.Name)
			}
			data, err := base64.StdEncoding.DecodeString(f.Base64)
			if err != nil {
				return nil, nil, fmt.Errorf("file %q: invalid base64", f.Name)
			}
			if len(data) > 1<<20 {
				return nil, nil, fmt.Errorf("file %q: larger than 1MB", f.Name)
			}
			out = append(out, &file{ID: s.newID("file"), Name: f.Name, ContentType: f.ContentType, Data: data})
		}
		return nil, out, nil

	case "revert_page":
		return nil, nil, errors.New("revert_page is not supported by the emulator")
	default:
		return nil, nil, fmt.Errorf("unknown operation %q", ch.Operation)
	}
}

// position is where a page sits in a tree.
type position struct {
	page   *page
	parent string
	index  int
}

func index(pages []*page) map[string]position {
	out := map[string]position{}
	var walk func(list []*page, parent string)
	walk = func(list []*page, parent string) {
		for i, p := range list {
			out[p.ID] = position{p, parent, i}
			walk(p.Children, p.ID)
		}
	}
	walk(pages, "")
	return out
}

func (s *Server) mergeCR(w http.ResponseWriter, r *http.Request) {
	sp, cr := s.cr(w, r)
	if cr == nil {
		return
	}
	if cr.Status != "open" && cr.Status != "draft" {
		writeError(w, http.StatusBadRequest, "Change request is "+cr.Status+" and cannot be merged")
		return
	}
	base, head, live := sp.Revisions[cr.RevisionInitial], sp.Revisions[cr.Revision], sp.Revisions[sp.Current]
	merged, conflicts := mergeTrees(base.Pages, head.Pages, live.Pages)
	if len(conflicts) > 0 {
		writeJSON(w, http.StatusOK, map[string]any{"revision": cr.Revision, "result": "conflicts"})
		return
	}
	now := s.opts.Now().UTC()
	files := append([]*file(nil), live.Files...)
	known := map[string]bool{}
	for _, f := range files {
		known[f.ID] = true
	}
	for _, f := range head.Files {
		if !known[f.ID] {
			files = append(files, f)
		}
	}
	rev := &revision{ID: s.newID("rev"), Type: "merge", Parents: []string{live.ID, head.ID}, Pages: merged, Files: files, CreatedAt: now, MergedFrom: cr.ID}
	sp.Revisions[rev.ID] = rev
	sp.Current = rev.ID
	sp.UpdatedAt = now
	cr.Status, cr.MergedAt, cr.RevisionMerged, cr.UpdatedAt = "merged", &now, rev.ID, now
	writeJSON(w, http.StatusOK, map[string]any{"revision": rev.ID, "result": "merge"})
}

// mergeTrees applies what changed from base to head onto live. A page
// changed on both sides since base is a conflict, as in GitBook.
func mergeTrees(base, head, live []*page) ([]*page, []string) {
	if samePages(base, live) {
		return clonePages(head), nil
	}
	bi, hi, li := index(base), index(head), index(live)
	changed := func(from, to map[string]position, id string) bool {
		a, inA := from[id]
		b, inB := to[id]
		if inA != inB {
			return true
		}
		return inA && (!sameContent(a.page, b.page) || a.parent != b.parent)
	}
	var conflicts []string
	for id := range union(bi, hi) {
		if changed(bi, hi, id) && changed(bi, li, id) {
			if _, inLive := li[id]; inLive || bi[id].page != nil {
				conflicts = append(conflicts, id)
			}
		}
	}
	if len(conflicts) > 0 {
		return nil, conflicts
	}
	out := clonePages(live)
	// Deletions, then content, then moves and insertions in head order so
	// that parents exist before their children.
	for id := range bi {
		if _, ok := hi[id]; !ok {
			if _, list, idx := locate(&out, id); list != nil {
				*list = append((*list)[:idx], (*list)[idx+1:]...)
			}
		}
	}
	var order []string
	var walk func(list []*page)
	walk = func(list []*page) {
		for _, p := range list {
			order = append(order, p.ID)
			walk(p.Children)
		}
	}
	walk(head)
	for _, id := range order {
		h := hi[id]
		b, inBase := bi[id]
		if inBase && sameContent(b.page, h.page) && b.parent == h.parent && b.index == h.index {
			continue
		}
		p, list, idx := locate(&out, id)
		if p == nil {
			p = h.page.clone()
			p.Children = nil
		} else {
			children := p.Children
			*p = *h.page.clone()
			p.Children = children
			if inBase && b.parent == h.parent && b.index == h.index {
				continue
			}
			*list = append((*list)[:idx], (*list)[idx+1:]...)
		}
		target := &out
		if h.parent != "" {
			if parent, _, _ := locate(&out, h.parent); parent != nil {
				target = &parent.Children
			}
		}
		at := min(h.index, len(*target))
		_ = insertAt(target, p, &at)
	}
	return out, nil
}

func samePages(a, b []*page) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || !sameContent(a[i], b[i]) || !samePages(a[i].Children, b[i].Children) {
			return false
		}
	}
	return true
}

func union(a, b map[string]position) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func (s *Server) listReviewers(w http.ResponseWriter, r *http.Request) {
	_, cr := s.cr(w, r)
	if cr == nil {
		return
	}
	items := make([]map[string]any, 0, len(cr.Reviewers))
	for _, rr := range cr.Reviewers {
		items = append(items, s.reviewerJSON(rr))
	}
	writeJSON(w, http.StatusOK, listPage(r, items))
}

func (s *Server) reviewerJSON(rr reviewerRequest) map[string]any {
	return map[string]any{"object": "change-request-requested-reviewer", "revision": rr.Revision,
		"requestedBy": s.userJSON(rr.By), "createdAt": ts(rr.CreatedAt), "kind": "user", "user": s.userJSON(rr.User)}
}

func (s *Server) requestReviewers(w http.ResponseWriter, r *http.Request) {
	sp, cr := s.cr(w, r)
	if cr == nil {
		return
	}
	var body struct {
		Users   []string `json:"users"`
		Subject *string  `json:"subject"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	org := s.orgs[sp.Org]
	for _, u := range body.Users {
		found := false
		for _, m := range org.Members {
			found = found || m.ID == u
		}
		if !found {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("User %q is not a member of the organization", u))
			return
		}
	}
	var sent []any
	now := s.opts.Now().UTC()
	for _, u := range body.Users {
		already := false
		for _, rr := range cr.Reviewers {
			already = already || rr.User == u
		}
		if already {
			continue
		}
		rr := reviewerRequest{User: u, By: "api-user", Revision: cr.Revision, CreatedAt: now}
		cr.Reviewers = append(cr.Reviewers, rr)
		sent = append(sent, s.reviewerJSON(rr))
	}
	if body.Subject != nil {
		cr.Subject = *body.Subject
	}
	if sent == nil {
		sent = []any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": sent})
}

func (s *Server) reviewJSON(sp *space, cr *changeRequest, rv review) map[string]any {
	return map[string]any{"object": "change-request-review", "id": rv.ID, "revision": rv.Revision,
		"reviewer": s.userJSON(rv.Reviewer), "status": rv.Status, "outdated": rv.Revision != cr.Revision,
		"createdAt": ts(rv.CreatedAt), "updatedAt": ts(rv.CreatedAt),
		"urls": map[string]any{"location": s.baseURL + "/v1/spaces/" + sp.ID + "/change-requests/" + cr.ID + "/reviews/" + rv.ID}}
}

func (s *Server) listReviews(w http.ResponseWriter, r *http.Request) {
	sp, cr := s.cr(w, r)
	if cr == nil {
		return
	}
	items := make([]map[string]any, 0, len(cr.Reviews))
	for _, rv := range cr.Reviews {
		items = append(items, s.reviewJSON(sp, cr, rv))
	}
	writeJSON(w, http.StatusOK, listPage(r, items))
}

func (s *Server) submitReview(w http.ResponseWriter, r *http.Request) {
	sp, cr := s.cr(w, r)
	if cr == nil {
		return
	}
	var body struct {
		Status string `json:"status"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if body.Status != "approved" && body.Status != "changes-requested" {
		writeError(w, http.StatusBadRequest, "status must be approved or changes-requested")
		return
	}
	if cr.Status != "open" && cr.Status != "draft" {
		writeError(w, http.StatusBadRequest, "Change request is "+cr.Status+" and cannot be reviewed")
		return
	}
	rv := review{ID: s.newID("review"), Reviewer: "api-user", Status: body.Status, Revision: cr.Revision, CreatedAt: s.opts.Now().UTC()}
	cr.Reviews = append(cr.Reviews, rv)
	w.Header().Set("Location", s.baseURL+"/v1/spaces/"+sp.ID+"/change-requests/"+cr.ID+"/reviews/"+rv.ID)
	writeJSON(w, http.StatusCreated, s.reviewJSON(sp, cr, rv))
}
