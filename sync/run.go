package sync

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"path"
	"runtime/debug"
	"strings"
	stdsync "sync"
	"time"

	"github.com/gitbook-sync/gitbook-sync/ci"
	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

// Options configure a run.
type Options struct {
	// Client is GitBook's API. The engine's own calls go through GitBook
	// and ChangeRequests, which default to Client; tests replace them.
	Client         *gitbook.Client
	GitBook        GitBook
	ChangeRequests ChangeRequests
	Repo           *Repo
	Redactor       *redact.Redactor
	// RepoURL is what GitBook reads and writes: a file:// URL or path, or a
	// Git host URL without credentials.
	RepoURL string
	// CI is the CI's context: tokens, host, branches and the event. Nil
	// outside CI.
	CI     *ci.Context
	DryRun bool
	Force  bool // import even over GitBook edits; skip the timestamp order check
	// Concurrency bounds how many spaces are handled at once (default 4).
	Concurrency int
	// Wait bounds how long to follow one GitBook operation (default 10m).
	Wait time.Duration
	// Poll spaces the checks while following an operation (gitbook.Poll's
	// defaults; its Timeout is Wait).
	Poll gitbook.Poll
	// Progress receives a line now and then while GitBook works (stderr).
	Progress io.Writer
	// KeepText keeps file contents in diffs, for per-page diffs in reports.
	KeepText bool
	// ExportMessage is the commit message template for exports.
	ExportMessage string
	// PullRequest is set when the run is for a pull request event.
	PullRequest *PullRequest
}

// PullRequest is the pull (merge) request a run is for.
type PullRequest struct {
	URL    string
	Title  string
	Number int    // read from URL when 0
	State  string // open, closed (without merging) or merged
	// BaseSHA is a commit of the target branch (GitHub's base.sha, GitLab's
	// diff base); the pull request's own changes start at its merge base
	// with HeadSHA.
	BaseSHA string
	// HeadSHA is the pull request's last commit; "" means the checked-out
	// commit.
	HeadSHA string
	Branch  string // the branch it comes from
	Target  string // the branch it merges into
	// HeadRef is the ref GitBook reads the pull request from, for previews
	// (refs/pull/N/head on GitHub, refs/merge-requests/N/head on GitLab).
	HeadRef string
}

// Pull request states.
const (
	PROpen   = "open"
	PRClosed = "closed"
	PRMerged = "merged"
)

// DefaultExportMessage is GitBook's own message for a merged change request.
const DefaultExportMessage = "GITBOOK-{change_request_number}: {change_request_subject}"

// Run handles each space and returns one result per space, in order. One
// space failing does not stop the others.
func Run(ctx context.Context, opts Options, spaces []config.Space) []Result {
	opts = withDefaults(opts)
	results := make([]Result, len(spaces))
	t, err := resolveTarget(ctx, opts)
	if err != nil {
		err = opts.Redactor.Error(fmt.Errorf("resolve the commit to sync: %w", err))
		for i, sp := range spaces {
			results[i] = Result{Space: sp.Space, Path: sp.Path, State: Unknown, Decision: Stop, Outcome: Failed, Err: err}
		}
		return results
	}
	sem := make(chan struct{}, opts.Concurrency)
	var wg stdsync.WaitGroup
	for i, sp := range spaces {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			results[i] = guarded(sp, func(res *Result) {
				runSpace(ctx, opts, sp, t, res)
				runSpecs(ctx, opts, sp, res)
			})
			results[i].Duration = time.Since(start).Round(time.Millisecond)
			results[i].Err = opts.Redactor.Error(results[i].Err)
		}()
	}
	wg.Wait()
	return results
}

func withDefaults(opts Options) Options {
	opts.Concurrency = cmp.Or(max(opts.Concurrency, 0), 4)
	opts.Wait = cmp.Or(max(opts.Wait, 0), 10*time.Minute)
	opts.Poll.Timeout = opts.Wait
	opts.ExportMessage = cmp.Or(opts.ExportMessage, DefaultExportMessage)
	if opts.GitBook == nil {
		opts.GitBook = opts.Client
	}
	if opts.ChangeRequests == nil {
		opts.ChangeRequests = clientChangeRequests{opts.Client}
	}
	if opts.CI == nil {
		opts.CI = &ci.Context{}
	}
	if opts.Redactor == nil {
		opts.Redactor = &redact.Redactor{}
	}
	opts.Repo.setAuth(opts.CI.FetchAuth())
	return opts
}

// guarded runs one space's work so that a crash in it becomes that
// space's failure: the other spaces, the report and the comment go on.
func guarded(sp config.Space, work func(res *Result)) (res Result) {
	res = Result{Space: sp.Space, Path: sp.Path}
	defer func() {
		if p := recover(); p != nil {
			res.Outcome, res.Err = Failed, fmt.Errorf("internal error (please report it): %v\n%s", p, debug.Stack())
			res.State = cmp.Or(res.State, Unknown)
			res.Decision = cmp.Or(res.Decision, Stop)
		}
	}()
	work(&res)
	return res
}

// Shard keeps the spaces of shard i of n (1-based), for CI matrices.
func Shard(spaces []config.Space, i, n int) []config.Space {
	if n <= 1 {
		return spaces
	}
	var out []config.Space
	for k, s := range spaces {
		if k%n == i-1 {
			out = append(out, s)
		}
	}
	return out
}

func projectDir(p string) string { return strings.Trim(path.Clean("/"+p), "/") }

func runSpace(ctx context.Context, opts Options, sp config.Space, t *target, res *Result) {
	fail := func(err error) {
		res.Outcome, res.Err, res.HTTPStatus = Failed, err, gitbook.StatusOf(err)
		res.Decision = cmp.Or(res.Decision, Stop)
		res.State = cmp.Or(res.State, Unknown)
	}
	dir := projectDir(sp.Path)
	ev := t.event(sp)
	res.Branch, res.Head, res.Event, res.Subject = t.branch, t.head.Hash.String(), ev, t.subject()
	insp, err := inspect(ctx, opts, sp.Space, t, dir, res)
	if err != nil {
		fail(fmt.Errorf("inspect: %w", err))
		return
	}
	if res.Diff != nil && res.State != SpaceAhead {
		// Problems in the repository's pages, found while comparing: an
		// error (a SUMMARY entry without its file) stops the space, as
		// content.Load's would; warnings go with the result.
		if err := res.Diff.Diagnostics.Err(); err != nil {
			fail(err)
			return
		}
		res.Diagnostics = append(res.Diagnostics, res.Diff.Diagnostics.Warnings()...)
	}
	decision, reason := decide(situation{State: res.State, Mode: sp.Mode, Event: ev, Force: opts.Force, Preview: sp.Preview == "standalone",
		GitSync: insp.gitSync, BaseKnown: insp.baseKnown, Unrecorded: insp.unrecorded, Live: insp.live,
		Subject: t.subject(), Source: t.source(sp)})
	res.Decision = decision
	res.addReason(insp.reason)
	res.addReason(reason)
	if err := act(ctx, opts, sp, dir, t, ev, insp, res); err != nil {
		fail(err)
		return
	}
	if opts.DryRun || res.Outcome == Failed || t.branch != t.source(sp) {
		return
	}
	switch ev {
	case EventMerged:
		// The merged pull request's run is on the source branch, at the
		// commit that merged it: the space ends there too.
		afterMerge(ctx, opts, sp, dir, t, res)
	case EventPush:
		if res.Outcome == Imported || res.State == InSync {
			finishMerged(ctx, opts, sp, t, true, res)
		}
	}
}

// afterMerge brings the space to the commit that merged the pull request,
// as the push would: an import (or GitBook's own), never over GitBook's
// edits. What it did is added to the merge's result.
func afterMerge(ctx context.Context, opts Options, sp config.Space, dir string, t *target, res *Result) {
	var push Result
	insp, err := inspect(ctx, opts, sp.Space, t, dir, &push)
	if err != nil {
		res.addReason("the space could not be read after the merge: " + opts.Redactor.String(err.Error()))
		return
	}
	d, why := decide(situation{State: push.State, Mode: sp.Mode, Event: EventPush, GitSync: insp.gitSync,
		BaseKnown: insp.baseKnown, Unrecorded: insp.unrecorded, Source: t.source(sp)})
	switch d {
	case DoImport, DoFollow:
	case Nothing:
		res.addReason(fmt.Sprintf("the space is at %s", shortHash(t.head.Hash.String())))
		return
	default:
		res.addReason(fmt.Sprintf("then %s: %s", push.State, cmp.Or(why, insp.reason)))
		return
	}
	push.Decision = d
	if err := act(ctx, opts, sp, dir, t, EventPush, insp, &push); err != nil {
		res.Outcome, res.Err = Failed, err
		return
	}
	res.NewRevision = push.NewRevision
	res.addReason(fmt.Sprintf("then imported %s, the commit that merged it", shortHash(t.head.Hash.String())))
	res.Reasons = append(res.Reasons, push.Reasons...)
}
