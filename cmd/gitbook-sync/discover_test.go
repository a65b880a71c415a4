package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/internal/testcorpus"
	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
	"github.com/gitbook-sync/gitbook-sync/report"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// GitBook's own docs repository, written by GitBook's export: docs.yaml
// and no .gitbook-sync.yaml. plan --offline covers its 5 synced spaces,
// each in its directory and in docs.yaml's order, skips the translations
// (content.directory: null), and puts a change in its space alone.
func TestOfflinePlanGitBookDocs(t *testing.T) {
	t.Parallel()
	r := testrepo.New(t)
	testrepo.CopyDir(t, testcorpus.Path(t, "corpus/GitbookIO-public-docs"), r.Dir)
	r.Commit("GitBook's docs")
	readme := filepath.Join(r.Dir, "developers", "README.md")
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	r.Write(map[string]string{"developers/README.md": string(data) + "\nOne more line.\n"})
	r.Commit("Edit the developers' home page")

	var stdout, stderr bytes.Buffer
	code := Main([]string{"plan", "--offline", "--base", "HEAD~1", "--json", "--repo", r.Dir}, &stdout, &stderr, func(string) string { return "" })
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var doc report.Document
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"space-1", "documentation"}, {"space-3", "developers"}, {"space-2", "changelog"}, {"space-7", "policies"}, {"space-4", "guides"}}
	if len(doc.Results) != len(want) {
		t.Fatalf("%d spaces, want %d: %+v", len(doc.Results), len(want), doc.Results)
	}
	for i, res := range doc.Results {
		if res.Space != want[i][0] || res.Path != want[i][1] || res.Outcome != gbsync.Planned {
			t.Errorf("space %d: %s at %s (%s), want %s at %s", i, res.Space, res.Path, res.Outcome, want[i][0], want[i][1])
		}
		pages := 0
		if res.Diff != nil {
			pages = len(res.Diff.Pages)
		}
		switch {
		case res.Path == "developers" && (pages != 1 || res.Diff.Pages[0].Path != "README.md" || res.Diff.Pages[0].Op != "modified"):
			t.Errorf("developers: %+v", res.Diff)
		case res.Path != "developers" && pages != 0:
			t.Errorf("%s: %d pages changed, want none", res.Path, pages)
		}
	}
}
