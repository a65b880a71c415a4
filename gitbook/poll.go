package gitbook

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Poll follows an asynchronous GitBook operation (an import, an export, the
// processing of a spec version). Most finish within a second, so the first
// check comes soon; the waits then grow by half each time up to Max, so a
// long operation costs few requests. Zero fields take the defaults.
type Poll struct {
	Initial time.Duration // first wait; default 150ms
	Max     time.Duration // longest wait; default 5s
	Timeout time.Duration // give up after; default 10m
	// Sleep waits; tests replace it. Default: a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
}

// ErrPollTimeout is returned (wrapped) when Timeout passed before the
// operation finished.
var ErrPollTimeout = errors.New("still not finished")

// Check looks once. It returns done when the operation has ended, and may
// return a hint (a Retry-After the server gave) that replaces the next wait
// when it is longer.
type Check func(ctx context.Context) (done bool, hint time.Duration, err error)

// Until calls check until it reports done or fails, or Timeout passes. It
// returns how many checks it made.
func (p Poll) Until(ctx context.Context, check Check) (int, error) {
	p = p.withDefaults()
	deadline := time.Now().Add(p.Timeout)
	wait := p.Initial
	for n := 1; ; n++ {
		done, hint, err := check(ctx)
		if err != nil || done {
			return n, err
		}
		next := max(wait, hint)
		if remaining := time.Until(deadline); remaining <= 0 {
			return n, fmt.Errorf("%w after %s", ErrPollTimeout, p.Timeout)
		} else if next > remaining {
			next = remaining // one last look at the deadline
		}
		if err := p.Sleep(ctx, next); err != nil {
			return n, err
		}
		wait = min(wait*3/2, p.Max)
	}
}

func (p Poll) withDefaults() Poll {
	if p.Initial <= 0 {
		p.Initial = 150 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 5 * time.Second
	}
	if p.Max < p.Initial {
		p.Max = p.Initial
	}
	if p.Timeout <= 0 {
		p.Timeout = 10 * time.Minute
	}
	if p.Sleep == nil {
		p.Sleep = sleepCtx
	}
	return p
}
