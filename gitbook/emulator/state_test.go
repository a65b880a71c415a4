package emulator_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
)

// TestSeedTypos: a state file's mistakes are reported where they are,
// with what is valid there, never as Go types.
func TestSeedTypos(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", "token: t\norganizations:\n  - id: org-1\n    spaces:\n      - id: s\n        gitsync: github\n",
			[]string{"state.yaml:6:9:", `unknown key "gitsync"`, `did you mean "gitSync"`, "valid keys: gitSync, id, repository, title"}},
		{"wrong type", "token: t\norganizations:\n  id: org-1\n",
			[]string{"state.yaml:3:3:", "organizations: want a list, got a mapping"}},
		{"scalar for a mapping", "token: t\norganizations:\n  - id: o\n    spaces:\n      - id: s\n        repository: main\n",
			[]string{"state.yaml:6:21:", "want a mapping with the keys branch, directory, url", `got "main"`}},
		{"several at once", "tokn: t\norganizations:\n  - idd: o\n",
			[]string{"state.yaml:1:1:", `unknown key "tokn"`, "state.yaml:3:5:", `unknown key "idd"`}},
		// YAML errors at the line and column where the parser stopped,
		// not where the enclosing block began.
		{"bad YAML", "token: [\n", []string{"state.yaml:2:1: invalid YAML: did not find expected node content"}},
		{"wrongly indented", "token: t\norganizations:\n  - id: o\n   spaces: x\n", []string{"state.yaml:4:4: invalid YAML: did not find expected '-' indicator"}},
		{"a key twice", "token: t\ntoken: u\n", []string{"state.yaml:2:1:", `"token" already defined at line 1`}},
		{"huge value cut", "token: t\norganizations:\n  - id: o\n    spaces:\n      - id: s\n        gitSync: " + strings.Repeat("x", 1<<20) + "\n",
			[]string{"gitSync", "want none, github or gitlab", "bytes)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := emulator.ParseSeed([]byte(tt.yaml), "state.yaml")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %.400q lacks %q", err.Error(), w)
				}
			}
			if len(err.Error()) > 2000 || strings.Contains(err.Error(), "emulator.") {
				t.Errorf("error echoes its input or names Go types: %.200q", err.Error())
			}
		})
	}
}

// TestStatePersists: with a state file the emulator saves everything after
// each change, atomically, and a new one started from the file carries on.
func TestStatePersists(t *testing.T) {
	t.Parallel()
	repo := testrepo.New(t).Write(map[string]string{"README.md": "# Home\n", "SUMMARY.md": "* [Home](README.md)\n* [A](a.md)\n", "a.md": "---\nlayout:\n  width: wide\n---\n\n# A\n\nText.\n",
		".gitbook/assets/x.png": "png"})
	repo.Commit("docs")
	dir := t.TempDir()
	stateFile := filepath.Join(dir, "state.yaml")
	env, c := start(t, emulator.Seed{}, emulator.Options{StateFile: stateFile})
	importRepo(t, env, c, repo.Dir, gitbook.ImportRequest{})
	pages, _ := c.Pages(ctx, "space-1")
	cr, _ := c.CreateChangeRequest(ctx, "space-1", "Keep me")
	hidden := true
	if _, err := c.ApplyChanges(ctx, "space-1", cr.ID, []gitbook.Change{{Operation: gitbook.OpUpdatePage, Page: pages[1].ID, Hidden: &hidden}}); err != nil {
		t.Fatal(err)
	}
	// Live moves on, the change request is brought up to date with it and
	// given a description: all of it survives.
	if _, err := env.Server.EditPage("space-1", "README.md", "", "# Home\n\nLive.\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RebaseChangeRequest(ctx, "space-1", cr.ID); err != nil {
		t.Fatal(err)
	}
	doc := &gitbook.Document{Object: "document", Data: map[string]json.RawMessage{"k": json.RawMessage(`"v"`)}, Nodes: []json.RawMessage{}}
	if _, err := c.UpdateChangeRequest(ctx, "space-1", cr.ID, gitbook.ChangeRequestUpdate{Description: doc}); err != nil {
		t.Fatal(err)
	}
	saved, _ := c.ChangeRequest(ctx, "space-1", cr.ID)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the state folder has %d entries, want only the state file (no temporary files left)", len(entries))
	}

	seed, err := emulator.LoadSeed(stateFile)
	if err != nil {
		t.Fatal(err)
	}
	env2, c2 := start(t, seed, emulator.Options{})
	again, _ := c2.Pages(ctx, "space-1")
	if outline(again) != outline(pages) || again[1].ID != pages[1].ID {
		t.Errorf("pages after restart:\n%s\nwant:\n%s", outline(again), outline(pages))
	}
	crs, _ := c2.ChangeRequests(ctx, "space-1", gitbook.CROpen)
	if len(crs) != 1 || crs[0].Subject != "Keep me" || crs[0].Revision != saved.Revision || crs[0].Outdated ||
		crs[0].RevisionMergedAncestor == "" || crs[0].RevisionMergedAncestor != saved.RevisionMergedAncestor ||
		crs[0].Description == nil || string(crs[0].Description.Data["k"]) != `"v"` {
		t.Fatalf("change requests after restart = %+v, saved %+v", crs, saved)
	}
	p := getJSON(t, env2, "/spaces/space-1/change-requests/"+cr.ID+"/content/page/"+pages[1].ID+"?format=markdown")
	if p["hidden"] != true || p["markdown"] != "# A\n\nText.\n" || p["layout"].(map[string]any)["width"] != "wide" {
		t.Errorf("page after restart = %v", p)
	}
	// New IDs do not collide with saved ones.
	cr2, _ := c2.CreateChangeRequest(ctx, "space-1", "Next")
	if cr2.ID == cr.ID || cr2.Number != 2 {
		t.Errorf("new change request %s #%d after %s", cr2.ID, cr2.Number, cr.ID)
	}
}
