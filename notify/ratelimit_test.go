package notify

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRateLimitTransport(t *testing.T) {
	tests := []struct {
		name      string
		first     func(w http.ResponseWriter)
		wantCalls int
		wantWait  time.Duration
	}{
		{"429 with Retry-After", func(w http.ResponseWriter) { w.Header().Set("Retry-After", "3"); w.WriteHeader(429) }, 2, 3 * time.Second},
		{"secondary limit: 403 with Retry-After", func(w http.ResponseWriter) { w.Header().Set("Retry-After", "5"); w.WriteHeader(403) }, 2, 5 * time.Second},
		{"primary limit: 403, remaining 0", func(w http.ResponseWriter) {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", "0")
			w.WriteHeader(403)
		}, 2, time.Second},
		{"a plain 403 is an answer, not a limit", func(w http.ResponseWriter) { w.WriteHeader(403) }, 1, 0},
		{"too long a wait is not waited", func(w http.ResponseWriter) { w.Header().Set("Retry-After", "3600"); w.WriteHeader(429) }, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			var bodies []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				b, _ := io.ReadAll(r.Body)
				bodies = append(bodies, string(b))
				if calls == 1 {
					tt.first(w)
					return
				}
				w.WriteHeader(201)
			}))
			defer srv.Close()
			var waits []time.Duration
			rt := &RateLimitTransport{Base: http.DefaultTransport, Sleep: func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			}}
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"body":"x"}`))
			resp, err := (&http.Client{Transport: rt}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if calls != tt.wantCalls {
				t.Errorf("%d calls, want %d", calls, tt.wantCalls)
			}
			if tt.wantWait > 0 && (len(waits) != 1 || waits[0] != tt.wantWait) {
				t.Errorf("waits %v, want %v", waits, tt.wantWait)
			}
			for _, b := range bodies {
				if b != `{"body":"x"}` {
					t.Errorf("a resent request lost its body: %q", b)
				}
			}
		})
	}
}

func TestStartsWithMarker(t *testing.T) {
	if !startsWithMarker("\n<!-- gitbook-sync:docs -->\n### x", "<!-- gitbook-sync:docs -->") {
		t.Error("our comment")
	}
	if startsWithMarker("> <!-- gitbook-sync:docs -->\nquoted by someone", "<!-- gitbook-sync:docs -->") ||
		startsWithMarker("<!-- gitbook-sync:other -->", "<!-- gitbook-sync:docs -->") || startsWithMarker("anything", "") {
		t.Error("a quote, another marker or no marker is not ours")
	}
}
