// Package gitbook is a typed client for the parts of the GitBook REST API
// that gitbook-sync uses. It retries what is safe to retry, never resends a
// write whose outcome is unknown, and keeps credentials out of its errors.
//
// A write answered 502, 503 or 504 has an unknown outcome: GitBook's docs
// say only that a 5xx is "an error with GitBook's servers", its API
// description documents no 5xx and no idempotency key, and its own client
// (@gitbook/api) retries nothing; a gateway's 502/504 may come after the
// request was carried out. So such a write fails with ErrOutcomeUnknown,
// and the caller, which can look at what GitBook now holds, decides
// whether to send it again. Reads, and writes that do no more the second
// time, are retried.
package gitbook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

// DefaultBaseURL is GitBook's public API.
const DefaultBaseURL = "https://api.gitbook.com/v1"

// Options configure a Client. Zero values take sensible defaults.
type Options struct {
	BaseURL     string
	Token       string
	UserAgent   string
	HTTPClient  *http.Client
	MaxAttempts int // per request, counting the first; default 5
	// MaxWait caps one wait for a rate limit; a longer wait fails the call
	// with the time GitBook asked for, rather than stalling CI. Default 2m.
	MaxWait time.Duration
	// Sleep waits between attempts; tests replace it to run instantly.
	Sleep    func(ctx context.Context, d time.Duration) error
	Redactor *redact.Redactor
	// MaxAnswer caps the size of one answer; a larger one fails the call
	// with an error naming the limit, never a truncated decode. Default
	// DefaultMaxAnswer.
	MaxAnswer int64
}

// DefaultMaxAnswer fits a page of 100 MB with its JSON escaping.
const DefaultMaxAnswer = 512 << 20

// Client talks to the GitBook API.
type Client struct {
	base     *url.URL
	opts     Options
	redactor *redact.Redactor
}

// New returns a client. The token is registered with the redactor so that it
// can never appear in an error.
func New(opts Options) (*Client, error) {
	r := opts.Redactor
	if r == nil {
		r = &redact.Redactor{}
	}
	r.Add(opts.Token)
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimRight(opts.BaseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("invalid GitBook API URL %q: want an absolute URL such as %s", r.String(opts.BaseURL), DefaultBaseURL)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 2 * time.Minute
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	if opts.MaxAnswer <= 0 {
		opts.MaxAnswer = DefaultMaxAnswer
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "gitbook-sync/dev"
	}
	return &Client{base: base, opts: opts, redactor: r}, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// request describes one API call.
type request struct {
	method string
	path   string // below the base URL, already escaped
	query  url.Values
	body   any
	out    any
	// notFound, when set, replaces a 404's error (e.g. ErrNoGitProvider).
	notFound error
	// resendable marks a POST that may be sent again when its answer is
	// lost, because a second one changes nothing more.
	resendable bool
	// once marks a PUT, PATCH or DELETE that GitBook acts on anew each
	// time (a PUT that adds a version): it is resent only as a POST is.
	once bool
}

// idempotent reports whether sending r twice does no more than once.
func (r request) idempotent() bool {
	if r.method == http.MethodPost || r.once {
		return r.resendable
	}
	return true
}

func (c *Client) do(ctx context.Context, r request) error {
	err := c.doRaw(ctx, r)
	if err != nil && r.notFound != nil && IsNotFound(err) {
		err = fmt.Errorf("%w: %w", r.notFound, err)
	}
	return err
}

func (c *Client) doRaw(ctx context.Context, r request) error {
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("encode %s %s: %w", r.method, r.path, err)
		}
	}
	u := *c.base
	u.Path = c.base.Path + r.path
	u.RawPath = ""
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	idempotent := r.idempotent()

	var lastErr error
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, r.method, u.String(), bytes.NewReader(payload))
		if err != nil {
			return c.clean(fmt.Errorf("build %s %s: %w", r.method, r.path, err))
		}
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", c.opts.UserAgent)
		if c.opts.Token != "" {
			req.Header.Set("Authorization", "Bearer "+c.opts.Token)
		}

		resp, err := c.opts.HTTPClient.Do(req)
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return c.clean(fmt.Errorf("%s %s: %w", r.method, r.path, ctx.Err()))
			}
			lastErr = fmt.Errorf("%s %s: %w", r.method, r.path, err)
			// A request that never reached the server can be resent even
			// when it writes; one that may have arrived cannot.
			if !idempotent && !notSent(err) {
				return c.clean(fmt.Errorf("%w: %w", ErrOutcomeUnknown, lastErr))
			}
			if !transient(err) {
				return c.clean(lastErr)
			}
			wait = backoff(attempt)
		default:
			body, rerr := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxAnswer+1))
			resp.Body.Close()
			if rerr == nil && int64(len(body)) > c.opts.MaxAnswer {
				// Resending would bring the same answer; a write was acted on.
				err := fmt.Errorf("%s %s: %w: more than %s", r.method, r.path, ErrAnswerTooLarge, sizeOf(c.opts.MaxAnswer))
				if !idempotent && resp.StatusCode < 300 {
					err = fmt.Errorf("%w (the request was carried out)", err)
				}
				return c.clean(err)
			}
			if rerr != nil {
				lastErr = fmt.Errorf("%s %s: read answer: %w", r.method, r.path, rerr)
				if !idempotent {
					return c.clean(fmt.Errorf("%w: %w", ErrOutcomeUnknown, lastErr))
				}
				wait = backoff(attempt)
				break
			}
			if resp.StatusCode < 300 {
				if r.out != nil && len(body) > 0 && resp.StatusCode != http.StatusNoContent {
					if err := json.Unmarshal(body, r.out); err != nil {
						return c.clean(fmt.Errorf("%s %s: decode answer: %w", r.method, r.path, err))
					}
				}
				return nil
			}
			apiErr := parseError(resp.StatusCode, body, r.method, r.path)
			lastErr = apiErr
			switch {
			case resp.StatusCode == http.StatusTooManyRequests:
				// GitBook did not process a rate-limited request: safe to resend.
				wait = rateLimitWait(resp.Header, time.Now())
				if wait > c.opts.MaxWait {
					return c.clean(fmt.Errorf("%w (rate limited; GitBook asks to wait %s, more than the %s allowed)", apiErr, wait.Round(time.Second), c.opts.MaxWait))
				}
			case resp.StatusCode == 502 || resp.StatusCode == 503 || resp.StatusCode == 504:
				if !idempotent {
					// GitBook may have acted on it: see the package comment.
					return c.clean(fmt.Errorf("%w: %w", ErrOutcomeUnknown, apiErr))
				}
				wait = backoff(attempt)
			default:
				return c.clean(apiErr)
			}
		}
		if attempt >= c.opts.MaxAttempts {
			return c.clean(fmt.Errorf("giving up after %d attempts: %w", attempt, lastErr))
		}
		if err := c.opts.Sleep(ctx, wait); err != nil {
			return c.clean(fmt.Errorf("%w (while waiting to retry: %w)", lastErr, err))
		}
	}
}

// clean masks credentials in err's text while keeping its chain for errors.Is/As.
func (c *Client) clean(err error) error {
	if err == nil {
		return nil
	}
	msg := c.redactor.String(err.Error())
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func parseError(status int, body []byte, method, path string) *APIError {
	e := &APIError{Status: status, Code: status, Method: method, Path: path}
	var wire struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &wire) == nil && wire.Error.Message != "" {
		e.Code, e.Message = wire.Error.Code, wire.Error.Message
	} else if len(body) > 0 && len(body) < 512 {
		e.Message = strings.TrimSpace(string(body))
	}
	return e
}

// rateLimitWait reads how long GitBook wants us to wait: Retry-After when
// present (seconds or a date), else until X-RateLimit-Reset (Unix seconds).
func rateLimitWait(h http.Header, now time.Time) time.Duration {
	if ra := h.Get("Retry-After"); ra != "" {
		if s, err := strconv.Atoi(ra); err == nil {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(ra); err == nil {
			return max(t.Sub(now), 0)
		}
	}
	if reset := h.Get("X-RateLimit-Reset"); reset != "" {
		if s, err := strconv.ParseInt(reset, 10, 64); err == nil {
			return max(time.Unix(s, 0).Sub(now), 0) + 100*time.Millisecond
		}
	}
	return time.Second
}

// backoff is exponential with full jitter: 0.5s, 1s, 2s, ... capped at 30s.
func backoff(attempt int) time.Duration {
	d := 500 * time.Millisecond << (attempt - 1)
	if d > 30*time.Second || d <= 0 {
		d = 30 * time.Second
	}
	return d/2 + rand.N(d/2+1)
}

func transient(err error) bool {
	var ne net.Error
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// notSent reports whether err happened before the request left: the server
// cannot have acted on it.
func notSent(err error) bool {
	var op *net.OpError
	return errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &op) && op.Op == "dial")
}

// sizeOf writes a byte count the way limits are usually given.
func sizeOf(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func esc(s string) string { return url.PathEscape(s) }

// list is GitBook's paginated list envelope.
type list[T any] struct {
	Items []T `json:"items"`
	Next  *struct {
		Page string `json:"page"`
	} `json:"next,omitempty"`
}

// listAll follows next.page to the end. A cursor seen twice would loop
// forever, so it is an error.
func listAll[T any](ctx context.Context, c *Client, path string, query url.Values) ([]T, error) {
	var all []T
	seen := map[string]bool{}
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	for {
		var page list[T]
		if err := c.do(ctx, request{method: http.MethodGet, path: path, query: q, out: &page}); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.Next == nil || page.Next.Page == "" {
			return all, nil
		}
		if seen[page.Next.Page] {
			return nil, fmt.Errorf("list %s: GitBook returned page cursor %q twice; stopping to avoid a loop", path, page.Next.Page)
		}
		seen[page.Next.Page] = true
		q.Set("page", page.Next.Page)
	}
}
