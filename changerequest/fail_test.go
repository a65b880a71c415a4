package changerequest_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/emulatortest"
)

// failAfter returns a client whose content batches fail with 503 after
// the first n succeed: a run killed half-way.
func failAfter(t *testing.T, env *emulatortest.Env, n int32) *gitbook.Client {
	var batches atomic.Int32
	rt := roundTrip(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/content") && batches.Add(1) > n {
			return &http.Response{StatusCode: 503, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	c, err := gitbook.New(gitbook.Options{BaseURL: env.URL, Token: env.Token, HTTPClient: &http.Client{Transport: rt},
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
