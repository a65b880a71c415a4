package notify

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

// Publisher sends one run's report to every place it goes. The command
// line builds one per run from the CI context.
type Publisher struct {
	// Commenter posts the sticky comment; nil when the run has none (no
	// pull request, comments turned off, a fork's read-only token).
	Commenter Commenter
	// Actions is set in GitHub Actions.
	Actions *Actions
	// Stderr receives warnings outside GitHub Actions, masked.
	Stderr   io.Writer
	Redactor *redact.Redactor
}

// Report is what a run publishes, rendered.
type Report struct {
	Marker  string // the comment's hidden first line
	Comment string // Markdown within the host's comment limit
	Summary string // Markdown for the step summary
	// Outputs gives the step outputs once the comment's URL is known.
	Outputs     func(comment Posted) []Output
	Annotations diag.List
}

// Publish posts the comment and writes the step summary, outputs and
// annotations. A comment that could not be posted is a warning: the sync
// itself is done, and the step summary still has the report. A step file
// that cannot be written is an error.
func (p *Publisher) Publish(ctx context.Context, r Report) (Posted, error) {
	var posted Posted
	if p.Commenter != nil && r.Comment != "" {
		var err error
		if posted, err = p.Commenter.Post(ctx, r.Marker, r.Comment); err != nil {
			p.Warn(fmt.Sprintf("the report was not posted as a comment: %v", err))
		}
	}
	if p.Actions == nil {
		return posted, nil
	}
	var errs []error
	if r.Summary != "" {
		errs = append(errs, p.Actions.AddSummary(r.Summary))
	}
	if r.Outputs != nil {
		errs = append(errs, p.Actions.SetOutputs(r.Outputs(posted)))
	}
	for _, d := range r.Annotations {
		p.Actions.Annotate(d)
	}
	return posted, errors.Join(errs...)
}

// Warn tells people something went wrong that did not stop the run: an
// annotation in GitHub Actions, a line on stderr elsewhere.
func (p *Publisher) Warn(msg string) {
	if p.Actions != nil {
		p.Actions.Warn(msg)
		return
	}
	fmt.Fprintln(p.Stderr, "gitbook-sync: warning:", p.Redactor.String(msg))
}
