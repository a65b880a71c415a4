// Package sync compares a repository with a GitBook space, decides what to
// do, and does it: import, export, or stop with a reason. Data flows one
// way: the command line builds Options and calls Run; Run uses the GitBook
// client, the content format and the repository, and returns Results that
// the report package renders.
package sync

import (
	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/openapi"
)

// State is how the repository and the space relate.
type State string

// States.
const (
	InSync           State = "in sync"
	RepoAhead        State = "repo ahead"
	SpaceAhead       State = "space ahead"
	Diverged         State = "diverged"
	NeverSynced      State = "never synced"
	OperationRunning State = "operation running"
	Unknown          State = "unknown" // the space could not be read
)

// Decision is what gitbook-sync does about a state.
type Decision string

// Decisions.
const (
	Nothing         Decision = "nothing"
	DoImport        Decision = "import"
	DoExport        Decision = "export"
	DoChangeRequest Decision = "change-request"
	DoMerge         Decision = "merge change request"
	DoArchive       Decision = "archive change request"
	DoPreview       Decision = "preview"
	Stop            Decision = "stop"
)

// Outcome is what happened.
type Outcome string

// Outcomes.
const (
	Planned   Outcome = "planned"   // dry run: nothing written
	Unchanged Outcome = "unchanged" // nothing to do
	Imported  Outcome = "imported"
	Exported  Outcome = "exported"
	Proposed  Outcome = "proposed" // a change request was created or updated
	Merged    Outcome = "merged"
	Archived  Outcome = "archived"
	Previewed Outcome = "preview built"
	Stopped   Outcome = "stopped" // a person must act; nothing written
	Failed    Outcome = "failed"
)

// Result is the outcome for one space.
type Result struct {
	Space        string        `json:"space"`
	Path         string        `json:"path"`
	Branch       string        `json:"branch"`
	State        State         `json:"state"`
	Connected    bool          `json:"connected"`
	Provider     string        `json:"provider,omitempty"`
	Revision     string        `json:"revision,omitempty"`
	RevisionURL  string        `json:"revisionUrl,omitempty"`
	SyncedCommit string        `json:"syncedCommit,omitempty"`
	Head         string        `json:"head,omitempty"`
	Decision     Decision      `json:"decision"`
	Reason       string        `json:"reason"`
	Diff         *content.Diff `json:"diff,omitempty"`
	// DiffSource says what the diff compares: "git" (two commits) or "api"
	// (GitBook's pages against the repository, when history is missing).
	DiffSource string `json:"diffSource,omitempty"`
	// SpaceDiff is what GitBook's side changed since the common commit,
	// when both sides moved.
	SpaceDiff     *content.Diff         `json:"spaceDiff,omitempty"`
	Outcome       Outcome               `json:"outcome"`
	NewRevision   string                `json:"newRevision,omitempty"`
	NewCommit     string                `json:"newCommit,omitempty"`
	ChangeRequest *changerequest.Result `json:"changeRequest,omitempty"`
	// OpenAPI lists the specs handled with this space.
	OpenAPI []*openapi.Result `json:"openapi,omitempty"`
	Error   string            `json:"error,omitempty"`
	// HTTPStatus is GitBook's status when an API call failed, else 0.
	HTTPStatus int      `json:"httpStatus,omitempty"`
	Warnings   []string `json:"warnings,omitempty"`
	Duration   string   `json:"duration,omitempty"`
}

func shortHash(h string) string {
	if len(h) > 7 {
		return h[:7]
	}
	return h
}
