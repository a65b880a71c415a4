// Package httpfault puts a fault of GitBook's, or the act of another
// writer, in front of one request of a client under test, by wrapping its
// transport: for tests of what a run does when an answer says 503, or when
// someone else changes the space at the worst moment.
package httpfault

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// Func is a function that serves as an http.RoundTripper.
type Func func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f Func) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Wrap puts something in front of a transport.
type Wrap func(next http.RoundTripper) http.RoundTripper

// First lets do act just before the first request that matches goes on:
// what a run at the same time, or a person, does at the worst moment.
func First(match func(*http.Request) bool, do func(*http.Request)) Wrap {
	var once sync.Once
	return func(next http.RoundTripper) http.RoundTripper {
		return Func(func(r *http.Request) (*http.Response, error) {
			if match(r) {
				once.Do(func() { do(r) })
			}
			return next.RoundTrip(r)
		})
	}
}

// Answer503 answers the first request that matches with GitBook's 503:
// before GitBook saw it, or, when carried, after GitBook acted on it.
func Answer503(match func(*http.Request) bool, carried bool) Wrap {
	var done atomic.Bool
	return func(next http.RoundTripper) http.RoundTripper {
		return Func(func(r *http.Request) (*http.Response, error) {
			if !match(r) || done.Swap(true) {
				return next.RoundTrip(r)
			}
			if carried {
				resp, err := next.RoundTrip(r)
				if err != nil {
					return nil, err
				}
				resp.Body.Close()
			}
			body := `{"error":{"code":503,"message":"Service temporarily unavailable"}}`
			return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable", Request: r,
				Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body))}, nil
		})
	}
}
