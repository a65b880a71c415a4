package sync

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

// doChangeRequest creates, updates, merges or archives the change request
// of the pull request (or, for a push, of the branch).
func doChangeRequest(ctx context.Context, opts Options, sp config.Space, dir string, head *object.Commit, decision Decision, res *Result) error {
	cro := changerequest.Options{Space: sp.Space, Organization: sp.Organization,
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
		out, err = opts.ChangeRequests.Merge(ctx, cro)
		res.Outcome = Merged
	case DoArchive:
		out, err = opts.ChangeRequests.Archive(ctx, cro)
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
		out, err = opts.ChangeRequests.Update(ctx, cro, desired, changerequest.ScopeOf(scope))
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
	op := operation{space: sp.Space, direction: gitbook.DirectionImport, what: fmt.Sprintf("preview of pull request #%d", pr.Number),
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
	want := head.Hash.String()
	op := operation{space: sp.Space, direction: gitbook.DirectionImport, what: "import into space " + sp.Space,
		start:  func(ctx context.Context) error { return opts.GitBook.Import(ctx, sp.Space, req) },
		landed: func(r *gitbook.Revision) bool { return r.Git != nil && r.Git.OID == want }}
	rev, err := op.run(ctx, opts, res.Connected)
	if err != nil {
		return err
	}
	if rev.Git == nil || rev.Git.OID != want {
		got := "no commit"
		if rev.Git != nil {
			got = shortHash(rev.Git.OID)
		}
		return fmt.Errorf("import into space %s: GitBook reported success but the space points at %s, not %s; it skips imports older than its last operation: run again with --force to import anyway", sp.Space, got, shortHash(want))
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
	req := gitbook.ExportRequest{URL: withCredentials(opts.RepoURL, opts.GitUser, opts.GitToken), Ref: "refs/heads/" + branch,
		CommitMessage: exportMessage(opts.ExportMessage, rev), RepoProjectDirectory: dir, Force: opts.Force}
	req.RepoTreeURL, req.RepoCommitURL = hostURLs(opts.RepoURL, branch, dir)
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "exporting space %s to %s (%s)\n", sp.Space, redact.StripCredentials(opts.RepoURL), branch)
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
