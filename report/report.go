// Package report renders sync results, and only renders them: Markdown
// from named templates (the pull request comment, the step summary,
// --format markdown), a text report for terminals, and the JSON document of
// --format json and the Action's results output. Text from outside (file
// names, titles, reasons) is escaped so that it cannot break the Markdown,
// forge a marker or drive a terminal, and every known secret is masked.
// Posting is the notify package's job.
package report

import (
	"bytes"
	"embed"
	"fmt"
	"html"
	"os"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
	"github.com/gitbook-sync/gitbook-sync/openapi"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

//go:embed templates/*.tmpl
var builtin embed.FS

// GitHubCommentLimit is the most characters GitHub accepts in a comment.
const GitHubCommentLimit = 65536

// StepSummaryLimit is the most bytes of an Actions step summary.
const StepSummaryLimit = 1 << 20

// Options shape a rendering.
type Options struct {
	DryRun   bool
	Marker   string // identifies this configuration's sticky comment
	MaxChars int    // for Render; 0: no limit
	// PageDiffs includes a collapsible unified diff per changed page.
	PageDiffs bool
	// MaxPages caps the rows of a page table before "and N more".
	MaxPages int
	// TemplateFile, when set, is parsed after the built-in templates, so
	// that it can redefine any of them ("status", "pages", ...).
	TemplateFile string
	Redactor     *redact.Redactor
	// SpaceURL gives a link to a space, when known.
	SpaceURL func(space string) string
}

// Renderer renders Markdown reports with templates parsed once.
type Renderer struct {
	opts Options
	tmpl *template.Template
}

// New parses the templates and runs them once on Sample, so that a broken
// --template (an undefined function, a field that does not exist) is
// found before anything is written anywhere.
func New(opts Options) (*Renderer, error) {
	tmpl, err := parse(opts.TemplateFile)
	if err != nil {
		return nil, err
	}
	if opts.MaxPages <= 0 {
		opts.MaxPages = 200
	}
	r := &Renderer{opts: opts, tmpl: tmpl}
	if opts.TemplateFile != "" {
		check := *r
		check.opts.PageDiffs = true
		out, err := check.Markdown(Sample(), 0)
		if err != nil {
			return nil, fmt.Errorf("report template %s does not render: %w", opts.TemplateFile, err)
		}
		if !strings.HasPrefix(out, MarkerLine(opts.Marker)) {
			// Without it the next run cannot find the comment, and adds one.
			return nil, fmt.Errorf("report template %s: the report must start with {{ template \"marker\" . }}", opts.TemplateFile)
		}
	}
	return r, nil
}

// MarkerLine is the hidden first line that makes a comment ours.
func MarkerLine(marker string) string {
	return "<!-- gitbook-sync:" + escapeMarker(marker) + " -->"
}

// MarkerLine is the hidden first line of this renderer's reports.
func (r *Renderer) MarkerLine() string { return MarkerLine(r.opts.Marker) }

// Render is New then Markdown, for one rendering.
func Render(results []gbsync.Result, opts Options) (string, error) {
	r, err := New(opts)
	if err != nil {
		return "", err
	}
	return r.Markdown(results, opts.MaxChars)
}

// Markdown returns the report. When maxChars is set it shrinks the report
// to fit — page diffs first, then page tables — and says so.
func (r *Renderer) Markdown(results []gbsync.Result, maxChars int) (string, error) {
	opts := r.opts
	// Secrets are masked in the raw values: once escaped for Markdown a
	// token no longer matches what the redactor knows.
	results = mask(results, opts.Redactor)
	levels := []struct {
		diffs    bool
		maxPages int
		note     string
	}{
		{opts.PageDiffs, opts.MaxPages, ""},
		{false, opts.MaxPages, "Per-page diffs were left out to fit the size limit."},
		{false, 20, "Per-page diffs were left out and page tables shortened to fit the size limit."},
		{false, 0, "Details were left out to fit the size limit; run gitbook-sync plan for all of them."},
	}
	var out string
	for _, lv := range levels {
		v := build(results, opts, lv.diffs, lv.maxPages)
		v.Truncated = lv.note
		var buf bytes.Buffer
		if err := r.tmpl.ExecuteTemplate(&buf, "report", v); err != nil {
			return "", fmt.Errorf("render report: %w", err)
		}
		out = opts.Redactor.String(tidy(buf.String()))
		if maxChars <= 0 || len([]rune(out)) <= maxChars {
			return out, nil
		}
	}
	// Even the shortest form is too long (thousands of spaces): cut it.
	rs := []rune(out)
	return string(rs[:maxChars-40]) + "\n\n_…cut to fit the size limit._\n", nil
}

type view struct {
	Marker, Summary, Truncated string
	DryRun                     bool
	Results                    []spaceView
}

type spaceView struct {
	gbsync.Result
	API        []apiView
	Links      string
	Pages      []content.PageChange
	SpacePages []content.PageChange
	NotPages   []string
	Hidden     int
	Diffs      []pageDiff
}

// apiView is one OpenAPI spec's part of a report: its operations added,
// removed and changed, breaking changes first.
type apiView struct {
	*openapi.Result
	NoChange bool
	Sections []apiSection
}

type apiSection struct {
	Title     string
	Items     []string
	Breaking  bool
	Collapsed bool // long lists fold away behind their title
}

// collapseAfter is the longest list shown open.
const collapseAfter = 10

func buildAPI(results []*openapi.Result) []apiView {
	var out []apiView
	for _, r := range results {
		if r == nil {
			continue
		}
		v := apiView{Result: r}
		if c := r.Changes; c != nil && !r.First {
			v.NoChange = c.Empty()
			for _, s := range []apiSection{
				{Title: "Breaking changes", Items: texts(c.Breaking), Breaking: true},
				{Title: "Operations added", Items: texts(c.Added)},
				{Title: "Operations removed", Items: texts(c.Removed)},
				{Title: "Operations changed", Items: texts(c.Changed)},
				{Title: "Warnings", Items: texts(c.Warnings)},
			} {
				if len(s.Items) > 0 {
					s.Collapsed = len(s.Items) > collapseAfter
					v.Sections = append(v.Sections, s)
				}
			}
		}
		out = append(out, v)
	}
	return out
}

// texts renders the changes one line each ("GET /pets: ...").
func texts[T fmt.Stringer](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.String()
	}
	return out
}

type pageDiff struct {
	Title, Path, Text, Fence string
}

var blankRuns = regexp.MustCompile(`\n{3,}`)

// tidy leaves one blank line between blocks, whatever the templates emit.
func tidy(s string) string {
	return strings.TrimSpace(blankRuns.ReplaceAllString(s, "\n\n")) + "\n"
}

// mask returns copies of the results with every secret masked.
func mask(results []gbsync.Result, r *redact.Redactor) []gbsync.Result {
	out := make([]gbsync.Result, len(results))
	for i, res := range results {
		res.Space, res.Err = r.String(res.Space), r.Error(res.Err)
		res.Reasons = maskAll(r, res.Reasons)
		res.RevisionURL = r.String(res.RevisionURL)
		res.Diagnostics = slices.Clone(res.Diagnostics)
		for i := range res.Diagnostics {
			res.Diagnostics[i].Message = r.String(res.Diagnostics[i].Message)
		}
		res.Diff, res.SpaceDiff = maskDiff(r, res.Diff), maskDiff(r, res.SpaceDiff)
		out[i] = res
	}
	return out
}

func maskAll(r *redact.Redactor, list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = r.String(s)
	}
	return out
}

func maskDiff(r *redact.Redactor, d *content.Diff) *content.Diff {
	if d == nil {
		return nil
	}
	c := &content.Diff{NotPages: maskAll(r, d.NotPages), Pages: make([]content.PageChange, len(d.Pages))}
	for i, p := range d.Pages {
		p.Title, p.Path, p.OldPath, p.Note = r.String(p.Title), r.String(p.Path), r.String(p.OldPath), r.String(p.Note)
		p.Old, p.New = r.String(p.Old), r.String(p.New)
		c.Pages[i] = p
	}
	return c
}

func parse(file string) (*template.Template, error) {
	t := template.New("gitbook-sync").Funcs(template.FuncMap{
		"md":     escapeMarkdown,
		"code":   escapeCode,
		"html":   html.EscapeString,
		"icon":   icon,
		"marker": MarkerLine,
	})
	t, err := t.ParseFS(builtin, "templates/*.tmpl")
	if err != nil {
		return nil, err
	}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("report template: %w", err)
		}
		if t, err = t.Parse(string(data)); err != nil {
			return nil, fmt.Errorf("report template %s: %w", file, err)
		}
	}
	return t, nil
}

func build(results []gbsync.Result, opts Options, diffs bool, maxPages int) view {
	v := view{Marker: opts.Marker, DryRun: opts.DryRun}
	counts := map[gbsync.Outcome]int{}
	for _, r := range results {
		counts[r.Outcome]++
		sv := spaceView{Result: r, API: buildAPI(r.OpenAPI)}
		if r.Diff != nil {
			sv.NotPages = r.Diff.NotPages
			pages := r.Diff.Pages
			if maxPages == 0 {
				sv.Hidden = len(pages)
				pages = nil
			} else if len(pages) > maxPages {
				sv.Hidden = len(pages) - maxPages
				pages = pages[:maxPages]
			}
			sv.Pages = pages
			if diffs {
				for _, p := range pages {
					// Whole added or deleted files read better in the
					// pull request itself; the table gives their size.
					if p.Old != p.New && p.Old != "" && p.New != "" {
						text := unified(p)
						sv.Diffs = append(sv.Diffs, pageDiff{Title: p.Title, Path: p.Path, Text: text, Fence: fenceFor(text)})
					}
				}
			}
		}
		if r.SpaceDiff != nil && maxPages > 0 {
			sv.SpacePages = r.SpaceDiff.Pages
		}
		var links []string
		if opts.SpaceURL != nil {
			if u := opts.SpaceURL(r.Space); u != "" {
				links = append(links, "[space]("+u+")")
			}
		}
		if r.RevisionURL != "" && (r.ChangeRequest == nil || r.ChangeRequest.URL != r.RevisionURL) {
			links = append(links, "[revision]("+r.RevisionURL+")")
		}
		sv.Links = strings.Join(links, " · ")
		v.Results = append(v.Results, sv)
	}
	v.Summary = summary(counts, len(results))
	return v
}

func summary(counts map[gbsync.Outcome]int, total int) string {
	if total == 0 {
		return "no spaces"
	}
	var parts []string
	for _, o := range []gbsync.Outcome{gbsync.Failed, gbsync.Stopped, gbsync.Planned, gbsync.Proposed, gbsync.Merged, gbsync.Archived, gbsync.Previewed, gbsync.Imported, gbsync.Exported, gbsync.Unchanged} {
		if n := counts[o]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, o))
		}
	}
	return strings.Join(parts, ", ")
}

func icon(o gbsync.Outcome) string {
	switch o {
	case gbsync.Failed:
		return "❌"
	case gbsync.Stopped:
		return "✋"
	case gbsync.Planned:
		return "📝"
	case gbsync.Imported, gbsync.Exported, gbsync.Merged, gbsync.Previewed:
		return "✅"
	case gbsync.Proposed:
		return "🔀"
	case gbsync.Archived:
		return "🗄️"
	}
	return "☑️"
}
