package main

import (
	"github.com/spf13/pflag"

	"github.com/gitbook-sync/gitbook-sync/ci"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// pullRequestFlags describe the pull request a run is for, when CI does not.
type pullRequestFlags struct {
	URL, Title, State, BaseSHA, HeadRef string
	Number                              int
}

func (p *pullRequestFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&p.URL, "pull-request", "", "URL of the pull request this run is for (CI sets it from its event)")
	fs.StringVar(&p.Title, "pull-request-title", "", "its title, the change request's subject")
	fs.IntVar(&p.Number, "pull-request-number", 0, "its number (default: from its URL)")
	fs.StringVar(&p.State, "pull-request-state", gbsync.PROpen, "open, closed or merged")
	fs.StringVar(&p.BaseSHA, "pull-request-base", "", "commit of the target branch it is compared with")
	fs.StringVar(&p.HeadRef, "pull-request-ref", "", "ref GitBook reads it from, for previews (refs/pull/N/head)")
}

// resolve returns the pull request given by flags, else the CI's, and
// what the host calls it ("pull request", or GitLab's "merge request").
func (p pullRequestFlags) resolve(changed func(string) bool, ciCtx *ci.Context) (*gbsync.PullRequest, string, error) {
	noun := ciCtx.Noun()
	if p.URL == "" {
		c := ciCtx.PullRequest
		if c == nil {
			return nil, noun, nil
		}
		return &gbsync.PullRequest{URL: c.URL, Title: c.Title, Number: c.Number, State: c.State, BaseSHA: c.BaseSHA,
			HeadSHA: c.HeadSHA, HeadRef: c.HeadRef, Branch: c.Source, Target: c.Target}, noun, nil
	}
	pr := gbsync.PullRequest{URL: p.URL, Title: p.Title, Number: p.Number, State: p.State, BaseSHA: p.BaseSHA, HeadRef: p.HeadRef}
	fromURL := ci.NumberFromURL(p.URL)
	if ci.IsMergeRequestURL(p.URL) {
		noun = ci.MergeRequestNoun
	}
	switch {
	case !changed("pull-request-number") && fromURL == 0:
		return nil, noun, usagef("--pull-request %s: no number in the URL; pass --pull-request-number", p.URL)
	case !changed("pull-request-number"):
		pr.Number = fromURL
	case fromURL != 0 && fromURL != p.Number:
		return nil, noun, usagef("--pull-request-number %d disagrees with --pull-request %s", p.Number, p.URL)
	case p.Number < 1:
		return nil, noun, usagef("--pull-request-number %d: want a positive number", p.Number)
	}
	switch pr.State {
	case gbsync.PROpen, gbsync.PRClosed, gbsync.PRMerged:
	default:
		return nil, noun, usagef("--pull-request-state %q: choose open, closed or merged", pr.State)
	}
	if pr.State == gbsync.PROpen && pr.BaseSHA == "" {
		return nil, noun, usagef("--pull-request needs --pull-request-base (the target branch's commit) to know the %s's own changes", noun)
	}
	return &pr, noun, nil
}
