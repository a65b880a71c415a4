package report

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// TextOptions shape the terminal report.
type TextOptions struct {
	DryRun   bool
	Color    bool // ANSI colours; the caller honours NO_COLOR and the terminal
	Redactor *redact.Redactor
}

// ANSI colours. Eight codes are all the report needs, so no library.
const (
	reset  = "\x1b[0m"
	bold   = "\x1b[1m"
	dim    = "\x1b[2m"
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
)

type textWriter struct {
	w     io.Writer
	color bool
	err   error
}

func (t *textWriter) paint(code, s string) string {
	if !t.color || s == "" {
		return s
	}
	return code + s + reset
}

func (t *textWriter) line(indent int, format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, strings.Repeat("  ", indent)+format+"\n", args...)
	}
}

// Text writes the report for people at a terminal: no Markdown, no HTML
// comment, names made safe for the terminal, colour when asked.
func Text(w io.Writer, results []gbsync.Result, opts TextOptions) error {
	results = mask(results, opts.Redactor)
	t := &textWriter{w: w, color: opts.Color}
	counts := map[gbsync.Outcome]int{}
	for _, r := range results {
		counts[r.Outcome]++
	}
	title := "GitBook sync"
	if opts.DryRun {
		title += " plan"
	}
	t.line(0, "%s: %s", t.paint(bold, title), summary(counts, len(results)))
	for _, r := range results {
		t.line(0, "")
		textSpace(t, r)
	}
	return t.err
}

func textSpace(t *textWriter, r gbsync.Result) {
	mark, color := outcomeMark(r.Outcome)
	head := t.paint(color, mark) + " " + t.paint(bold, Safe(r.Space))
	if r.Path != "." && r.Path != "" {
		head += " (" + Safe(r.Path) + ")"
	}
	t.line(0, "%s  %s → %s: %s", head, r.State, t.paint(bold, string(r.Decision)), t.paint(color, string(r.Outcome)))
	for _, reason := range r.Reasons {
		t.line(1, "%s", Safe(reason))
	}
	if r.Err != nil {
		t.line(1, "%s %s", t.paint(red, "error:"), Safe(r.Err.Error()))
	}
	if u := r.RevisionURL; u != "" {
		t.line(1, "%s", t.paint(dim, Safe(u)))
	}
	if cr := r.ChangeRequest; cr != nil {
		switch {
		case cr.Number != 0:
			var did []string
			for _, d := range []struct {
				yes  bool
				what string
			}{{cr.Created, "opened"}, {cr.Merged, "merged"}, {cr.Archived, "archived"}} {
				if d.yes {
					did = append(did, d.what)
				}
			}
			t.line(1, "change request #%d %s %s", cr.Number, strings.Join(did, ", "), t.paint(dim, Safe(cr.URL)))
		case cr.Created:
			t.line(1, "a change request will be opened with %d pages", len(cr.Pages))
		}
	}
	if r.Diff != nil {
		if r.DiffSource == "api" {
			t.line(1, "%s", t.paint(dim, "compared with the space's pages through the API"))
		}
		textPages(t, r.Diff.Pages)
		if len(r.Diff.NotPages) > 0 {
			names := make([]string, len(r.Diff.NotPages))
			for i, p := range r.Diff.NotPages {
				names[i] = Safe(p)
			}
			t.line(1, "not pages (no SUMMARY entry, GitBook ignores them): %s", strings.Join(names, ", "))
		}
	}
	if r.SpaceDiff != nil && len(r.SpaceDiff.Pages) > 0 {
		t.line(1, "changed in GitBook since the common commit:")
		textPages(t, r.SpaceDiff.Pages)
	}
	for _, api := range buildAPI(r.OpenAPI) {
		status := "not published"
		switch {
		case api.Published:
			status = "published version " + Safe(api.Version)
		case api.Identical:
			status = "unchanged, no new version"
		case api.First:
			status = "new spec, not published yet"
		}
		t.line(1, "OpenAPI %s (%s): %s", t.paint(bold, Safe(api.Slug)), Safe(api.Source), status)
		for _, d := range api.Diagnostics {
			textDiag(t, 2, d)
		}
		if api.NoChange {
			t.line(2, "no change to the API's operations")
		}
		for _, s := range api.Sections {
			color := ""
			if s.Breaking {
				color = red
			}
			t.line(2, "%s (%d):", t.paint(color, s.Title), len(s.Items))
			for _, it := range s.Items {
				t.line(3, "%s", Safe(it))
			}
		}
	}
	for _, d := range r.Diagnostics {
		textDiag(t, 1, d)
	}
}

func textDiag(t *textWriter, indent int, d diag.Diagnostic) {
	label, color := "warning:", yellow
	if d.Severity == diag.Error {
		label, color = "error:", red
	}
	t.line(indent, "%s %s", t.paint(color, label), Safe(d.String()))
}

// textPages lists page changes in aligned columns. Padding is computed
// here rather than by text/tabwriter, which would count colour codes as
// width.
func textPages(t *textWriter, pages []content.PageChange) {
	opWidth, countWidth, pathWidth := 0, 0, 0
	counts := make([]string, len(pages))
	for i, p := range pages {
		counts[i] = fmt.Sprintf("+%d −%d", p.Added, p.Removed)
		opWidth = max(opWidth, utf8.RuneCountInString(p.Op))
		countWidth = max(countWidth, utf8.RuneCountInString(counts[i]))
		pathWidth = min(max(pathWidth, utf8.RuneCountInString(Safe(p.Path))), 48)
	}
	for i, p := range pages {
		op := pad(p.Op, opWidth)
		switch p.Op {
		case content.Added:
			op = t.paint(green, op)
		case content.Deleted:
			op = t.paint(red, op)
		case content.Modified:
			op = t.paint(yellow, op)
		default:
			op = t.paint(cyan, op)
		}
		text := pad(Safe(p.Path), pathWidth) + "  " + Safe(p.Title)
		if p.OldPath != "" {
			text += " (from " + Safe(p.OldPath) + ")"
		}
		if p.Note != "" {
			text += " (" + Safe(p.Note) + ")"
		}
		t.line(1, "%s  %s  %s", op, pad(counts[i], countWidth), strings.TrimRight(text, " "))
	}
}

func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s)))
}

func outcomeMark(o gbsync.Outcome) (string, string) {
	switch o {
	case gbsync.Failed:
		return "✗", red
	case gbsync.Stopped:
		return "!", yellow
	case gbsync.Planned:
		return "~", cyan
	case gbsync.Unchanged:
		return "=", dim
	}
	return "✓", green
}

// Safe makes text from the repository or an API harmless on a terminal:
// control characters (an escape sequence could rewrite the screen or the
// title), and bidirectional overrides that reorder what is shown, are
// written as Go escapes.
func Safe(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			q := fmt.Sprintf("%+q", string(r))
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError
}
