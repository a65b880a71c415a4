package openapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sourcegraph/conc"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// Source is where a spec comes from: a file in the repository, or a URL
// GitBook fetches.
type Source struct {
	File string
	URL  string
}

// PublishOptions describe one publication.
type PublishOptions struct {
	Client       *gitbook.Client
	Organization string
	Slug         string
	Source       Source
	// Root is the repository: every file read for the spec must be
	// inside it. Default: RepositoryRoot(Source.File).
	Root   string
	Strict bool          // warnings are errors: nothing is sent
	Force  bool          // publish even when identical
	DryRun bool          // validate and compare only
	Wait   time.Duration // for processing; default 10m
	Poll   time.Duration // first wait between checks of the processing; default gitbook.Poll's
}

// Result is what happened to one spec.
type Result struct {
	Slug        string            `json:"slug"`
	Source      string            `json:"source"`
	Diagnostics []diag.Diagnostic `json:"diagnostics,omitempty"`
	Changes     *Changes          `json:"changes,omitempty"`
	First       bool              `json:"first,omitempty"`
	Identical   bool              `json:"identical,omitempty"`
	Published   bool              `json:"published,omitempty"`
	Version     string            `json:"version,omitempty"`
	URL         string            `json:"url,omitempty"`
}

// Summary renders the result for people.
func (r *Result) Summary() string {
	var b strings.Builder
	for _, d := range r.Diagnostics {
		if d.Severity == diag.Warning {
			fmt.Fprintf(&b, "%s: warning: %s\n", d.Pos(), fieldMessage(d))
		} else {
			fmt.Fprintln(&b, d)
		}
	}
	errs := diag.List(r.Diagnostics).Errors()
	switch {
	case len(errs) > 0:
		fmt.Fprintf(&b, "%s: not published: %d errors\n", r.Slug, len(errs))
	case r.Identical:
		fmt.Fprintf(&b, "%s: unchanged since the published version; no new version\n", r.Slug)
	case r.Published:
		fmt.Fprintf(&b, "%s: published version %s\n", r.Slug, r.Version)
	case r.First:
		fmt.Fprintf(&b, "%s: would be published for the first time\n", r.Slug)
	default:
		fmt.Fprintf(&b, "%s: would publish a new version\n", r.Slug)
	}
	if r.Changes != nil && !r.First {
		b.WriteString(r.Changes.Summary())
	}
	return b.String()
}

func fieldMessage(d diag.Diagnostic) string {
	if d.Field != "" {
		return d.Field + ": " + d.Message
	}
	return d.Message
}

// ErrInvalid is returned (wrapped) when a spec has errors, or warnings
// under Strict: nothing is sent.
var ErrInvalid = errors.New("the spec is not valid")

// ErrProcessing is returned (wrapped) when GitBook rejects a spec.
var ErrProcessing = errors.New("GitBook could not process the spec")

// Publish checks the spec and, unless the published version has the
// same text or this is a dry run, sends it and follows GitBook's
// processing to its end. A dry run (pull requests) compares it with the
// published version instead. kin-openapi's model and its warnings, which
// take most of the time on a large spec, are built while GitBook
// processes it, unless they must come first: under Strict, for a bundle
// of several files, or to compare.
func Publish(ctx context.Context, o PublishOptions) (*Result, error) {
	res := &Result{Slug: o.Slug, Source: o.Source.File + o.Source.URL}
	if o.Source.File == "" {
		// GitBook fetches it; there is nothing local to check.
		if o.DryRun {
			return res, nil
		}
		return res, o.send(ctx, res, nil)
	}
	c, problems, err := Check(o.Source.File, o.Root)
	if err != nil {
		return res, fmt.Errorf("spec %s: %w", o.Slug, err)
	}
	res.Diagnostics = problems
	if n := len(problems.Errors()); n > 0 {
		return res, fmt.Errorf("%s: %w (%d errors); nothing was sent", o.Source.File, ErrInvalid, n)
	}
	var spec *Spec
	var warnings diag.List
	var modelled *conc.WaitGroup // carries a panic in the model to wait's caller
	// wait adds the model's findings once it is built.
	wait := func() {
		if modelled != nil {
			modelled.Wait()
			modelled = nil
		}
		res.Diagnostics = sorted(append(res.Diagnostics, warnings...))
		warnings = nil
	}
	if o.Strict || c.Bundled() || o.DryRun {
		spec, warnings = c.Model(ctx)
		wait()
		all := diag.List(res.Diagnostics)
		if n := len(all.Errors()); n > 0 {
			return res, fmt.Errorf("%s: %w (%d errors); nothing was sent", o.Source.File, ErrInvalid, n)
		}
		if n := len(all.Warnings()); o.Strict && n > 0 {
			return res, fmt.Errorf("%s: %w: %d warnings, and strict makes them errors; nothing was sent", o.Source.File, ErrInvalid, n)
		}
	} else {
		modelled = conc.NewWaitGroup()
		modelled.Go(func() { _, warnings = c.Model(ctx) })
	}
	var text []byte
	if spec != nil {
		text = spec.Text
	} else if text, err = c.Text(); err != nil {
		wait()
		return res, fmt.Errorf("%s: %w; nothing was sent", o.Source.File, err)
	}
	raw, err := o.Client.LatestOpenAPIRaw(ctx, o.Organization, o.Slug)
	switch {
	case gitbook.IsNotFound(err):
		res.First = true
	case err != nil:
		wait()
		return res, fmt.Errorf("read published spec %s: %w", o.Slug, err)
	case raw.Text == string(text):
		// GitBook keeps the text exactly as sent.
		res.Identical, res.Changes = true, &Changes{}
		if !o.Force {
			wait()
			return res, nil
		}
	case o.DryRun:
		// GitBook's text: compared as far as kin-openapi reads it.
		if old, _ := LoadData(ctx, []byte(raw.Text), o.Slug+" (published)"); old.Comparable() && spec.Comparable() {
			if res.Changes, err = Compare(old, spec); err != nil {
				res.Diagnostics = append(res.Diagnostics, diag.Warnf(res.Source, 0, 0, "not compared with the published version: %v", err))
			}
		}
	}
	if o.DryRun {
		return res, nil
	}
	err = o.send(ctx, res, text)
	wait()
	return res, err
}

// send puts the spec (text, or the URL) and follows GitBook's processing.
func (o PublishOptions) send(ctx context.Context, res *Result, text []byte) error {
	src := gitbook.OpenAPISource{URL: o.Source.URL, Text: string(text)}
	s, err := o.Client.PutOpenAPISpec(ctx, o.Organization, o.Slug, src)
	var lost error
	if errors.Is(err, gitbook.ErrOutcomeUnknown) && text != nil {
		// Each PUT adds a version, so it is not sent again: the spec's
		// processing is followed, and its latest version then says
		// whether this text arrived.
		lost = err
		s, err = o.Client.OpenAPISpec(ctx, o.Organization, o.Slug)
		if gitbook.IsNotFound(err) {
			return fmt.Errorf("publish spec %s: %w; the spec does not exist, so it was not received: run again to send it", o.Slug, lost)
		}
		if err != nil {
			return fmt.Errorf("publish spec %s: %w; reading the spec to find out failed too (%v): check it in GitBook, and run again to send it if it is missing", o.Slug, lost, err)
		}
	}
	if err != nil {
		return fmt.Errorf("publish spec %s: %w", o.Slug, err)
	}
	poll := gitbook.Poll{Initial: o.Poll, Timeout: o.Wait}
	_, err = poll.Until(ctx, func(ctx context.Context) (bool, time.Duration, error) {
		if s.ProcessingState == gitbook.SpecComplete {
			return true, 0, nil
		}
		var err error
		s, err = o.Client.OpenAPISpec(ctx, o.Organization, o.Slug)
		return err == nil && s.ProcessingState == gitbook.SpecComplete, 0, err
	})
	if errors.Is(err, gitbook.ErrPollTimeout) {
		return fmt.Errorf("spec %s: GitBook %w processing it (state %s); check it in GitBook", o.Slug, err, s.ProcessingState)
	}
	if err != nil {
		return fmt.Errorf("spec %s: %w", o.Slug, err)
	}
	res.URL = s.URLs.App
	if lost != nil {
		// Checked before the processing's errors: those may be of an
		// earlier text, or of another publisher's.
		raw, err := o.Client.LatestOpenAPIRaw(ctx, o.Organization, o.Slug)
		switch {
		case err == nil && raw.Text == string(text):
			res.Published, res.Version = true, s.LastVersion
			return nil
		case err != nil && !gitbook.IsNotFound(err):
			return fmt.Errorf("publish spec %s: %w; reading the latest version to find out failed too (%v): check the spec in GitBook, and run again to send it if it is missing", o.Slug, lost, err)
		case s.LastProcessErrorCode != "":
			return fmt.Errorf("publish spec %s: %w; GitBook's last processing of the spec failed (%s), of this text or of an earlier one: check the spec in GitBook, and run again", o.Slug, lost, s.LastProcessErrorCode)
		default:
			return fmt.Errorf("publish spec %s: %w; its latest version is not this text (not received, or another publish came after it): run again to send it", o.Slug, lost)
		}
	}
	if s.LastProcessErrorCode != "" {
		for _, e := range s.LastProcessedErrors {
			res.Diagnostics = append(res.Diagnostics, diag.Diagnostic{File: res.Source, Severity: diag.Error,
				Message: "GitBook: " + strings.TrimSpace(e.Code+" "+e.Message)})
		}
		return fmt.Errorf("spec %s: %w: %s (%d errors)", o.Slug, ErrProcessing, s.LastProcessErrorCode, s.LastProcessedErrorCount)
	}
	res.Published, res.Version = true, s.LastVersion
	return nil
}
