package notify

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// NewHTTPClient is the client for GitHub's and GitLab's APIs: bounded in
// time, and waiting out rate limits.
func NewHTTPClient() *http.Client {
	return &http.Client{Transport: &RateLimitTransport{Base: http.DefaultTransport}, Timeout: 60 * time.Second}
}

// RateLimitTransport waits and retries when GitHub says a request was not
// processed: 429, or 403 with Retry-After or an exhausted rate limit
// (go-github itself only reports 403 primary limits, and does not wait).
type RateLimitTransport struct {
	Base     http.RoundTripper
	MaxWait  time.Duration // per wait; default 60s
	Attempts int           // default 3
	Sleep    func(context.Context, time.Duration) error
}

func (t *RateLimitTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	attempts, maxWait := t.Attempts, t.MaxWait
	if attempts <= 0 {
		attempts = 3
	}
	if maxWait <= 0 {
		maxWait = 60 * time.Second
	}
	sleep := t.Sleep
	if sleep == nil {
		sleep = func(ctx context.Context, d time.Duration) error {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(d):
				return nil
			}
		}
	}
	for i := 1; ; i++ {
		if i > 1 && r.GetBody != nil {
			body, err := r.GetBody()
			if err != nil {
				return nil, err
			}
			r.Body = body
		}
		resp, err := t.Base.RoundTrip(r)
		if err != nil || i >= attempts {
			return resp, err
		}
		wait, limited := limitWait(resp)
		if !limited || wait > maxWait {
			return resp, nil
		}
		resp.Body.Close()
		if err := sleep(r.Context(), wait); err != nil {
			return nil, err
		}
	}
}

func limitWait(resp *http.Response) (time.Duration, bool) {
	h := resp.Header
	limited := resp.StatusCode == http.StatusTooManyRequests ||
		(resp.StatusCode == http.StatusForbidden && (h.Get("Retry-After") != "" || h.Get("X-RateLimit-Remaining") == "0"))
	if !limited {
		return 0, false
	}
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil {
		return time.Duration(s) * time.Second, true
	}
	if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		return max(time.Until(time.Unix(reset, 0)), time.Second), true
	}
	return time.Minute, true // GitHub's advice for secondary limits without a hint
}
