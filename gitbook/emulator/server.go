package emulator

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Faults makes the emulator misbehave as a real API sometimes does. Counts
// are over API requests (under /v1), starting at 1.
type Faults struct {
	RateLimitEvery   int           // every Nth request answers 429 with X-RateLimit-* headers
	RateLimitReset   time.Duration // how far ahead X-RateLimit-Reset points; default 1s
	RetryAfter       bool          // also send Retry-After
	ServerErrorEvery int           // every Nth request answers 503
	DropEvery        int           // every Nth request is processed, then its connection is closed unanswered
	Delay            time.Duration // added before each answer
}

// Options configure a Server.
type Options struct {
	Faults Faults
	// OperationDelay keeps imports and exports "running" at least this long,
	// so that clients must follow them.
	OperationDelay time.Duration
	// Now gives the time; tests fix it for stable output.
	Now func() time.Time
	// AppURL is the base of the "app" links in answers.
	AppURL string
}

// RecordedRequest is one request the emulator received.
type RecordedRequest struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query,omitempty"`
	Status int    `json:"status"`
}

// Server is the emulated GitBook API.
type Server struct {
	opts  Options
	token string

	mu       sync.Mutex
	orgs     map[string]*organization
	spaces   map[string]*space
	users    map[string]*member
	seq      int
	apiCount int
	record   []RecordedRequest
	baseURL  string

	ops sync.WaitGroup
	mux *http.ServeMux
}

// New builds a server from a seed.
func New(seed Seed, opts Options) (*Server, error) {
	if err := seed.validate(); err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.AppURL == "" {
		opts.AppURL = "https://app.gitbook.com"
	}
	s := &Server{opts: opts, token: seed.Token, orgs: map[string]*organization{}, spaces: map[string]*space{}, users: map[string]*member{}}
	now := opts.Now().UTC()
	for _, o := range seed.Organizations {
		org := &organization{ID: o.ID, Title: o.Title, Specs: map[string]*spec{}}
		for _, m := range o.Members {
			role := m.Role
			if role == "" {
				role = "edit"
			}
			mem := &member{ID: m.ID, DisplayName: m.DisplayName, Email: m.Email, Role: role, JoinedAt: now}
			org.Members = append(org.Members, mem)
			s.users[m.ID] = mem
		}
		s.orgs[o.ID] = org
		for _, sp := range o.Spaces {
			provider := sp.GitSync
			if provider == "" {
				provider = "github"
			} else if provider == "none" {
				provider = ""
			}
			rev := &revision{ID: s.newID("rev"), Type: "edits", Parents: []string{}, CreatedAt: now}
			s.spaces[sp.ID] = &space{ID: sp.ID, Title: sp.Title, Org: o.ID, Provider: provider, Current: rev.ID,
				Revisions: map[string]*revision{rev.ID: rev}, pathIDs: map[string]string{}, CreatedAt: now, UpdatedAt: now}
		}
	}
	// The caller of the API is a bot user of its own.
	s.users["api-user"] = &member{ID: "api-user", DisplayName: "API token", JoinedAt: now}
	s.routes()
	return s, nil
}

// SetBaseURL tells the server its own address, for "location" links.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	s.baseURL = strings.TrimRight(u, "/")
	s.mu.Unlock()
}

// Wait blocks until background operations (imports, exports, spec
// processing) have finished.
func (s *Server) Wait() { s.ops.Wait() }

// Requests returns what the server received so far.
func (s *Server) Requests() []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RecordedRequest(nil), s.record...)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.record = nil
	s.mu.Unlock()
}

func (s *Server) newID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s-%d", prefix, s.seq)
}

// Handler serves the API under /v1 and the emulator's own endpoints under /_emulator.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_emulator/") {
		s.mux.ServeHTTP(w, r)
		return
	}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	// Recorded on arrival, so a request whose answer is lost still counts.
	s.mu.Lock()
	s.apiCount++
	n := s.apiCount
	s.record = append(s.record, RecordedRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery})
	idx := len(s.record) - 1
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if idx < len(s.record) {
			s.record[idx].Status = sw.status
		}
		s.mu.Unlock()
	}()
	f := s.opts.Faults
	if f.Delay > 0 {
		time.Sleep(f.Delay)
	}
	if f.RateLimitEvery > 0 && n%f.RateLimitEvery == 0 {
		reset := f.RateLimitReset
		if reset <= 0 {
			reset = time.Second
		}
		w.Header().Set("X-RateLimit-Limit", "100")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(s.opts.Now().Add(reset).Unix(), 10))
		if f.RetryAfter {
			w.Header().Set("Retry-After", strconv.Itoa(int(reset.Seconds())))
		}
		writeError(sw, http.StatusTooManyRequests, "Rate limit exceeded, retry later")
		return
	}
	if f.ServerErrorEvery > 0 && n%f.ServerErrorEvery == 0 {
		writeError(sw, http.StatusServiceUnavailable, "Service temporarily unavailable")
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+s.token {
		msg := "You must be authenticated to access this resource: pass a valid API token as 'Authorization: Bearer <token>'"
		if got != "" {
			msg = "The API token is invalid or has expired"
		}
		writeError(sw, http.StatusUnauthorized, msg)
		return
	}
	if f.DropEvery > 0 && n%f.DropEvery == 0 {
		// Process the request, then lose the answer: the client cannot know
		// whether it took effect.
		s.mux.ServeHTTP(discardWriter{header: http.Header{}}, r)
		sw.status = 0
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					_ = tc.SetLinger(0) // a reset, as a crashed proxy gives
				}
				conn.Close()
				return
			}
		}
		return
	}
	s.mux.ServeHTTP(sw, r)
}

type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d discardWriter) WriteHeader(int)             {}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError answers in GitBook's error shape.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": status, "message": msg}})
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 32<<20))
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid request body: "+err.Error())
		return false
	}
	return true
}

// listPage paginates items by the "limit" and "page" query parameters as
// GitBook does: "page" is an opaque cursor given in next.page.
func listPage[T any](r *http.Request, items []T) map[string]any {
	if items == nil {
		items = []T{} // GitBook's lists are never null
	}
	limit := 50
	if l, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && l > 0 && l <= 1000 {
		limit = l
	}
	start := 0
	if p := r.URL.Query().Get("page"); p != "" {
		if n, err := strconv.Atoi(strings.TrimPrefix(p, "cursor-")); err == nil && n >= 0 && n <= len(items) {
			start = n
		}
	}
	end := min(start+limit, len(items))
	out := map[string]any{"items": items[start:end], "count": len(items)}
	if end < len(items) {
		out["next"] = map[string]any{"page": fmt.Sprintf("cursor-%d", end)}
	}
	return out
}
