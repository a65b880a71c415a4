package httpfault_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/internal/httpfault"
)

func TestAnswer503AndFirst(t *testing.T) {
	t.Parallel()
	isPost := func(r *http.Request) bool { return r.Method == http.MethodPost }
	for _, carried := range []bool{false, true} {
		var reached, acted atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if isPost(r) {
				reached.Add(1)
			}
		}))
		defer srv.Close()
		wrap := httpfault.Answer503(isPost, carried)
		other := httpfault.First(isPost, func(*http.Request) { acted.Add(1) })
		c := &http.Client{Transport: wrap(other(http.DefaultTransport))}
		var got []int
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPost} {
			req, _ := http.NewRequest(method, srv.URL, nil)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got = append(got, resp.StatusCode)
		}
		wantReached := int32(1)
		if carried {
			wantReached = 2
		}
		// First acts once, on the first POST that goes on.
		if got[0] != 200 || got[1] != 503 || got[2] != 200 || reached.Load() != wantReached || acted.Load() != 1 {
			t.Errorf("carried %v: statuses %v, %d POSTs reached the server, other writer acted %d times", carried, got, reached.Load(), acted.Load())
		}
	}
}
