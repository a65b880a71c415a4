package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

// gitURL is the repository's URL as GitBook reads and writes it: with the
// Git host token as basic auth (never the GitBook token).
func gitURL(opts Options) string {
	return withCredentials(opts.RepoURL, opts.CI.GitUser(), opts.CI.GitToken)
}

// withCredentials puts a Git host token into an https URL as basic auth,
// as GitBook needs to read or write the repository. The user comes from
// the CI context, which knows the host.
func withCredentials(raw, user, token string) string {
	if token == "" {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return raw
	}
	u.User = url.UserPassword(cmp.Or(user, "x-access-token"), token)
	return u.String()
}

// act carries out the decision.
func act(ctx context.Context, opts Options, sp config.Space, dir string, t *target, ev Event, insp *inspection, res *Result) error {
	switch {
	case res.Decision == Nothing:
		res.Outcome = Unchanged
		return nil
	case res.Decision == Stop:
		res.Outcome = Stopped
		return nil
	case opts.DryRun && res.Decision != DoChangeRequest:
		// A change request plan still reads the space to list its changes.
		res.Outcome = Planned
		return nil
	}
	switch res.Decision {
	case DoImport:
		return doImport(ctx, opts, sp, dir, t, res)
	case DoFollow:
		return doFollow(ctx, opts, sp, t, res)
	case DoExport:
		return doExport(ctx, opts, sp, dir, t, insp.rev, res)
	case DoChangeRequest, DoMerge, DoArchive:
		return doChangeRequest(ctx, opts, sp, dir, t, ev, res.Decision, insp.rev, res)
	case DoPreview:
		return doPreview(ctx, opts, sp, dir, t, res)
	}
	return fmt.Errorf("no action for decision %q", res.Decision)
}

// doPreview imports the pull request's head as a standalone revision, as
// GitBook's own pull request previews do, leaving the space as it is.
func doPreview(ctx context.Context, opts Options, sp config.Space, dir string, t *target, res *Result) error {
	pr := t.pr
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
	req := gitbook.ImportRequest{URL: gitURL(opts), Ref: ref, RepoProjectDirectory: dir, Standalone: true, Force: true,
		RepoTreeURL: opts.CI.TreeURL(pr.Branch, dir), RepoCommitURL: opts.CI.CommitURL()}
	op := operation{space: sp.Space, direction: gitbook.DirectionImport, what: "preview of " + t.subject(),
		start: func(ctx context.Context) error { return opts.GitBook.Import(ctx, sp.Space, req) }}
	if _, err := op.run(ctx, opts, res.Connected); err != nil {
		return err
	}
	res.Outcome = Previewed
	// GitBook answers an import with no body and lists no revisions, so
	// the preview's own address cannot be read back through the API.
	res.addReason(fmt.Sprintf("built from %s, it is in the space's history (GitBook's API does not return its address)", ref))
	return nil
}

// doImport imports HEAD of the source branch and checks the space then
// points at it (or at a later commit of the branch).
func doImport(ctx context.Context, opts Options, sp config.Space, dir string, t *target, res *Result) error {
	if opts.RepoURL == "" {
		return errors.New("no repository URL for GitBook to read: pass --repo-url, or add an origin remote")
	}
	head := t.head
	// GitBook imports a ref ("refs/heads/main"); a detached checkout of an
	// unknown branch can only name the commit.
	ref := "refs/heads/" + t.branch
	if t.branch == "" {
		ref = head.Hash.String()
	}
	req := gitbook.ImportRequest{URL: gitURL(opts), Ref: ref, RepoProjectDirectory: dir, Force: opts.Force,
		RepoTreeURL: opts.CI.TreeURL(t.branch, dir), RepoCommitURL: opts.CI.CommitURL()}
	if !opts.Force {
		when := head.Committer.When.UTC()
		req.Timestamp = &when
	}
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "importing %s@%s into space %s\n", redact.StripCredentials(opts.RepoURL), shortHash(head.Hash.String()), sp.Space)
	}
	what := fmt.Sprintf("import of %s (%s) into space %s", redact.StripCredentials(opts.RepoURL), ref, sp.Space)
	op := operation{space: sp.Space, direction: gitbook.DirectionImport, what: what,
		start:  func(ctx context.Context) error { return opts.GitBook.Import(ctx, sp.Space, req) },
		landed: func(r *gitbook.Revision) bool { return reached(ctx, opts, t, r) }}
	rev, err := op.run(ctx, opts, res.Connected)
	if err != nil {
		return err
	}
	if !reached(ctx, opts, t, rev) {
		got := "no commit"
		if rev.Git != nil {
			got = shortHash(rev.Git.OID)
		}
		return fmt.Errorf("import into space %s: GitBook reported success but the space points at %s, not %s; it skips imports older than its last operation: run again with --force to import anyway", sp.Space, got, shortHash(head.Hash.String()))
	}
	res.Outcome, res.NewRevision, res.RevisionURL = Imported, rev.ID, rev.URLs.App
	if rev.Git.OID != head.Hash.String() {
		res.addReason(fmt.Sprintf("GitBook imported %s, a later commit of %s (the branch moved on)", shortHash(rev.Git.OID), t.branch))
	}
	return nil
}

// reached reports whether the revision came from HEAD, or from a later
// commit of the branch (when the branch moved on while GitBook worked).
func reached(ctx context.Context, opts Options, t *target, r *gitbook.Revision) bool {
	if r == nil || r.Git == nil {
		return false
	}
	if r.Git.OID == t.head.Hash.String() {
		return true
	}
	later, _ := opts.Repo.Want(ctx, r.Git.OID, branchRefspecs(t.branch)...)
	return later != nil && opts.Repo.IsAncestor(t.head, later)
}

// doFollow waits for the import GitBook's own Git Sync makes of HEAD, and
// reports it: gitbook-sync does not import a second time.
func doFollow(ctx context.Context, opts Options, sp config.Space, t *target, res *Result) error {
	since := time.Now().Add(-2 * time.Second)
	var rev *gitbook.Revision
	_, err := opts.Poll.Until(ctx, func(ctx context.Context) (bool, time.Duration, error) {
		r, err := opts.GitBook.CurrentRevision(ctx, sp.Space)
		if err != nil {
			return false, 0, err
		}
		if reached(ctx, opts, t, r) {
			rev = r
			return true, 0, nil
		}
		info, err := opts.GitBook.GitInfo(ctx, sp.Space)
		if err == nil && info.Operation != nil && info.Operation.Direction == gitbook.DirectionImport &&
			info.Operation.State != gitbook.OperationRunning && info.Operation.State != gitbook.OperationSuccess && !info.Operation.StartedAt.Before(since) {
			return false, 0, fmt.Errorf("GitBook's Git Sync import failed: %s", cmp.Or(info.Operation.Error, "GitBook gave no reason"))
		}
		return false, 0, nil
	})
	if errors.Is(err, gitbook.ErrPollTimeout) {
		return fmt.Errorf("GitBook's Git Sync did not import %s within %s: check the space's Git Sync status in GitBook", shortHash(t.head.Hash.String()), opts.Poll.Timeout)
	}
	if err != nil {
		return fmt.Errorf("follow GitBook's Git Sync: %w", err)
	}
	res.Outcome, res.NewRevision, res.RevisionURL = Imported, rev.ID, rev.URLs.App
	res.addReason(fmt.Sprintf("GitBook's Git Sync imported %s", shortHash(rev.Git.OID)))
	return nil
}

func doExport(ctx context.Context, opts Options, sp config.Space, dir string, t *target, rev *gitbook.Revision, res *Result) error {
	if opts.RepoURL == "" {
		return errors.New("no repository URL for GitBook to write to: pass --repo-url, or add an origin remote")
	}
	if t.branch == "" {
		return errors.New("export needs a branch: set branch in the configuration or check one out")
	}
	req := gitbook.ExportRequest{URL: gitURL(opts), Ref: "refs/heads/" + t.branch,
		CommitMessage: exportMessage(opts.ExportMessage, rev), RepoProjectDirectory: dir, Force: opts.Force,
		RepoTreeURL: opts.CI.TreeURL(t.branch, dir), RepoCommitURL: opts.CI.CommitURL()}
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "exporting space %s to %s (%s)\n", sp.Space, redact.StripCredentials(opts.RepoURL), t.branch)
	}
	exported := func(r *gitbook.Revision) bool { return r.Git != nil && r.Git.CreatedByGitBook }
	op := operation{space: sp.Space, direction: gitbook.DirectionExport, what: "export space " + sp.Space,
		start:  func(ctx context.Context) error { return opts.GitBook.Export(ctx, sp.Space, req) },
		landed: exported}
	after, err := op.run(ctx, opts, res.Connected)
	if err != nil {
		return err
	}
	if !exported(after) {
		return fmt.Errorf("export space %s: GitBook reported success but the revision has no exported commit", sp.Space)
	}
	res.Outcome, res.NewCommit = Exported, after.Git.OID
	res.addReason("pull commit " + shortHash(after.Git.OID) + " into your checkout")
	return nil
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
