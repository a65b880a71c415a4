package gitbook

import (
	"encoding/json"
	"time"
)

// GitInfo is the Git Sync state of a space (GET /spaces/{id}/git/info).
type GitInfo struct {
	RepoName             string        `json:"repoName,omitempty"`
	InstallationStatus   string        `json:"installationStatus"`
	InstallationProvider string        `json:"installationProvider"`
	InstallationID       string        `json:"installationId"`
	URL                  string        `json:"url,omitempty"`
	Operation            *GitOperation `json:"operation,omitempty"`
	OperationTimeout     int           `json:"operationTimeout,omitempty"`
	UpdatedAt            *time.Time    `json:"updatedAt,omitempty"`
}

// Git operation states and directions, as GitBook names them.
const (
	OperationRunning = "running"
	OperationSuccess = "success"
	OperationFailure = "failure"
	OperationTimeout = "timeout"

	DirectionImport = "import"
	DirectionExport = "export"
)

// GitOperation is the latest import or export on a space.
type GitOperation struct {
	State     string     `json:"state"`
	Direction string     `json:"direction"`
	StartedAt time.Time  `json:"startedAt"`
	EndedAt   *time.Time `json:"endedAt,omitempty"`
	Error     string     `json:"error,omitempty"`
}

// ImportRequest is the body of POST /spaces/{id}/git/import.
type ImportRequest struct {
	URL                  string     `json:"url"`
	Ref                  string     `json:"ref"`
	RepoTreeURL          string     `json:"repoTreeURL,omitempty"`
	RepoCommitURL        string     `json:"repoCommitURL,omitempty"`
	RepoProjectDirectory string     `json:"repoProjectDirectory,omitempty"`
	Timestamp            *time.Time `json:"timestamp,omitempty"`
	Force                bool       `json:"force,omitempty"`
	Standalone           bool       `json:"standalone,omitempty"`
}

// ExportRequest is the body of POST /spaces/{id}/git/export.
type ExportRequest struct {
	URL                  string     `json:"url"`
	Ref                  string     `json:"ref"`
	CommitMessage        string     `json:"commitMessage"`
	RepoTreeURL          string     `json:"repoTreeURL,omitempty"`
	RepoCommitURL        string     `json:"repoCommitURL,omitempty"`
	RepoProjectDirectory string     `json:"repoProjectDirectory,omitempty"`
	Timestamp            *time.Time `json:"timestamp,omitempty"`
	Force                bool       `json:"force,omitempty"`
}

// Revision is a version of a space's content.
type Revision struct {
	Object     string         `json:"object"`
	ID         string         `json:"id"`
	Type       string         `json:"type"`
	Parents    []string       `json:"parents"`
	Pages      []Page         `json:"pages"`
	Files      []File         `json:"files"`
	Git        *GitCommit     `json:"git,omitempty"`
	CreatedAt  time.Time      `json:"createdAt"`
	URLs       URLs           `json:"urls"`
	MergedFrom *ChangeRequest `json:"mergedFrom,omitempty"`
}

// GitCommit is the commit a revision came from or was exported to.
type GitCommit struct {
	OID              string `json:"oid"`
	Message          string `json:"message"`
	CreatedByGitBook bool   `json:"createdByGitBook"`
	Ref              string `json:"ref,omitempty"`
	URL              string `json:"url,omitempty"`
}

// URLs holds the links GitBook gives for an object.
type URLs struct {
	App      string `json:"app,omitempty"`
	Location string `json:"location,omitempty"`
}

// Page types.
const (
	PageDocument = "document"
	PageGroup    = "group"
	PageLink     = "link"
)

// Page is a node of a revision's page tree.
type Page struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Type        string   `json:"type"`
	Slug        string   `json:"slug,omitempty"`
	Path        string   `json:"path,omitempty"`
	Description string   `json:"description,omitempty"`
	Hidden      bool     `json:"hidden,omitempty"`
	Icon        string   `json:"icon,omitempty"`
	Emoji       string   `json:"emoji,omitempty"`
	Href        string   `json:"href,omitempty"`
	Pages       []Page   `json:"pages,omitempty"`
	Git         *GitBlob `json:"git,omitempty"`
	// Markdown is the body, present only in answers to getPageById and
	// getPageByPath with format=markdown: page lists never carry it.
	Markdown string `json:"markdown,omitempty"`
	URLs     URLs   `json:"urls,omitempty"`
}

// GitBlob locates a page or file in the repository.
type GitBlob struct {
	OID  string `json:"oid"`
	Path string `json:"path"`
}

// File is an uploaded file of a revision (images, attachments).
type File struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	ContentType string   `json:"contentType"`
	DownloadURL string   `json:"downloadURL"`
	Size        float64  `json:"size"`
	Git         *GitBlob `json:"git,omitempty"`
}

// Walk calls fn for each page in depth-first order, with its parent (nil at
// the root) and its index among its siblings.
func Walk(pages []Page, fn func(p *Page, parent *Page, index int)) {
	var walk func(list []Page, parent *Page)
	walk = func(list []Page, parent *Page) {
		for i := range list {
			fn(&list[i], parent, i)
			walk(list[i].Pages, &list[i])
		}
	}
	walk(pages, nil)
}

// Change request statuses.
const (
	CRDraft    = "draft"
	CROpen     = "open"
	CRArchived = "archived"
	CRMerged   = "merged"
)

// ChangeRequest is a proposed set of changes to a space.
type ChangeRequest struct {
	Object          string `json:"object"`
	ID              string `json:"id"`
	Number          int    `json:"number"`
	Status          string `json:"status"`
	Subject         string `json:"subject"`
	Space           string `json:"space"`
	Revision        string `json:"revision"`
	RevisionInitial string `json:"revisionInitial"`
	RevisionMerged  string `json:"revisionMerged,omitempty"`
	// RevisionMergedAncestor is the live revision the change request was
	// last brought up to date with (RebaseChangeRequest).
	RevisionMergedAncestor string `json:"revisionMergedAncestor,omitempty"`
	// Outdated: live content moved on since the change request was made
	// or last brought up to date.
	Outdated    bool                `json:"outdated"`
	CreatedAt   time.Time           `json:"createdAt"`
	UpdatedAt   time.Time           `json:"updatedAt"`
	MergedAt    *time.Time          `json:"mergedAt,omitempty"`
	URLs        URLs                `json:"urls"`
	Links       []ChangeRequestLink `json:"links,omitempty"`
	Description *Document           `json:"description,omitempty"`
	CreatedBy   *User               `json:"createdBy,omitempty"`
}

// Document is GitBook's JSON document (JSONDocument), here a change
// request's description. Data takes any keys; Nodes are the blocks shown.
type Document struct {
	Object string                     `json:"object"`
	Data   map[string]json.RawMessage `json:"data"`
	Nodes  []json.RawMessage          `json:"nodes"`
}

// Paragraph is a document block of plain text.
func Paragraph(text string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"object": "block", "type": "paragraph", "data": map[string]any{},
		"nodes": []any{map[string]any{"object": "text", "leaves": []any{map[string]any{"object": "leaf", "text": text, "marks": []any{}}}}}})
	return b
}

// ChangeRequestLink is an external link attached to a change request; the
// pull request's URL lives here, which is how a change request is found again.
type ChangeRequestLink struct {
	ID    string  `json:"id,omitempty"`
	Ref   LinkRef `json:"ref"`
	Title string  `json:"title,omitempty"`
}

// LinkRef is a URL content reference.
type LinkRef struct {
	Kind string `json:"kind"` // always "url"
	URL  string `json:"url"`
}

// NewLink makes a change request link to url.
func NewLink(url, title string) ChangeRequestLink {
	return ChangeRequestLink{Ref: LinkRef{Kind: "url", URL: url}, Title: title}
}

// ChangeRequestUpdate is the body of PATCH .../change-requests/{id}.
type ChangeRequestUpdate struct {
	Subject     *string             `json:"subject,omitempty"`
	Description *Document           `json:"description,omitempty"`
	Status      string              `json:"status,omitempty"`
	Links       []ChangeRequestLink `json:"links,omitempty"`
}

// Change is one operation of a change request content batch.
type Change struct {
	Operation   string          `json:"operation"`
	Page        string          `json:"page,omitempty"`
	Ref         string          `json:"ref,omitempty"`
	Title       string          `json:"title,omitempty"`
	Description *string         `json:"description,omitempty"`
	Slug        string          `json:"slug,omitempty"`
	Hidden      *bool           `json:"hidden,omitempty"`
	Icon        *string         `json:"icon,omitempty"`
	Emoji       *string         `json:"emoji,omitempty"`
	Into        json.RawMessage `json:"into,omitempty"`
	At          *int            `json:"at,omitempty"`
	Document    *Markdown       `json:"document,omitempty"`
	Files       []FileUpload    `json:"files,omitempty"`
}

// Change operations.
const (
	OpInsertPage  = "insert_page"
	OpUpdatePage  = "update_page"
	OpDeletePage  = "delete_page"
	OpInsertFiles = "insert_files"
)

// MaxChangesPerBatch is GitBook's limit on one content batch.
const MaxChangesPerBatch = 50

// Into returns the "into" value for a change: a page ID, or null for the root.
func Into(pageID string) json.RawMessage {
	if pageID == "" {
		return json.RawMessage("null")
	}
	b, _ := json.Marshal(pageID)
	return b
}

// Markdown is a document given as Markdown.
type Markdown struct {
	Markdown string `json:"markdown"`
}

// FileUpload is one file of an insert_files change.
type FileUpload struct {
	Name        string `json:"name"`
	Ref         string `json:"ref,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	Base64      string `json:"base64,omitempty"`
	URL         string `json:"url,omitempty"`
}

// ContentUpdate is the answer to a content batch with compat=false.
type ContentUpdate struct {
	ChangeRequest ChangeRequest   `json:"changeRequest"`
	Changes       []ContentChange `json:"changes"`
	InsertedFiles []File          `json:"insertedFiles,omitempty"`
}

// ContentChange is the outcome of a batch for one page.
type ContentChange struct {
	Object string          `json:"object"` // created_page, updated_page, deleted_page
	Ref    string          `json:"ref,omitempty"`
	Page   json.RawMessage `json:"page"` // an object with "id", or the ID itself for deleted pages
}

// PageID returns the ID of the page the change touched.
func (c ContentChange) PageID() string {
	var id string
	if json.Unmarshal(c.Page, &id) == nil {
		return id
	}
	var ref struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(c.Page, &ref)
	return ref.ID
}

// Merge results. MergeConflicts still merged: the live content may need
// conflicts resolved by hand.
const (
	MergeDone      = "merge"
	MergeConflicts = "conflicts" // of a merge or a rebase
	RebaseDone     = "update"
)

// MergeResult is the answer to a merge or a rebase: the revision made and
// how it went.
type MergeResult struct {
	Revision string `json:"revision"`
	Result   string `json:"result"`
}

// User is a GitBook user.
type User struct {
	Object      string `json:"object"`
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Email       string `json:"email,omitempty"`
}

// Member is a member of an organization.
type Member struct {
	ID   string  `json:"id"`
	Role *string `json:"role"`
	User User    `json:"user"`
}

// RequestedReviewer is a reviewer asked to review a change request.
type RequestedReviewer struct {
	Kind     string `json:"kind"`
	User     *User  `json:"user,omitempty"`
	Revision string `json:"revision"`
}

// Review statuses.
const (
	ReviewApproved         = "approved"
	ReviewChangesRequested = "changes-requested"
)

// Review is a submitted review of a change request.
type Review struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Revision string `json:"revision"`
	Outdated bool   `json:"outdated"`
	Reviewer User   `json:"reviewer"`
}

// OpenAPI processing states.
const (
	SpecPending  = "pending"
	SpecProgress = "progress"
	SpecComplete = "complete"
)

// OpenAPISpec is an OpenAPI specification published to an organization.
type OpenAPISpec struct {
	ID                      string         `json:"id"`
	Slug                    string         `json:"slug"`
	ProcessingState         string         `json:"processingState"`
	LastProcessErrorCode    string         `json:"lastProcessErrorCode,omitempty"`
	LastProcessedErrors     []OpenAPIError `json:"lastProcessedErrors,omitempty"`
	LastProcessedErrorCount int            `json:"lastProcessedErrorCount"`
	LastVersion             string         `json:"lastVersion,omitempty"`
	SourceURL               string         `json:"sourceURL,omitempty"`
	URLs                    URLs           `json:"urls"`
	UpdatedAt               time.Time      `json:"updatedAt"`
}

// OpenAPIError is a processing error GitBook found in a spec.
type OpenAPIError struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// OpenAPISpecVersion is one published version of a spec.
type OpenAPISpecVersion struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"createdAt"`
}

// OpenAPISource is what a spec version is made from: text or a URL.
type OpenAPISource struct {
	Text string `json:"text,omitempty"`
	URL  string `json:"url,omitempty"`
}

// OpenAPIRaw is the raw text of a spec's latest version.
type OpenAPIRaw struct {
	Text   string `json:"text"`
	Format string `json:"format"`
}

// Space is a GitBook space.
type Space struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Organization string `json:"organization"`
	Revision     string `json:"revision"`
	URLs         URLs   `json:"urls"`
}
