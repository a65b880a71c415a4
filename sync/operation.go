package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
)

// follow polls git/info until the operation that started at or after
// since finishes, or opts.Wait runs out.
func follow(ctx context.Context, opts Options, spaceID string, since time.Time, direction string) (*gitbook.GitOperation, error) {
	started, lastNote := time.Now(), time.Now()
	var op *gitbook.GitOperation
	err := poll(ctx, opts, func() (bool, error) {
		info, err := opts.Client.GitInfo(ctx, spaceID)
		if err != nil && !errors.Is(err, gitbook.ErrNoGitProvider) {
			return false, err
		}
		if info != nil && info.Operation != nil && !info.Operation.StartedAt.Before(since) && info.Operation.State != gitbook.OperationRunning {
			op = info.Operation
			return true, nil
		}
		if opts.Progress != nil && time.Since(lastNote) >= 10*time.Second {
			fmt.Fprintf(opts.Progress, "waiting for GitBook's %s of space %s (%s so far)\n", direction, spaceID, time.Since(started).Round(time.Second))
			lastNote = time.Now()
		}
		return false, nil
	}, func() error {
		return fmt.Errorf("GitBook's %s did not finish within %s; it may still complete: check the space, then run again", direction, opts.Wait)
	})
	return op, err
}

// followRevision waits until the space's revision satisfies done, for
// spaces whose operations cannot be followed through git/info (no Git Sync).
func followRevision(ctx context.Context, opts Options, spaceID, what string, done func(*gitbook.Revision) bool) error {
	return poll(ctx, opts, func() (bool, error) {
		rev, err := opts.Client.CurrentRevision(ctx, spaceID)
		return err == nil && done(rev), err
	}, func() error {
		return fmt.Errorf("%s did not happen within %s; the space has no Git Sync, so GitBook's own error cannot be read: check the space", what, opts.Wait)
	})
}

// poll calls check every opts.Poll until it reports done or fails, or
// until opts.Wait has passed (then it returns timeout()).
func poll(ctx context.Context, opts Options, check func() (bool, error), timeout func() error) error {
	deadline := time.Now().Add(opts.Wait)
	for {
		done, err := check()
		if err != nil || done {
			return err
		}
		if time.Now().After(deadline) {
			return timeout()
		}
		t := time.NewTimer(opts.Poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
