package emulator

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/gitformat"
)

func itoa(n int) string { return strconv.Itoa(n) }

func (s *Server) routes() {
	m := http.NewServeMux()
	api := func(pattern string, h func(w http.ResponseWriter, r *http.Request)) {
		method, path, _ := strings.Cut(pattern, " ")
		m.HandleFunc(method+" /v1"+path, func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			defer s.mu.Unlock()
			sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			h(sw, r)
			if method != http.MethodGet && sw.status < 400 {
				s.changed()
			}
		})
	}
	api("GET /spaces/{spaceId}", s.getSpace)
	api("GET /spaces/{spaceId}/git/info", s.getGitInfo)
	api("POST /spaces/{spaceId}/git/import", s.postImport)
	api("POST /spaces/{spaceId}/git/export", s.postExport)
	api("GET /spaces/{spaceId}/content", s.getContent)
	api("GET /spaces/{spaceId}/content/pages", s.getPages)
	api("GET /spaces/{spaceId}/content/page/{pageId}", s.getPage)
	api("GET /spaces/{spaceId}/content/path/{pagePath...}", s.getPageByPath)
	api("GET /spaces/{spaceId}/content/files", paginated(s.listFiles))
	api("GET /spaces/{spaceId}/content/files/{fileId}", s.getFile)
	api("GET /spaces/{spaceId}/revisions/{revisionId}/page/{pageId}", s.getRevisionPage)
	api("GET /spaces/{spaceId}/change-requests", paginated(s.listCRs))
	api("POST /spaces/{spaceId}/change-requests", s.createCR)
	api("GET /spaces/{spaceId}/change-requests/{crId}", s.getCR)
	api("PATCH /spaces/{spaceId}/change-requests/{crId}", s.patchCR)
	api("POST /spaces/{spaceId}/change-requests/{crId}/merge", s.mergeCR)
	api("POST /spaces/{spaceId}/change-requests/{crId}/update", s.updateCR)
	api("GET /spaces/{spaceId}/change-requests/{crId}/content", s.getCRContent)
	api("POST /spaces/{spaceId}/change-requests/{crId}/content", s.postCRContent)
	api("GET /spaces/{spaceId}/change-requests/{crId}/content/pages", s.getCRPages)
	api("GET /spaces/{spaceId}/change-requests/{crId}/content/page/{pageId}", s.getCRPage)
	api("GET /spaces/{spaceId}/change-requests/{crId}/content/path/{pagePath...}", s.getCRPageByPath)
	api("GET /spaces/{spaceId}/change-requests/{crId}/content/files", paginated(s.listCRFiles))
	api("GET /spaces/{spaceId}/change-requests/{crId}/content/files/{fileId}", s.getCRFile)
	api("GET /spaces/{spaceId}/change-requests/{crId}/requested-reviewers", paginated(s.listReviewers))
	api("POST /spaces/{spaceId}/change-requests/{crId}/requested-reviewers", s.requestReviewers)
	api("GET /spaces/{spaceId}/change-requests/{crId}/reviews", paginated(s.listReviews))
	api("POST /spaces/{spaceId}/change-requests/{crId}/reviews", s.submitReview)
	api("GET /orgs/{orgId}/members", paginated(s.listMembers))
	api("GET /orgs/{orgId}/openapi", paginated(s.listSpecs))
	api("GET /orgs/{orgId}/openapi/{slug}", s.getSpec)
	api("PUT /orgs/{orgId}/openapi/{slug}", s.putSpec)
	api("GET /orgs/{orgId}/openapi/{slug}/versions", paginated(s.listSpecVersions))
	api("GET /orgs/{orgId}/openapi/{slug}/versions/latest/content/raw", s.getSpecRaw)
	m.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "No route for "+r.Method+" "+r.URL.Path+" in the emulator")
	})

	m.HandleFunc("GET /_emulator/requests", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Requests())
	})
	m.HandleFunc("DELETE /_emulator/requests", func(w http.ResponseWriter, r *http.Request) {
		s.ResetRequests()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("GET /_emulator/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	})
	m.HandleFunc("POST /_emulator/spaces/{spaceId}/edit", s.adminEdit)
	m.HandleFunc("POST /_emulator/spaces/{spaceId}/git-sync", s.adminGitSync)
	m.HandleFunc("GET /_emulator/files/{spaceId}/{fileId}", s.downloadFile)
	s.mux = m
}

// space looks up the space of the request, answering 404 when unknown.
func (s *Server) space(w http.ResponseWriter, r *http.Request) *space {
	sp := s.spaces[r.PathValue("spaceId")]
	if sp == nil {
		writeError(w, http.StatusNotFound, "Space not found")
	}
	return sp
}

func (s *Server) org(w http.ResponseWriter, r *http.Request) *organization {
	o := s.orgs[r.PathValue("orgId")]
	if o == nil {
		writeError(w, http.StatusNotFound, "Organization not found")
	}
	return o
}

func (s *Server) cr(w http.ResponseWriter, r *http.Request) (*space, *changeRequest) {
	sp := s.space(w, r)
	if sp == nil {
		return nil, nil
	}
	cr := sp.findCR(r.PathValue("crId"))
	if cr == nil {
		writeError(w, http.StatusNotFound, "Change request not found")
		return nil, nil
	}
	return sp, cr
}

func (s *Server) getSpace(w http.ResponseWriter, r *http.Request) {
	if sp := s.space(w, r); sp != nil {
		writeJSON(w, http.StatusOK, s.spaceJSON(sp))
	}
}

// getGitInfo answers 404 unless GitBook's own Git Sync is installed on the
// space, as GitBook's description says of a space with no Git provider.
func (s *Server) getGitInfo(w http.ResponseWriter, r *http.Request) {
	sp := s.space(w, r)
	if sp == nil {
		return
	}
	if sp.sync == nil {
		writeError(w, http.StatusNotFound, "No Git provider is set up on this space")
		return
	}
	writeJSON(w, http.StatusOK, s.gitInfoJSON(sp))
}

// live is the space's current revision.
func (sp *space) live() *revision { return sp.Revisions[sp.Current] }

func (s *Server) getContent(w http.ResponseWriter, r *http.Request) {
	if sp := s.space(w, r); sp != nil {
		writeJSON(w, http.StatusOK, s.revisionJSON(s.newView(sp, sp.live(), r)))
	}
}

func (s *Server) getPages(w http.ResponseWriter, r *http.Request) {
	if sp := s.space(w, r); sp != nil {
		writeJSON(w, http.StatusOK, map[string]any{"pages": s.pagesJSON(s.newView(sp, sp.live(), r), sp.live().Pages)})
	}
}

func (s *Server) getPage(w http.ResponseWriter, r *http.Request) {
	if sp := s.space(w, r); sp != nil {
		s.writePage(w, r, sp, sp.live())
	}
}

// getRevisionPage reads a page of any revision the space has had: the
// live content's, an earlier one, or a change request's (GitBook's own
// renderer reads a change request's pages by its revision).
func (s *Server) getRevisionPage(w http.ResponseWriter, r *http.Request) {
	sp := s.space(w, r)
	if sp == nil {
		return
	}
	rev := sp.Revisions[r.PathValue("revisionId")]
	if rev == nil {
		writeError(w, http.StatusNotFound, "Revision not found")
		return
	}
	s.writePage(w, r, sp, rev)
}

func (s *Server) getPageByPath(w http.ResponseWriter, r *http.Request) {
	if sp := s.space(w, r); sp != nil {
		s.writePageByPath(w, r, sp, sp.live())
	}
}

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	if sp := s.space(w, r); sp != nil {
		s.writeFiles(w, r, sp, sp.live())
	}
}

func (s *Server) getFile(w http.ResponseWriter, r *http.Request) {
	if sp := s.space(w, r); sp != nil {
		s.writeFile(w, r, sp, sp.live())
	}
}

func (s *Server) writePage(w http.ResponseWriter, r *http.Request, sp *space, rev *revision) {
	p, parentPath := findPage(rev.Pages, r.PathValue("pageId"), "")
	if p == nil {
		writeError(w, http.StatusNotFound, "Page not found")
		return
	}
	writeJSON(w, http.StatusOK, s.pageJSON(s.newView(sp, rev, r), p, parentPath, true))
}

// writePageByPath finds a document or group by its path ("guides/setup"):
// link pages have none.
func (s *Server) writePageByPath(w http.ResponseWriter, r *http.Request, sp *space, rev *revision) {
	want := strings.Trim(r.PathValue("pagePath"), "/")
	var found *page
	var foundParent string
	var walk func(list []*page, parent string)
	walk = func(list []*page, parent string) {
		for _, p := range list {
			if found != nil || p.Kind == gitformat.KindLink || p.Kind == gitformat.KindComputed {
				continue
			}
			path := p.Slug
			if parent != "" {
				path = parent + "/" + p.Slug
			}
			if path == want {
				found, foundParent = p, parent
				return
			}
			walk(p.Children, path)
		}
	}
	walk(rev.Pages, "")
	if found == nil {
		writeError(w, http.StatusNotFound, "No page at path "+gitformat.QuoteCut(want))
		return
	}
	writeJSON(w, http.StatusOK, s.pageJSON(s.newView(sp, rev, r), found, foundParent, true))
}

func (s *Server) writeFiles(w http.ResponseWriter, r *http.Request, sp *space, rev *revision) {
	withGit := r.URL.Query().Get("metadata") != "false"
	items := make([]map[string]any, 0, len(rev.Files))
	for _, f := range rev.Files {
		items = append(items, s.fileJSON(sp, f, withGit))
	}
	writeJSON(w, http.StatusOK, listPage(r, items))
}

func (s *Server) writeFile(w http.ResponseWriter, r *http.Request, sp *space, rev *revision) {
	for _, f := range rev.Files {
		if f.ID == r.PathValue("fileId") {
			writeJSON(w, http.StatusOK, s.fileJSON(sp, f, r.URL.Query().Get("metadata") != "false"))
			return
		}
	}
	writeError(w, http.StatusNotFound, "File not found")
}

// downloadFile serves a file's bytes at its downloadURL (not GitBook's API).
func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.spaces[r.PathValue("spaceId")]
	if sp == nil {
		http.NotFound(w, r)
		return
	}
	for _, rev := range sp.Revisions {
		for _, f := range rev.Files {
			if f.ID == r.PathValue("fileId") && f.Data != nil {
				w.Header().Set("Content-Type", f.ContentType)
				_, _ = w.Write(f.Data)
				return
			}
		}
	}
	http.NotFound(w, r)
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) {
	org := s.org(w, r)
	if org == nil {
		return
	}
	q := strings.ToLower(r.URL.Query().Get("search"))
	var items []map[string]any
	for _, m := range org.Members {
		if q == "" || strings.Contains(strings.ToLower(m.DisplayName), q) || strings.Contains(strings.ToLower(m.Email), q) {
			items = append(items, s.memberJSON(m))
		}
	}
	writeJSON(w, http.StatusOK, listPage(r, items))
}

// findPage returns the page with id and the path of its parent.
func findPage(list []*page, id, parentPath string) (*page, string) {
	for _, p := range list {
		if p.ID == id {
			return p, parentPath
		}
		childPath := p.Slug
		if parentPath != "" {
			childPath = parentPath + "/" + p.Slug
		}
		if found, pp := findPage(p.Children, id, childPath); found != nil {
			return found, pp
		}
	}
	return nil, ""
}
