package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	stdsync "sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
	"github.com/gitbook-sync/gitbook-sync/openapi"
)

// Options configure a run.
type Options struct {
	Client   *gitbook.Client
	Repo     *Repo
	Redactor *redact.Redactor
	// RepoURL is what GitBook reads and writes: a file:// URL or path, or a
	// Git host URL without credentials.
	RepoURL  string
	GitUser  string // basic-auth user for RepoURL (default per host)
	GitToken string // Git host token GitBook uses; never the GitBook token
	DryRun   bool
	Force    bool // import even over GitBook edits; skip the timestamp order check
	// Concurrency bounds how many spaces are handled at once (default 4).
	Concurrency int
	// Wait bounds how long to follow one GitBook operation (default 10m);
	// Poll is the interval between checks (default 2s).
	Wait, Poll time.Duration
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
	if opts.Poll <= 0 {
		opts.Poll = 2 * time.Second
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
	decision, reason := decide(res.State, sp.Mode, opts.Force, insp)
	if pr := opts.PullRequest; pr != nil && res.State != OperationRunning {
		decision, reason = decidePR(pr, sp)
	}
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

// inspection is what inspect learned beyond the Result fields.
type inspection struct {
	rev       *gitbook.Revision
	reason    string
	byGitBook bool
	// baseKnown: the commit both sides share is known, so the repository's
	// own changes (res.Diff) can be told from GitBook's.
	baseKnown bool
	// unrecorded: GitBook's content equals HEAD but names no commit (a
	// merged change request).
	unrecorded bool
}

func inspect(ctx context.Context, opts Options, spaceID string, head *object.Commit, dir string, res *Result) (*inspection, error) {
	insp := &inspection{}
	info, err := opts.Client.GitInfo(ctx, spaceID)
	switch {
	case errors.Is(err, gitbook.ErrNoGitProvider):
		res.Connected = false
	case err != nil:
		return nil, err
	default:
		res.Connected, res.Provider = true, info.InstallationProvider
		if info.Operation != nil && info.Operation.State == gitbook.OperationRunning {
			if opts.DryRun {
				res.State = OperationRunning
				insp.reason = fmt.Sprintf("a GitBook %s started at %s is still running", info.Operation.Direction, info.Operation.StartedAt.Format(time.RFC3339))
				return insp, nil
			}
			if _, err := follow(ctx, opts, spaceID, time.Time{}, info.Operation.Direction); err != nil {
				res.State = OperationRunning
				insp.reason = err.Error()
				return insp, nil
			}
		}
	}
	rev, err := opts.Client.CurrentRevision(ctx, spaceID)
	if err != nil {
		return nil, err
	}
	insp.rev = rev
	res.Revision, res.RevisionURL = rev.ID, rev.URLs.App

	if rev.Git == nil {
		if len(rev.Pages) == 0 {
			res.State = NeverSynced
			insp.reason = "the space is empty and has never been synced"
			res.Diff, err = opts.Repo.DiffCommits(nil, head, dir, opts.KeepText)
			res.DiffSource = "git"
			return insp, err
		}
		res.Diff, err = diffWithSpace(ctx, opts, spaceID, head, dir, rev)
		res.DiffSource = "api"
		if err == nil && len(res.Diff.Pages) == 0 {
			res.State, insp.unrecorded = InSync, true
			insp.reason = "GitBook's content equals HEAD but the space records no commit (a merged change request)"
			return insp, nil
		}
		res.State = Diverged
		insp.reason = "the space was edited in GitBook since its last sync (its current revision has no Git commit)"
		return insp, err
	}
	res.SyncedCommit = rev.Git.OID
	insp.byGitBook = rev.Git.CreatedByGitBook
	synced := opts.Repo.Commit(rev.Git.OID)
	if synced == nil && opts.Repo.Shallow() {
		if err := opts.Repo.Deepen(); err != nil {
			res.addReason("this is a shallow clone and its history could not be fetched (" + opts.Redactor.String(err.Error()) + "); compared page content through the API instead")
		}
		synced = opts.Repo.Commit(rev.Git.OID)
	}
	if synced == nil {
		if rev.Git.CreatedByGitBook {
			res.State = SpaceAhead
			insp.reason = fmt.Sprintf("GitBook exported commit %s, which this checkout does not contain", shortHash(rev.Git.OID))
			return insp, nil
		}
		// The space came from a commit we cannot see (shallow history, or a
		// rewritten branch): compare what GitBook shows with HEAD.
		res.Diff, err = diffWithSpace(ctx, opts, spaceID, head, dir, rev)
		res.DiffSource = "api"
		if err != nil {
			return nil, err
		}
		if len(res.Diff.Pages) == 0 {
			res.State = InSync
		} else {
			res.State = RepoAhead
		}
		insp.reason = fmt.Sprintf("the space's commit %s is not in this checkout; compared page content through the API", shortHash(rev.Git.OID))
		return insp, nil
	}
	switch {
	case synced.Hash == head.Hash:
		res.State = InSync
	case opts.Repo.IsAncestor(synced, head):
		if opts.Repo.SameProject(synced, head, dir) {
			res.State = InSync
			insp.reason = fmt.Sprintf("commits since %s change nothing under %s", shortHash(rev.Git.OID), displayDir(dir))
			return insp, nil
		}
		res.State = RepoAhead
		res.Diff, err = opts.Repo.DiffCommits(synced, head, dir, opts.KeepText)
		res.DiffSource = "git"
	case opts.Repo.IsAncestor(head, synced):
		res.State = SpaceAhead
		insp.reason = fmt.Sprintf("the space is at commit %s, ahead of this checkout", shortHash(rev.Git.OID))
		res.Diff, err = opts.Repo.DiffCommits(head, synced, dir, opts.KeepText)
		res.DiffSource = "git"
	default:
		res.State = Diverged
		insp.reason = fmt.Sprintf("the space's commit %s and HEAD have both moved on", shortHash(rev.Git.OID))
		res.DiffSource = "git"
		base := opts.Repo.MergeBase(head, synced)
		if base == nil {
			res.Diff, err = opts.Repo.DiffCommits(synced, head, dir, opts.KeepText)
			return insp, err
		}
		// Each side's own changes since the commit they share.
		if res.Diff, err = opts.Repo.DiffCommits(base, head, dir, true); err != nil {
			return nil, err
		}
		insp.baseKnown = true
		res.SpaceDiff, err = opts.Repo.DiffCommits(base, synced, dir, opts.KeepText)
	}
	return insp, err
}

func displayDir(dir string) string {
	if dir == "" {
		return "the repository root"
	}
	return dir + "/"
}

// diffWithSpace compares GitBook's pages (Markdown through the API) with
// the project at head, for when the common history is unknown.
func diffWithSpace(ctx context.Context, opts Options, spaceID string, head *object.Commit, dir string, rev *gitbook.Revision) (*content.Diff, error) {
	proj, files, err := opts.Repo.Project(head, dir)
	if err != nil {
		return nil, err
	}
	remote := map[string]gitbook.Page{}
	var untracked []gitbook.Page
	gitbook.Walk(rev.Pages, func(p *gitbook.Page, _ *gitbook.Page, _ int) {
		if p.Type != gitbook.PageDocument {
			return
		}
		if p.Git != nil && p.Git.Path != "" {
			remote[p.Git.Path] = *p
		} else {
			untracked = append(untracked, *p)
		}
	})
	body := func(p gitbook.Page) (string, error) {
		if p.Markdown != "" {
			return p.Markdown, nil
		}
		full, err := opts.Client.PageMarkdown(ctx, spaceID, p.ID)
		if err != nil {
			return "", err
		}
		return full.Markdown, nil
	}
	d := &content.Diff{}
	seen := map[string]bool{}
	var werr error
	content.Walk(proj.Pages, func(pg, _ *content.Page) {
		if werr != nil || pg.Kind != content.KindDocument {
			return
		}
		seen[pg.Path] = true
		data, err := files.Read(proj.ContentPath(pg.Path))
		if err != nil {
			werr = err
			return
		}
		_, local, err := content.SplitFrontMatter(data, pg.Path)
		if err != nil {
			werr = err
			return
		}
		rp, ok := remote[pg.Path]
		if !ok {
			a, r := content.CountLines("", string(local))
			d.Pages = append(d.Pages, content.PageChange{Op: content.Added, Title: pg.Title, Path: pg.Path, Added: a, Removed: r, Note: "not in the space"})
			return
		}
		text, err := body(rp)
		if err != nil {
			werr = err
			return
		}
		if text != string(local) || rp.Title != pg.Title {
			a, r := content.CountLines(text, string(local))
			pc := content.PageChange{Op: content.Modified, Title: pg.Title, Path: pg.Path, Added: a, Removed: r, Note: "differs from the space"}
			if opts.KeepText {
				pc.Old, pc.New = text, string(local)
			}
			d.Pages = append(d.Pages, pc)
		}
	})
	if werr != nil {
		return nil, werr
	}
	var gone []string
	for p := range remote {
		if !seen[p] {
			gone = append(gone, p)
		}
	}
	sort.Strings(gone)
	for _, p := range gone {
		d.Pages = append(d.Pages, content.PageChange{Op: content.Deleted, Title: remote[p].Title, Path: p, Note: "only in the space"})
	}
	for _, p := range untracked {
		d.Pages = append(d.Pages, content.PageChange{Op: content.Deleted, Title: p.Title, Note: "created in GitBook, not in the repository"})
	}
	return d, nil
}

// decide turns a state and a mode into a decision and, when it is not
// the obvious one, the reason.
func decide(state State, mode string, force bool, insp *inspection) (Decision, string) {
	if mode == "" {
		mode = config.ModeAuto
	}
	switch state {
	case InSync:
		if force && mode == config.ModeImport {
			return DoImport, "forced"
		}
		if insp.unrecorded && mode != config.ModeExport {
			return DoImport, "importing records HEAD as the space's commit, so later pushes compare by history"
		}
		return Nothing, ""
	case OperationRunning:
		return Stop, "wait for it to finish, then run again"
	}
	switch mode {
	case config.ModeImport:
		switch state {
		case Diverged, SpaceAhead:
			if force {
				return DoImport, "--force: GitBook's edits will be overwritten by the repository"
			}
			return Stop, "importing would overwrite GitBook's edits; merge them into the repository first, or run with --force to overwrite them"
		}
		return DoImport, ""
	case config.ModeExport:
		switch state {
		case NeverSynced:
			return Stop, "the space is empty: there is nothing to export"
		case RepoAhead:
			if force {
				return DoExport, "--force: the repository's newer commits will be overwritten by GitBook's content"
			}
			return Stop, "the repository has commits GitBook does not have; exporting would overwrite them. Import first, or run with --force"
		case SpaceAhead:
			return Stop, "GitBook already exported its content; pull it into this checkout"
		}
		return DoExport, ""
	case config.ModeChangeRequest:
		if state == Diverged && !insp.baseKnown {
			return Stop, "the space was edited in GitBook and its last synced commit is unknown: the repository's changes cannot be told apart from GitBook's"
		}
		if state == SpaceAhead {
			return Stop, "pull GitBook's commit into this branch (git pull), then run again"
		}
		return DoChangeRequest, ""
	}
	// auto
	switch state {
	case NeverSynced, RepoAhead:
		return DoImport, ""
	case SpaceAhead:
		return Stop, "pull GitBook's commit into this branch (git pull), then run again"
	case Diverged:
		if insp.baseKnown {
			return DoChangeRequest, "the repository's changes go to a change request for review; live content is not touched"
		}
		return Stop, "gitbook-sync never overwrites GitBook edits: bring them into the repository (mode: export to a branch, or copy them by hand), or open a pull request to send the repository's changes as a change request"
	}
	return Stop, "unknown state"
}

// runSpecs validates, compares and publishes the space's OpenAPI specs:
// published from the source-of-truth branch, only compared on pull
// requests (unless configured otherwise), never sent in a dry run. A spec
// failing marks the space failed without undoing its sync.
func runSpecs(ctx context.Context, opts Options, sp config.Space, res *Result) {
	if len(sp.OpenAPI) == 0 {
		return
	}
	var problems []error
	for _, e := range sp.OpenAPI {
		org := e.Organization
		if org == "" {
			org = sp.Organization
		}
		if org == "" {
			problems = append(problems, fmt.Errorf("openapi %s: set organization (on the entry or the space)", e.Spec))
			continue
		}
		src := openapi.Source{URL: e.URL}
		if e.File != "" {
			src.File = e.File
			if opts.Repo.Dir != "" {
				src.File = path.Join(opts.Repo.Dir, e.File)
			}
		}
		onPR := opts.PullRequest != nil && opts.PullRequest.State == PROpen
		po := openapi.PublishOptions{Client: opts.Client, Organization: org, Slug: e.Spec, Source: src,
			DryRun: opts.DryRun || (onPR && !e.PublishOnPR), Wait: opts.Wait, Poll: opts.Poll}
		out, err := openapi.Publish(ctx, po)
		if out != nil {
			out.Source = e.File + e.URL
			res.OpenAPI = append(res.OpenAPI, out)
		}
		switch {
		case err != nil:
			problems = append(problems, err)
		case onPR && e.FailOnBreaking && out.Changes != nil && len(out.Changes.Breaking) > 0:
			problems = append(problems, fmt.Errorf("openapi %s: %d breaking changes (fail-on-breaking)", e.Spec, len(out.Changes.Breaking)))
		}
	}
	if len(problems) > 0 {
		res.Outcome, res.Err = Failed, errors.Join(append([]error{res.Err}, problems...)...)
	}
}

// decidePR decides for a pull request event: its change request is
// created or updated while it is open, merged when it lands (or, in import
// mode, archived, as the import brings the same content), archived when it
// is closed without merging.
func decidePR(pr *PullRequest, sp config.Space) (Decision, string) {
	switch pr.State {
	case PROpen:
		if sp.Preview == "standalone" {
			return DoPreview, fmt.Sprintf("pull request #%d gets a standalone preview revision; live content is not touched", pr.Number)
		}
		return DoChangeRequest, fmt.Sprintf("pull request #%d is proposed to GitBook as a change request", pr.Number)
	case PRMerged:
		if sp.Mode == config.ModeImport {
			return DoArchive, fmt.Sprintf("pull request #%d landed; in import mode the push imports it, so its change request is archived", pr.Number)
		}
		return DoMerge, fmt.Sprintf("pull request #%d landed: its change request is merged", pr.Number)
	case PRClosed:
		return DoArchive, fmt.Sprintf("pull request #%d was closed without merging: its change request is archived", pr.Number)
	}
	return Stop, "unknown pull request state " + pr.State
}

// doChangeRequest creates, updates, merges or archives the change request
// of the pull request (or, for a push, of the branch).
func doChangeRequest(ctx context.Context, opts Options, sp config.Space, dir string, head *object.Commit, decision Decision, res *Result) error {
	cro := changerequest.Options{Client: opts.Client, Space: sp.Space, Organization: sp.Organization,
		Reviewers: sp.Reviewers, Review: sp.Review, DryRun: opts.DryRun}
	if pr := opts.PullRequest; pr != nil {
		cro.Link, cro.LinkTitle, cro.Subject = pr.URL, fmt.Sprintf("Pull request #%d", pr.Number), pr.Title
	} else {
		cro.Link = branchLink(opts.RepoURL, res.Branch)
		cro.LinkTitle = "Branch " + res.Branch
		cro.Subject = "Changes from " + res.Branch + " (" + shortHash(head.Hash.String()) + ")"
	}
	var out *changerequest.Result
	var err error
	switch decision {
	case DoMerge:
		out, err = changerequest.Merge(ctx, cro)
		res.Outcome = Merged
	case DoArchive:
		out, err = changerequest.Archive(ctx, cro)
		res.Outcome = Archived
	default:
		scope := res.Diff
		if pr := opts.PullRequest; pr != nil {
			// The pull request's own changes: from where it left its base.
			if scope, err = prDiff(opts, pr, head, dir); err != nil {
				return err
			}
			res.Diff, res.DiffSource = scope, "git"
		}
		proj, files, perr := opts.Repo.Project(head, dir)
		if perr != nil {
			return perr
		}
		desired, warnings, derr := changerequest.Desired(proj, files)
		if derr != nil {
			return derr
		}
		for _, w := range warnings {
			res.Diagnostics = append(res.Diagnostics, diag.Diagnostic{Severity: diag.Warning, Message: w})
		}
		out, err = changerequest.Update(ctx, cro, desired, changerequest.ScopeOf(scope))
		res.Outcome = Proposed
		if opts.DryRun {
			res.Outcome = Planned
		}
	}
	res.ChangeRequest = out
	if out != nil && out.URL != "" {
		res.RevisionURL = out.URL
	}
	if err != nil {
		return fmt.Errorf("space %s: %w", sp.Space, err)
	}
	if out != nil && out.Number == 0 && decision != DoChangeRequest {
		res.Outcome = Unchanged
		res.addReason("no change request is linked to it")
	}
	if out != nil && decision == DoChangeRequest && !opts.DryRun && out.Writes == 0 {
		res.Outcome = Unchanged
		if out.Number == 0 {
			res.addReason("nothing to propose")
		} else {
			res.addReason(fmt.Sprintf("change request #%d is up to date", out.Number))
		}
	}
	return nil
}

// doPreview imports the pull request's head as a standalone revision, as
// GitBook's own pull request previews do, leaving the space as it is.
func doPreview(ctx context.Context, opts Options, sp config.Space, dir string, res *Result) error {
	pr := opts.PullRequest
	ref := pr.HeadRef
	if ref == "" && pr.Branch != "" {
		ref = "refs/heads/" + pr.Branch
	}
	if ref == "" {
		return errors.New("preview: the pull request's head ref is unknown; pass --pull-request-ref")
	}
	if opts.RepoURL == "" {
		return errors.New("preview: no repository URL for GitBook to read: pass --repo-url")
	}
	req := gitbook.ImportRequest{URL: withCredentials(opts.RepoURL, opts.GitUser, opts.GitToken), Ref: ref,
		RepoProjectDirectory: dir, Standalone: true, Force: true}
	req.RepoTreeURL, req.RepoCommitURL = hostURLs(opts.RepoURL, pr.Branch, dir)
	since := time.Now().Add(-2 * time.Second)
	if err := opts.Client.Import(ctx, sp.Space, req); err != nil {
		return fmt.Errorf("preview of pull request #%d: %w", pr.Number, err)
	}
	if res.Connected {
		op, err := follow(ctx, opts, sp.Space, since, gitbook.DirectionImport)
		if err != nil {
			return fmt.Errorf("preview of pull request #%d: %w", pr.Number, err)
		}
		if op.State != gitbook.OperationSuccess {
			return fmt.Errorf("preview of pull request #%d failed in GitBook: %s", pr.Number, orUnknown(op.Error))
		}
	}
	res.Outcome = Previewed
	// GitBook answers an import with no body and lists no revisions, so
	// the preview's own address cannot be read back through the API.
	res.addReason(fmt.Sprintf("built from %s, it is in the space's history (GitBook's API does not return its address)", ref))
	return nil
}

func prDiff(opts Options, pr *PullRequest, head *object.Commit, dir string) (*content.Diff, error) {
	baseC := opts.Repo.Commit(pr.BaseSHA)
	if baseC == nil && opts.Repo.Shallow() {
		_ = opts.Repo.Deepen()
		baseC = opts.Repo.Commit(pr.BaseSHA)
	}
	if baseC == nil {
		return nil, fmt.Errorf("the pull request's base commit %s is not in this checkout; fetch the history (actions/checkout with fetch-depth: 0)", shortHash(pr.BaseSHA))
	}
	from := opts.Repo.MergeBase(baseC, head)
	if from == nil {
		from = baseC
	}
	return opts.Repo.DiffCommits(from, head, dir, true)
}

// branchLink names a branch for a change request link: the repository's
// web address when it has one.
func branchLink(repoURL, branch string) string {
	u := strings.TrimSuffix(redact.StripCredentials(repoURL), ".git")
	if strings.HasPrefix(u, "http") {
		return u + "/tree/" + branch
	}
	return "gitbook-sync:branch/" + branch
}

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

func doImport(ctx context.Context, opts Options, sp config.Space, dir, branch string, head *object.Commit, res *Result) error {
	if opts.RepoURL == "" {
		return errors.New("no repository URL for GitBook to read: pass --repo-url, or add an origin remote")
	}
	ref := "refs/heads/" + branch
	if branch == "" {
		ref = head.Hash.String()
	}
	req := gitbook.ImportRequest{
		URL:                  withCredentials(opts.RepoURL, opts.GitUser, opts.GitToken),
		Ref:                  ref,
		RepoProjectDirectory: dir,
		Force:                opts.Force,
	}
	req.RepoTreeURL, req.RepoCommitURL = hostURLs(opts.RepoURL, branch, dir)
	if !opts.Force {
		when := head.Committer.When.UTC()
		req.Timestamp = &when
	}
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "importing %s@%s into space %s\n", redact.StripCredentials(opts.RepoURL), shortHash(head.Hash.String()), sp.Space)
	}
	since := time.Now().Add(-2 * time.Second)
	if err := opts.Client.Import(ctx, sp.Space, req); err != nil {
		return fmt.Errorf("import into space %s: %w", sp.Space, err)
	}
	if res.Connected {
		op, err := follow(ctx, opts, sp.Space, since, gitbook.DirectionImport)
		if err != nil {
			return fmt.Errorf("import into space %s: %w", sp.Space, err)
		}
		if op.State != gitbook.OperationSuccess {
			return fmt.Errorf("import into space %s failed in GitBook: %s", sp.Space, orUnknown(op.Error))
		}
	} else if err := followRevision(ctx, opts, sp.Space, "the import of "+shortHash(head.Hash.String()), func(r *gitbook.Revision) bool {
		return r.Git != nil && r.Git.OID == head.Hash.String()
	}); err != nil {
		// Without Git Sync, git/info is 404: the revision is all we can watch.
		return fmt.Errorf("import into space %s: %w", sp.Space, err)
	}
	rev, err := opts.Client.CurrentRevision(ctx, sp.Space)
	if err != nil {
		return fmt.Errorf("import into space %s: read the new revision: %w", sp.Space, err)
	}
	if rev.Git == nil || rev.Git.OID != head.Hash.String() {
		got := "no commit"
		if rev.Git != nil {
			got = shortHash(rev.Git.OID)
		}
		return fmt.Errorf("import into space %s: GitBook reported success but the space points at %s, not %s; it skips imports older than its last operation: run again with --force to import anyway", sp.Space, got, shortHash(head.Hash.String()))
	}
	res.Outcome, res.NewRevision, res.RevisionURL = Imported, rev.ID, rev.URLs.App
	return nil
}

func doExport(ctx context.Context, opts Options, sp config.Space, dir, branch string, rev *gitbook.Revision, res *Result) error {
	if opts.RepoURL == "" {
		return errors.New("no repository URL for GitBook to write to: pass --repo-url, or add an origin remote")
	}
	if branch == "" {
		return errors.New("export needs a branch: set branch in the configuration or check one out")
	}
	msg := exportMessage(opts.ExportMessage, rev)
	req := gitbook.ExportRequest{URL: withCredentials(opts.RepoURL, opts.GitUser, opts.GitToken), Ref: "refs/heads/" + branch,
		CommitMessage: msg, RepoProjectDirectory: dir, Force: opts.Force}
	req.RepoTreeURL, req.RepoCommitURL = hostURLs(opts.RepoURL, branch, dir)
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "exporting space %s to %s (%s)\n", sp.Space, redact.StripCredentials(opts.RepoURL), branch)
	}
	since := time.Now().Add(-2 * time.Second)
	if err := opts.Client.Export(ctx, sp.Space, req); err != nil {
		return fmt.Errorf("export space %s: %w", sp.Space, err)
	}
	if res.Connected {
		op, err := follow(ctx, opts, sp.Space, since, gitbook.DirectionExport)
		if err != nil {
			return fmt.Errorf("export space %s: %w", sp.Space, err)
		}
		if op.State != gitbook.OperationSuccess {
			return fmt.Errorf("export space %s failed in GitBook: %s", sp.Space, orUnknown(op.Error))
		}
	} else if err := followRevision(ctx, opts, sp.Space, "the export", func(r *gitbook.Revision) bool {
		return r.Git != nil && r.Git.CreatedByGitBook
	}); err != nil {
		return fmt.Errorf("export space %s: %w", sp.Space, err)
	}
	after, err := opts.Client.CurrentRevision(ctx, sp.Space)
	if err != nil {
		return fmt.Errorf("export space %s: read the revision: %w", sp.Space, err)
	}
	if after.Git == nil || !after.Git.CreatedByGitBook {
		return fmt.Errorf("export space %s: GitBook reported success but the revision has no exported commit", sp.Space)
	}
	res.Outcome, res.NewCommit = Exported, after.Git.OID
	res.addReason("pull commit " + shortHash(after.Git.OID) + " into your checkout")
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "GitBook gave no reason"
	}
	return s
}

// exportMessage fills the template; without a merged change request the
// change-request placeholders give way to a plain message.
func exportMessage(tmpl string, rev *gitbook.Revision) string {
	if rev == nil || rev.MergedFrom == nil {
		if strings.Contains(tmpl, "{change_request_") {
			return "GitBook: export of revision " + revID(rev)
		}
		return strings.ReplaceAll(tmpl, "{revision}", revID(rev))
	}
	r := strings.NewReplacer("{change_request_number}", fmt.Sprint(rev.MergedFrom.Number),
		"{change_request_subject}", rev.MergedFrom.Subject, "{revision}", rev.ID)
	return r.Replace(tmpl)
}

func revID(rev *gitbook.Revision) string {
	if rev == nil {
		return ""
	}
	return rev.ID
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
