package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/gitbook-sync/gitbook-sync/ci"
)

// GitLab keeps one sticky note per marker on a merge request. Only notes
// written by the token's own user are edited or deleted.
type GitLab struct {
	client   *gitlab.Client
	project  string
	mr       int64
	jobToken bool
	webURL   string

	selfOnce sync.Once
	self     int64
	selfErr  error
}

// NewGitLab makes a commenter for the merge request of the run c
// describes, with c's client for its GitLab: its token, else the job's.
func NewGitLab(c *ci.Context) (*GitLab, error) {
	if c.PullRequest == nil {
		return nil, errors.New("no merge request to comment on")
	}
	client, err := c.GitLabClient()
	if err != nil {
		return nil, err
	}
	return &GitLab{client: client, project: c.Project(), mr: int64(c.PullRequest.Number),
		jobToken: c.GitLabToken == "", webURL: c.PullRequest.URL}, nil
}

// Post creates or edits our note, as GitHub.Post does.
func (g *GitLab) Post(ctx context.Context, marker, body string) (Posted, error) {
	me, err := g.whoAmI(ctx)
	if err != nil {
		return Posted{}, err
	}
	t := thread[*gitlab.Note]{
		list: func() ([]*gitlab.Note, error) {
			var all []*gitlab.Note
			opt := &gitlab.ListMergeRequestNotesOptions{ListOptions: gitlab.ListOptions{PerPage: 100},
				Sort: gitlab.Ptr("asc"), OrderBy: gitlab.Ptr("created_at")}
			for {
				notes, resp, err := g.client.Notes.ListMergeRequestNotes(g.project, g.mr, opt, gitlab.WithContext(ctx))
				if err != nil {
					return nil, g.explain(fmt.Errorf("list notes of merge request !%d: %w", g.mr, err))
				}
				all = append(all, notes...)
				if resp.NextPage == 0 {
					return all, nil
				}
				opt.Page = resp.NextPage
			}
		},
		create: func(body string) (*gitlab.Note, error) {
			n, _, err := g.client.Notes.CreateMergeRequestNote(g.project, g.mr, &gitlab.CreateMergeRequestNoteOptions{Body: &body}, gitlab.WithContext(ctx))
			if err != nil {
				return nil, g.explain(fmt.Errorf("note on merge request !%d: %w", g.mr, err))
			}
			return n, nil
		},
		edit: func(n *gitlab.Note, body string) error {
			if _, _, err := g.client.Notes.UpdateMergeRequestNote(g.project, g.mr, n.ID, &gitlab.UpdateMergeRequestNoteOptions{Body: &body}, gitlab.WithContext(ctx)); err != nil {
				return g.explain(fmt.Errorf("update note %d on merge request !%d: %w", n.ID, g.mr, err))
			}
			return nil
		},
		remove: func(n *gitlab.Note) error {
			resp, err := g.client.Notes.DeleteMergeRequestNote(g.project, g.mr, n.ID, gitlab.WithContext(ctx))
			if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
				return g.explain(fmt.Errorf("remove duplicate note %d: %w", n.ID, err))
			}
			return nil
		},
		body: func(n *gitlab.Note) string { return n.Body },
		ours: func(n *gitlab.Note) bool {
			return !n.System && n.Author.ID == me && startsWithMarker(n.Body, marker)
		},
	}
	keep, outcome, err := t.post(body)
	if keep == nil {
		return Posted{}, err
	}
	return Posted{URL: g.noteURL(*keep), Outcome: outcome}, err
}

// whoAmI finds the token's user once (GET /user): project and group
// access tokens have a bot user of their own, which this finds too.
func (g *GitLab) whoAmI(ctx context.Context) (int64, error) {
	g.selfOnce.Do(func() {
		u, _, err := g.client.Users.CurrentUser(gitlab.WithContext(ctx))
		if err != nil {
			g.selfErr = g.explain(fmt.Errorf("find the token's user (GET /user): %w", err))
			return
		}
		g.self = u.ID
	})
	return g.self, g.selfErr
}

func (g *GitLab) noteURL(n *gitlab.Note) string {
	if g.webURL == "" {
		return ""
	}
	return fmt.Sprintf("%s#note_%d", g.webURL, n.ID)
}

// explain turns GitLab's refusal of CI_JOB_TOKEN into what to do.
func (g *GitLab) explain(err error) error {
	var er *gitlab.ErrorResponse
	if g.jobToken && errors.As(err, &er) && er.Response != nil &&
		(er.Response.StatusCode == http.StatusUnauthorized || er.Response.StatusCode == http.StatusForbidden) {
		return fmt.Errorf("%w: CI_JOB_TOKEN cannot write merge request notes; set GITBOOK_SYNC_GITLAB_TOKEN to a project or personal access token with the api scope", err)
	}
	return err
}
