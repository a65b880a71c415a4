package main

import (
	"cmp"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/gitbook-sync/gitbook-sync/ci"
	"github.com/gitbook-sync/gitbook-sync/notify"
	"github.com/gitbook-sync/gitbook-sync/report"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// Report formats on stdout. Comments and step summaries are Markdown
// whatever the format.
const (
	formatText     = "text"
	formatMarkdown = "markdown"
	formatJSON     = "json"
)

type outputFlags struct {
	Format string
	JSON   bool
}

func (o *outputFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&o.Format, "format", "", "report on stdout: text, markdown or json (default: text on a terminal outside CI, else markdown)")
	fs.BoolVar(&o.JSON, "json", false, "print results as one JSON document (--format json)")
}

// resolve picks the format: as asked, else text for a person at a
// terminal and Markdown for logs and pipes.
func (o outputFlags) resolve(streams *IOStreams, ciCtx *ci.Context) (string, error) {
	switch {
	case o.JSON && o.Format != "" && o.Format != formatJSON:
		return "", usagef("--json and --format %s disagree: use one", o.Format)
	case o.JSON:
		return formatJSON, nil
	case o.Format == formatText, o.Format == formatMarkdown, o.Format == formatJSON:
		return o.Format, nil
	case o.Format != "":
		return "", usagef("--format %q is not valid; choose one of: text, markdown, json", o.Format)
	case streams.StdoutTTY && ciCtx.Provider == "":
		return formatText, nil
	}
	return formatMarkdown, nil
}

// print writes the report on stdout. With JSON, stdout holds that one
// document and nothing else, in every environment.
func (o *SyncOptions) print(format string, r *report.Renderer, results []gbsync.Result) error {
	f := o.f
	switch format {
	case formatJSON:
		return report.NewDocument(results, o.DryRun, f.Redactor).Write(f.IO.Out, f.Redactor)
	case formatText:
		return report.Text(f.IO.Out, results, report.TextOptions{DryRun: o.DryRun, Color: f.IO.Color, Redactor: f.Redactor})
	}
	text, err := r.Markdown(results, 0)
	if err != nil {
		return err
	}
	_, err = f.IO.Out.Write([]byte(text))
	return err
}

// actionOutputs are the Action's step outputs (declared in action.yml):
// the first space's values, for the common one-space case, and the whole
// run as the JSON document of --format json.
func actionOutputs(doc report.Document, comment notify.Posted, f *Factory) []notify.Output {
	var out []notify.Output
	set := func(name, value string) { out = append(out, notify.Output{Name: name, Value: value}) }
	if len(doc.Results) > 0 {
		r := doc.Results[0]
		set("state", string(r.State))
		set("decision", string(r.Decision))
		set("outcome", string(r.Outcome))
		set("revision", cmp.Or(r.NewRevision, r.Revision))
		if r.ChangeRequest != nil {
			set("change-request-url", r.ChangeRequest.URL)
			set("change-request-number", strconv.Itoa(r.ChangeRequest.Number))
		}
	}
	set("comment-url", comment.URL)
	data, err := doc.Marshal(f.Redactor)
	if err == nil && len(data) > resultsOutputLimit {
		data, err = doc.WithoutPages().Marshal(f.Redactor)
	}
	if err != nil {
		data = []byte("null")
	}
	set("results", string(data))
	return out
}

// resultsOutputLimit keeps the results output well within GitHub's 1 MB
// for all of a job's outputs (counted in UTF-16): past it, the page lists
// are left out, and the step summary still has them.
const resultsOutputLimit = 256 << 10
