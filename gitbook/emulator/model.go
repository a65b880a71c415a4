package emulator

import (
	"time"
)

// page is the emulator's page; revisions own deep copies, so a revision
// once served never changes (apart from GitBook's mutable git metadata).
type page struct {
	ID          string
	Kind        string // document, group, link
	Title       string
	LinkTitle   string // sidebar title, from [title](file "link title")
	Slug        string
	Description string
	Hidden      bool
	Icon        string
	Emoji       string
	Href        string
	Markdown    string // body, without front matter
	GitPath     string // relative to the content root; "" for pages made in GitBook
	GitOID      string
	Children    []*page
}

func (p *page) clone() *page {
	c := *p
	c.Children = clonePages(p.Children)
	return &c
}

func clonePages(list []*page) []*page {
	if list == nil {
		return nil
	}
	out := make([]*page, len(list))
	for i, p := range list {
		out[i] = p.clone()
	}
	return out
}

// sameContent reports whether two versions of a page differ in what a
// person edits (not in position).
func sameContent(a, b *page) bool {
	return a.Title == b.Title && a.LinkTitle == b.LinkTitle && a.Description == b.Description && a.Hidden == b.Hidden &&
		a.Icon == b.Icon && a.Emoji == b.Emoji && a.Markdown == b.Markdown && a.Href == b.Href && a.Slug == b.Slug
}

type gitCommit struct {
	OID              string
	Message          string
	CreatedByGitBook bool
	Ref              string
}

type file struct {
	ID          string
	Name        string
	ContentType string
	Data        []byte
	GitPath     string
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
	State     string
	Direction string
	StartedAt time.Time
	EndedAt   *time.Time
	Error     string
}

type space struct {
	ID        string
	Title     string
	Org       string
	Provider  string // github, gitlab, or "" for none
	Current   string
	Revisions map[string]*revision
	// pathIDs keeps page IDs stable across imports of the same file.
	pathIDs   map[string]string
	Op        *gitOperation
	lastOpAt  time.Time
	CRs       []*changeRequest
	CreatedAt time.Time
	UpdatedAt time.Time
}

type changeRequest struct {
	ID              string
	Number          int
	Subject         string
	Status          string
	Space           string
	Revision        string
	RevisionInitial string
	RevisionMerged  string
	Links           []crLink
	CreatedBy       string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	MergedAt        *time.Time
	Reviewers       []reviewerRequest
	Reviews         []review
}

type crLink struct {
	ID    string
	URL   string
	Title string
}

type reviewerRequest struct {
	User      string
	By        string
	Revision  string
	CreatedAt time.Time
}

type review struct {
	ID        string
	Reviewer  string
	Status    string
	Revision  string
	CreatedAt time.Time
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

type specError struct{ Code, Message string }

type specVersion struct {
	ID        string
	Text      string
	Format    string
	URL       string
	CreatedAt time.Time
}
