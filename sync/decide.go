package sync

import (
	"fmt"

	"github.com/gitbook-sync/gitbook-sync/config"
)

// decide turns a state and a mode into a decision and, when it is not
// the obvious one, the reason.
func decide(state State, mode string, force bool, insp *inspection) (Decision, string) {
	if mode == "" {
		mode = config.ModeAuto
	}
	switch state {
	case InSync:
		if force && mode == config.ModeImport {
			return DoImport, "forced"
		}
		if insp.unrecorded && mode != config.ModeExport {
			return DoImport, "importing records HEAD as the space's commit, so later pushes compare by history"
		}
		return Nothing, ""
	case OperationRunning:
		return Stop, "wait for it to finish, then run again"
	}
	switch mode {
	case config.ModeImport:
		switch state {
		case Diverged, SpaceAhead:
			if force {
				return DoImport, "--force: GitBook's edits will be overwritten by the repository"
			}
			return Stop, "importing would overwrite GitBook's edits; merge them into the repository first, or run with --force to overwrite them"
		}
		return DoImport, ""
	case config.ModeExport:
		switch state {
		case NeverSynced:
			return Stop, "the space is empty: there is nothing to export"
		case RepoAhead:
			if force {
				return DoExport, "--force: the repository's newer commits will be overwritten by GitBook's content"
			}
			return Stop, "the repository has commits GitBook does not have; exporting would overwrite them. Import first, or run with --force"
		case SpaceAhead:
			return Stop, "GitBook already exported its content; pull it into this checkout"
		}
		return DoExport, ""
	case config.ModeChangeRequest:
		if state == Diverged && !insp.baseKnown {
			return Stop, "the space was edited in GitBook and its last synced commit is unknown: the repository's changes cannot be told apart from GitBook's"
		}
		if state == SpaceAhead {
			return Stop, "pull GitBook's commit into this branch (git pull), then run again"
		}
		return DoChangeRequest, ""
	}
	// auto
	switch state {
	case NeverSynced, RepoAhead:
		return DoImport, ""
	case SpaceAhead:
		return Stop, "pull GitBook's commit into this branch (git pull), then run again"
	case Diverged:
		if insp.baseKnown {
			return DoChangeRequest, "the repository's changes go to a change request for review; live content is not touched"
		}
		return Stop, "gitbook-sync never overwrites GitBook edits: bring them into the repository (mode: export to a branch, or copy them by hand), or open a pull request to send the repository's changes as a change request"
	}
	return Stop, "unknown state"
}

// decidePR decides for a pull request event: its change request is
// created or updated while it is open, merged when it lands (or, in import
// mode, archived, as the import brings the same content), archived when it
// is closed without merging.
func decidePR(pr *PullRequest, sp config.Space) (Decision, string) {
	switch pr.State {
	case PROpen:
		if sp.Preview == "standalone" {
			return DoPreview, fmt.Sprintf("pull request #%d gets a standalone preview revision; live content is not touched", pr.Number)
		}
		return DoChangeRequest, fmt.Sprintf("pull request #%d is proposed to GitBook as a change request", pr.Number)
	case PRMerged:
		if sp.Mode == config.ModeImport {
			return DoArchive, fmt.Sprintf("pull request #%d landed; in import mode the push imports it, so its change request is archived", pr.Number)
		}
		return DoMerge, fmt.Sprintf("pull request #%d landed: its change request is merged", pr.Number)
	case PRClosed:
		return DoArchive, fmt.Sprintf("pull request #%d was closed without merging: its change request is archived", pr.Number)
	}
	return Stop, "unknown pull request state " + pr.State
}
