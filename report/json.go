package report

import (
	_ "embed"
	"encoding/json"
	"io"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// SchemaURL is where the schema of Document is published: the file
// results.schema.json beside this one, generated from the Go types and
// kept current by TestSchemaIsCurrent.
const SchemaURL = "https://raw.githubusercontent.com/gitbook-sync/gitbook-sync/main/report/results.schema.json"

//go:embed results.schema.json
var schema []byte

// Schema returns the JSON schema of Document.
func Schema() []byte { return schema }

// Document is the one JSON shape of a run: what --format json prints and
// what the Action's results output holds.
type Document struct {
	Schema  string          `json:"$schema"`
	DryRun  bool            `json:"dry_run"`
	Results []gbsync.Result `json:"results"`
	// Error is why the run stopped before handling any space (a usage or
	// configuration problem); Diagnostics place it in the user's files.
	Error       string            `json:"error,omitempty"`
	Diagnostics []diag.Diagnostic `json:"diagnostics,omitempty"`
}

// NewDocument makes the document of a run, with every known secret masked.
func NewDocument(results []gbsync.Result, dryRun bool, r *redact.Redactor) Document {
	return Document{Schema: SchemaURL, DryRun: dryRun, Results: mask(results, r)}
}

// Marshal returns the document on one line (for a step output).
func (d Document) Marshal(r *redact.Redactor) ([]byte, error) {
	data, err := json.Marshal(d)
	return []byte(r.String(string(data))), err
}

// Write writes the document indented, for people and jq alike.
func (d Document) Write(w io.Writer, r *redact.Redactor) error {
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, r.String(string(data))+"\n")
	return err
}

// WithoutPages returns the document without its page lists (diff,
// space_diff, change_request.pages): the shape a step output falls back to
// when the whole would not fit GitHub's limits.
func (d Document) WithoutPages() Document {
	out := d
	out.Results = make([]gbsync.Result, len(d.Results))
	for i, r := range d.Results {
		r.Diff, r.SpaceDiff = nil, nil
		if r.ChangeRequest != nil {
			cr := *r.ChangeRequest
			cr.Pages = nil
			r.ChangeRequest = &cr
		}
		out.Results[i] = r
	}
	return out
}
