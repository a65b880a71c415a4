// Package emulatortest starts the GitBook emulator for tests with contract
// validation on both sides: every request the client sends and every answer
// the emulator gives is checked against GitBook's OpenAPI description, and a
// violation fails the test.
package emulatortest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/internal/contract"
)

// Env is a running emulator with a client wired to it.
type Env struct {
	Server  *emulator.Server
	URL     string // API base URL, ending in /v1
	Root    string // server root, for /_emulator endpoints
	Token   string
	Checker *contract.Checker
	HTTP    *http.Client // for clients other than gitbook.Client
}

// Start runs an emulator seeded with seed (DefaultSeed when zero).
func Start(t testing.TB, seed emulator.Seed, opts emulator.Options) *Env {
	t.Helper()
	if seed.Token == "" {
		seed = emulator.DefaultSeed()
	}
	srv, err := emulator.New(seed, opts)
	if err != nil {
		t.Fatal(err)
	}
	checker := &contract.Checker{Fail: func(err error) { t.Errorf("%v", err) }}
	hs := httptest.NewServer(checker.Handler(srv.Handler()))
	srv.SetBaseURL(hs.URL)
	// The handler side sees every request any client sends and every answer
	// the emulator writes, so each exchange is validated there, once.
	env := &Env{Server: srv, URL: hs.URL + "/v1", Root: hs.URL, Token: seed.Token, Checker: checker,
		HTTP: &http.Client{Timeout: 5 * time.Minute}}
	t.Cleanup(func() {
		srv.Wait()
		hs.Close()
		req, _ := checker.Counts()
		t.Logf("contract: %d requests and their answers validated", req)
	})
	return env
}

// Client returns a GitBook client for the emulator whose waits are instant
// and recorded in waits (when non-nil).
func (e *Env) Client(t testing.TB, waits *[]time.Duration) *gitbook.Client {
	t.Helper()
	c, err := gitbook.New(gitbook.Options{
		BaseURL: e.URL, Token: e.Token, HTTPClient: e.HTTP,
		Sleep: func(ctx context.Context, d time.Duration) error {
			if waits != nil {
				*waits = append(*waits, d)
			}
			return ctx.Err()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
