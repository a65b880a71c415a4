package soak

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/gitbook-sync/gitbook-sync/internal/fakehost"
)

// tap stands in front of both fakes (GitBook and GitHub), so that one count
// covers every request a run makes. It can lose the answer to one write,
// or kill the client at one request, after the server has acted on it:
// the two faults the emulator's every-Nth options cannot aim.
type tap struct {
	mu       sync.Mutex
	requests int
	writes   []string // "POST /v1/…" of each write, in order of arrival
	writeAt  []int    // the request number of each write

	dropWrite int    // the write (1-based) whose answer is lost; 0: none
	dropped   string // the write that was dropped
	killAt    int    // the request (1-based) at which the client is killed; 0: none
	kill      func() // kills the client and returns when it is gone
	killed    string // the request at which it was killed
}

// reset forgets the counts and disarms the faults, before a run.
func (tp *tap) reset() {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	tp.requests, tp.writes, tp.writeAt = 0, nil, nil
	tp.dropWrite, tp.dropped, tp.killAt, tp.kill, tp.killed = 0, "", 0, nil, ""
}

func (tp *tap) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tp.mu.Lock()
		tp.requests++
		what := r.Method + " " + r.URL.Path
		drop := false
		// GraphQL's POST only reads (the token's own login).
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.URL.Path != fakehost.GitHubGraphQL {
			tp.writes = append(tp.writes, what)
			tp.writeAt = append(tp.writeAt, tp.requests)
			if drop = len(tp.writes) == tp.dropWrite; drop {
				tp.dropped = what
			}
		}
		var kill func()
		if tp.requests == tp.killAt {
			kill, tp.killed = tp.kill, what
		}
		tp.mu.Unlock()
		if !drop && kill == nil {
			next.ServeHTTP(w, r)
			return
		}
		// The server acts on the request in full; its answer never leaves.
		next.ServeHTTP(httptest.NewRecorder(), r)
		if kill != nil {
			kill()
		}
		lose(w)
	})
}

// lose closes the connection with a reset and no answer, as a proxy that
// crashed does.
func lose(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("soak: the test server cannot drop a connection")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}
