package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/gitformat"
	"github.com/gitbook-sync/gitbook-sync/internal/gitrepo"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

type gitRequest struct {
	URL                  string     `json:"url"`
	Ref                  string     `json:"ref"`
	CommitMessage        string     `json:"commitMessage"`
	RepoCacheID          string     `json:"repoCacheID"`
	RepoProjectDirectory string     `json:"repoProjectDirectory"`
	RepoTreeURL          string     `json:"repoTreeURL"`
	RepoCommitURL        string     `json:"repoCommitURL"`
	Timestamp            *time.Time `json:"timestamp"`
	Force                bool       `json:"force"`
	Standalone           bool       `json:"standalone"`
	GitInfo              *struct {
		Provider string `json:"provider"`
		URL      string `json:"url"`
	} `json:"gitInfo"`
}

// startOperation records a running operation, or reports that the request
// is older than the last applied one (GitBook then skips it).
func (s *Server) startOperation(sp *space, direction string, req gitRequest) (op *gitOperation, skip bool) {
	now := s.opts.Now().UTC()
	sp.Op = &gitOperation{State: "running", Direction: direction, StartedAt: now}
	if req.Timestamp != nil && !req.Force && req.Timestamp.Before(sp.lastOpAt) {
		sp.Op.State = "success"
		sp.Op.EndedAt = &now
		return sp.Op, true
	}
	return sp.Op, false
}

func (s *Server) endOperation(sp *space, op *gitOperation, req gitRequest, err error) {
	now := s.opts.Now().UTC()
	op.EndedAt = &now
	if err != nil {
		op.State = "failure"
		op.Error = opError(err)
		return
	}
	op.State = "success"
	if req.Timestamp != nil {
		sp.lastOpAt = *req.Timestamp
	} else {
		sp.lastOpAt = now
	}
	s.changed()
}

// opError is an operation's error as git/info shows it: credentials
// masked, and cut, as it may echo the request's URL whole.
func opError(err error) string { return cutMessage(redact.URL(err.Error())) }

func (s *Server) readGitRequest(w http.ResponseWriter, r *http.Request, export bool) (*space, gitRequest, bool) {
	var req gitRequest
	sp := s.space(w, r)
	if sp == nil || !decodeBody(w, r, &req) {
		return nil, req, false
	}
	switch {
	case req.URL == "":
		writeError(w, http.StatusBadRequest, "url is required")
	case req.Ref == "":
		writeError(w, http.StatusBadRequest, "ref is required")
	case export && req.CommitMessage == "":
		writeError(w, http.StatusBadRequest, "commitMessage is required")
	default:
		return sp, req, true
	}
	return nil, req, false
}

func (s *Server) postImport(w http.ResponseWriter, r *http.Request) {
	sp, req, ok := s.readGitRequest(w, r, false)
	if !ok {
		return
	}
	s.startImport(sp, req, false)
	w.WriteHeader(http.StatusNoContent)
}

// startImport queues an import; done closes when it has ended.
func (s *Server) startImport(sp *space, req gitRequest, bySync bool) (done chan struct{}) {
	done = make(chan struct{})
	op, skip := s.startOperation(sp, "import", req)
	if skip {
		close(done)
		return done
	}
	s.ops.Add(1)
	go func() {
		defer s.ops.Done()
		defer close(done)
		time.Sleep(s.opts.OperationDelay)
		proj, commit, err := readRepository(req)
		s.mu.Lock()
		defer s.mu.Unlock()
		if err == nil {
			s.applyImport(sp, req, proj, commit)
			if bySync && sp.sync != nil {
				sp.sync.seen = commit.OID
			}
		}
		s.endOperation(sp, op, req, err)
	}()
	return done
}

func readRepository(req gitRequest) (*gitformat.Project, gitCommit, error) {
	repo, err := gitrepo.OpenShared(req.URL)
	if err != nil {
		return nil, gitCommit{}, err
	}
	commit, err := resolveCommit(repo, req.Ref)
	if err != nil {
		return nil, gitCommit{}, err
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, gitCommit{}, err
	}
	// Pages are read with their keys as IDs; applyImport gives them the
	// space's IDs under the lock.
	proj, err := gitformat.Read(newTreeFS(repo, tree), req.RepoProjectDirectory, func(key string) string { return key })
	if err != nil {
		return nil, gitCommit{}, err
	}
	return proj, gitCommit{OID: commit.Hash.String(), Message: strings.TrimSpace(commit.Message), Ref: req.Ref}, nil
}

// applyImport makes the imported tree a new revision. Pages and files keep
// their IDs when their file was imported before.
func (s *Server) applyImport(sp *space, req gitRequest, proj *gitformat.Project, commit gitCommit) {
	id := func(key string) string {
		if key == "" {
			return ""
		}
		if id, ok := sp.pathIDs[key]; ok {
			return id
		}
		prefix := "page"
		if strings.HasPrefix(key, "file:") {
			prefix = "file"
		}
		sp.pathIDs[key] = s.newID(prefix)
		return sp.pathIDs[key]
	}
	remapIDs(proj.Pages, proj.Files, id)
	rev := &revision{ID: s.newID("rev"), Type: "edits", Parents: []string{sp.Current}, Pages: proj.Pages, Files: proj.Files,
		Git: &commit, CreatedAt: s.opts.Now().UTC()}
	sp.Revisions[rev.ID] = rev
	if !req.Standalone {
		sp.Current = rev.ID
		sp.UpdatedAt = rev.CreatedAt
		sp.contentDir = proj.ContentPath("")
	}
}

// remapIDs replaces provisional IDs (keys) everywhere they appear.
func remapIDs(pages []*page, files []*file, id func(string) string) {
	walkPages(pages, func(p *page) {
		p.ID = id(p.ID)
		for k, r := range p.Refs {
			p.Refs[k] = gitformat.Ref{Page: id(r.Page), File: id(r.File)}
		}
		if p.Target != nil && p.Target.Page != "" {
			p.Target.Page = id(p.Target.Page)
		}
		if p.Meta.Cover != nil {
			p.Meta.Cover.File = id(p.Meta.Cover.File)
		}
	})
	for _, f := range files {
		f.ID = id(f.ID)
	}
}

func (s *Server) postExport(w http.ResponseWriter, r *http.Request) {
	sp, req, ok := s.readGitRequest(w, r, true)
	if !ok {
		return
	}
	s.startExport(sp, req, false)
	w.WriteHeader(http.StatusNoContent)
}

// startExport queues an export of the space's current revision.
func (s *Server) startExport(sp *space, req gitRequest, bySync bool) (done chan struct{}) {
	done = make(chan struct{})
	op, skip := s.startOperation(sp, "export", req)
	if skip {
		close(done)
		return done
	}
	rev := sp.Revisions[sp.Current]
	pages, files := clonePages(rev.Pages), cloneFiles(rev.Files)
	s.ops.Add(1)
	go func() {
		defer s.ops.Done()
		defer close(done)
		time.Sleep(s.opts.OperationDelay)
		hash, dir, err := writeExport(req, pages, files, s.opts.Now())
		s.mu.Lock()
		defer s.mu.Unlock()
		if err == nil {
			// GitBook's git metadata is mutable: the exported revision now
			// points at the commit, and its pages at their files.
			rev.Git = &gitCommit{OID: hash.String(), Message: req.CommitMessage, CreatedByGitBook: true, Ref: req.Ref}
			rev.Pages, rev.Files = pages, files
			sp.contentDir = dir
			walkPages(pages, func(p *page) {
				if p.GitPath != "" {
					sp.pathIDs["page:"+p.GitPath] = p.ID
				}
			})
			for _, f := range files {
				if f.GitPath != "" {
					sp.pathIDs["file:"+f.GitPath] = f.ID
				}
			}
			if bySync && sp.sync != nil {
				sp.sync.seen = hash.String()
			}
		}
		s.endOperation(sp, op, req, err)
	}()
	return done
}

func cloneFiles(list []*file) []*file {
	out := make([]*file, len(list))
	for i, f := range list {
		c := *f
		out[i] = &c
	}
	return out
}

// writeExport commits the pages and files to the branch as GitBook's
// export does, and returns the commit and where the content root is.
func writeExport(req gitRequest, pages []*page, files []*file, now time.Time) (plumbing.Hash, string, error) {
	x, err := planExport(req, pages, files)
	if err != nil {
		return plumbing.ZeroHash, "", err
	}
	return x.push(req.CommitMessage, now)
}

// exportPlan is an export's changes to the branch as it was read, before
// they are pushed.
type exportPlan struct {
	repo    *git.Repository
	branch  plumbing.ReferenceName
	parent  plumbing.Hash // zero: the branch does not exist yet
	dir     string        // repoProjectDirectory
	changes []gitformat.Change
}

func planExport(req gitRequest, pages []*page, files []*file) (*exportPlan, error) {
	repo, err := gitrepo.OpenShared(req.URL)
	if err != nil {
		return nil, err
	}
	x := &exportPlan{repo: repo, branch: branchRef(req.Ref), dir: req.RepoProjectDirectory}
	if err := refuseCheckedOutBranch(repo, x.branch); err != nil {
		return nil, err
	}
	var old gitformat.FS
	if ref, err := repo.Reference(x.branch, true); err == nil {
		commit, err := repo.CommitObject(ref.Hash())
		if err != nil {
			return nil, err
		}
		tree, err := commit.Tree()
		if err != nil {
			return nil, err
		}
		x.parent, old = commit.Hash, newTreeFS(repo, tree)
	} else if !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, err
	}
	if x.changes, err = gitformat.Write(old, x.dir, pages, files); err != nil {
		return nil, err
	}
	return x, nil
}

// push commits the changes on the parent they were made from and moves
// the branch there. When another push moved the branch first, the export
// fails with the reason, as a Git host refuses a push that is not a
// fast-forward; nothing is lost and nothing is merged.
func (x *exportPlan) push(message string, now time.Time) (plumbing.Hash, string, error) {
	hash, err := commitExport(x.repo, x.branch, x.parent, x.changes, message, now)
	if errors.Is(err, gitrepo.ErrBranchMoved) {
		return plumbing.ZeroHash, "", fmt.Errorf("push to %s rejected: %w", x.branch, err)
	}
	if err != nil {
		return plumbing.ZeroHash, "", fmt.Errorf("commit to %s: %w", x.branch, err)
	}
	return hash, contentDir(x.repo, hash, x.dir), nil
}

// contentDir is the content root of the project at dir in a commit.
func contentDir(repo *git.Repository, hash plumbing.Hash, dir string) string {
	dir = strings.Trim(path.Clean("/"+dir), "/")
	commit, err := repo.CommitObject(hash)
	if err != nil {
		return dir
	}
	tree, err := commit.Tree()
	if err != nil {
		return dir
	}
	cfg := gitformat.DefaultConfig()
	if data, err := (newTreeFS(repo, tree)).ReadFile(path.Join(dir, gitformat.ConfigFile)); err == nil {
		if c, err := gitformat.ParseConfig(data); err == nil {
			cfg = c
		}
	}
	return strings.Trim(path.Join(dir, cfg.Root), "/")
}

// gitPath is a page's or file's path from the repository root, as the
// API's git.path gives it.
func (sp *space) gitPath(rel string) string {
	if sp.contentDir == "" {
		return rel
	}
	return sp.contentDir + "/" + rel
}
