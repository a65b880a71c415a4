package emulator

import (
	"cmp"
	"encoding/json"
	"time"

	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/gitformat"
)

// A page and a file are gitformat's: the emulator keeps its pages in the
// shape its Git import and export read and write.
type (
	page = gitformat.Page
	file = gitformat.File
)

func clonePages(list []*page) []*page { return gitformat.ClonePages(list) }

func walkPages(list []*page, fn func(*page)) {
	gitformat.Walk(list, func(p, _ *page) { fn(p) })
}

// sameContent reports whether two versions of a page differ in what a
// person edits (not in position).
func sameContent(a, b *page) bool {
	return a.Kind == b.Kind && a.Title == b.Title && a.LinkTitle == b.LinkTitle && a.Slug == b.Slug &&
		a.Meta.Fields == b.Meta.Fields && a.Meta.Raw == b.Meta.Raw && a.Document == b.Document &&
		sameTarget(a.Target, b.Target) && a.Computed == b.Computed
}

func sameTarget(a, b *gitformat.Target) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

type gitCommit struct {
	OID              string `yaml:"oid"`
	Message          string `yaml:"message,omitempty"`
	CreatedByGitBook bool   `yaml:"createdByGitBook,omitempty"`
	Ref              string `yaml:"ref,omitempty"`
}

type revision struct {
	ID         string
	Type       string // edits, merge, update
	Parents    []string
	Pages      []*page
	Files      []*file
	Git        *gitCommit // mutable, as GitBook's "git" metadata is
	CreatedAt  time.Time
	MergedFrom string // change request ID for merge revisions
}

type gitOperation struct {
	State     string     `yaml:"state"`
	Direction string     `yaml:"direction"`
	StartedAt time.Time  `yaml:"startedAt"`
	EndedAt   *time.Time `yaml:"endedAt,omitempty"`
	Error     string     `yaml:"error,omitempty"`
}

type space struct {
	ID        string
	Title     string
	Org       string
	Current   string
	Revisions map[string]*revision
	// pathIDs keeps page and file IDs stable across imports of the same file.
	pathIDs map[string]string
	// contentDir is where the content root was in the repository at the
	// last import or export: page git paths are given from the root.
	contentDir string
	Op         *gitOperation
	lastOpAt   time.Time
	CRs        []*changeRequest
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// sync is GitBook's own Git Sync, when the seed installs it.
	sync *gitSync
}

type changeRequest struct {
	ID              string
	Number          int
	Subject         string
	Status          string
	Revision        string
	RevisionInitial string
	// RevisionMergedAncestor is the live revision the change request was
	// last brought up to date with (updateChangeRequest); its changes are
	// counted from there on.
	RevisionMergedAncestor string
	RevisionMerged         string
	Links                  []crLink
	// Description is the JSONDocument given, kept as sent: its data may
	// carry any keys, which API clients read back.
	Description json.RawMessage
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	MergedAt    *time.Time
	Reviewers   []reviewerRequest
	Reviews     []review
}

// base is the revision the change request's own changes are counted
// from: where it started, or the live revision it was last brought up to
// date with.
func (cr *changeRequest) base() string { return cmp.Or(cr.RevisionMergedAncestor, cr.RevisionInitial) }

// outdated: live content moved on since the change request's base, so
// it does not show the latest changes merged there (only while it can
// still be merged).
func (cr *changeRequest) outdated(sp *space) bool {
	return (cr.Status == "open" || cr.Status == "draft") && cr.base() != sp.Current
}

type crLink struct {
	ID    string `yaml:"id"`
	URL   string `yaml:"url"`
	Title string `yaml:"title,omitempty"`
}

type reviewerRequest struct {
	User      string    `yaml:"user"`
	By        string    `yaml:"by"`
	Revision  string    `yaml:"revision"`
	CreatedAt time.Time `yaml:"createdAt"`
}

type review struct {
	ID        string    `yaml:"id"`
	Reviewer  string    `yaml:"reviewer"`
	Status    string    `yaml:"status"`
	Revision  string    `yaml:"revision"`
	CreatedAt time.Time `yaml:"createdAt"`
}

type member struct {
	ID, DisplayName, Email, Role string
	JoinedAt                     time.Time
}

type organization struct {
	ID, Title string
	Members   []*member
	Specs     map[string]*spec
}

type spec struct {
	ID          string
	Slug        string
	State       string // pending, progress, complete
	ErrorCode   string
	Errors      []specError
	Versions    []*specVersion // newest last
	SourceURL   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ProcessedAt *time.Time
}

type specError struct {
	Code    string `yaml:"code,omitempty"`
	Message string `yaml:"message"`
}

type specVersion struct {
	ID        string    `yaml:"id"`
	Text      string    `yaml:"text"`
	Format    string    `yaml:"format"`
	URL       string    `yaml:"url,omitempty"`
	CreatedAt time.Time `yaml:"createdAt"`
}
