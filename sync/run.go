package sync

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	stdsync "sync"
	"time"

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
	RepoURL  string
	GitUser  string // basic-auth user for RepoURL (default per host)
	GitToken string // Git host token GitBook uses; never the GitBook token
	DryRun   bool
	Force    bool // import even over GitBook edits; skip the timestamp order check
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
	URL     string
	Title   string
	Number  int
	State   string // open, closed (without merging) or merged
	BaseSHA string // the target branch's commit the pull request is compared with
	Branch  string
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
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Wait <= 0 {
		opts.Wait = 10 * time.Minute
	}
	opts.Poll.Timeout = opts.Wait
	if opts.GitBook == nil {
		opts.GitBook = opts.Client
	}
	if opts.ChangeRequests == nil {
		opts.ChangeRequests = clientChangeRequests{opts.Client}
	}
	if opts.ExportMessage == "" {
		opts.ExportMessage = DefaultExportMessage
	}
	results := make([]Result, len(spaces))
	sem := make(chan struct{}, opts.Concurrency)
	var wg stdsync.WaitGroup
	for i, sp := range spaces {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			results[i] = runSpace(ctx, opts, sp)
			runSpecs(ctx, opts, sp, &results[i])
			results[i].Duration = time.Since(start).Round(time.Millisecond)
			results[i].Err = opts.Redactor.Error(results[i].Err)
		}()
	}
	wg.Wait()
	return results
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

func projectDir(p string) string {
	p = strings.Trim(path.Clean("/"+p), "/")
	return p
}

func runSpace(ctx context.Context, opts Options, sp config.Space) (res Result) {
	res = Result{Space: sp.Space, Path: sp.Path}
	fail := func(err error) Result {
		res.Outcome, res.Err, res.HTTPStatus = Failed, err, gitbook.StatusOf(err)
		if res.Decision == "" {
			res.Decision = Stop
		}
		if res.State == "" {
			res.State = Unknown
		}
		return res
	}
	dir := projectDir(sp.Path)
	head, branch, err := opts.Repo.Head(sp.Branch)
	if err != nil {
		return fail(err)
	}
	res.Branch, res.Head = branch, head.Hash.String()

	insp, err := inspect(ctx, opts, sp.Space, head, dir, &res)
	if err != nil {
		return fail(fmt.Errorf("inspect space %s: %w", sp.Space, err))
	}
	sit := situation{State: res.State, Mode: sp.Mode, Event: EventPush, Force: opts.Force, Preview: sp.Preview == "standalone",
		BaseKnown: insp.baseKnown, Unrecorded: insp.unrecorded}
	if pr := opts.PullRequest; pr != nil {
		sit.Subject = fmt.Sprintf("pull request #%d", pr.Number)
		sit.Event = map[string]Event{PROpen: EventOpen, PRMerged: EventMerged, PRClosed: EventClosed}[pr.State]
	}
	decision, reason := decide(sit)
	res.Decision = decision
	res.addReason(insp.reason)
	res.addReason(reason)
	switch {
	case res.Decision == Nothing:
		res.Outcome = Unchanged
		return res
	case res.Decision == Stop:
		res.Outcome = Stopped
		return res
	case opts.DryRun && res.Decision != DoChangeRequest:
		// A change request plan still reads the space to list its changes.
		res.Outcome = Planned
		return res
	}
	switch res.Decision {
	case DoImport:
		err = doImport(ctx, opts, sp, dir, branch, head, &res)
	case DoExport:
		err = doExport(ctx, opts, sp, dir, branch, insp.rev, &res)
	case DoChangeRequest, DoMerge, DoArchive:
		err = doChangeRequest(ctx, opts, sp, dir, head, res.Decision, &res)
	case DoPreview:
		err = doPreview(ctx, opts, sp, dir, &res)
	}
	if err != nil {
		return fail(err)
	}
	return res
}

// ExitCode maps results to the process exit code: 1 when a space failed,
// 3 when one stopped for a person to act, 0 otherwise.
func ExitCode(results []Result) int {
	code := 0
	for _, r := range results {
		switch r.Outcome {
		case Failed:
			return 1
		case Stopped:
			code = 3
		}
	}
	return code
}
