package report

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/gitbook-sync/gitbook-sync/content"
)

// escapeMarkdown makes untrusted text inert in Markdown and in a table
// cell: no emphasis, links, images, HTML, line breaks or pipes, and no
// HTML comment that could pose as our marker. Templates never put such
// text at the start of a line, so list and heading markers are harmless.
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapeCode makes text safe inside `code`: backticks would end the span,
// pipes would end a table cell and new lines would end the row.
func escapeCode(s string) string {
	return strings.NewReplacer("`", "'", "|", "¦", "\n", " ", "\r", " ").Replace(s)
}

// escapeMarker keeps a marker name to characters that cannot close the
// HTML comment it sits in.
func escapeMarker(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	return strings.ReplaceAll(b.String(), "--", "-")
}

// fenceFor returns a code fence longer than any run of backticks in s, so
// that the text cannot close it.
func fenceFor(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// unified renders a line diff of a page in unified form, without hunk
// headers (the file is named above it).
func unified(p content.PageChange) string {
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(p.Old, p.New)
	var out strings.Builder
	for _, d := range dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines) {
		prefix := " "
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			prefix = "+"
		case diffmatchpatch.DiffDelete:
			prefix = "-"
		}
		text := strings.TrimSuffix(d.Text, "\n")
		lines := strings.Split(text, "\n")
		if d.Type == diffmatchpatch.DiffEqual && len(lines) > 6 {
			// Keep three lines of context on each side.
			lines = append(append(append([]string{}, lines[:3]...), "…"), lines[len(lines)-3:]...)
		}
		for _, l := range lines {
			out.WriteString(prefix + l + "\n")
		}
	}
	return strings.TrimSuffix(out.String(), "\n")
}
