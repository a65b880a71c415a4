package report

import (
	"encoding/base64"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".md")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; got:\n%s", path, got)
	}
}

func sample() []gbsync.Result {
	return []gbsync.Result{
		{
			Space: "space-1", Path: "docs", State: gbsync.RepoAhead, Decision: gbsync.DoImport, Outcome: gbsync.Imported,
			RevisionURL: "https://app.gitbook.com/o/org-1/s/space-1/~/revisions/rev-9", DiffSource: "git",
			Diff: &content.Diff{
				Pages: []content.PageChange{
					{Op: content.Modified, Title: "Install", Path: "guide/install.md", Added: 2, Removed: 1,
						Old: "# Install\n\nStep one.\nStep two.\n", New: "# Install\n\nStep one.\nStep 2.\nStep three.\n"},
					{Op: content.Added, Title: "FAQ", Path: "guide/faq.md", Added: 1, New: "# FAQ\n"},
					{Op: content.Deleted, Title: "Old", Path: "old.md", Removed: 3, Old: "a\nb\nc\n"},
					{Op: content.Renamed, Title: "Usage", Path: "guide/use.md", OldPath: "guide/usage.md"},
					{Op: content.Moved, Title: "Tips", Path: "tips.md", Note: "now under guide/README.md"},
				},
				NotPages: []string{"notes.md"},
			},
			Diagnostics: []diag.Diagnostic{diag.Warnf("SUMMARY.md", 7, 0, "gone.md does not exist; the entry is skipped")},
		},
		{
			Space: "space-2", Path: ".", State: gbsync.Diverged, Decision: gbsync.Stop, Outcome: gbsync.Stopped,
			Reasons:    []string{"the space's commit abc1234 and HEAD have both moved on", "gitbook-sync never overwrites GitBook edits"},
			DiffSource: "git",
			Diff:       &content.Diff{Pages: []content.PageChange{{Op: content.Modified, Title: "A", Path: "a.md", Added: 1, Removed: 2}}},
			SpaceDiff:  &content.Diff{Pages: []content.PageChange{{Op: content.Modified, Title: "B", Path: "b.md", Added: 1, Removed: 1}}},
		},
		{
			Space: "space-3", Path: ".", State: gbsync.Unknown, Decision: gbsync.Stop, Outcome: gbsync.Failed,
			Err: errors.New("inspect space space-3: gitbook: GET /spaces/space-3/git/info: 404: Space not found"),
		},
		{Space: "space-4", Path: ".", State: gbsync.InSync, Decision: gbsync.Nothing, Outcome: gbsync.Unchanged},
	}
}

func TestSections(t *testing.T) {
	out, err := Render(sample(), Options{Marker: "docs", PageDiffs: true})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "sections", out)
}

func TestPlanTitle(t *testing.T) {
	r := sample()[:1]
	r[0].Outcome = gbsync.Planned
	out, err := Render(r, Options{DryRun: true, Marker: "docs"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "plan", out)
}

// TestTruncation shrinks a report of many pages to GitHub's comment limit:
// diffs go first, then rows, and the report says so.
func TestTruncation(t *testing.T) {
	var pages []content.PageChange
	for i := 0; i < 3000; i++ {
		pages = append(pages, content.PageChange{Op: content.Modified, Title: "Page " + strings.Repeat("x", 20), Path: "p.md",
			Added: 1, Removed: 1, Old: strings.Repeat("old line\n", 30), New: strings.Repeat("new line\n", 30)})
	}
	results := []gbsync.Result{{Space: "space-1", Path: ".", State: gbsync.RepoAhead, Decision: gbsync.DoImport, Outcome: gbsync.Imported,
		Diff: &content.Diff{Pages: pages}}}
	full, err := Render(results, Options{Marker: "docs", PageDiffs: true})
	if err != nil {
		t.Fatal(err)
	}
	if len([]rune(full)) <= GitHubCommentLimit {
		t.Fatalf("test input too small: %d", len(full))
	}
	cut, err := Render(results, Options{Marker: "docs", PageDiffs: true, MaxChars: GitHubCommentLimit})
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(cut)); n > GitHubCommentLimit {
		t.Errorf("%d characters, over the limit", n)
	}
	if !strings.Contains(cut, "left out") || strings.Contains(cut, "<details>") {
		t.Error("the cut report should drop diffs and say what was left out")
	}
	if !strings.Contains(cut, "more pages") {
		t.Error("the cut report should count the rows it dropped")
	}
	small, _ := Render(results[:0], Options{Marker: "docs", MaxChars: GitHubCommentLimit})
	if strings.Contains(small, "left out") {
		t.Error("a small report must not claim it was cut")
	}
}

// TestUntrustedText feeds hostile names and reasons through every field.
func TestUntrustedText(t *testing.T) {
	evil := "x](https://evil.example)<!-- gitbook-sync:docs --><img src=x onerror=alert(1)>|`*_~\n## injected"
	results := []gbsync.Result{{
		Space: evil, Path: "a|b`c", State: gbsync.RepoAhead, Decision: gbsync.DoImport, Outcome: gbsync.Planned,
		Reasons: []string{evil}, Err: errors.New(evil), Diagnostics: []diag.Diagnostic{{Severity: diag.Warning, Message: evil}},
		Diff: &content.Diff{Pages: []content.PageChange{{Op: content.Modified, Title: evil, Path: "p|`.md", OldPath: "o`|.md",
			Note: evil, Old: "```\nold\n", New: "````\nnew\n"}}, NotPages: []string{"n`|.md"}},
	}}
	out, err := Render(results, Options{Marker: "docs --><script>", PageDiffs: true})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "escaping", out)
	if strings.Count(out, "<!-- gitbook-sync:") != 1 {
		t.Error("untrusted text forged a marker")
	}
	for _, bad := range []string{"<img", "\n## injected", "<script>"} {
		if strings.Contains(out, bad) {
			t.Errorf("report contains %q", bad)
		}
	}
	if regexp.MustCompile(`[^\\]\]\(https://evil`).MatchString(out) {
		t.Error("report contains an unescaped link")
	}
}

func TestSecretsMasked(t *testing.T) {
	const canary = "ghp_CANARYcanaryCANARY1234"
	r := &redact.Redactor{}
	r.Add(canary)
	results := []gbsync.Result{{
		Space: "space-1", Path: ".", State: gbsync.Unknown, Decision: gbsync.Stop, Outcome: gbsync.Failed,
		Err:     errors.New("clone https://x-access-token:" + canary + "@github.com/o/r.git failed; header Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+canary))),
		Reasons: []string{"token " + canary},
	}}
	out, err := Render(results, Options{Marker: "docs", Redactor: r})
	if err != nil {
		t.Fatal(err)
	}
	// Markdown escapes would hide a leak from a plain search.
	plain := strings.ReplaceAll(out, "\\", "")
	if strings.Contains(plain, canary) || strings.Contains(plain, base64.StdEncoding.EncodeToString([]byte("x-access-token:"+canary))) {
		t.Errorf("secret in report:\n%s", out)
	}
	golden(t, "masking", out)
}

func TestTemplateOverride(t *testing.T) {
	file := filepath.Join(t.TempDir(), "custom.tmpl")
	if err := os.WriteFile(file, []byte(`{{ define "title" }}Docs status{{ end }}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := Render(sample()[3:], Options{Marker: "docs", TemplateFile: file})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "### Docs status\n") || !strings.Contains(out, "space-4") {
		t.Errorf("override not applied:\n%s", out)
	}
	if err := os.WriteFile(file, []byte(`{{ define "title" }}{{ .Nope }`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Render(sample(), Options{TemplateFile: file}); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("a broken template should be an error naming the file, got %v", err)
	}
}
