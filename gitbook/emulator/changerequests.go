package emulator

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"unicode/utf8"

	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/gitformat"
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
	cr := &changeRequest{ID: s.newID("cr"), Number: len(sp.CRs) + 1, Subject: body.Subject, Status: "open",
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
		Description json.RawMessage `json:"description"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	var description json.RawMessage
	if body.Description != nil {
		var err error
		if description, err = checkDocument(body.Description); err != nil {
			writeError(w, http.StatusBadRequest, "description: "+err.Error())
			return
		}
	}
	// Everything is checked before anything changes: a refused request
	// leaves the change request as it was.
	switch {
	case cr.Status == "merged":
		writeError(w, http.StatusBadRequest, "A merged change request cannot be changed")
		return
	case body.Subject != nil && len([]rune(*body.Subject)) > 100:
		writeError(w, http.StatusBadRequest, "subject must be at most 100 characters")
		return
	case len(body.Links) > 10:
		writeError(w, http.StatusBadRequest, "a change request has at most 10 links")
		return
	case !slices.Contains([]string{"", "open", "draft", "archived"}, body.Status):
		writeError(w, http.StatusBadRequest, "status must be draft, open or archived")
		return
	}
	if body.Subject != nil {
		cr.Subject = *body.Subject
	}
	if body.Links != nil {
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
	if body.Status != "" {
		cr.Status = body.Status
	}
	if description != nil {
		cr.Description = description
	}
	cr.UpdatedAt = s.opts.Now().UTC()
	if r.Header.Get("Prefer") == "return=minimal" {
		w.Header().Set("Preference-Applied", "return=minimal")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, s.crJSON(sp, cr))
}

// checkDocument refuses a description that is not a JSONDocument as
// GitBook's description defines it: object "document", data an object
// (whose schemaVersion, when given, is an integer) and nodes a list of
// blocks. It returns the document compacted, to be kept as given.
func checkDocument(raw json.RawMessage) (json.RawMessage, error) {
	var doc struct {
		Object string                     `json:"object"`
		Data   map[string]json.RawMessage `json:"data"`
		Nodes  []struct {
			Object string `json:"object"`
			Type   string `json:"type"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("not a document: %s", cutMessage(err.Error()))
	}
	switch {
	case doc.Object != "document":
		return nil, fmt.Errorf("object must be \"document\", got %s", gitformat.QuoteCut(doc.Object))
	case doc.Data == nil:
		return nil, errors.New("data: an object is required")
	case doc.Nodes == nil:
		return nil, errors.New("nodes: a list is required")
	}
	if v, ok := doc.Data["schemaVersion"]; ok {
		var n int
		if json.Unmarshal(v, &n) != nil {
			return nil, errors.New("data.schemaVersion must be an integer")
		}
	}
	for i, n := range doc.Nodes {
		if n.Object != "block" || n.Type == "" {
			return nil, fmt.Errorf("nodes[%d]: a block (object \"block\" with a type) is required", i)
		}
	}
	var out bytes.Buffer
	if err := json.Compact(&out, raw); err != nil {
		return nil, fmt.Errorf("not a document: %s", cutMessage(err.Error()))
	}
	return out.Bytes(), nil
}

func (s *Server) getCRContent(w http.ResponseWriter, r *http.Request) {
	if sp, cr := s.cr(w, r); cr != nil {
		writeJSON(w, http.StatusOK, s.revisionJSON(s.newView(sp, sp.Revisions[cr.Revision], r)))
	}
}

func (s *Server) getCRPages(w http.ResponseWriter, r *http.Request) {
	if sp, cr := s.cr(w, r); cr != nil {
		rev := sp.Revisions[cr.Revision]
		writeJSON(w, http.StatusOK, map[string]any{"pages": s.pagesJSON(s.newView(sp, rev, r), rev.Pages)})
	}
}

func (s *Server) getCRPage(w http.ResponseWriter, r *http.Request) {
	if sp, cr := s.cr(w, r); cr != nil {
		s.writePage(w, r, sp, sp.Revisions[cr.Revision])
	}
}

func (s *Server) getCRPageByPath(w http.ResponseWriter, r *http.Request) {
	if sp, cr := s.cr(w, r); cr != nil {
		s.writePageByPath(w, r, sp, sp.Revisions[cr.Revision])
	}
}

func (s *Server) listCRFiles(w http.ResponseWriter, r *http.Request) {
	if sp, cr := s.cr(w, r); cr != nil {
		s.writeFiles(w, r, sp, sp.Revisions[cr.Revision])
	}
}

func (s *Server) getCRFile(w http.ResponseWriter, r *http.Request) {
	if sp, cr := s.cr(w, r); cr != nil {
		s.writeFile(w, r, sp, sp.Revisions[cr.Revision])
	}
}

// change is one content operation as GitBook receives it.
type change struct {
	Operation     string          `json:"operation"`
	Page          string          `json:"page"`
	Ref           string          `json:"ref"`
	Title         *string         `json:"title"`
	Description   *string         `json:"description"`
	Slug          *string         `json:"slug"`
	Hidden        *bool           `json:"hidden"`
	NoIndex       *bool           `json:"noIndex"`
	NoRobotsIndex *bool           `json:"noRobotsIndex"`
	Icon          *string         `json:"icon"`
	Emoji         *string         `json:"emoji"`
	Into          json.RawMessage `json:"into"`
	At            *int            `json:"at"`
	Revision      string          `json:"revision"`
	Block         []string        `json:"block"`
	Document      *struct {
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
	b := &batch{s: s, sp: sp, cr: cr, pages: clonePages(base.Pages), files: append([]*file(nil), base.Files...),
		refs: map[string]gitformat.Ref{}, docs: map[string]bool{}}
	var outcomes []outcome
	for i, ch := range body.Changes {
		o, err := b.apply(ch)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("changes[%d] (%s): %v", i, gitformat.QuoteCut(ch.Operation), err))
			return
		}
		outcomes = append(outcomes, o...)
	}
	b.resolveLinks()
	rev := &revision{ID: s.newID("rev"), Type: "edits", Parents: []string{base.ID}, Pages: b.pages, Files: b.files, CreatedAt: s.opts.Now().UTC()}
	sp.Revisions[rev.ID] = rev
	cr.Revision = rev.ID
	cr.UpdatedAt = rev.CreatedAt
	if r.URL.Query().Get("compat") != "false" {
		writeJSON(w, http.StatusOK, s.crJSON(sp, cr))
		return
	}
	seen := map[string]bool{}
	changes := []any{}
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
	resp := map[string]any{"changeRequest": s.crJSON(sp, cr), "changes": changes}
	if len(b.inserted) > 0 {
		fl := make([]any, 0, len(b.inserted))
		for _, f := range b.inserted {
			fl = append(fl, s.fileJSON(sp, f, false))
		}
		resp["insertedFiles"] = fl
	}
	writeJSON(w, http.StatusOK, resp)
}

// batch is one updateChangeRequestContent request being applied.
type batch struct {
	s        *Server
	sp       *space
	cr       *changeRequest
	pages    []*page
	files    []*file
	inserted []*file
	refs     map[string]gitformat.Ref // refs given in the batch
	docs     map[string]bool          // pages whose document was sent, for link resolution
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

// Limits of GitBook's description (RevisionPageUpdate and its parts).
const (
	maxIcon  = 50
	maxEmoji = 50
)

// checkFields refuses what GitBook's description does not allow.
func checkFields(ch change) error {
	switch {
	case ch.Title != nil && *ch.Title == "":
		return errors.New("title: must not be empty")
	case ch.Slug != nil && utf8.RuneCountInString(*ch.Slug) > gitformat.MaxSlug:
		return fmt.Errorf("slug: at most %d characters, got %d", gitformat.MaxSlug, utf8.RuneCountInString(*ch.Slug))
	case ch.Icon != nil && utf8.RuneCountInString(*ch.Icon) > maxIcon:
		return fmt.Errorf("icon: at most %d characters, got %d", maxIcon, utf8.RuneCountInString(*ch.Icon))
	case ch.Emoji != nil && utf8.RuneCountInString(*ch.Emoji) > maxEmoji:
		return fmt.Errorf("emoji: at most %d characters, got %d", maxEmoji, utf8.RuneCountInString(*ch.Emoji))
	case ch.At != nil && *ch.At < 0:
		return fmt.Errorf("at: must be 0 or more, got %d", *ch.At)
	}
	return nil
}

// setFields applies the metadata fields of a change, then what the sent
// document's front matter says, which takes precedence.
func setFields(p *page, ch change, sent *gitformat.Meta) {
	f := p.Meta.Fields
	if ch.Description != nil {
		f.Description = *ch.Description
	}
	if ch.Hidden != nil {
		f.Hidden = *ch.Hidden
	}
	if ch.NoIndex != nil {
		f.NoIndex = *ch.NoIndex
	}
	if ch.NoRobotsIndex != nil {
		f.NoRobotsIndex = *ch.NoRobotsIndex
	}
	if ch.Icon != nil {
		f.Icon = *ch.Icon
	}
	if ch.Emoji != nil {
		f.Emoji = *ch.Emoji
	}
	if sent != nil && sent.Raw != "" {
		fm := sent.Fields
		if fm.Description != "" {
			f.Description = fm.Description
		}
		f.Hidden = f.Hidden || fm.Hidden
		f.NoIndex = f.NoIndex || fm.NoIndex
		f.NoRobotsIndex = f.NoRobotsIndex || fm.NoRobotsIndex
		if fm.Icon != "" {
			f.Icon = fm.Icon
		}
		if fm.Emoji != "" {
			f.Emoji = fm.Emoji
		}
		f.Title = fm.Title
		p.Meta = *sent
	}
	p.Meta.Fields = f
}

// setDocument stores a sent document. The API keeps a leading heading in
// the document (GitBook's own CLI strips it before sending, as sending the
// Markdown it reads back would give the page a second heading).
func (b *batch) setDocument(p *page, md string) (*gitformat.Meta, error) {
	meta, doc, err := gitformat.SplitDocument(md)
	if err != nil {
		return nil, err
	}
	p.Document, p.Refs = doc, nil
	b.docs[p.ID] = true
	return &meta, nil
}

func (b *batch) siblingsOf(parentID string) (*[]*page, error) {
	if parentID == "" {
		return &b.pages, nil
	}
	parent, _, _ := locate(&b.pages, parentID)
	if parent == nil {
		return nil, fmt.Errorf("into: page %s not found", gitformat.QuoteCut(parentID))
	}
	if parent.Kind == gitformat.KindLink || parent.Kind == gitformat.KindComputed {
		return nil, fmt.Errorf("into: page %s is a %s and cannot have children", gitformat.QuoteCut(parentID), parent.Kind)
	}
	return &parent.Children, nil
}

func slugFree(list []*page, slug string, except *page) bool {
	for _, p := range list {
		if p != except && p.Slug == slug && p.Kind != gitformat.KindLink {
			return false
		}
	}
	return true
}

func (b *batch) addRef(ref string, to gitformat.Ref) error {
	if ref == "" {
		return nil
	}
	if _, dup := b.refs[ref]; dup {
		return fmt.Errorf("ref %s is used twice in the batch", gitformat.QuoteCut(ref))
	}
	b.refs[ref] = to
	return nil
}

func (b *batch) apply(ch change) ([]outcome, error) {
	if err := checkFields(ch); err != nil {
		return nil, err
	}
	switch ch.Operation {
	case "insert_page":
		return b.insertPage(ch)
	case "update_page":
		return b.updatePage(ch)
	case "delete_page":
		p, list, idx := locate(&b.pages, ch.Page)
		if p == nil {
			return nil, fmt.Errorf("page %s not found", gitformat.QuoteCut(ch.Page))
		}
		*list = append((*list)[:idx], (*list)[idx+1:]...)
		return []outcome{{"deleted_page", p.ID, ""}}, nil
	case "insert_files":
		return nil, b.insertFiles(ch)
	case "revert_page":
		return b.revertPage(ch)
	default:
		return nil, fmt.Errorf("unknown operation %s", gitformat.QuoteCut(ch.Operation))
	}
}

func (b *batch) insertPage(ch change) ([]outcome, error) {
	if ch.Document == nil {
		return nil, errors.New("document is required")
	}
	var parentID string
	if len(ch.Into) > 0 && string(ch.Into) != "null" {
		if err := json.Unmarshal(ch.Into, &parentID); err != nil {
			return nil, errors.New("into: want a page ID")
		}
	}
	siblings, err := b.siblingsOf(parentID)
	if err != nil {
		return nil, err
	}
	p := &page{ID: b.s.newID("page"), Kind: gitformat.KindDocument}
	if err := b.addRef(ch.Ref, gitformat.Ref{Page: p.ID}); err != nil {
		return nil, err
	}
	var sent *gitformat.Meta
	if ch.Document.Markdown != nil {
		if sent, err = b.setDocument(p, *ch.Document.Markdown); err != nil {
			return nil, err
		}
	}
	setFields(p, ch, sent)
	// The title: the front matter's or the leading heading's, then the
	// title field, then GitBook's default.
	switch h, hasHeading := gitformat.LeadingHeading(p.Document); {
	case sent != nil && sent.Title != "":
		p.Title = sent.Title
	case hasHeading:
		p.Title = h
	case ch.Title != nil:
		p.Title = *ch.Title
	default:
		p.Title = "Untitled"
	}
	if ch.Slug != nil {
		if !slugFree(*siblings, *ch.Slug, nil) {
			return nil, fmt.Errorf("slug %s is already used by a sibling page", gitformat.QuoteCut(*ch.Slug))
		}
		p.Slug = *ch.Slug
	} else {
		used := map[string]bool{}
		for _, sib := range *siblings {
			used[sib.Slug] = true
		}
		p.Slug = gitformat.UniqueSlug(gitformat.Slugify(p.Title), used)
	}
	if err := insertAt(siblings, p, ch.At); err != nil {
		return nil, err
	}
	return []outcome{{"created_page", p.ID, ch.Ref}}, nil
}

func (b *batch) updatePage(ch change) ([]outcome, error) {
	p, list, idx := locate(&b.pages, ch.Page)
	if p == nil {
		return nil, fmt.Errorf("page %s not found", gitformat.QuoteCut(ch.Page))
	}
	var sent *gitformat.Meta
	if ch.Document != nil && ch.Document.Markdown != nil {
		if p.Kind != gitformat.KindDocument {
			return nil, fmt.Errorf("page %s is a %s and has no document", gitformat.QuoteCut(ch.Page), p.Kind)
		}
		var err error
		if sent, err = b.setDocument(p, *ch.Document.Markdown); err != nil {
			return nil, err
		}
	}
	setFields(p, ch, sent)
	if ch.Title != nil {
		p.Title = *ch.Title
	}
	if sent != nil && sent.Title != "" {
		p.Title = sent.Title
	}
	if ch.Slug != nil && *ch.Slug != p.Slug {
		if !slugFree(*list, *ch.Slug, p) {
			return nil, fmt.Errorf("slug %s is already used by a sibling page", gitformat.QuoteCut(*ch.Slug))
		}
		p.Slug = *ch.Slug
	}
	if len(ch.Into) > 0 || ch.At != nil {
		target := list
		if len(ch.Into) > 0 {
			var parentID string
			if string(ch.Into) != "null" {
				if err := json.Unmarshal(ch.Into, &parentID); err != nil {
					return nil, errors.New("into: want a page ID or null")
				}
				if contains(p, parentID) {
					return nil, errors.New("into: a page cannot move into itself or its descendants")
				}
			}
			var err error
			if target, err = b.siblingsOf(parentID); err != nil {
				return nil, err
			}
		}
		*list = append((*list)[:idx], (*list)[idx+1:]...)
		if err := insertAt(target, p, ch.At); err != nil {
			return nil, err
		}
	}
	return []outcome{{"updated_page", p.ID, ""}}, nil
}

// maxInlineFile is the largest base64 upload GitBook's description allows.
const maxInlineFile = 1 << 20

func (b *batch) insertFiles(ch change) error {
	if len(ch.Files) == 0 || len(ch.Files) > 20 {
		return fmt.Errorf("files: want 1 to 20 files, got %d", len(ch.Files))
	}
	for i, f := range ch.Files {
		switch {
		case f.Name == "" || utf8.RuneCountInString(f.Name) > 256:
			return fmt.Errorf("files[%d].name: want 1 to 256 characters", i)
		case (f.Base64 == "") == (f.URL == ""):
			return fmt.Errorf("files[%d]: give exactly one of url and base64", i)
		}
		nf := &file{ID: b.s.newID("file"), Name: f.Name, ContentType: f.ContentType}
		if f.URL != "" {
			// GitBook fetches the URL; the emulator does not reach out and
			// keeps the address instead.
			u, err := url.Parse(f.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(f.URL) > 2048 {
				return fmt.Errorf("files[%d].url: want a public http(s) URL of at most 2048 characters", i)
			}
			nf.URL = f.URL
			if nf.ContentType == "" {
				nf.ContentType = gitformat.ContentType(u.Path)
			}
		} else {
			if f.ContentType == "" {
				return fmt.Errorf("files[%d].contentType: required with base64", i)
			}
			data, err := base64.StdEncoding.DecodeString(f.Base64)
			if err != nil {
				return fmt.Errorf("files[%d].base64: not valid base64", i)
			}
			if len(data) > maxInlineFile {
				return fmt.Errorf("files[%d].base64: larger than 1MB (%d bytes); upload it by url", i, len(data))
			}
			nf.Data = data
		}
		if err := b.addRef(f.Ref, gitformat.Ref{File: nf.ID}); err != nil {
			return err
		}
		b.files = append(b.files, nf)
		b.inserted = append(b.inserted, nf)
	}
	return nil
}

// revertPage puts a page back as it was in a revision (the change
// request's base by default): an added page goes, a deleted one comes
// back, a changed one gets its content back where it now is.
func (b *batch) revertPage(ch change) ([]outcome, error) {
	revID := cmp.Or(ch.Revision, b.cr.base())
	rev := b.sp.Revisions[revID]
	if rev == nil {
		return nil, fmt.Errorf("revision %s not found", gitformat.QuoteCut(revID))
	}
	if len(ch.Block) > 0 {
		// The emulator keeps documents as Markdown, without block keys.
		return nil, fmt.Errorf("block %s not found in page %s", gitformat.QuoteCut(ch.Block[0]), gitformat.QuoteCut(ch.Page))
	}
	pos := index(rev.Pages)
	old, inOld := pos[ch.Page]
	cur, list, idx := locate(&b.pages, ch.Page)
	switch {
	case !inOld && cur == nil:
		return nil, fmt.Errorf("page %s not found", gitformat.QuoteCut(ch.Page))
	case !inOld:
		*list = append((*list)[:idx], (*list)[idx+1:]...)
		return []outcome{{"deleted_page", ch.Page, ""}}, nil
	case cur == nil:
		p := old.page.Clone()
		p.Children = nil
		placeAt(&b.pages, p, old)
		return []outcome{{"created_page", p.ID, ""}}, nil
	default:
		restored := old.page.Clone()
		restored.Children = cur.Children
		*cur = *restored
		return []outcome{{"updated_page", cur.ID, ""}}, nil
	}
}

// resolveLinks reads the links of the documents sent in the batch, once
// all its changes are applied: refs resolve whatever the order.
func (b *batch) resolveLinks() {
	if len(b.docs) == 0 {
		return
	}
	ix := gitformat.NewIndex(b.pages, b.files)
	ix.BatchRefs = b.refs
	walkPages(b.pages, func(p *page) {
		if b.docs[p.ID] {
			p.Document, p.Refs = ix.Resolve(p.Document, ix.PageFile(p.ID))
		}
	})
}

// position is where a page sits in a tree.
type position struct {
	page   *page
	parent string
	index  int
}

// placeAt inserts p into tree where pos says, as near as the tree now
// allows: at the root when pos's parent is gone, at the end of a shorter
// list.
func placeAt(tree *[]*page, p *page, pos position) {
	target := tree
	if pos.parent != "" {
		if parent, _, _ := locate(tree, pos.parent); parent != nil {
			target = &parent.Children
		}
	}
	at := min(pos.index, len(*target))
	_ = insertAt(target, p, &at)
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
	// With conflicts the merge still applies, the change request's side
	// winning, and the space "may need manual conflict resolution", as
	// GitBook's description of mergeChangeRequest says.
	live, head := sp.Current, cr.Revision
	rev, conflicts := s.combine(sp, cr)
	rev.Type, rev.Parents, rev.MergedFrom = "merge", []string{live, head}, cr.ID
	sp.Current = rev.ID
	sp.UpdatedAt = rev.CreatedAt
	now := rev.CreatedAt
	cr.Status, cr.MergedAt, cr.RevisionMerged, cr.UpdatedAt = "merged", &now, rev.ID, now
	s.contentEdited(sp)
	result := "merge"
	if conflicts {
		result = "conflicts"
	}
	writeJSON(w, http.StatusOK, map[string]any{"revision": rev.ID, "result": result})
}

// updateCR brings a change request up to date with the live content, as
// GitBook's updateChangeRequest does ("rebases the change request onto
// the latest primary revision"): what changed live since its base and
// what the change request changed are merged three ways. A page changed
// on both sides is a conflict, resolved as a merge resolves it (the change
// request's side kept), and the result says "conflicts". The live revision
// becomes the change request's base, so it is no longer outdated.
func (s *Server) updateCR(w http.ResponseWriter, r *http.Request) {
	sp, cr := s.cr(w, r)
	if cr == nil {
		return
	}
	if cr.Status != "open" && cr.Status != "draft" {
		writeError(w, http.StatusBadRequest, "Change request is "+cr.Status+" and cannot be updated")
		return
	}
	result := "update"
	if cr.outdated(sp) {
		live, head := sp.Current, cr.Revision
		rev, conflicts := s.combine(sp, cr)
		rev.Type, rev.Parents = "update", []string{head, live}
		cr.Revision, cr.RevisionMergedAncestor, cr.UpdatedAt = rev.ID, live, rev.CreatedAt
		if conflicts {
			result = "conflicts"
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"revision": cr.Revision, "result": result})
}

// combine makes a revision of the live content with the change request's
// own changes (from its base to its revision) applied, and says whether
// some pages changed on both sides. Files are the live ones and those the
// change request added.
func (s *Server) combine(sp *space, cr *changeRequest) (*revision, bool) {
	base, head, live := sp.Revisions[cr.base()], sp.Revisions[cr.Revision], sp.Revisions[sp.Current]
	pages, conflicts := mergeTrees(base.Pages, head.Pages, live.Pages)
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
	rev := &revision{ID: s.newID("rev"), Pages: pages, Files: files, CreatedAt: s.opts.Now().UTC()}
	sp.Revisions[rev.ID] = rev
	return rev, len(conflicts) > 0
}

// mergeTrees applies what changed from base to head onto live. A page
// changed on both sides since base is a conflict, as in GitBook; head's
// version of it is kept.
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
	walkPages(head, func(p *page) { order = append(order, p.ID) })
	for _, id := range order {
		h := hi[id]
		b, inBase := bi[id]
		if inBase && sameContent(b.page, h.page) && b.parent == h.parent && b.index == h.index {
			continue
		}
		p, list, idx := locate(&out, id)
		if p == nil {
			p = h.page.Clone()
			p.Children = nil
		} else {
			children := p.Children
			*p = *h.page.Clone()
			p.Children = children
			if inBase && b.parent == h.parent && b.index == h.index {
				continue
			}
			*list = append((*list)[:idx], (*list)[idx+1:]...)
		}
		placeAt(&out, p, h)
	}
	return out, conflicts
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
			writeError(w, http.StatusBadRequest, fmt.Sprintf("User %s is not a member of the organization", gitformat.QuoteCut(u)))
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
