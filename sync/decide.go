package sync

import (
	"cmp"
	"fmt"

	"github.com/gitbook-sync/gitbook-sync/config"
)

// Event is what the run is for.
type Event string

// Events.
const (
	// EventPush: a push to the source-of-truth branch (or a local run on it).
	EventPush Event = "push"
	// EventBranch: a push to another branch that has no open pull request.
	EventBranch Event = "branch push"
	// EventOpen, EventMerged, EventClosed: a pull (merge) request that is
	// open, merged, or closed without merging.
	EventOpen   Event = "pull request open"
	EventMerged Event = "pull request merged"
	EventClosed Event = "pull request closed"
)

// Events lists every event, for tables.
var Events = []Event{EventPush, EventBranch, EventOpen, EventMerged, EventClosed}

// situation is everything decide looks at: what inspect learned and how
// the run was started.
type situation struct {
	State State
	Mode  string // a config mode; "" is auto
	Event Event
	Force bool
	// Preview: the space builds standalone previews of pull requests.
	Preview bool
	// GitSync: GitBook's own Git Sync is installed on the space, so GitBook
	// imports pushes and exports its edits itself.
	GitSync bool
	// BaseKnown: both sides moved and the commit they share is known, so
	// the repository's own changes can be told from GitBook's.
	BaseKnown bool
	// Unrecorded: GitBook's content equals HEAD but the space records no
	// commit (a change request was merged in GitBook).
	Unrecorded bool
	// Live: the merged pull request's content is already live, brought by
	// an import of the commit that merged it.
	Live bool
	// Subject names what the run is for in reasons: "pull request #7",
	// "merge request !7", "branch docs-fix".
	Subject string
	// Source is the source-of-truth branch, for reasons.
	Source string
}

// decide turns a situation into a decision and, when it is not the obvious
// one, the reason. It reads nothing and writes nothing.
func decide(s situation) (Decision, string) {
	mode := cmp.Or(s.Mode, config.ModeAuto)
	subject := cmp.Or(s.Subject, "the pull request")
	if s.Event == EventClosed {
		// Whatever the space is doing: nothing else will archive it.
		return DoArchive, subject + " was closed without merging: its change request is archived"
	}
	if s.State == OperationRunning {
		return Stop, "wait for GitBook's operation to finish, then run again"
	}
	switch s.Event {
	case EventMerged:
		switch {
		case s.Live:
			return DoArchive, subject + " landed and its content is already live (imported with the commit that merged it): its change request is archived"
		case s.GitSync:
			return DoArchive, subject + " landed; GitBook's Git Sync imports the commit that merged it, so its change request is archived"
		case mode == config.ModeImport:
			return DoArchive, subject + " landed; in import mode the push imports it, so its change request is archived"
		}
		return DoMerge, subject + " landed: its change request is merged"
	case EventOpen:
		if s.Preview {
			return DoPreview, subject + " gets a standalone preview revision; live content is not touched"
		}
		return DoChangeRequest, subject + " is proposed to GitBook as a change request"
	case EventBranch:
		if mode == config.ModeChangeRequest {
			return DoChangeRequest, subject + " is proposed to GitBook as a change request (mode change-request)"
		}
		return Nothing, fmt.Sprintf("%s is not the source branch (%s): only pushes to %s are imported. Open a pull request to propose it as a change request, or run with --mode change-request",
			subject, cmp.Or(s.Source, "unknown"), cmp.Or(s.Source, "the source branch"))
	}
	if s.GitSync {
		return decideBesideGitSync(s, mode)
	}
	return decidePush(s, mode)
}

// decidePush decides for the source branch when gitbook-sync drives the
// sync itself through the API.
func decidePush(s situation, mode string) (Decision, string) {
	switch s.State {
	case InSync:
		if s.Force && mode == config.ModeImport {
			return DoImport, "forced"
		}
		if s.Unrecorded && mode != config.ModeExport {
			return DoImport, "importing records HEAD as the space's commit, so later pushes compare by history"
		}
		return Nothing, ""
	}
	switch mode {
	case config.ModeImport:
		switch s.State {
		case Diverged, SpaceAhead:
			if s.Force {
				return DoImport, "--force: GitBook's edits will be overwritten by the repository"
			}
			return Stop, "importing would overwrite GitBook's edits; merge them into the repository first, or run with --force to overwrite them"
		}
		return DoImport, ""
	case config.ModeExport:
		switch s.State {
		case NeverSynced:
			return Stop, "the space is empty: there is nothing to export"
		case RepoAhead:
			if s.Force {
				return DoExport, "--force: the repository's newer commits will be overwritten by GitBook's content"
			}
			return Stop, "the repository has commits GitBook does not have; exporting would overwrite them. Import first, or run with --force"
		case SpaceAhead:
			return Stop, "GitBook already exported its content; pull it into this checkout"
		}
		return DoExport, ""
	case config.ModeChangeRequest:
		if s.State == Diverged && !s.BaseKnown {
			return Stop, "the space was edited in GitBook and its last synced commit is unknown: the repository's changes cannot be told apart from GitBook's"
		}
		if s.State == SpaceAhead {
			return Stop, "pull GitBook's commit into this branch (git pull), then run again"
		}
		return DoChangeRequest, ""
	}
	// auto
	switch s.State {
	case NeverSynced, RepoAhead:
		return DoImport, ""
	case SpaceAhead:
		return Stop, "pull GitBook's commit into this branch (git pull), then run again"
	case Diverged:
		if s.BaseKnown {
			return DoChangeRequest, "the repository's changes go to a change request for review; live content is not touched"
		}
		return Stop, "gitbook-sync never overwrites GitBook edits: bring them into the repository (mode: export to a branch, or copy them by hand), or open a pull request to send the repository's changes as a change request"
	}
	return Stop, "unknown state"
}

// decideBesideGitSync decides for the source branch when GitBook's own Git
// Sync is installed: GitBook imports every push and exports its edits, so
// gitbook-sync never does either a second time (unless forced), and
// follows GitBook's import instead.
func decideBesideGitSync(s situation, mode string) (Decision, string) {
	forced := s.Force && mode == config.ModeImport
	switch s.State {
	case InSync:
		if forced {
			return DoImport, "forced"
		}
		return Nothing, ""
	case NeverSynced, RepoAhead:
		if forced {
			return DoImport, "--force: importing through the API as well as GitBook's Git Sync"
		}
		return DoFollow, "GitBook's Git Sync imports pushes itself: gitbook-sync follows its import instead of importing a second time"
	case SpaceAhead:
		return Nothing, "GitBook's Git Sync writes GitBook's edits to the branch itself; the next push brings them into the repository"
	case Diverged:
		if forced {
			return DoImport, "--force: GitBook's edits will be overwritten by the repository"
		}
		return Stop, "both sides changed and GitBook's Git Sync has not brought them together: check the space's Git Sync status in GitBook"
	}
	return Stop, "unknown state"
}
