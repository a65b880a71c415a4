package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// GitLabOptions say where to write the note.
type GitLabOptions struct {
	APIURL string // CI_API_V4_URL; "" for gitlab.com
	Token  string
	// JobToken is true when Token is CI_JOB_TOKEN, which GitLab does not
	// let write notes: errors then say what to set instead.
	JobToken bool
	Project  string // ID or group/project
	Number   int    // the merge request's IID
	// WebURL is the merge request's page; note links are made from it.
	WebURL     string
	HTTPClient *http.Client
}

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

// NewGitLab makes a commenter for a merge request.
func NewGitLab(o GitLabOptions) (*GitLab, error) {
	opts := []gitlab.ClientOptionFunc{gitlab.WithCustomRetryMax(3)}
	if o.APIURL != "" {
		opts = append(opts, gitlab.WithBaseURL(o.APIURL))
	}
	if o.HTTPClient != nil {
		opts = append(opts, gitlab.WithHTTPClient(o.HTTPClient))
	}
	newClient := gitlab.NewClient
	if o.JobToken {
		newClient = gitlab.NewJobClient
	}
	c, err := newClient(o.Token, opts...)
	if err != nil {
		return nil, fmt.Errorf("GitLab client: %w", err)
	}
	return &GitLab{client: c, project: o.Project, mr: int64(o.Number), jobToken: o.JobToken, webURL: o.WebURL}, nil
}

// Post creates or edits our note, as GitHub.Post does.
func (g *GitLab) Post(ctx context.Context, marker, body string) (Posted, error) {
	me, err := g.whoAmI(ctx)
	if err != nil {
		return Posted{}, err
	}
	var all []*gitlab.Note
	opt := &gitlab.ListMergeRequestNotesOptions{ListOptions: gitlab.ListOptions{PerPage: 100},
		Sort: gitlab.Ptr("asc"), OrderBy: gitlab.Ptr("created_at")}
	for {
		notes, resp, err := g.client.Notes.ListMergeRequestNotes(g.project, g.mr, opt, gitlab.WithContext(ctx))
		if err != nil {
			return Posted{}, g.explain(fmt.Errorf("list notes of merge request !%d: %w", g.mr, err))
		}
		all = append(all, notes...)
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	keep, dups := sticky(all, func(n *gitlab.Note) bool {
		return !n.System && n.Author.ID == me && startsWithMarker(n.Body, marker)
	})
	if keep == nil {
		n, _, err := g.client.Notes.CreateMergeRequestNote(g.project, g.mr, &gitlab.CreateMergeRequestNoteOptions{Body: &body}, gitlab.WithContext(ctx))
		if err != nil {
			return Posted{}, g.explain(fmt.Errorf("note on merge request !%d: %w", g.mr, err))
		}
		return Posted{URL: g.noteURL(n), Outcome: Created}, nil
	}
	out := Posted{URL: g.noteURL(*keep), Outcome: Unchanged}
	if (*keep).Body != body {
		if _, _, err := g.client.Notes.UpdateMergeRequestNote(g.project, g.mr, (*keep).ID, &gitlab.UpdateMergeRequestNoteOptions{Body: &body}, gitlab.WithContext(ctx)); err != nil {
			return Posted{}, g.explain(fmt.Errorf("update note %d on merge request !%d: %w", (*keep).ID, g.mr, err))
		}
		out.Outcome = Updated
	}
	for _, dup := range dups {
		if _, err := g.client.Notes.DeleteMergeRequestNote(g.project, g.mr, dup.ID, gitlab.WithContext(ctx)); err != nil {
			return out, g.explain(fmt.Errorf("remove duplicate note %d: %w", dup.ID, err))
		}
	}
	return out, nil
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
