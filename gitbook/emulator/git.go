package emulator

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/gitrepo"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

type gitRequest struct {
	URL                  string     `json:"url"`
	Ref                  string     `json:"ref"`
	CommitMessage        string     `json:"commitMessage"`
	RepoProjectDirectory string     `json:"repoProjectDirectory"`
	RepoTreeURL          string     `json:"repoTreeURL"`
	RepoCommitURL        string     `json:"repoCommitURL"`
	Timestamp            *time.Time `json:"timestamp"`
	Force                bool       `json:"force"`
	Standalone           bool       `json:"standalone"`
}

// startOperation records a running operation, or reports that the request
// is older than the last applied one (GitBook then skips it).
func (s *Server) startOperation(sp *space, direction string, req gitRequest) (skip bool) {
	now := s.opts.Now().UTC()
	sp.Op = &gitOperation{State: "running", Direction: direction, StartedAt: now}
	if req.Timestamp != nil && !req.Force && req.Timestamp.Before(sp.lastOpAt) {
		sp.Op.State = "success"
		sp.Op.EndedAt = &now
		return true
	}
	return false
}

func (s *Server) endOperation(sp *space, op *gitOperation, req gitRequest, err error) {
	now := s.opts.Now().UTC()
	op.EndedAt = &now
	if err != nil {
		op.State = "failure"
		op.Error = redact.URL(err.Error())
		return
	}
	op.State = "success"
	if req.Timestamp != nil {
		sp.lastOpAt = *req.Timestamp
	} else {
		sp.lastOpAt = now
	}
}

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
	if s.startOperation(sp, "import", req) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	op := sp.Op
	s.ops.Add(1)
	go func() {
		defer s.ops.Done()
		time.Sleep(s.opts.OperationDelay)
		built, err := readRepository(req)
		s.mu.Lock()
		defer s.mu.Unlock()
		if err == nil {
			s.applyImport(sp, req, built)
		}
		s.endOperation(sp, op, req, err)
	}()
	w.WriteHeader(http.StatusNoContent)
}

// imported is what an import read from the repository, before IDs are given.
type imported struct {
	pages  []*page
	files  []*file
	commit gitCommit
}

func readRepository(req gitRequest) (*imported, error) {
	repo, err := gitrepo.Open(req.URL)
	if err != nil {
		return nil, err
	}
	commit, err := gitrepo.ResolveCommit(repo, req.Ref)
	if err != nil {
		return nil, err
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, err
	}
	files := gitrepo.TreeFiles(repo.Storer, tree)
	dir := strings.Trim(path.Clean("/"+req.RepoProjectDirectory), "/")
	proj, err := content.Load(files, dir)
	if err != nil {
		return nil, err
	}
	out := &imported{commit: gitCommit{OID: commit.Hash.String(), Message: strings.TrimSpace(commit.Message), Ref: req.Ref}}
	var convert func(list []*content.Page) ([]*page, error)
	convert = func(list []*content.Page) ([]*page, error) {
		var pages []*page
		for _, cp := range list {
			p := &page{Kind: cp.Kind, Title: cp.Title, LinkTitle: cp.NavLabel, Href: cp.Href}
			if cp.Kind == content.KindDocument {
				full := proj.ContentPath(cp.Path)
				data, err := files.Read(full)
				if err != nil {
					return nil, err
				}
				meta, body, err := content.SplitFrontMatter(data, full)
				if err != nil {
					return nil, err
				}
				p.Markdown, p.Description, p.Hidden, p.Icon, p.Emoji = string(body), meta.Description, meta.Hidden, meta.Icon, meta.Emoji
				p.GitPath, p.GitOID = cp.Path, gitrepo.BlobHash(tree, full)
				p.Title = content.PageTitle(body, cp.Title)
			}
			if p.Title == "" {
				p.Title = content.TitleFromPath(cp.Path)
			}
			var err error
			if p.Children, err = convert(cp.Children); err != nil {
				return nil, err
			}
			pages = append(pages, p)
		}
		return pages, nil
	}
	if out.pages, err = convert(proj.Pages); err != nil {
		return nil, err
	}
	// Assets live in .gitbook/assets under the content root.
	assets := proj.ContentPath(".gitbook/assets")
	if list, err := files.List(assets); err == nil {
		for _, f := range list {
			data, err := files.Read(f)
			if err != nil {
				return nil, err
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(f, proj.ContentPath("")), "/")
			out.files = append(out.files, &file{Name: path.Base(f), ContentType: contentType(f), Data: data, GitPath: rel})
		}
	}
	return out, nil
}

func contentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// applyImport makes the imported tree a new revision. Pages keep their ID
// when their file was imported before.
func (s *Server) applyImport(sp *space, req gitRequest, in *imported) {
	var assign func(list []*page, parentKey string)
	assign = func(list []*page, parentKey string) {
		used := map[string]bool{}
		for _, p := range list {
			key := p.GitPath
			switch p.Kind {
			case content.KindGroup:
				key = "group:" + p.Title
			case content.KindLink:
				key = "link:" + parentKey + ":" + p.Href
			}
			id, ok := sp.pathIDs[key]
			if !ok {
				id = s.newID("page")
				sp.pathIDs[key] = id
			}
			p.ID = id
			slug := content.SlugForPath(p.GitPath)
			if p.Kind != content.KindDocument || slug == "" {
				slug = content.Slug(p.Title)
			}
			p.Slug = uniqueSlug(slug, used)
			assign(p.Children, key)
		}
	}
	assign(in.pages, "")
	for _, f := range in.files {
		key := "file:" + f.GitPath
		id, ok := sp.pathIDs[key]
		if !ok {
			id = s.newID("file")
			sp.pathIDs[key] = id
		}
		f.ID = id
	}
	commit := in.commit
	rev := &revision{ID: s.newID("rev"), Type: "edits", Parents: []string{sp.Current}, Pages: in.pages, Files: in.files,
		Git: &commit, CreatedAt: s.opts.Now().UTC()}
	sp.Revisions[rev.ID] = rev
	if !req.Standalone {
		sp.Current = rev.ID
		sp.UpdatedAt = rev.CreatedAt
	}
}

func uniqueSlug(slug string, used map[string]bool) string {
	if slug == "" {
		slug = "page"
	}
	s := slug
	for i := 2; used[s]; i++ {
		s = fmt.Sprintf("%s-%d", slug, i)
	}
	used[s] = true
	return s
}

func (s *Server) postExport(w http.ResponseWriter, r *http.Request) {
	sp, req, ok := s.readGitRequest(w, r, true)
	if !ok {
		return
	}
	if s.startOperation(sp, "export", req) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	op := sp.Op
	rev := sp.Revisions[sp.Current]
	pages, files := clonePages(rev.Pages), rev.Files
	s.ops.Add(1)
	go func() {
		defer s.ops.Done()
		time.Sleep(s.opts.OperationDelay)
		hash, err := writeExport(req, pages, files, s.opts.Now())
		s.mu.Lock()
		defer s.mu.Unlock()
		if err == nil {
			// GitBook's git metadata is mutable: the exported revision now
			// points at the commit, and its pages at their files.
			rev.Git = &gitCommit{OID: hash.String(), Message: req.CommitMessage, CreatedByGitBook: true, Ref: req.Ref}
			rev.Pages = pages
			walkPages(pages, func(p *page) {
				if p.GitPath != "" {
					sp.pathIDs[p.GitPath] = p.ID
				}
			})
		}
		s.endOperation(sp, op, req, err)
	}()
	w.WriteHeader(http.StatusNoContent)
}

func walkPages(list []*page, fn func(*page)) {
	for _, p := range list {
		fn(p)
		walkPages(p.Children, fn)
	}
}

// writeExport commits the pages as Markdown files and a SUMMARY.md, as
// GitBook's export does, and sets GitPath/GitOID on pages that had none.
func writeExport(req gitRequest, pages []*page, files []*file, now time.Time) (plumbing.Hash, error) {
	repo, err := gitrepo.Open(req.URL)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	branch := req.Ref
	if !strings.HasPrefix(branch, "refs/") {
		branch = "refs/heads/" + branch
	}
	if err := refuseCheckedOutBranch(repo, branch); err != nil {
		return plumbing.ZeroHash, err
	}
	dir := strings.Trim(path.Clean("/"+req.RepoProjectDirectory), "/")
	cfg := content.DefaultConfig()
	var old *content.Project
	if commit, err := gitrepo.ResolveCommit(repo, branch); err == nil {
		files, err := gitrepo.Files(repo, commit)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if p, err := content.Load(files, dir); err == nil {
			old, cfg = p, p.Config
		} else if data, rerr := files.Read(content.Join(dir, content.ConfigFile)); rerr == nil {
			if c, perr := content.ParseConfig(data, content.ConfigFile); perr == nil {
				cfg = c
			}
		}
	}
	root := content.Join(dir, cfg.Root)
	var changes []gitrepo.Change
	written := map[string]bool{}
	taken := func(p string) bool { return written[p] }
	walkPages(pages, func(p *page) {
		if p.GitPath != "" {
			written[p.GitPath] = true
		}
	})
	var render func(list []*page, parentPath string) []*content.Page
	render = func(list []*page, parentPath string) []*content.Page {
		var out []*content.Page
		for _, p := range list {
			cp := &content.Page{Kind: p.Kind, Title: p.Title, NavLabel: p.LinkTitle, Href: p.Href}
			if p.Kind == content.KindDocument {
				if p.GitPath == "" {
					p.GitPath = content.PathForNewPage(parentPath, p.Slug, len(p.Children) > 0, taken)
					written[p.GitPath] = true
				}
				cp.Path = p.GitPath
				data := content.JoinFrontMatter(content.Meta{Description: p.Description, Hidden: p.Hidden, Icon: p.Icon, Emoji: p.Emoji}, []byte(p.Markdown))
				changes = append(changes, gitrepo.Change{Path: content.Join(root, p.GitPath), Data: data})
				p.GitOID = plumbing.ComputeHash(plumbing.BlobObject, data).String()
			}
			childParent := parentPath
			if p.Kind == content.KindDocument {
				childParent = p.GitPath
			}
			cp.Children = render(p.Children, childParent)
			out = append(out, cp)
		}
		return out
	}
	tree := render(pages, "")
	changes = append(changes, gitrepo.Change{Path: content.Join(root, cfg.Summary), Data: content.RenderSummary(content.Entries(tree))})
	// Files that were pages before and are not any more are removed.
	if old != nil {
		content.Walk(old.Pages, func(p, _ *content.Page) {
			if p.Kind == content.KindDocument && !written[p.Path] && p.Path != cfg.Readme {
				changes = append(changes, gitrepo.Change{Path: old.ContentPath(p.Path)})
			}
		})
	}
	for _, f := range files {
		rel := f.GitPath
		if rel == "" {
			rel = ".gitbook/assets/" + f.Name
		}
		changes = append(changes, gitrepo.Change{Path: content.Join(root, rel), Data: f.Data})
	}
	author := object.Signature{Name: "gitbook-bot", Email: "ghost@gitbook.com", When: now}
	return gitrepo.Commit(repo, branch, changes, req.CommitMessage, author)
}

// refuseCheckedOutBranch fails as a Git server does when asked to update the
// branch checked out in a non-bare repository.
func refuseCheckedOutBranch(repo *git.Repository, branch string) error {
	if _, err := repo.Worktree(); errors.Is(err, git.ErrIsBareRepository) {
		return nil
	}
	head, err := repo.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return nil
	}
	if head.Type() == plumbing.SymbolicReference && string(head.Target()) == branch {
		return fmt.Errorf("refusing to update checked out branch %s of a non-bare repository; export to a bare repository (as on a Git host)", branch)
	}
	return nil
}

// adminEdit changes a page as a person would in GitBook's editor (not part
// of GitBook's API): it makes a revision without git metadata.
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
// a space's live content, as a person in GitBook's editor would.
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
	cur := sp.Revisions[sp.Current]
	pages := clonePages(cur.Pages)
	var target *page
	walkPages(pages, func(p *page) {
		if gitPath != "" && p.GitPath == gitPath {
			target = p
		}
	})
	if target == nil {
		if title == "" {
			return "", fmt.Errorf("page %q not found; give a title to create it", gitPath)
		}
		target = &page{ID: s.newID("page"), Kind: content.KindDocument, Title: title, Slug: content.Slug(title)}
		pages = append(pages, target)
	}
	if title != "" {
		target.Title = title
	}
	target.Markdown = markdown
	rev := &revision{ID: s.newID("rev"), Type: "edits", Parents: []string{cur.ID}, Pages: pages, Files: cur.Files, CreatedAt: s.opts.Now().UTC()}
	sp.Revisions[rev.ID] = rev
	sp.Current = rev.ID
	return target.ID, nil
}
