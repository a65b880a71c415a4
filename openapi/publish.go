package openapi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
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
	Force        bool          // publish even when identical
	DryRun       bool          // validate and compare only
	Wait         time.Duration // for processing; default 5m
	Poll         time.Duration // default 2s
}

// Result is what happened to one spec.
type Result struct {
	Slug      string    `json:"slug"`
	Source    string    `json:"source"`
	Problems  []Problem `json:"problems,omitempty"`
	Changes   *Changes  `json:"changes,omitempty"`
	First     bool      `json:"first,omitempty"`
	Identical bool      `json:"identical,omitempty"`
	Published bool      `json:"published,omitempty"`
	Version   string    `json:"version,omitempty"`
	URL       string    `json:"url,omitempty"`
}

// Summary renders the result for people.
func (r *Result) Summary() string {
	var b strings.Builder
	for _, p := range r.Problems {
		fmt.Fprintln(&b, p)
	}
	switch {
	case Errors(r.Problems) > 0:
		fmt.Fprintf(&b, "%s: not published: %d errors\n", r.Slug, Errors(r.Problems))
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

// ErrInvalid is returned (wrapped) when a spec has errors: nothing is sent.
var ErrInvalid = errors.New("the spec is not valid")

// ErrProcessing is returned (wrapped) when GitBook rejects a spec.
var ErrProcessing = errors.New("GitBook could not process the spec")

// Prepare validates the spec locally and compares it with the latest
// published version, sending nothing.
func Prepare(ctx context.Context, o PublishOptions) (*Result, *Spec, error) {
	res := &Result{Slug: o.Slug, Source: o.Source.File + o.Source.URL}
	if o.Source.URL != "" {
		// GitBook fetches it; there is nothing local to check.
		return res, nil, nil
	}
	spec, problems, err := LoadFile(ctx, o.Source.File)
	if err != nil {
		return res, nil, err
	}
	res.Problems = problems
	if Errors(problems) > 0 {
		return res, nil, fmt.Errorf("%s: %w (%d errors); nothing was sent", o.Source.File, ErrInvalid, Errors(problems))
	}
	raw, err := o.Client.LatestOpenAPIRaw(ctx, o.Organization, o.Slug)
	switch {
	case gitbook.IsNotFound(err):
		res.First = true
		text, err := spec.Publishable(ctx)
		spec.Text = text
		return res, spec, err
	case err != nil:
		return res, nil, fmt.Errorf("read published spec %s: %w", o.Slug, err)
	}
	text, err := spec.Publishable(ctx)
	if err != nil {
		return res, nil, err
	}
	spec.Text = text
	if Identical([]byte(raw.Text), spec.Text) {
		res.Identical = true
		res.Changes = &Changes{}
		return res, spec, nil
	}
	old, _, err := LoadData(ctx, []byte(raw.Text), o.Slug+" (published)")
	if err != nil || old == nil {
		// The published text is GitBook's: compare what can be compared.
		return res, spec, nil
	}
	if res.Changes, err = Compare(old, spec); err != nil {
		return res, spec, err
	}
	return res, spec, nil
}

// Publish prepares, then (unless identical or a dry run) sends the new
// version and follows GitBook's processing to its end.
func Publish(ctx context.Context, o PublishOptions) (*Result, error) {
	if o.Wait <= 0 {
		o.Wait = 5 * time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	res, spec, err := Prepare(ctx, o)
	if err != nil || o.DryRun || (res.Identical && !o.Force) {
		return res, err
	}
	src := gitbook.OpenAPISource{URL: o.Source.URL}
	if spec != nil {
		src.Text = string(spec.Text)
	} else if o.Source.File != "" {
		data, err := os.ReadFile(o.Source.File)
		if err != nil {
			return res, err
		}
		src.Text = string(data)
	}
	started := time.Now()
	s, err := o.Client.PutOpenAPISpec(ctx, o.Organization, o.Slug, src)
	if err != nil {
		return res, fmt.Errorf("publish spec %s: %w", o.Slug, err)
	}
	for s.ProcessingState != gitbook.SpecComplete {
		if time.Since(started) > o.Wait {
			return res, fmt.Errorf("spec %s: GitBook still processing after %s (state %s); check it in GitBook", o.Slug, o.Wait, s.ProcessingState)
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(o.Poll):
		}
		if s, err = o.Client.OpenAPISpec(ctx, o.Organization, o.Slug); err != nil {
			return res, fmt.Errorf("spec %s: %w", o.Slug, err)
		}
	}
	res.URL = s.URLs.App
	if s.LastProcessErrorCode != "" {
		for _, e := range s.LastProcessedErrors {
			res.Problems = append(res.Problems, Problem{File: res.Source, Message: strings.TrimSpace(e.Code + " " + e.Message)})
		}
		return res, fmt.Errorf("spec %s: %w: %s (%d errors)", o.Slug, ErrProcessing, s.LastProcessErrorCode, s.LastProcessedErrorCount)
	}
	res.Published, res.Version = true, s.LastVersion
	return res, nil
}
