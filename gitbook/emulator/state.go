// Package emulator is a stateful GitBook API for tests, demos and trying a
// workflow safely. It serves the endpoints gitbook-sync uses under /v1 and
// behaves as GitBook documents: imports really read the Git repository and
// exports really commit to it, in GitBook's repository format as its own
// export writes it (package gitformat, not the client's reading of it);
// change requests merge or conflict; page lists carry no bodies; Markdown
// sent is stored normalised, by the rules of gitformat.Normalize (bullets
// "*", emphasis "_x_", strong "**x**", breaks "***", ATX headings, hard
// breaks "", no trailing spaces, fenced code), derived from how GitBook's
// export writes its own docs.
//
// A space works in one of two Git Sync modes, set by its seed:
//
//   - gitSync: none (the default): no Git provider is installed, as when
//     gitbook-sync drives the sync. git/info answers 404; imports and
//     exports through the API still run, and a client follows them
//     through the space's revision.
//   - gitSync: github or gitlab: GitBook's own Git Sync is installed on
//     repository {url, branch, directory} (a bare repository stands for
//     the Git host). git/info answers with the provider and the latest
//     operation; every push to the branch is imported, and every change
//     made in GitBook is exported as a commit by gitbook-bot ("GITBOOK-N:
//     subject" for a merged change request), as GitBook's integration does.
package emulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"time"

	yaml "go.yaml.in/yaml/v4"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/gitformat"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// Seed is the emulator's starting state, read from a YAML file. A file the
// emulator saved (Options.StateFile) adds what happened since, under state.
type Seed struct {
	Token         string    `yaml:"token"`
	Organizations []OrgSeed `yaml:"organizations"`
	State         *State    `yaml:"state,omitempty"`
}

// OrgSeed is one organization.
type OrgSeed struct {
	ID      string       `yaml:"id"`
	Title   string       `yaml:"title"`
	Members []MemberSeed `yaml:"members"`
	Spaces  []SpaceSeed  `yaml:"spaces"`
}

// MemberSeed is one organization member.
type MemberSeed struct {
	ID          string `yaml:"id"`
	DisplayName string `yaml:"displayName"`
	Email       string `yaml:"email"`
	Role        string `yaml:"role"`
}

// SpaceSeed is one space. GitSync is "none" (the default: no Git provider
// installed), or "github" or "gitlab" with the Repository GitBook's Git
// Sync is set up on.
type SpaceSeed struct {
	ID         string          `yaml:"id"`
	Title      string          `yaml:"title"`
	GitSync    string          `yaml:"gitSync,omitempty"`
	Repository *RepositorySeed `yaml:"repository,omitempty"`
}

// RepositorySeed is where GitBook's Git Sync syncs a space: a repository
// (path or file:// URL of a bare repository, standing for the Git host),
// its branch, and the project directory in it.
type RepositorySeed struct {
	URL       string `yaml:"url"`
	Branch    string `yaml:"branch"`
	Directory string `yaml:"directory,omitempty"`
}

// DefaultSeed is the state the demo and `gitbook-sync emulator` start from
// when no file is given: one space without Git Sync.
func DefaultSeed() Seed {
	return Seed{
		Token: "test-token",
		Organizations: []OrgSeed{{
			ID: "org-1", Title: "Acme",
			Members: []MemberSeed{
				{ID: "user-1", DisplayName: "Docs Reviewer", Email: "reviewer@example.com"},
				{ID: "bot-1", DisplayName: "gitbook-sync", Email: "bot@example.com"},
			},
			Spaces: []SpaceSeed{{ID: "space-1", Title: "Docs"}},
		}},
	}
}

var entityID = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,100}$`)

// LoadSeed reads a seed (or saved state) file strictly: every unknown key
// and every value of the wrong kind is reported as file:line:col, with the
// keys that are valid there.
func LoadSeed(path string) (Seed, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Seed{}, fmt.Errorf("read emulator state: %w", err)
	}
	return ParseSeed(data, path)
}

// ParseSeed is LoadSeed on bytes; name is the file name in messages.
func ParseSeed(data []byte, name string) (Seed, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Seed{}, yamlError(name, err)
	}
	var s Seed
	if len(doc.Content) == 0 {
		return s, diag.Errorf(name, 0, 0, "the file is empty; it needs at least a token")
	}
	var problems diag.List
	checkNode(name, &doc, reflect.TypeOf(s), "", &problems)
	if err := problems.Err(); err != nil {
		return Seed{}, err
	}
	if err := doc.Decode(&s); err != nil {
		return Seed{}, yamlError(name, err)
	}
	if err := s.validate(); err != nil {
		return Seed{}, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// yamlError is a YAML error as a diagnostic at the position the parser
// reports (content.YAMLError), its message cut: it may quote the input.
func yamlError(name string, err error) error {
	d := content.YAMLError(name, err)
	d.Message = cutMessage(d.Message)
	return d
}

func (s Seed) validate() error {
	if s.Token == "" {
		return errors.New("token: required (the bearer token clients must send)")
	}
	ids := map[string]bool{}
	check := func(kind, id string) error {
		if !entityID.MatchString(id) {
			return fmt.Errorf("%s id %s: want 1 to 100 letters, digits, '-' or '_'", kind, gitformat.QuoteCut(id))
		}
		if ids[kind+id] {
			return fmt.Errorf("%s id %s is used twice", kind, gitformat.QuoteCut(id))
		}
		ids[kind+id] = true
		return nil
	}
	for _, o := range s.Organizations {
		if err := check("organization", o.ID); err != nil {
			return err
		}
		for _, m := range o.Members {
			if err := check("member", m.ID); err != nil {
				return err
			}
		}
		for _, sp := range o.Spaces {
			if err := check("space", sp.ID); err != nil {
				return err
			}
			switch sp.GitSync {
			case "", "none":
				if sp.Repository != nil {
					return fmt.Errorf("space %s: repository is GitBook's Git Sync setup; set gitSync: github or gitlab to use it", gitformat.QuoteCut(sp.ID))
				}
			case "github", "gitlab":
				if sp.Repository == nil || sp.Repository.URL == "" || sp.Repository.Branch == "" {
					return fmt.Errorf("space %s: gitSync %s needs repository: {url, branch, directory}, the repository GitBook's Git Sync is set up on", sp.ID, sp.GitSync)
				}
			default:
				return fmt.Errorf("space %s: gitSync %s: want none, github or gitlab", gitformat.QuoteCut(sp.ID), gitformat.QuoteCut(sp.GitSync))
			}
		}
	}
	return nil
}

// State is what the emulator saves beside its seed: everything it holds.
type State struct {
	Seq    int          `yaml:"seq"`
	Spaces []SpaceState `yaml:"spaces"`
	Specs  []SpecState  `yaml:"openapi,omitempty"`
}

// SpaceState is a space's content and history.
type SpaceState struct {
	ID             string            `yaml:"id"`
	Current        string            `yaml:"current"`
	ContentDir     string            `yaml:"contentDir,omitempty"`
	LastOpAt       time.Time         `yaml:"lastOpAt,omitempty"`
	Operation      *gitOperation     `yaml:"operation,omitempty"`
	SyncSeen       string            `yaml:"syncSeen,omitempty"`
	IDs            map[string]string `yaml:"ids,omitempty"`
	Revisions      []RevisionState   `yaml:"revisions"`
	ChangeRequests []CRState         `yaml:"changeRequests,omitempty"`
	CreatedAt      time.Time         `yaml:"createdAt"`
	UpdatedAt      time.Time         `yaml:"updatedAt"`
}

// RevisionState is one revision.
type RevisionState struct {
	ID         string      `yaml:"id"`
	Type       string      `yaml:"type"`
	Parents    []string    `yaml:"parents,omitempty"`
	MergedFrom string      `yaml:"mergedFrom,omitempty"`
	CreatedAt  time.Time   `yaml:"createdAt"`
	Git        *gitCommit  `yaml:"git,omitempty"`
	Pages      []PageState `yaml:"pages,omitempty"`
	Files      []FileState `yaml:"files,omitempty"`
}

// PageState is one page.
type PageState struct {
	ID          string                   `yaml:"id"`
	Kind        string                   `yaml:"kind"`
	Title       string                   `yaml:"title"`
	LinkTitle   string                   `yaml:"linkTitle,omitempty"`
	Slug        string                   `yaml:"slug,omitempty"`
	FrontMatter string                   `yaml:"frontMatter,omitempty"`
	Fields      gitformat.Fields         `yaml:"fields,omitempty"`
	CoverFile   string                   `yaml:"coverFile,omitempty"`
	Document    string                   `yaml:"document,omitempty"`
	Refs        map[string]gitformat.Ref `yaml:"refs,omitempty"`
	Target      *gitformat.Target        `yaml:"target,omitempty"`
	Computed    string                   `yaml:"computed,omitempty"`
	GitPath     string                   `yaml:"gitPath,omitempty"`
	GitOID      string                   `yaml:"gitOid,omitempty"`
	Source      gitformat.Source         `yaml:"source,omitempty"`
	Pages       []PageState              `yaml:"pages,omitempty"`
}

// FileState is one file; Data is base64.
type FileState struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	ContentType string `yaml:"contentType"`
	Data        string `yaml:"data,omitempty"`
	URL         string `yaml:"url,omitempty"`
	GitPath     string `yaml:"gitPath,omitempty"`
}

// CRState is one change request.
type CRState struct {
	ID              string `yaml:"id"`
	Number          int    `yaml:"number"`
	Subject         string `yaml:"subject"`
	Status          string `yaml:"status"`
	Revision        string `yaml:"revision"`
	RevisionInitial string `yaml:"revisionInitial"`
	RevisionMerged  string `yaml:"revisionMerged,omitempty"`
	// MergedAncestor is revisionMergedAncestor: the live revision the
	// change request was last brought up to date with.
	MergedAncestor string   `yaml:"revisionMergedAncestor,omitempty"`
	Links          []crLink `yaml:"links,omitempty"`
	// Description is the change request's JSONDocument, as JSON.
	Description string            `yaml:"description,omitempty"`
	CreatedBy   string            `yaml:"createdBy"`
	CreatedAt   time.Time         `yaml:"createdAt"`
	UpdatedAt   time.Time         `yaml:"updatedAt"`
	MergedAt    *time.Time        `yaml:"mergedAt,omitempty"`
	Reviewers   []reviewerRequest `yaml:"reviewers,omitempty"`
	Reviews     []review          `yaml:"reviews,omitempty"`
}

// SpecState is one OpenAPI specification of an organization.
type SpecState struct {
	Org         string        `yaml:"org"`
	ID          string        `yaml:"id"`
	Slug        string        `yaml:"slug"`
	State       string        `yaml:"state"`
	ErrorCode   string        `yaml:"errorCode,omitempty"`
	Errors      []specError   `yaml:"errors,omitempty"`
	Versions    []specVersion `yaml:"versions,omitempty"`
	SourceURL   string        `yaml:"sourceURL,omitempty"`
	CreatedAt   time.Time     `yaml:"createdAt"`
	UpdatedAt   time.Time     `yaml:"updatedAt"`
	ProcessedAt *time.Time    `yaml:"processedAt,omitempty"`
}

// snapshot is the server's state, s.mu held. Only revisions something
// points at are kept: the live one and those of change requests.
func (s *Server) snapshot() *State {
	st := &State{Seq: s.seq}
	for _, id := range sortedKeys(s.spaces) {
		sp := s.spaces[id]
		ss := SpaceState{ID: sp.ID, Current: sp.Current, ContentDir: sp.contentDir, LastOpAt: sp.lastOpAt, Operation: sp.Op,
			IDs: sp.pathIDs, CreatedAt: sp.CreatedAt, UpdatedAt: sp.UpdatedAt}
		if sp.sync != nil {
			ss.SyncSeen = sp.sync.seen
		}
		keep := map[string]bool{sp.Current: true}
		for _, cr := range sp.CRs {
			keep[cr.Revision], keep[cr.RevisionInitial], keep[cr.base()] = true, true, true
			if cr.RevisionMerged != "" {
				keep[cr.RevisionMerged] = true
			}
			ss.ChangeRequests = append(ss.ChangeRequests, CRState{ID: cr.ID, Number: cr.Number, Subject: cr.Subject, Status: cr.Status,
				Revision: cr.Revision, RevisionInitial: cr.RevisionInitial, RevisionMerged: cr.RevisionMerged,
				MergedAncestor: cr.RevisionMergedAncestor, Links: cr.Links, Description: string(cr.Description),
				CreatedBy: cr.CreatedBy, CreatedAt: cr.CreatedAt, UpdatedAt: cr.UpdatedAt, MergedAt: cr.MergedAt,
				Reviewers: cr.Reviewers, Reviews: cr.Reviews})
		}
		for _, rid := range sortedKeys(sp.Revisions) {
			if !keep[rid] {
				continue
			}
			rev := sp.Revisions[rid]
			rs := RevisionState{ID: rev.ID, Type: rev.Type, Parents: rev.Parents, MergedFrom: rev.MergedFrom, CreatedAt: rev.CreatedAt,
				Git: rev.Git, Pages: pageStates(rev.Pages)}
			for _, f := range rev.Files {
				rs.Files = append(rs.Files, FileState{ID: f.ID, Name: f.Name, ContentType: f.ContentType,
					Data: base64.StdEncoding.EncodeToString(f.Data), URL: f.URL, GitPath: f.GitPath})
			}
			ss.Revisions = append(ss.Revisions, rs)
		}
		st.Spaces = append(st.Spaces, ss)
	}
	for _, oid := range sortedKeys(s.orgs) {
		org := s.orgs[oid]
		for _, slug := range sortedKeys(org.Specs) {
			sp := org.Specs[slug]
			ss := SpecState{Org: org.ID, ID: sp.ID, Slug: sp.Slug, State: sp.State, ErrorCode: sp.ErrorCode, Errors: sp.Errors,
				SourceURL: sp.SourceURL, CreatedAt: sp.CreatedAt, UpdatedAt: sp.UpdatedAt, ProcessedAt: sp.ProcessedAt}
			for _, v := range sp.Versions {
				ss.Versions = append(ss.Versions, *v)
			}
			st.Specs = append(st.Specs, ss)
		}
	}
	return st
}

func pageStates(list []*page) []PageState {
	var out []PageState
	for _, p := range list {
		ps := PageState{ID: p.ID, Kind: p.Kind, Title: p.Title, LinkTitle: p.LinkTitle, Slug: p.Slug, FrontMatter: p.Meta.Raw,
			Fields: p.Meta.Fields, Document: p.Document, Refs: p.Refs, Target: p.Target, Computed: p.Computed,
			GitPath: p.GitPath, GitOID: p.GitOID, Source: p.Source, Pages: pageStates(p.Children)}
		if p.Meta.Cover != nil {
			ps.CoverFile = p.Meta.Cover.File
		}
		out = append(out, ps)
	}
	return out
}

func restorePages(list []PageState) ([]*page, error) {
	var out []*page
	for _, ps := range list {
		meta, err := gitformat.RestoreMeta(ps.FrontMatter, ps.Fields, ps.CoverFile)
		if err != nil {
			return nil, fmt.Errorf("page %s: %w", ps.ID, err)
		}
		p := &page{ID: ps.ID, Kind: ps.Kind, Title: ps.Title, LinkTitle: ps.LinkTitle, Slug: ps.Slug, Meta: meta,
			Document: ps.Document, Refs: ps.Refs, Target: ps.Target, Computed: ps.Computed, GitPath: ps.GitPath,
			GitOID: ps.GitOID, Source: ps.Source}
		if p.Children, err = restorePages(ps.Pages); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// restore puts a saved state back, s.mu held.
func (s *Server) restore(st *State) error {
	s.seq = st.Seq
	for _, ss := range st.Spaces {
		sp := s.spaces[ss.ID]
		if sp == nil {
			return fmt.Errorf("state: space %s is not in the seed", gitformat.QuoteCut(ss.ID))
		}
		sp.Current, sp.contentDir, sp.lastOpAt, sp.Op = ss.Current, ss.ContentDir, ss.LastOpAt, ss.Operation
		sp.CreatedAt, sp.UpdatedAt = ss.CreatedAt, ss.UpdatedAt
		if ss.IDs != nil {
			sp.pathIDs = ss.IDs
		}
		if sp.sync != nil {
			sp.sync.seen = ss.SyncSeen
		}
		sp.Revisions = map[string]*revision{}
		for _, rs := range ss.Revisions {
			pages, err := restorePages(rs.Pages)
			if err != nil {
				return fmt.Errorf("state: space %s: %w", ss.ID, err)
			}
			rev := &revision{ID: rs.ID, Type: rs.Type, Parents: rs.Parents, MergedFrom: rs.MergedFrom, CreatedAt: rs.CreatedAt, Git: rs.Git, Pages: pages}
			if rev.Parents == nil {
				rev.Parents = []string{}
			}
			for _, fs := range rs.Files {
				data, err := base64.StdEncoding.DecodeString(fs.Data)
				if err != nil {
					return fmt.Errorf("state: file %s: %w", fs.ID, err)
				}
				if fs.URL != "" && len(data) == 0 {
					data = nil
				}
				rev.Files = append(rev.Files, &file{ID: fs.ID, Name: fs.Name, ContentType: fs.ContentType, Data: data, URL: fs.URL, GitPath: fs.GitPath})
			}
			sp.Revisions[rev.ID] = rev
		}
		if sp.Revisions[sp.Current] == nil {
			return fmt.Errorf("state: space %s: current revision %s is not saved", ss.ID, gitformat.QuoteCut(sp.Current))
		}
		sp.CRs = nil
		for _, c := range ss.ChangeRequests {
			cr := &changeRequest{ID: c.ID, Number: c.Number, Subject: c.Subject, Status: c.Status, Revision: c.Revision,
				RevisionInitial: c.RevisionInitial, RevisionMerged: c.RevisionMerged, RevisionMergedAncestor: c.MergedAncestor,
				Links: c.Links, CreatedBy: c.CreatedBy,
				CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, MergedAt: c.MergedAt, Reviewers: c.Reviewers, Reviews: c.Reviews}
			for _, rid := range []string{cr.Revision, cr.base()} {
				if sp.Revisions[rid] == nil {
					return fmt.Errorf("state: space %s: change request %s: revision %s is not saved", ss.ID, gitformat.QuoteCut(c.ID), gitformat.QuoteCut(rid))
				}
			}
			if c.Description != "" {
				d, err := checkDocument(json.RawMessage(c.Description))
				if err != nil {
					return fmt.Errorf("state: space %s: change request %s: description: %w", ss.ID, gitformat.QuoteCut(c.ID), err)
				}
				cr.Description = d
			}
			sp.CRs = append(sp.CRs, cr)
		}
	}
	for _, ss := range st.Specs {
		org := s.orgs[ss.Org]
		if org == nil {
			return fmt.Errorf("state: organization %s is not in the seed", gitformat.QuoteCut(ss.Org))
		}
		sp := &spec{ID: ss.ID, Slug: ss.Slug, State: ss.State, ErrorCode: ss.ErrorCode, Errors: ss.Errors, SourceURL: ss.SourceURL,
			CreatedAt: ss.CreatedAt, UpdatedAt: ss.UpdatedAt, ProcessedAt: ss.ProcessedAt}
		for _, v := range ss.Versions {
			sp.Versions = append(sp.Versions, &v)
		}
		org.Specs[sp.Slug] = sp
	}
	return nil
}

// changed saves the state when the server persists it (s.mu held). A save
// that fails is reported through Options.Log and tried again at the next
// change.
func (s *Server) changed() {
	if s.opts.StateFile == "" {
		return
	}
	seed := s.seed
	seed.State = s.snapshot()
	if err := writeAtomically(s.opts.StateFile, seed); err != nil && s.opts.Log != nil {
		fmt.Fprintf(s.opts.Log, "emulator: save state: %v\n", err)
	}
}

// writeAtomically writes v as YAML to a temporary file beside path and
// renames it over path, so that a reader never sees half a state.
func writeAtomically(path string, v any) error {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
