package emulator

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/gitformat"
	"github.com/gitbook-sync/gitbook-sync/internal/gitrepo"
)

// gitSync is GitBook's own Git Sync installed on a space (the seed's
// gitSync: github or gitlab), driven as GitBook's integration drives it
// (GitbookIO/integrations, integrations/github/src): every push to the
// branch is imported, and every change made in GitBook (a revision with no
// Git commit, such as a merged change request) is exported as a commit.
type gitSync struct {
	provider string
	url      string // the repository: a bare repository stands for the Git host
	branch   string
	dir      string // project directory in the repository
	seen     string // the branch's commit last imported or exported
}

func (g *gitSync) ref() string { return branchRef(g.branch).String() }

func (g *gitSync) request() gitRequest {
	return gitRequest{URL: g.url, Ref: g.ref(), RepoProjectDirectory: g.dir, RepoTreeURL: g.url}
}

// branchHead is the commit the branch points at, "" when it does not exist.
func (g *gitSync) branchHead() (plumbing.Hash, time.Time, error) {
	repo, err := gitrepo.OpenShared(g.url)
	if err != nil {
		return plumbing.ZeroHash, time.Time{}, err
	}
	ref, err := repo.Reference(branchRef(g.branch), true)
	if err != nil {
		return plumbing.ZeroHash, time.Time{}, nil
	}
	c, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return plumbing.ZeroHash, time.Time{}, err
	}
	return c.Hash, c.Committer.When, nil
}

// lookAtBranch imports the branch when it moved since it was last seen,
// as GitBook does on a push event (with the head commit's time as the
// event's timestamp). It returns the import's done channel, or nil.
func (s *Server) lookAtBranch(sp *space) chan struct{} {
	g := sp.sync
	head, when, err := g.branchHead()
	if err != nil {
		now := s.opts.Now().UTC()
		sp.Op = &gitOperation{State: "failure", Direction: "import", StartedAt: now, EndedAt: &now, Error: opError(err)}
		return nil
	}
	if head.IsZero() || head.String() == g.seen {
		return nil
	}
	g.seen = head.String()
	req := g.request()
	ts := when.UTC()
	req.Timestamp = &ts
	return s.startImport(sp, req, true)
}

// contentEdited is called when a space's content changed in GitBook.
// With Git Sync installed the change is exported, with GitBook's commit
// message for the revision: "GITBOOK-<n>: <subject>" for a merged change
// request, "GitBook: No commit message" otherwise. Saving the state is
// the caller's: an API request saves once it is answered.
func (s *Server) contentEdited(sp *space) {
	if sp.sync == nil {
		return
	}
	rev := sp.live()
	if rev.Git != nil && rev.Git.OID != "" {
		return // imported or exported already
	}
	req := sp.sync.request()
	req.CommitMessage = "GitBook: No commit message"
	if rev.Type == "merge" {
		if cr := sp.findCR(rev.MergedFrom); cr != nil {
			subject := cr.Subject
			if subject == "" {
				subject = "change request with no subject merged in GitBook"
			}
			req.CommitMessage = fmt.Sprintf("GITBOOK-%d: %s", cr.Number, subject)
		}
	}
	ts := rev.CreatedAt
	req.Timestamp = &ts
	s.startExport(sp, req, true)
}

// pollGitSync looks at every synced branch at the interval until Close.
func (s *Server) pollGitSync(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.closed:
			return
		case <-t.C:
			s.mu.Lock()
			for _, sp := range s.spaces {
				if sp.sync != nil && (sp.Op == nil || sp.Op.State != "running") {
					s.lookAtBranch(sp)
				}
			}
			s.mu.Unlock()
		}
	}
}

// adminGitSync makes GitBook look at a space's branch now, as a push
// event would, and answers once the import it starts has ended (not part
// of GitBook's API).
func (s *Server) adminGitSync(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	sp := s.spaces[r.PathValue("spaceId")]
	if sp == nil || sp.sync == nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "No space with Git Sync installed has this ID")
		return
	}
	done := s.lookAtBranch(sp)
	s.mu.Unlock()
	if done != nil {
		<-done
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.gitInfoJSON(sp))
}

// SyncNow is adminGitSync for tests in this process: it returns once the
// branch's new commits, if any, are imported.
func (s *Server) SyncNow(spaceID string) error {
	s.mu.Lock()
	sp := s.spaces[spaceID]
	if sp == nil || sp.sync == nil {
		s.mu.Unlock()
		return fmt.Errorf("space %s has no Git Sync installed", spaceID)
	}
	done := s.lookAtBranch(sp)
	s.mu.Unlock()
	if done != nil {
		<-done
	}
	return nil
}

// adminEdit changes a page as a person would in GitBook's editor (not part
// of GitBook's API): it makes a revision without Git metadata.
func (s *Server) adminEdit(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Path     string `json:"path"`
		Title    string `json:"title"`
		Markdown string `json:"markdown"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.spaces[r.PathValue("spaceId")]
	if sp == nil {
		writeError(w, http.StatusNotFound, "Space not found")
		return
	}
	id, err := s.editPage(sp, body.Path, body.Title, body.Markdown)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"page": id, "revision": sp.Current})
}

// EditPage edits (or, when gitPath is unknown, adds at the root) a page of
// a space's live content, as a person in GitBook's editor would. gitPath
// is the page's file, from the content root or the repository root;
// markdown is the page as a file shows it: front matter, a "# title"
// heading (which renames the page) and the body.
func (s *Server) EditPage(spaceID, gitPath, title, markdown string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.spaces[spaceID]
	if sp == nil {
		return "", fmt.Errorf("space %s not found", spaceID)
	}
	return s.editPage(sp, gitPath, title, markdown)
}

// editPage is EditPage with s.mu held.
func (s *Server) editPage(sp *space, gitPath, title, markdown string) (string, error) {
	cur := sp.live()
	pages := clonePages(cur.Pages)
	var target *page
	want := strings.TrimPrefix(gitPath, "/")
	walkPages(pages, func(p *page) {
		// The file as relative to the content root, or as git.path gives it.
		if want != "" && p.GitPath != "" && (p.GitPath == want || sp.gitPath(p.GitPath) == want) {
			target = p
		}
	})
	edited, err := gitformat.ParseFile([]byte(markdown), "")
	if err != nil {
		return "", err
	}
	if target == nil {
		if title == "" && edited.Title == "" {
			return "", fmt.Errorf("page %s not found; give a title to create it", gitformat.QuoteCut(gitPath))
		}
		target = &page{ID: s.newID("page"), Kind: gitformat.KindDocument}
		pages = append(pages, target)
	}
	target.Document, target.Meta = edited.Document, edited.Meta
	target.Title = cmp.Or(title, edited.Title, target.Title)
	if target.Slug == "" {
		used := map[string]bool{}
		for _, p := range pages {
			used[p.Slug] = true
		}
		target.Slug = gitformat.UniqueSlug(gitformat.Slugify(target.Title), used)
	}
	ix := gitformat.NewIndex(pages, cur.Files)
	target.Document, target.Refs = ix.Resolve(target.Document, ix.PageFile(target.ID))
	rev := &revision{ID: s.newID("rev"), Type: "edits", Parents: []string{cur.ID}, Pages: pages, Files: cur.Files, CreatedAt: s.opts.Now().UTC()}
	sp.Revisions[rev.ID] = rev
	sp.Current = rev.ID
	sp.UpdatedAt = rev.CreatedAt
	s.changed() // not an API request: saved here
	s.contentEdited(sp)
	return target.ID, nil
}
