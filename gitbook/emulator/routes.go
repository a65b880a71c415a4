package emulator

import (
	"net/http"
	"strconv"
	"strings"
)

func itoa(n int) string { return strconv.Itoa(n) }

func (s *Server) routes() {
	m := http.NewServeMux()
	api := func(pattern string, h func(w http.ResponseWriter, r *http.Request)) {
		method, path, _ := strings.Cut(pattern, " ")
		m.HandleFunc(method+" /v1"+path, func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			defer s.mu.Unlock()
			h(w, r)
		})
	}
	api("GET /spaces/{spaceId}", s.getSpace)
	api("GET /spaces/{spaceId}/git/info", s.getGitInfo)
	api("POST /spaces/{spaceId}/git/import", s.postImport)
	api("POST /spaces/{spaceId}/git/export", s.postExport)
	api("GET /spaces/{spaceId}/content", s.getContent)
	api("GET /spaces/{spaceId}/content/pages", s.getPages)
	api("GET /spaces/{spaceId}/content/page/{pageId}", s.getPage)
	api("GET /spaces/{spaceId}/change-requests", s.listCRs)
	api("POST /spaces/{spaceId}/change-requests", s.createCR)
	api("GET /spaces/{spaceId}/change-requests/{crId}", s.getCR)
	api("PATCH /spaces/{spaceId}/change-requests/{crId}", s.patchCR)
	api("POST /spaces/{spaceId}/change-requests/{crId}/merge", s.mergeCR)
	api("GET /spaces/{spaceId}/change-requests/{crId}/content", s.getCRContent)
	api("POST /spaces/{spaceId}/change-requests/{crId}/content", s.postCRContent)
	api("GET /spaces/{spaceId}/change-requests/{crId}/content/pages", s.getCRPages)
	api("GET /spaces/{spaceId}/change-requests/{crId}/content/page/{pageId}", s.getCRPage)
	api("GET /spaces/{spaceId}/change-requests/{crId}/requested-reviewers", s.listReviewers)
	api("POST /spaces/{spaceId}/change-requests/{crId}/requested-reviewers", s.requestReviewers)
	api("GET /spaces/{spaceId}/change-requests/{crId}/reviews", s.listReviews)
	api("POST /spaces/{spaceId}/change-requests/{crId}/reviews", s.submitReview)
	api("GET /orgs/{orgId}/members", s.listMembers)
	api("GET /orgs/{orgId}/openapi", s.listSpecs)
	api("GET /orgs/{orgId}/openapi/{slug}", s.getSpec)
	api("PUT /orgs/{orgId}/openapi/{slug}", s.putSpec)
	api("GET /orgs/{orgId}/openapi/{slug}/versions", s.listSpecVersions)
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

func wantGit(r *http.Request) bool { return r.URL.Query().Get("metadata") != "false" }

func (s *Server) getSpace(w http.ResponseWriter, r *http.Request) {
	if sp := s.space(w, r); sp != nil {
		writeJSON(w, http.StatusOK, s.spaceJSON(sp))
	}
}

func (s *Server) getGitInfo(w http.ResponseWriter, r *http.Request) {
	sp := s.space(w, r)
	if sp == nil {
		return
	}
	if sp.Provider == "" {
		writeError(w, http.StatusNotFound, "No Git provider is set up on this space")
		return
	}
	writeJSON(w, http.StatusOK, s.gitInfoJSON(sp))
}

func (s *Server) getContent(w http.ResponseWriter, r *http.Request) {
	if sp := s.space(w, r); sp != nil {
		writeJSON(w, http.StatusOK, s.revisionJSON(sp, sp.Revisions[sp.Current], wantGit(r)))
	}
}

func (s *Server) getPages(w http.ResponseWriter, r *http.Request) {
	if sp := s.space(w, r); sp != nil {
		writeJSON(w, http.StatusOK, map[string]any{"pages": s.pagesJSON(sp, sp.Revisions[sp.Current].Pages, wantGit(r))})
	}
}

func (s *Server) getPage(w http.ResponseWriter, r *http.Request) {
	if sp := s.space(w, r); sp != nil {
		s.writePage(w, r, sp, sp.Revisions[sp.Current])
	}
}

func (s *Server) writePage(w http.ResponseWriter, r *http.Request, sp *space, rev *revision) {
	p, parentPath := findPage(rev.Pages, r.PathValue("pageId"), "")
	if p == nil {
		writeError(w, http.StatusNotFound, "Page not found")
		return
	}
	writeJSON(w, http.StatusOK, s.pageJSON(sp, p, parentPath, wantGit(r)))
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
