package sync

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/internal/golden"
)

var states = []State{NeverSynced, InSync, RepoAhead, SpaceAhead, Diverged, OperationRunning}

// everySituation calls fn for every state × mode × event × force, with
// and without GitBook's Git Sync installed.
func everySituation(fn func(situation)) {
	for _, gitSync := range []bool{false, true} {
		for _, ev := range Events {
			for _, mode := range config.Modes {
				for _, st := range states {
					for _, force := range []bool{false, true} {
						fn(situation{State: st, Mode: mode, Event: ev, Force: force, GitSync: gitSync, Subject: "pull request #7", Source: "main"})
					}
				}
			}
		}
	}
}

// TestDecideTable writes the whole decision table to testdata/decide.golden
// (rewritten with -update), so a change to any cell shows in review.
func TestDecideTable(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("git sync event                mode           state              force  decision                 reason\n")
	everySituation(func(s situation) {
		d, why := decide(s)
		sync := "api"
		if s.GitSync {
			sync = "gitbook"
		}
		line := fmt.Sprintf("%-8s %-20s %-14s %-18s %-5t  %-24s %s", sync, s.Event, s.Mode, s.State, s.Force, d, why)
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	})
	golden.Check(t, filepath.Join("testdata", "decide.golden"), []byte(b.String()))
}

// TestDecideRules checks promises that hold in every cell of the table.
func TestDecideRules(t *testing.T) {
	t.Parallel()
	writesLive := []Decision{DoImport, DoExport}
	everySituation(func(s situation) {
		d, why := decide(s)
		name := fmt.Sprintf("%+v → %s", s, d)
		switch {
		case s.Event == EventClosed && d != DoArchive:
			t.Errorf("%s: a closed pull request's change request must be archived", name)
		case s.Event != EventPush && slices.Contains(writesLive, d):
			t.Errorf("%s: only a push to the source branch may import or export", name)
		case !s.Force && (s.State == Diverged || s.State == SpaceAhead) && d == DoImport:
			t.Errorf("%s: GitBook's edits overwritten without --force", name)
		case !s.Force && s.State == RepoAhead && d == DoExport:
			t.Errorf("%s: the repository's commits overwritten without --force", name)
		case s.GitSync && !s.Force && slices.Contains(writesLive, d):
			t.Errorf("%s: imported or exported beside GitBook's Git Sync", name)
		case d == DoFollow && !s.GitSync:
			t.Errorf("%s: follows an import nobody started", name)
		case (d == Stop || (d == Nothing && s.State != InSync)) && why == "":
			t.Errorf("%s: stopping or doing nothing needs a reason", name)
		case s.State == OperationRunning && s.Event != EventClosed && d != Stop:
			t.Errorf("%s: acted while GitBook's operation runs", name)
		}
	})
}

// TestDecideFacts covers what inspect learned beyond the state.
func TestDecideFacts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    situation
		want Decision
		why  string
	}{
		{"diverged with a known base goes to review", situation{State: Diverged, BaseKnown: true}, DoChangeRequest, "change request for review"},
		{"diverged with an unknown base stops", situation{State: Diverged}, Stop, "never overwrites"},
		{"change-request mode needs the base", situation{State: Diverged, Mode: config.ModeChangeRequest}, Stop, "cannot be told apart"},
		{"a merged change request's content is recorded", situation{State: InSync, Unrecorded: true}, DoImport, "records HEAD"},
		{"but not by an export-mode space", situation{State: InSync, Unrecorded: true, Mode: config.ModeExport}, Nothing, ""},
		{"nor beside Git Sync", situation{State: InSync, Unrecorded: true, GitSync: true}, Nothing, ""},
		{"merged and already live", situation{State: InSync, Event: EventMerged, Live: true, Subject: "merge request !4"}, DoArchive, "merge request !4 landed and its content is already live"},
		{"merged, not yet live", situation{State: RepoAhead, Event: EventMerged, Subject: "pull request #4"}, DoMerge, "pull request #4 landed"},
		{"merged beside Git Sync", situation{State: RepoAhead, Event: EventMerged, GitSync: true}, DoArchive, "Git Sync imports"},
		{"standalone previews", situation{State: InSync, Event: EventOpen, Preview: true}, DoPreview, "standalone preview"},
		{"a branch push says what to do", situation{State: RepoAhead, Event: EventBranch, Subject: "branch fix", Source: "main"}, Nothing, "branch fix is not the source branch (main)"},
		{"a branch in change-request mode", situation{State: RepoAhead, Event: EventBranch, Mode: config.ModeChangeRequest, Subject: "branch fix"}, DoChangeRequest, "branch fix is proposed"},
		{"Git Sync imports pushes", situation{State: RepoAhead, GitSync: true}, DoFollow, "follows its import"},
		{"Git Sync exported GitBook's edits", situation{State: SpaceAhead, GitSync: true}, Nothing, "next push brings them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, why := decide(tt.s)
			if d != tt.want || !strings.Contains(why, tt.why) {
				t.Errorf("decide = %q (%s), want %q (%s)", d, why, tt.want, tt.why)
			}
		})
	}
}
