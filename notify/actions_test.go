package notify

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

func TestActions(t *testing.T) {
	t.Parallel()
	const canary = "ghs_CANARY_actions_0d9c"
	dir := t.TempDir()
	r := &redact.Redactor{}
	r.Add(canary)
	var cmds strings.Builder
	a := &Actions{W: &cmds, SummaryFile: filepath.Join(dir, "summary"), OutputFile: filepath.Join(dir, "output"), Redactor: r}

	a.Mask(canary, "")
	a.Annotate(diag.Diagnostic{File: ".gitbook-sync.yaml", Line: 3, Col: 5, Field: "mode", Severity: diag.Error, Message: "bad\nmode " + canary})
	a.Annotate(diag.Diagnostic{File: "SUMMARY.md", Line: 7, Severity: diag.Warning, Message: "gone.md: 100%"})
	a.Warn("plain")
	want := "::add-mask::" + canary + "\n" +
		"::error col=5,file=.gitbook-sync.yaml,line=3::mode: bad%0Amode ***\n" +
		"::warning file=SUMMARY.md,line=7::gone.md: 100%25\n" +
		"::warning::plain\n"
	if cmds.String() != want {
		t.Errorf("workflow commands:\n%s\nwant:\n%s", cmds.String(), want)
	}

	if err := a.AddSummary("### Report " + canary); err != nil {
		t.Fatal(err)
	}
	// A value cannot end its frame early and set another output.
	evil := "x\nghadelimiter_\nstate<<EOF\nhacked\nEOF"
	if err := a.SetOutputs([]Output{{"state", "in sync"}, {"results", evil}, {"token", canary}}); err != nil {
		t.Fatal(err)
	}
	summary, _ := os.ReadFile(a.SummaryFile)
	if string(summary) != "### Report ***\n" {
		t.Errorf("summary %q", summary)
	}
	out, _ := os.ReadFile(a.OutputFile)
	got := parseOutputs(t, string(out))
	if got["state"] != "in sync" || got["results"] != evil || got["token"] != "***" || len(got) != 3 {
		t.Errorf("outputs %q from\n%s", got, out)
	}
}

// parseOutputs reads a GITHUB_OUTPUT file as the runner does: name<<DELIM,
// lines, DELIM.
func parseOutputs(t *testing.T, text string) map[string]string {
	out := map[string]string{}
	head := regexp.MustCompile(`^([a-z-]+)<<(.+)$`)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		m := head.FindStringSubmatch(lines[i])
		if m == nil {
			t.Fatalf("line %d: %q", i, lines[i])
		}
		var val []string
		for i++; i < len(lines) && lines[i] != m[2]; i++ {
			val = append(val, lines[i])
		}
		out[m[1]] = strings.Join(val, "\n")
	}
	return out
}

func TestActionsWithoutFiles(t *testing.T) {
	a := &Actions{W: &strings.Builder{}}
	if err := a.AddSummary("x"); err != nil {
		t.Error(err)
	}
	if err := a.SetOutputs([]Output{{"a", "b"}}); err != nil {
		t.Error(err)
	}
}

type failingCommenter struct{ err error }

func (f failingCommenter) Post(context.Context, string, string) (Posted, error) {
	return Posted{}, f.err
}

type fixedCommenter struct{ posted Posted }

func (f fixedCommenter) Post(context.Context, string, string) (Posted, error) { return f.posted, nil }

func TestPublish(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var cmds strings.Builder
	p := &Publisher{Commenter: fixedCommenter{Posted{URL: "https://c/1", Outcome: Created}},
		Actions: &Actions{W: &cmds, OutputFile: filepath.Join(dir, "output"), SummaryFile: filepath.Join(dir, "summary")}}
	posted, err := p.Publish(context.Background(), Report{Marker: "m", Comment: "body", Summary: "sum",
		Outputs:     func(c Posted) []Output { return []Output{{"comment-url", c.URL}} },
		Annotations: diag.List{diag.Warnf("a.md", 1, 0, "w")}})
	if err != nil || posted.URL != "https://c/1" {
		t.Fatalf("%+v, %v", posted, err)
	}
	out, _ := os.ReadFile(filepath.Join(dir, "output"))
	if got := parseOutputs(t, string(out)); got["comment-url"] != "https://c/1" {
		t.Errorf("outputs %q", got)
	}
	if cmds.String() != "::warning file=a.md,line=1::w\n" {
		t.Errorf("commands %q", cmds.String())
	}

	// A comment that fails is a warning, not a failure of the run.
	var stderr strings.Builder
	r := &redact.Redactor{}
	r.Add("secret-token-1")
	p = &Publisher{Commenter: failingCommenter{errors.New("403 with secret-token-1")}, Stderr: &stderr, Redactor: r}
	if _, err := p.Publish(context.Background(), Report{Comment: "body"}); err != nil {
		t.Fatal(err)
	}
	if stderr.String() != "gitbook-sync: warning: the report was not posted as a comment: 403 with ***\n" {
		t.Errorf("stderr %q", stderr.String())
	}
}
