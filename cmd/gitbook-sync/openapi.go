package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/openapi"
)

// Exit codes of the openapi commands, documented in the README:
// validate and publish exit 1 on errors (or on warnings with --strict),
// diff exits 1 on breaking changes with --fail-on-breaking; 2 is bad usage
// or a file that cannot be read or compared.

// OpenAPIValidateOptions are openapi validate's flags and argument.
type OpenAPIValidateOptions struct {
	f   *Factory
	ctx context.Context

	File   string
	Strict bool
	Root   string
}

// OpenAPIDiffOptions are openapi diff's flags and arguments.
type OpenAPIDiffOptions struct {
	f   *Factory
	ctx context.Context

	Old, New       string
	Organization   string
	FailOnBreaking bool
	JSON           bool
}

// OpenAPIPublishOptions are openapi publish's flags and argument.
type OpenAPIPublishOptions struct {
	f   *Factory
	ctx context.Context

	Source             string // a file, or an http(s) URL
	Slug, Organization string
	Root               string
	Force, Strict      bool
	Timeout            time.Duration
}

// openapiOptions is the options of one openapi command, which runs them.
type openapiOptions interface{ run() error }

// NewCmdOpenAPI builds the openapi commands. runF replaces their runs in
// tests: it gets the options of the command given, an
// *OpenAPIValidateOptions, *OpenAPIDiffOptions or *OpenAPIPublishOptions.
func NewCmdOpenAPI(f *Factory, runF func(openapiOptions) error) *cobra.Command {
	c := &cobra.Command{Use: "openapi", Short: "Validate, compare and publish OpenAPI specs",
		PersistentPreRun: func(*cobra.Command, []string) {
			// main's tuning (collect at 5x growth under 128 MiB) suits runs
			// that hold little; decoding a spec holds a third of what it
			// allocates, so the openapi commands collect at the runtime's
			// default pace: half the peak memory on the 3 MB OpenAI spec
			// (bench/openapi-validate.sh). A GOGC or GOMEMLIMIT set wins.
			if f.Getenv("GOGC") == "" {
				debug.SetGCPercent(100)
			}
			if f.Getenv("GOMEMLIMIT") == "" {
				debug.SetMemoryLimit(math.MaxInt64)
			}
		}}
	run := func(o openapiOptions) error {
		if runF != nil {
			return runF(o)
		}
		return o.run()
	}
	c.AddCommand(newCmdOpenAPIValidate(f, run), newCmdOpenAPIDiff(f, run), newCmdOpenAPIPublish(f, run))
	return c
}

func newCmdOpenAPIValidate(f *Factory, run func(openapiOptions) error) *cobra.Command {
	o := &OpenAPIValidateOptions{f: f}
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a spec as GitBook will take it: errors stop it being published, warnings do not",
		Long: "validate reports errors (what GitBook's processing refuses, and $refs to files that cannot be read\n" +
			"or lie outside the repository) and warnings (kin-openapi's validation: GitBook processes such specs).\n" +
			"Exit codes: 0 valid (warnings allowed unless --strict), 1 errors (or warnings with --strict), 2 bad usage.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ctx, o.File = cmd.Context(), args[0]
			return run(o)
		},
	}
	cmd.Flags().BoolVar(&o.Strict, "strict", false, "treat warnings as errors")
	cmd.Flags().StringVar(&o.Root, "root", "", "the repository: files read for the spec must be inside it (default: the git work tree holding FILE)")
	return cmd
}

func (o *OpenAPIValidateOptions) run() error {
	streams := o.f.IO
	_, problems, err := openapi.LoadFile(o.ctx, o.File, o.Root)
	if err != nil {
		return usageError{err}
	}
	printDiagnostics(streams.Out, problems)
	errs, warns := len(problems.Errors()), len(problems.Warnings())
	switch {
	case errs > 0:
		fmt.Fprintf(streams.ErrOut, "gitbook-sync: %s: %d errors, %d warnings: GitBook would not get it\n", o.File, errs, warns)
		return exitError{exitFailed}
	case o.Strict && warns > 0:
		fmt.Fprintf(streams.ErrOut, "gitbook-sync: %s: %d warnings, errors under --strict\n", o.File, warns)
		return exitError{exitFailed}
	case warns > 0:
		fmt.Fprintf(streams.Out, "%s is a valid OpenAPI document (%d warnings)\n", o.File, warns)
	default:
		fmt.Fprintf(streams.Out, "%s is a valid OpenAPI document\n", o.File)
	}
	return nil
}

// printDiagnostics prints problems the way compilers do, warnings marked.
func printDiagnostics(w io.Writer, l diag.List) {
	for _, d := range l {
		if d.Severity == diag.Warning {
			d.Message = "warning: " + d.Message
		}
		fmt.Fprintln(w, d)
	}
}

func newCmdOpenAPIDiff(f *Factory, run func(openapiOptions) error) *cobra.Command {
	o := &OpenAPIDiffOptions{f: f}
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "List breaking changes and the operations added, removed and changed",
		Long: "OLD and NEW are files, or the slug of a spec published to --organization (its latest version).\n" +
			"Exit codes: 0 compared, 1 breaking changes with --fail-on-breaking, 2 bad usage or a spec that cannot be read.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ctx, o.Old, o.New = cmd.Context(), args[0], args[1]
			return run(o)
		},
	}
	cmd.Flags().StringVarP(&o.Organization, "organization", "o", "", "organization of published specs given by slug")
	cmd.Flags().BoolVar(&o.FailOnBreaking, "fail-on-breaking", false, "exit 1 when a change breaks existing clients")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the changes as JSON")
	return cmd
}

func (o *OpenAPIDiffOptions) run() error {
	streams := o.f.IO
	var specs [2]*openapi.Spec
	for i, arg := range []string{o.Old, o.New} {
		s, err := o.load(arg)
		if err != nil {
			return usageError{err}
		}
		specs[i] = s
	}
	changes, err := openapi.Compare(specs[0], specs[1])
	if err != nil {
		return usageError{err}
	}
	if o.JSON {
		enc := json.NewEncoder(streams.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(changes); err != nil {
			return err
		}
	} else {
		fmt.Fprint(streams.Out, changes.Summary())
	}
	if o.FailOnBreaking && len(changes.Breaking) > 0 {
		fmt.Fprintf(streams.ErrOut, "gitbook-sync: %d breaking changes (--fail-on-breaking)\n", len(changes.Breaking))
		return exitError{exitFailed}
	}
	return nil
}

// load loads a file, or with an organization a published slug.
func (o *OpenAPIDiffOptions) load(arg string) (*openapi.Spec, error) {
	if _, err := os.Stat(arg); err == nil || o.Organization == "" {
		s, problems, err := openapi.LoadFile(o.ctx, arg, "")
		if err != nil {
			return nil, err
		}
		if errs := problems.Errors(); len(errs) > 0 {
			return nil, fmt.Errorf("%s is not valid: %s", arg, errs[0])
		}
		return s, nil
	}
	client, err := o.f.GitBook()
	if err != nil {
		return nil, err
	}
	raw, err := client.LatestOpenAPIRaw(o.ctx, o.Organization, arg)
	if err != nil {
		return nil, fmt.Errorf("published spec %s: %w", arg, err)
	}
	s, problems := openapi.LoadData(o.ctx, []byte(raw.Text), arg+" (published)")
	if s == nil {
		return nil, fmt.Errorf("published spec %s cannot be read: %s", arg, problems.String())
	}
	return s, nil
}

func newCmdOpenAPIPublish(f *Factory, run func(openapiOptions) error) *cobra.Command {
	o := &OpenAPIPublishOptions{f: f}
	cmd := &cobra.Command{
		Use:   "publish --spec SLUG --organization ORG FILE_OR_URL",
		Short: "Publish a spec version to GitBook (skipped when unchanged) and wait for GitBook to process it",
		Long: "publish validates the spec (errors stop it; warnings are shown and do not, unless --strict), compares it\n" +
			"with the published version, sends it and follows GitBook's processing to its end.\n" +
			"Exit codes: 0 published or unchanged, 1 not valid or refused by GitBook, 2 bad usage.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ctx, o.Source = cmd.Context(), args[0]
			return run(o)
		},
	}
	cmd.Flags().StringVarP(&o.Slug, "spec", "s", "", "slug of the spec in the organization")
	cmd.Flags().StringVarP(&o.Organization, "organization", "o", "", "organization ID")
	cmd.Flags().BoolVar(&o.Force, "force", false, "publish even when the text is unchanged")
	cmd.Flags().BoolVar(&o.Strict, "strict", false, "treat warnings as errors: nothing is sent")
	cmd.Flags().StringVar(&o.Root, "root", "", "the repository: files read for the spec must be inside it (default: the git work tree holding the file)")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", 0, "how long to wait for GitBook to process it (default 10m)")
	return cmd
}

func (o *OpenAPIPublishOptions) run() error {
	if o.Slug == "" || o.Organization == "" {
		return usagef("--spec and --organization are required")
	}
	if len(o.Slug) > 100 || !config.SlugRule.MatchString(o.Slug) {
		return usagef("--spec %q: a slug is letters, digits and single hyphens, at most 100 characters", o.Slug)
	}
	client, err := o.f.GitBook()
	if err != nil {
		return err
	}
	src := openapi.Source{File: o.Source}
	if strings.HasPrefix(o.Source, "http://") || strings.HasPrefix(o.Source, "https://") {
		src = openapi.Source{URL: o.Source}
	}
	res, err := openapi.Publish(o.ctx, openapi.PublishOptions{Client: client, Organization: o.Organization, Slug: o.Slug,
		Source: src, Root: o.Root, Strict: o.Strict, Force: o.Force, Wait: o.Timeout})
	if res != nil {
		fmt.Fprint(o.f.IO.Out, res.Summary())
	}
	return err
}
