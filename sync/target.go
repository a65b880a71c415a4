package sync

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	stdsync "sync"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/ci"
	"github.com/gitbook-sync/gitbook-sync/config"
)

// target is what a run works on: one commit, the branch it is for, and
// the pull request it is for, if any. The commit is the one checked out
// (for an open pull request, the pull request's own head); the
// configuration's branch only says which branch's pushes import.
type target struct {
	head *object.Commit
	// branch is the branch the run is for: the CI's, else HEAD's, else a
	// branch whose tip is HEAD. "" when none is known.
	branch string
	// defaultBranch is the repository's default branch: the CI's, else
	// origin's HEAD. It is the source branch of spaces that name none.
	defaultBranch string
	pr            *PullRequest
	noun          string // "pull request" or "merge request"

	mu    stdsync.Mutex
	bases map[string]baseResult // by target branch
}

type baseResult struct {
	base *object.Commit
	why  string // how it was found, or why it is unknown
}

// resolveTarget finds the commit and branch of the run from the checkout,
// the CI and the pull request, fetching the pull request's head when a
// shallow checkout lacks it.
func resolveTarget(ctx context.Context, opts Options) (*target, error) {
	head, branch, err := opts.Repo.HeadCommit()
	if err != nil {
		return nil, err
	}
	t := &target{head: head, branch: cmp.Or(opts.CI.Branch, branch), pr: opts.PullRequest, noun: opts.CI.Noun()}
	t.defaultBranch = cmp.Or(opts.CI.DefaultBranch, opts.Repo.DefaultBranch())
	if pr := t.pr; pr != nil {
		if pr.Number == 0 {
			pr.Number = ci.NumberFromURL(pr.URL)
		}
		if ci.IsMergeRequestURL(pr.URL) {
			t.noun = ci.MergeRequestNoun
		}
		if pr.State == PROpen {
			t.branch = cmp.Or(pr.Branch, t.branch)
			if pr.HeadSHA != "" && pr.HeadSHA != head.Hash.String() {
				c, err := opts.Repo.Want(ctx, pr.HeadSHA, prHeadRefspecs(pr)...)
				if c == nil {
					return nil, fmt.Errorf("the %s's head commit %s is not in this checkout and could not be fetched from origin (%s): check out the head commit, or give the job a token that can read the repository", t.noun, shortHash(pr.HeadSHA), opts.Redactor.String(err.Error()))
				}
				t.head = c
			}
		}
	}
	if t.branch == "" {
		t.branch = opts.Repo.BranchAt(t.head, t.defaultBranch)
	}
	return t, nil
}

// source is the branch whose pushes import into the space.
func (t *target) source(sp config.Space) string {
	return cmp.Or(sp.Branch, t.defaultBranch, t.branch)
}

// event says what the run is for, for one space.
func (t *target) event(sp config.Space) Event {
	if t.pr != nil {
		switch t.pr.State {
		case PRMerged:
			return EventMerged
		case PRClosed:
			return EventClosed
		}
		return EventOpen
	}
	if src := t.source(sp); t.branch == src || src == "" {
		return EventPush
	}
	return EventBranch
}

// subject names what the run is for in reasons and change requests.
func (t *target) subject() string {
	switch {
	case t.pr == nil && t.branch != "":
		return "branch " + t.branch
	case t.pr == nil:
		return "HEAD (" + shortHash(t.head.Hash.String()) + ")"
	}
	return ci.RequestName(t.noun, t.pr.Number)
}

// mergeBase is where head left the target branch: the commit whose
// changes up to head are the pull request's (or the branch's) own. hint is
// a commit of the target branch the CI named (the pull request's base).
// In a shallow checkout the missing history is fetched from origin; when
// that fails the base is nil, with why.
func (t *target) mergeBase(ctx context.Context, opts Options, branch, hint string) (*object.Commit, string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	key := branch + "\x00" + hint
	if b, ok := t.bases[key]; ok {
		return b.base, b.why
	}
	base, why := t.findBase(ctx, opts, branch, hint)
	if t.bases == nil {
		t.bases = map[string]baseResult{}
	}
	t.bases[key] = baseResult{base, why}
	return base, why
}

func (t *target) findBase(ctx context.Context, opts Options, branch, hint string) (*object.Commit, string) {
	var tip *object.Commit
	var fetchErr error
	if hint != "" {
		tip, fetchErr = opts.Repo.Want(ctx, hint, branchRefspecs(branch)...)
	}
	if tip == nil {
		tip = opts.Repo.Tip(branch)
	}
	if tip == nil && branch != "" {
		if fetchErr = opts.Repo.fetch(ctx, 1, branchRefspecs(branch)...); fetchErr == nil {
			tip = opts.Repo.Tip(branch)
		}
	}
	if tip == nil {
		what := cmp.Or(branch, shortHash(hint), "the target branch")
		if fetchErr != nil {
			return nil, fmt.Sprintf("%s is not in this checkout and could not be fetched (%s)", what, opts.Redactor.String(fetchErr.Error()))
		}
		return nil, what + " is not in this checkout"
	}
	// An ancestor found is an ancestor, however short the history: then
	// it is the merge base itself.
	if opts.Repo.IsAncestor(tip, t.head) {
		return tip, ""
	}
	why := ""
	if opts.Repo.Shallow() {
		if err := opts.Repo.Deepen(ctx, prHeadRefspecs(t.pr)...); err != nil {
			return nil, unfetched(opts, err)
		}
		why = "fetched the history this shallow clone lacked from origin"
		if opts.Repo.Shallow() {
			return nil, "this clone's history is still cut after fetching from origin"
		}
	}
	base := opts.Repo.MergeBase(tip, t.head)
	if base == nil {
		return nil, fmt.Sprintf("HEAD and %s share no history", cmp.Or(branch, shortHash(hint)))
	}
	return base, why
}

// prHeadRefspecs fetches where the host keeps a pull request's head.
func prHeadRefspecs(pr *PullRequest) []string {
	switch {
	case pr == nil:
		return nil
	case pr.HeadRef != "":
		return []string{"+" + pr.HeadRef + ":refs/remotes/origin/" + pr.HeadRef[len("refs/"):]}
	}
	return branchRefspecs(pr.Branch)
}

// SourceBranches lists the branches whose pushes import into the spaces,
// so a push to any other branch can act for its open pull request.
func SourceBranches(c *ci.Context, repo *Repo, spaces []config.Space) []string {
	def := cmp.Or(c.DefaultBranch, repo.DefaultBranch())
	var out []string
	for _, sp := range spaces {
		if b := cmp.Or(sp.Branch, def); b != "" && !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

// unfetched says that a shallow clone's history could not be had, and why.
func unfetched(opts Options, err error) string {
	return "this is a shallow clone and its history could not be fetched (" + opts.Redactor.String(err.Error()) + ")"
}
