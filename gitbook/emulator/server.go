package emulator

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/gitformat"
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
	// AppURL is the base of the "app" links in answers (default
	// https://app.gitbook.com).
	AppURL string
	// GitSyncPoll is how often GitBook's Git Sync looks at the branches it
	// syncs; 0 means only when asked (POST /_emulator/spaces/{id}/git-sync,
	// or Server.SyncNow).
	GitSyncPoll time.Duration
	// StateFile, when set, is where the whole state is saved after every
	// change (atomically), so that a restarted emulator carries on.
	StateFile string
	// Log receives the emulator's own problems (a state that could not be
	// saved); nil drops them.
	Log io.Writer
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
	seed  Seed // as given, without state: written back with the state

	mu       sync.Mutex
	orgs     map[string]*organization
	spaces   map[string]*space
	users    map[string]*member
	seq      int
	apiCount int
	record   []RecordedRequest
	baseURL  string

	ops       sync.WaitGroup
	mux       *http.ServeMux
	closed    chan struct{}
	closeOnce sync.Once
}

// New builds a server from a seed (and the state saved in it, if any).
// Spaces with Git Sync installed import their branch at once, as setting
// up GitBook's Git Sync does; Close stops the polling of GitSyncPoll.
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
	opts.AppURL = strings.TrimRight(opts.AppURL, "/")
	s := &Server{opts: opts, token: seed.Token, orgs: map[string]*organization{}, spaces: map[string]*space{},
		users: map[string]*member{}, closed: make(chan struct{})}
	s.seed = seed
	s.seed.State = nil
	now := opts.Now().UTC()
	for _, o := range seed.Organizations {
		org := &organization{ID: o.ID, Title: o.Title, Specs: map[string]*spec{}}
		for _, m := range o.Members {
			mem := &member{ID: m.ID, DisplayName: m.DisplayName, Email: m.Email, Role: cmp.Or(m.Role, "edit"), JoinedAt: now}
			org.Members = append(org.Members, mem)
			s.users[m.ID] = mem
		}
		s.orgs[o.ID] = org
		for _, sd := range o.Spaces {
			rev := &revision{ID: s.newID("rev"), Type: "edits", Parents: []string{}, CreatedAt: now}
			sp := &space{ID: sd.ID, Title: sd.Title, Org: o.ID, Current: rev.ID,
				Revisions: map[string]*revision{rev.ID: rev}, pathIDs: map[string]string{}, CreatedAt: now, UpdatedAt: now}
			if r := sd.Repository; r != nil && (sd.GitSync == "github" || sd.GitSync == "gitlab") {
				sp.sync = &gitSync{provider: sd.GitSync, url: r.URL, branch: r.Branch, dir: r.Directory}
			}
			s.spaces[sd.ID] = sp
		}
	}
	// The caller of the API is a bot user of its own.
	s.users["api-user"] = &member{ID: "api-user", DisplayName: "API token", JoinedAt: now}
	if seed.State != nil {
		if err := s.restore(seed.State); err != nil {
			return nil, err
		}
	}
	s.routes()
	s.mu.Lock()
	for _, id := range sortedKeys(s.spaces) {
		if sp := s.spaces[id]; sp.sync != nil {
			s.lookAtBranch(sp)
		}
	}
	s.mu.Unlock()
	if opts.GitSyncPoll > 0 {
		go s.pollGitSync(opts.GitSyncPoll)
	}
	return s, nil
}

// Close stops the Git Sync polling and waits for running operations.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
	s.Wait()
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

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

// maxBody is the largest request body the emulator reads.
const maxBody = 32 << 20

// decodeBody reads one JSON value, and nothing after it: a body with
// trailing bytes is not JSON, and GitBook refuses it.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	err := dec.Decode(v)
	if err == nil {
		var extra json.RawMessage
		if err = dec.Decode(&extra); err == io.EOF {
			return true
		} else if err == nil {
			err = errors.New("unexpected data after the JSON value")
		}
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body larger than %d MB", maxBody>>20))
		return false
	}
	writeError(w, http.StatusBadRequest, "Invalid request body: "+cutMessage(err.Error()))
	return false
}

// cutMessage keeps an error message short: a message must never echo a
// huge input back.
func cutMessage(msg string) string {
	const limit = 300
	if len(msg) <= limit {
		return msg
	}
	return strings.ToValidUTF8(msg[:limit], "") + fmt.Sprintf("… (%d bytes)", len(msg))
}

// paginated refuses what GitBook's list parameters do not allow: "limit"
// is a number from 0 to 1000.
func paginated(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if l := r.URL.Query().Get("limit"); l != "" {
			n, err := strconv.ParseFloat(l, 64)
			if err != nil || n < 0 || n > 1000 {
				writeError(w, http.StatusBadRequest, "limit: must be a number from 0 to 1000, got "+gitformat.QuoteCut(l))
				return
			}
		}
		h(w, r)
	}
}

// listPage paginates items by the "limit" and "page" query parameters as
// GitBook does: "page" is an opaque cursor given in next.page.
func listPage[T any](r *http.Request, items []T) map[string]any {
	if items == nil {
		items = []T{} // GitBook's lists are never null
	}
	limit := 50
	if l, err := strconv.ParseFloat(r.URL.Query().Get("limit"), 64); err == nil && l >= 1 && l <= 1000 {
		limit = int(l)
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
