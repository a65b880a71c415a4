package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
)

// operation is one asynchronous GitBook job (an import, a preview, an
// export): started by one request, then followed to its end.
type operation struct {
	space     string
	direction string // gitbook.DirectionImport or DirectionExport
	what      string // "import into space s1", for messages
	start     func(ctx context.Context) error
	// landed tells from the space's revision that the job is done, for
	// spaces without Git Sync (git/info 404: nothing else to watch). Nil
	// when the revision cannot show it (a standalone preview).
	landed func(*gitbook.Revision) bool
}

// run starts the operation and follows it: through git/info when the
// space has Git Sync (connected), else through the revision. It returns the
// space's revision once the operation ended successfully (nil when it
// could not be watched).
func (o operation) run(ctx context.Context, opts Options, connected bool) (*gitbook.Revision, error) {
	// GitBook stamps the operation with its own clock: allow some skew.
	since := time.Now().Add(-2 * time.Second)
	if err := o.begin(ctx, opts, connected, since); err != nil {
		return nil, fmt.Errorf("%s: %w", o.what, err)
	}
	switch {
	case connected:
		op, err := follow(ctx, opts, o.space, since, o.direction)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.what, err)
		}
		if op.State != gitbook.OperationSuccess {
			return nil, fmt.Errorf("%s failed in GitBook: %s", o.what, cmp.Or(op.Error, "GitBook gave no reason"))
		}
	case o.landed != nil:
		if err := followRevision(ctx, opts, o.space, o.landed); err != nil {
			return nil, fmt.Errorf("%s: %w", o.what, err)
		}
	default:
		return nil, nil
	}
	rev, err := opts.GitBook.CurrentRevision(ctx, o.space)
	if err != nil {
		return nil, fmt.Errorf("%s: read the new revision: %w", o.what, err)
	}
	return rev, nil
}

// maxStarts bounds how often an operation is sent when GitBook leaves its
// outcome unknown and the space shows no sign of it.
const maxStarts = 3

// startLooks is how often the space is looked at for a sign of an
// operation whose outcome is unknown, spaced as Poll spaces its checks
// (about 2 s with the defaults).
const startLooks = 6

// begin sends the request that starts the operation. When GitBook leaves
// its outcome unknown (its answer lost, or a 502, 503 or 504), the space
// says whether the operation started: git/info shows it (connected), or
// the space already shows its result (landed). Only when neither does is
// it sent again, at most maxStarts times in all; an operation nothing
// could show (a standalone preview of a space without Git Sync) is never
// sent twice. An import sent twice makes the space what one makes it.
func (o operation) begin(ctx context.Context, opts Options, connected bool, since time.Time) error {
	for try := 1; ; try++ {
		err := o.start(ctx)
		if err == nil || !errors.Is(err, gitbook.ErrOutcomeUnknown) || try == maxStarts || (!connected && o.landed == nil) {
			return err
		}
		seen := false
		looks := 0
		_, perr := opts.Poll.Until(ctx, func(ctx context.Context) (bool, time.Duration, error) {
			looks++
			var err error
			seen, err = o.shows(ctx, opts, connected, since)
			return seen || looks >= startLooks, 0, err
		})
		if perr != nil && !errors.Is(perr, gitbook.ErrPollTimeout) {
			return errors.Join(err, fmt.Errorf("look for it in the space: %w", perr))
		}
		if seen {
			return nil
		}
	}
}

// shows reports whether the space shows the operation: started (in
// git/info) or, without Git Sync, landed.
func (o operation) shows(ctx context.Context, opts Options, connected bool, since time.Time) (bool, error) {
	if connected {
		info, err := opts.GitBook.GitInfo(ctx, o.space)
		if err != nil {
			return false, err
		}
		op := info.Operation
		return op != nil && op.Direction == o.direction && !op.StartedAt.Before(since), nil
	}
	rev, err := opts.GitBook.CurrentRevision(ctx, o.space)
	if err != nil {
		return false, err
	}
	return o.landed(rev), nil
}

// follow polls git/info until the operation that started at or after
// since finishes, or the wait runs out.
func follow(ctx context.Context, opts Options, spaceID string, since time.Time, direction string) (*gitbook.GitOperation, error) {
	started, lastNote := time.Now(), time.Now()
	var op *gitbook.GitOperation
	_, err := opts.Poll.Until(ctx, func(ctx context.Context) (bool, time.Duration, error) {
		info, err := opts.GitBook.GitInfo(ctx, spaceID)
		if err != nil && !errors.Is(err, gitbook.ErrNoGitProvider) {
			return false, 0, err
		}
		if info != nil && info.Operation != nil && !info.Operation.StartedAt.Before(since) && info.Operation.State != gitbook.OperationRunning {
			op = info.Operation
			return true, 0, nil
		}
		if opts.Progress != nil && time.Since(lastNote) >= 10*time.Second {
			fmt.Fprintf(opts.Progress, "waiting for GitBook's %s of space %s (%s so far)\n", direction, spaceID, time.Since(started).Round(time.Second))
			lastNote = time.Now()
		}
		return false, 0, nil
	})
	if errors.Is(err, gitbook.ErrPollTimeout) {
		return nil, fmt.Errorf("GitBook's %s did not finish within %s; it may still complete: check the space, then run again", direction, opts.Poll.Timeout)
	}
	return op, err
}

// followRevision waits until the space's revision satisfies done, for
// spaces whose operations cannot be followed through git/info (no Git Sync).
func followRevision(ctx context.Context, opts Options, spaceID string, done func(*gitbook.Revision) bool) error {
	_, err := opts.Poll.Until(ctx, func(ctx context.Context) (bool, time.Duration, error) {
		rev, err := opts.GitBook.CurrentRevision(ctx, spaceID)
		return err == nil && done(rev), 0, err
	})
	if errors.Is(err, gitbook.ErrPollTimeout) {
		return fmt.Errorf("it did not show in the space within %s; the space has no Git Sync, so GitBook's own error cannot be read: check the space", opts.Poll.Timeout)
	}
	return err
}
