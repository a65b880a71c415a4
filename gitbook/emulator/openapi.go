package emulator

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gitbook-sync/gitbook-sync/openapi"
)

var slugRule = regexp.MustCompile(`^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$`)

func (s *Server) spec(w http.ResponseWriter, r *http.Request) (*organization, *spec) {
	org := s.org(w, r)
	if org == nil {
		return nil, nil
	}
	sp := org.Specs[r.PathValue("slug")]
	if sp == nil {
		writeError(w, http.StatusNotFound, "No OpenAPI specification with this slug")
		return nil, nil
	}
	return org, sp
}

func (s *Server) listSpecs(w http.ResponseWriter, r *http.Request) {
	org := s.org(w, r)
	if org == nil {
		return
	}
	var items []map[string]any
	for _, sp := range org.Specs {
		items = append(items, s.specJSON(org, sp))
	}
	writeJSON(w, http.StatusOK, listPage(r, items))
}

func (s *Server) getSpec(w http.ResponseWriter, r *http.Request) {
	if org, sp := s.spec(w, r); sp != nil {
		writeJSON(w, http.StatusOK, s.specJSON(org, sp))
	}
}

func (s *Server) listSpecVersions(w http.ResponseWriter, r *http.Request) {
	org, sp := s.spec(w, r)
	if sp == nil {
		return
	}
	var items []map[string]any
	for i := len(sp.Versions) - 1; i >= 0; i-- {
		items = append(items, s.specVersionJSON(org, sp, sp.Versions[i]))
	}
	writeJSON(w, http.StatusOK, listPage(r, items))
}

func (s *Server) getSpecRaw(w http.ResponseWriter, r *http.Request) {
	_, sp := s.spec(w, r)
	if sp == nil {
		return
	}
	if len(sp.Versions) == 0 {
		writeError(w, http.StatusNotFound, "No version of this specification has been processed")
		return
	}
	v := sp.Versions[len(sp.Versions)-1]
	writeJSON(w, http.StatusOK, map[string]any{"text": v.Text, "format": v.Format})
}

func (s *Server) putSpec(w http.ResponseWriter, r *http.Request) {
	org := s.org(w, r)
	if org == nil {
		return
	}
	slug := r.PathValue("slug")
	if len(slug) > 100 || !slugRule.MatchString(slug) {
		writeError(w, http.StatusBadRequest, "Invalid slug: use letters, digits and single hyphens (at most 100 characters)")
		return
	}
	var body struct {
		Source struct {
			Text string `json:"text"`
			URL  string `json:"url"`
		} `json:"source"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	if (body.Source.Text == "") == (body.Source.URL == "") {
		writeError(w, http.StatusBadRequest, "source: give exactly one of text or url")
		return
	}
	now := s.opts.Now().UTC()
	sp, exists := org.Specs[slug]
	if !exists {
		sp = &spec{ID: s.newID("spec"), Slug: slug, CreatedAt: now}
		org.Specs[slug] = sp
	}
	sp.State, sp.UpdatedAt, sp.SourceURL = "pending", now, body.Source.URL
	src := body.Source
	s.ops.Add(1)
	go func() {
		defer s.ops.Done()
		time.Sleep(s.opts.OperationDelay / 2)
		s.mu.Lock()
		sp.State = "progress"
		s.mu.Unlock()
		text, code, errs := processSpec(src.Text, src.URL)
		time.Sleep(s.opts.OperationDelay / 2)
		s.mu.Lock()
		defer s.mu.Unlock()
		done := s.opts.Now().UTC()
		sp.State, sp.ProcessedAt, sp.ErrorCode, sp.Errors = "complete", &done, code, errs
		if code == "" {
			sp.Versions = append(sp.Versions, &specVersion{ID: s.newID("specv"), Text: text, Format: formatOf(text), URL: src.URL, CreatedAt: done})
		}
	}()
	status := http.StatusOK
	if !exists {
		status = http.StatusCreated
	}
	writeJSON(w, status, s.specJSON(org, sp))
}

func formatOf(text string) string {
	if strings.HasPrefix(strings.TrimSpace(text), "{") {
		return "json"
	}
	return "yaml"
}

// processSpec fetches (for URL sources) and parses a spec as GitBook's
// processing does, returning an error code and messages on failure.
func processSpec(text, url string) (string, string, []specError) {
	if url != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return "", "FETCH_ERROR", []specError{{Message: err.Error()}}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return "", "FETCH_TIMEOUT", []specError{{Message: "Timed out fetching " + url}}
			}
			return "", "FETCH_ERROR", []specError{{Message: err.Error()}}
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return "", "FETCH_ERROR", []specError{{Message: fmt.Sprintf("Fetching %s returned %d", url, resp.StatusCode)}}
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 50<<20))
		if err != nil {
			return "", "FETCH_ERROR", []specError{{Message: err.Error()}}
		}
		text = string(data)
	}
	if e := parseLikeGitBook(text); e != nil {
		return text, "PARSE_ERROR", []specError{*e}
	}
	return text, "", nil
}

// GitBook's messages for the specs its parser refuses (OpenAPIParseError,
// code "invalid"); the rules are the openapi package's, held to GitBook's
// own verdicts in openapi/testdata/gitbook-parser.txtar.
const (
	invalidDocument = "Invalid OpenAPI document"
	versionNotFound = "Can’t find supported Swagger/OpenAPI version in the provided document, version must be a string."
)

// parseLikeGitBook returns the processing error GitBook reports for text,
// or nil when GitBook accepts it.
func parseLikeGitBook(text string) *specError {
	switch rej, detail := openapi.Verdict([]byte(text)); rej {
	case openapi.Unreadable:
		return &specError{Code: "invalid", Message: invalidDocument + ": " + detail}
	case openapi.NoVersion:
		return &specError{Code: "invalid", Message: versionNotFound}
	}
	return nil
}
