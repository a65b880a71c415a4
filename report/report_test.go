package report

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/internal/golden"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestSections(t *testing.T) {
	t.Parallel()
	out, err := Render(Sample(), Options{Marker: "docs", PageDiffs: true})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/sections.md", []byte(out))
}

func TestPlanTitle(t *testing.T) {
	t.Parallel()
	r := Sample()[:1]
	r[0].Outcome = gbsync.Planned
	out, err := Render(r, Options{DryRun: true, Marker: "docs"})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/plan.md", []byte(out))
}

// TestTruncation shrinks a report of many pages to GitHub's comment limit:
// diffs go first, then rows, and the report says so.
func TestTruncation(t *testing.T) {
	t.Parallel()
	var pages []content.PageChange
	for range 600 {
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
	t.Parallel()
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
	golden.Check(t, "testdata/escaping.md", []byte(out))
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
	t.Parallel()
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
	golden.Check(t, "testdata/masking.md", []byte(out))
}

func TestTemplateOverride(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "custom.tmpl")
	if err := os.WriteFile(file, []byte(`{{ define "title" }}Docs status{{ end }}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := Render(Sample()[3:4], Options{Marker: "docs", TemplateFile: file})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "### Docs status\n") || !strings.Contains(out, "space-4") {
		t.Errorf("override not applied:\n%s", out)
	}
}

// A template is parsed and run on Sample when the renderer is made, so
// that its mistakes stop the run before anything is written.
func TestTemplateCheckedBeforeUse(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, text, want string }{
		{"syntax", `{{ define "title" }}{{ .Nope }`, "unexpected"},
		{"undefined function", `{{ define "title" }}{{ shout .Summary }}{{ end }}`, `function "shout" not defined`},
		{"field that does not exist", `{{ define "status" }}{{ .Spacename }}{{ end }}`, "can't evaluate field Spacename"},
		{"field of a part only some results have", `{{ define "openapi" }}{{ range .API }}{{ .Changes.Removed.Nope }}{{ end }}{{ end }}`, "Nope"},
		{"marker dropped", `{{ define "report" }}### {{ template "title" . }}{{ end }}`, `must start with {{ template "marker" . }}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "custom.tmpl")
			if err := os.WriteFile(file, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := New(Options{Marker: "docs", TemplateFile: file})
			if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want an error naming %s and saying %q", err, file, tt.want)
			}
		})
	}
	if _, err := New(Options{TemplateFile: filepath.Join(t.TempDir(), "missing.tmpl")}); err == nil {
		t.Error("a missing template file should be an error")
	}
}

// The API section lists breaking changes first, and folds long lists.
func TestAPISection(t *testing.T) {
	t.Parallel()
	out, err := Render(Sample()[4:5], Options{Marker: "docs"})
	if err != nil {
		t.Fatal(err)
	}
	breaking, added := strings.Index(out, "Breaking changes"), strings.Index(out, "Operations added")
	if breaking < 0 || added < 0 || breaking > added {
		t.Errorf("breaking changes should come first:\n%s", out)
	}
	if !strings.Contains(out, "<details><summary>Operations added (12)</summary>") {
		t.Errorf("a list of 12 should be folded:\n%s", out)
	}
	if strings.Contains(out, "<summary>Operations removed") {
		t.Errorf("a short list should stay open:\n%s", out)
	}
	golden.Check(t, "testdata/api.md", []byte(out))
}

func TestProblems(t *testing.T) {
	t.Parallel()
	got := Problems(Sample())
	var lines []string
	for _, d := range got {
		lines = append(lines, string(d.Severity)+" "+d.String())
	}
	want := []string{
		"warning SUMMARY.md:7: gone.md does not exist; the entry is skipped",
		"error space space-3: inspect: gitbook: GET /spaces/space-3/content: 404: Space not found",
		`error api/orders.yaml:12: /paths/~1orders/get: duplicate field "id" in required`,
		"warning api/orders.yaml:3: unknown keyword",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// A failure that carries diagnostics is annotated at their places.
	r := []gbsync.Result{{Space: "s", Outcome: gbsync.Failed, Err: fmt.Errorf("read config: %w", diag.Errorf(".gitbook.yaml", 2, 3, "unknown key"))}}
	if p := Problems(r); len(p) != 1 || p[0].Pos() != ".gitbook.yaml:2:3" {
		t.Errorf("got %v", p)
	}
}
