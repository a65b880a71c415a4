package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/golden"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

func TestText(t *testing.T) {
	t.Parallel()
	var plain, colored bytes.Buffer
	if err := Text(&plain, Sample(), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Text(&colored, Sample(), TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	out := plain.String()
	for _, bad := range []string{"<!--", "**", "|", "\x1b"} {
		if strings.Contains(out, bad) {
			t.Errorf("the text report contains %q", bad)
		}
	}
	if !strings.Contains(colored.String(), red+"✗"+reset) {
		t.Error("with colour, a failure should be red")
	}
	if stripped := ansi.ReplaceAllString(colored.String(), ""); stripped != out {
		t.Errorf("colour changed more than colours:\n%s", stripped)
	}
	golden.Check(t, "testdata/text.txt", []byte(out))
}

// Names from a repository reach the terminal harmless: no escape
// sequences, no bidirectional overrides, no line breaks.
func TestTextMakesNamesSafe(t *testing.T) {
	t.Parallel()
	evil := "a\x1b]0;pwned\x07b\u202Ecod.exe\nc"
	results := []gbsync.Result{{Space: evil, Path: ".", Outcome: gbsync.Planned, Reasons: []string{evil},
		Diff: &content.Diff{Pages: []content.PageChange{{Op: content.Added, Title: evil, Path: evil}}}}}
	var b bytes.Buffer
	if err := Text(&b, results, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\u202E") {
		t.Errorf("control characters reached the terminal: %q", out)
	}
	if !strings.Contains(out, `a\x1b]0;pwned\ab\u202ecod.exe\nc`) {
		t.Errorf("names should be shown escaped: %q", out)
	}
}
