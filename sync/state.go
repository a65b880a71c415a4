// Package sync compares a repository with a GitBook space, decides what to
// do, and does it: import, export, a change request or a preview for a
// pull request, or stop with a reason. Data flows one way: the command
// line builds Options and calls Run; Run uses the GitBook client, the
// changerequest package, the content format and the repository, and
// returns Results that the report package renders.
package sync

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
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
	// DoFollow waits for the import GitBook's own Git Sync makes of a push.
	DoFollow Decision = "follow GitBook's import"
	Stop     Decision = "stop"
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

// Result is the outcome for one space. It is also the one JSON shape of
// a run (`--json` and the Action's `results` output), so its keys are
// snake_case and stable.
type Result struct {
	Space  string `json:"space"`
	Path   string `json:"path"`
	Branch string `json:"branch,omitempty"`
	// Event is what the run was for; Subject names it ("pull request #7",
	// "merge request !7", "branch fix").
	Event        Event    `json:"event,omitempty"`
	Subject      string   `json:"subject,omitempty"`
	State        State    `json:"state"`
	Connected    bool     `json:"connected"`
	Provider     string   `json:"provider,omitempty"`
	Revision     string   `json:"revision,omitempty"`
	RevisionURL  string   `json:"revision_url,omitempty"`
	SyncedCommit string   `json:"synced_commit,omitempty"`
	Head         string   `json:"head,omitempty"`
	Decision     Decision `json:"decision"`
	// Reasons explain the state and the decision, one sentence each, in
	// the order they were found.
	Reasons []string      `json:"reasons,omitempty"`
	Diff    *content.Diff `json:"diff,omitempty"`
	// DiffSource says what the diff compares: "git" (two commits) or "api"
	// (GitBook's pages against the repository, when history is missing).
	DiffSource string `json:"diff_source,omitempty"`
	// SpaceDiff is what GitBook's side changed since the common commit,
	// when both sides moved.
	SpaceDiff     *content.Diff         `json:"space_diff,omitempty"`
	Outcome       Outcome               `json:"outcome"`
	NewRevision   string                `json:"new_revision,omitempty"`
	NewCommit     string                `json:"new_commit,omitempty"`
	ChangeRequest *changerequest.Result `json:"change_request,omitempty"`
	// Finished are the change requests of pull requests this push merged,
	// archived or merged so none outlives its pull request.
	Finished []*changerequest.Result `json:"finished_change_requests,omitempty"`
	// OpenAPI lists the specs handled with this space.
	OpenAPI []*openapi.Result `json:"openapi,omitempty"`
	// Err is why the space failed; nil unless Outcome is Failed. It is
	// written to JSON as "error", masked.
	Err error `json:"-"`
	// HTTPStatus is GitBook's status when an API call failed, else 0.
	HTTPStatus int `json:"http_status,omitempty"`
	// Diagnostics are problems found in the repository's files
	// (configuration, SUMMARY.md, specs), each with its place.
	Diagnostics []diag.Diagnostic `json:"diagnostics,omitempty"`
	Duration    time.Duration     `json:"-"`
}

// Reason joins the reasons into one paragraph, for one-line displays.
func (r Result) Reason() string { return strings.Join(r.Reasons, "; ") }

// ErrorText is the failure's message, or "".
func (r Result) ErrorText() string {
	if r.Err == nil {
		return ""
	}
	return r.Err.Error()
}

// addReason appends a reason when it says something.
func (r *Result) addReason(s string) {
	if s != "" {
		r.Reasons = append(r.Reasons, s)
	}
}

// MarshalJSON writes Err as "error" and Duration in milliseconds.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	return json.Marshal(struct {
		plain
		Error      string `json:"error,omitempty"`
		DurationMS int64  `json:"duration_ms,omitempty"`
	}{plain(r), r.ErrorText(), r.Duration.Milliseconds()})
}

func shortHash(h string) string {
	if len(h) > 7 {
		return h[:7]
	}
	return h
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return first
}
