package fakehost

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// GitLabPrefix is where the GitLab API lives (CI_API_V4_URL ends with it).
const GitLabPrefix = "/api/v4"

// Project is a GitLab project, found by its ID or its path.
type Project struct {
	ID            int
	Path          string // group/project
	WebURL        string
	DefaultBranch string
}

// MergeRequest is a GitLab merge request.
type MergeRequest struct {
	IID             int
	Title           string
	State           string // opened, closed or merged
	SourceBranch    string
	TargetBranch    string
	SHA             string // the source branch's head
	MergeCommitSHA  string
	SquashCommitSHA string
	DiffBaseSHA     string
	WebURL          string
	Author          User
	// Commits are the merge request's commits: with its head, merge and
	// squash commits, the commits it is associated with.
	Commits []string
}

// GitLab is a strict fake of the GitLab REST API v4.
type GitLab struct {
	server
	projects []Project
	mrs      map[int]map[int]*MergeRequest // project ID -> IID
}

// NewGitLab makes a fake GitLab serving projects; mount it at the root
// (its routes start with GitLabPrefix).
func NewGitLab(projects ...Project) *GitLab {
	g := &GitLab{server: newServer(), projects: projects, mrs: map[int]map[int]*MergeRequest{}}
	p := GitLabPrefix
	g.handle("GET "+p+"/user", g.getUser)
	g.handle("GET "+p+"/projects/{id}", g.getProject)
	g.handle("GET "+p+"/projects/{id}/merge_requests", g.listMRs)
	g.handle("GET "+p+"/projects/{id}/merge_requests/{iid}", g.getMR)
	g.handle("GET "+p+"/projects/{id}/repository/commits/{sha}/merge_requests", g.commitMRs)
	g.handle("GET "+p+"/projects/{id}/merge_requests/{iid}/notes", g.listNotes)
	g.handle("POST "+p+"/projects/{id}/merge_requests/{iid}/notes", g.createNote)
	g.handle("GET "+p+"/projects/{id}/merge_requests/{iid}/notes/{note}", g.note)
	g.handle("PUT "+p+"/projects/{id}/merge_requests/{iid}/notes/{note}", g.note)
	g.handle("DELETE "+p+"/projects/{id}/merge_requests/{iid}/notes/{note}", g.note)
	g.handle("/", func(w http.ResponseWriter, r *http.Request) {
		g.problem(r, "no such route in the fake GitLab")
		glError(w, http.StatusNotFound, "404 Not Found")
	})
	return g
}

func (g *GitLab) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.mux.ServeHTTP(w, r) }

// SetMergeRequest creates or replaces a merge request of a project.
func (g *GitLab) SetMergeRequest(projectID int, mr MergeRequest) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.mrs[projectID] == nil {
		g.mrs[projectID] = map[int]*MergeRequest{}
	}
	g.mrs[projectID][mr.IID] = &mr
}

// Notes lists a merge request's notes, oldest first.
func (g *GitLab) Notes(projectID, iid int) []Comment { return g.commentsOf(notes(projectID, iid)) }

// AddNote adds a note as author; system notes are GitLab's own.
func (g *GitLab) AddNote(projectID, iid int, author User, body string, system bool) Comment {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := g.addComment(notes(projectID, iid), author, body)
	n.System = system
	return *n
}

// notes is the thread of a merge request's notes.
func notes(projectID, iid int) thread { return thread{strconv.Itoa(projectID), iid} }

func glError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg})
}

func (g *GitLab) auth(w http.ResponseWriter, r *http.Request) (Token, bool) {
	value, job := r.Header.Get("PRIVATE-TOKEN"), false
	if value == "" {
		value, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	if value == "" {
		value, job = r.Header.Get("JOB-TOKEN"), true
	}
	t, known := g.tokens[value]
	switch {
	case value == "":
		g.problem(r, "no token")
	case !known:
		g.problem(r, "unknown token")
	case t.Job != job:
		g.problem(r, "a job token sent as a personal token, or the reverse")
	case t.Job:
		// CI_JOB_TOKEN reaches only an allowlist of endpoints (packages,
		// releases, ...); none of these.
	default:
		return t, true
	}
	glError(w, http.StatusUnauthorized, "401 Unauthorized")
	return Token{}, false
}

func glUserJSON(u User) map[string]any {
	return map[string]any{"id": u.ID, "username": u.Login, "name": u.Name, "state": "active", "bot": u.Bot,
		"web_url": "https://gitlab.example/" + u.Login}
}

func (g *GitLab) getUser(w http.ResponseWriter, r *http.Request) {
	if t, ok := g.auth(w, r); ok {
		writeJSON(w, http.StatusOK, glUserJSON(t.User))
	}
}

// project finds {id}: a number or a URL-encoded path.
func (g *GitLab) project(w http.ResponseWriter, r *http.Request) (Project, bool) {
	id := r.PathValue("id")
	for _, p := range g.projects {
		if strconv.Itoa(p.ID) == id || p.Path == id {
			return p, true
		}
	}
	glError(w, http.StatusNotFound, "404 Project Not Found")
	return Project{}, false
}

func (g *GitLab) getProject(w http.ResponseWriter, r *http.Request) {
	if _, ok := g.auth(w, r); !ok {
		return
	}
	if p, ok := g.project(w, r); ok {
		writeJSON(w, http.StatusOK, map[string]any{"id": p.ID, "path_with_namespace": p.Path, "web_url": p.WebURL, "default_branch": p.DefaultBranch})
	}
}

// glPaginate writes a page of list with GitLab's pagination headers.
func glPaginate[T any](w http.ResponseWriter, r *http.Request, list []T) []T {
	out, current, next, pages := page(r, list, 20, 100)
	h := w.Header()
	h.Set("X-Page", strconv.Itoa(current))
	h.Set("X-Total", strconv.Itoa(len(list)))
	h.Set("X-Total-Pages", strconv.Itoa(pages))
	h.Set("X-Next-Page", "")
	if next > 0 {
		h.Set("X-Next-Page", strconv.Itoa(next))
	}
	if out == nil {
		out = []T{}
	}
	return out
}

func (g *GitLab) mrJSON(p Project, mr *MergeRequest) map[string]any {
	out := map[string]any{"id": 90000 + mr.IID, "iid": mr.IID, "project_id": p.ID, "title": mr.Title, "state": mr.State,
		"source_branch": mr.SourceBranch, "target_branch": mr.TargetBranch, "source_project_id": p.ID, "target_project_id": p.ID,
		"sha": mr.SHA, "merge_commit_sha": nil, "squash_commit_sha": nil, "web_url": mr.WebURL, "author": glUserJSON(mr.Author),
		"references": map[string]any{"short": fmt.Sprintf("!%d", mr.IID), "full": fmt.Sprintf("%s!%d", p.Path, mr.IID)},
		"diff_refs":  map[string]any{"base_sha": mr.DiffBaseSHA, "head_sha": mr.SHA, "start_sha": mr.DiffBaseSHA},
		"created_at": g.clock.Format(time.RFC3339)}
	if mr.MergeCommitSHA != "" {
		out["merge_commit_sha"] = mr.MergeCommitSHA
	}
	if mr.SquashCommitSHA != "" {
		out["squash_commit_sha"] = mr.SquashCommitSHA
	}
	return out
}

func (g *GitLab) listMRs(w http.ResponseWriter, r *http.Request) {
	if _, ok := g.auth(w, r); !ok {
		return
	}
	p, ok := g.project(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var list []map[string]any
	for _, iid := range slices.Sorted(maps.Keys(g.mrs[p.ID])) {
		mr := g.mrs[p.ID][iid]
		switch {
		case q.Get("state") != "" && q.Get("state") != "all" && q.Get("state") != mr.State:
		case q.Get("source_branch") != "" && q.Get("source_branch") != mr.SourceBranch:
		case q.Get("target_branch") != "" && q.Get("target_branch") != mr.TargetBranch:
		default:
			list = append(list, g.mrJSON(p, mr))
		}
	}
	slices.Reverse(list) // newest first, GitLab's default order
	writeJSON(w, http.StatusOK, glPaginate(w, r, list))
}

func (g *GitLab) findMR(w http.ResponseWriter, r *http.Request) (Project, *MergeRequest) {
	p, ok := g.project(w, r)
	if !ok {
		return p, nil
	}
	iid, _ := strconv.Atoi(r.PathValue("iid"))
	mr := g.mrs[p.ID][iid]
	if mr == nil {
		glError(w, http.StatusNotFound, "404 Not found")
	}
	return p, mr
}

func (g *GitLab) getMR(w http.ResponseWriter, r *http.Request) {
	if _, ok := g.auth(w, r); !ok {
		return
	}
	if p, mr := g.findMR(w, r); mr != nil {
		writeJSON(w, http.StatusOK, g.mrJSON(p, mr))
	}
}

// commitMRs lists the merge requests a commit belongs to.
func (g *GitLab) commitMRs(w http.ResponseWriter, r *http.Request) {
	if _, ok := g.auth(w, r); !ok {
		return
	}
	p, ok := g.project(w, r)
	if !ok {
		return
	}
	sha := r.PathValue("sha")
	var list []map[string]any
	for _, iid := range slices.Sorted(maps.Keys(g.mrs[p.ID])) {
		mr := g.mrs[p.ID][iid]
		if mr.SHA == sha || mr.MergeCommitSHA == sha || mr.SquashCommitSHA == sha || slices.Contains(mr.Commits, sha) {
			list = append(list, g.mrJSON(p, mr))
		}
	}
	writeJSON(w, http.StatusOK, glPaginate(w, r, list))
}

func noteJSON(p Project, iid int, n *Comment) map[string]any {
	return map[string]any{"id": n.ID, "body": n.Body, "author": glUserJSON(n.Author), "system": n.System,
		"noteable_type": "MergeRequest", "noteable_iid": iid, "project_id": p.ID, "resolvable": false, "confidential": false,
		"created_at": n.CreatedAt.Format(time.RFC3339), "updated_at": n.UpdatedAt.Format(time.RFC3339)}
}

func (g *GitLab) listNotes(w http.ResponseWriter, r *http.Request) {
	if _, ok := g.auth(w, r); !ok {
		return
	}
	p, mr := g.findMR(w, r)
	if mr == nil {
		return
	}
	all := slices.Clone(g.comments[notes(p.ID, mr.IID)])
	// GitLab lists the newest first unless asked for sort=asc.
	if r.URL.Query().Get("sort") != "asc" {
		slices.Reverse(all)
	}
	var list []map[string]any
	for _, n := range all {
		list = append(list, noteJSON(p, mr.IID, n))
	}
	writeJSON(w, http.StatusOK, glPaginate(w, r, list))
}

func (g *GitLab) createNote(w http.ResponseWriter, r *http.Request) {
	t, ok := g.auth(w, r)
	if !ok {
		return
	}
	p, mr := g.findMR(w, r)
	if mr == nil {
		return
	}
	var in struct {
		Body *string `json:"body"`
	}
	if !g.decode(w, r, &in, glError) {
		return
	}
	if in.Body == nil || *in.Body == "" {
		glError(w, http.StatusBadRequest, "400 Bad request - body is missing")
		return
	}
	writeJSON(w, http.StatusCreated, noteJSON(p, mr.IID, g.addComment(notes(p.ID, mr.IID), t.User, *in.Body)))
}

// note reads, edits or deletes one note. Only its author may change it.
func (g *GitLab) note(w http.ResponseWriter, r *http.Request) {
	t, ok := g.auth(w, r)
	if !ok {
		return
	}
	p, mr := g.findMR(w, r)
	if mr == nil {
		return
	}
	id, _ := atoi64(r.PathValue("note"))
	list := g.comments[notes(p.ID, mr.IID)]
	i := slices.IndexFunc(list, func(n *Comment) bool { return n.ID == id })
	if i < 0 {
		glError(w, http.StatusNotFound, "404 Note Not Found")
		return
	}
	if r.Method != http.MethodGet && list[i].Author.ID != t.User.ID {
		glError(w, http.StatusForbidden, "403 Forbidden")
		return
	}
	switch r.Method {
	case http.MethodPut:
		var in struct {
			Body *string `json:"body"`
		}
		if !g.decode(w, r, &in, glError) {
			return
		}
		if in.Body != nil {
			list[i].Body, list[i].UpdatedAt = *in.Body, g.now()
		}
	case http.MethodDelete:
		g.comments[notes(p.ID, mr.IID)] = slices.Delete(list, i, i+1)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, noteJSON(p, mr.IID, list[i]))
}
