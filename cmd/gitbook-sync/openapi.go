package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/openapi"
)

// Exit codes of the openapi commands, documented in the README:
// validate and publish exit 1 on errors (or on warnings with --strict),
// diff exits 1 on breaking changes with --fail-on-breaking; 2 is bad usage
// or a file that cannot be read or compared.

func (a *app) openapiCommand() *cobra.Command {
	c := &cobra.Command{Use: "openapi", Short: "Validate, compare and publish OpenAPI specs",
		PersistentPreRun: func(*cobra.Command, []string) {
			// main's tuning (collect at 5x growth under 128 MiB) suits runs
			// that hold little; decoding a spec holds a third of what it
			// allocates, so the openapi commands collect at the runtime's
			// default pace: half the peak memory on the 3 MB OpenAI spec
			// (bench/openapi-validate.sh). A GOGC or GOMEMLIMIT set wins.
			if a.getenv("GOGC") == "" {
				debug.SetGCPercent(100)
			}
			if a.getenv("GOMEMLIMIT") == "" {
				debug.SetMemoryLimit(math.MaxInt64)
			}
		}}
	c.AddCommand(a.openapiValidate(), a.openapiDiff(), a.openapiPublish())
	return c
}

// printDiagnostics prints problems the way compilers do, warnings marked.
func (a *app) printDiagnostics(l diag.List) {
	for _, d := range l {
		if d.Severity == diag.Warning {
			d.Message = "warning: " + d.Message
		}
		fmt.Fprintln(a.stdout, d)
	}
}

func (a *app) openapiValidate() *cobra.Command {
	var strict bool
	var root string
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a spec as GitBook will take it: errors stop it being published, warnings do not",
		Long: "validate reports errors (what GitBook's processing refuses, and $refs to files that cannot be read\n" +
			"or lie outside the repository) and warnings (kin-openapi's validation: GitBook processes such specs).\n" +
			"Exit codes: 0 valid (warnings allowed unless --strict), 1 errors (or warnings with --strict), 2 bad usage.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, problems, err := openapi.LoadFile(cmd.Context(), args[0], root)
			if err != nil {
				return usageError{err}
			}
			a.printDiagnostics(problems)
			errs, warns := len(problems.Errors()), len(problems.Warnings())
			switch {
			case errs > 0:
				fmt.Fprintf(a.stderr, "gitbook-sync: %s: %d errors, %d warnings: GitBook would not get it\n", args[0], errs, warns)
				return exitError{exitFailed}
			case strict && warns > 0:
				fmt.Fprintf(a.stderr, "gitbook-sync: %s: %d warnings, errors under --strict\n", args[0], warns)
				return exitError{exitFailed}
			case warns > 0:
				fmt.Fprintf(a.stdout, "%s is a valid OpenAPI document (%d warnings)\n", args[0], warns)
			default:
				fmt.Fprintf(a.stdout, "%s is a valid OpenAPI document\n", args[0])
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&strict, "strict", false, "treat warnings as errors")
	cmd.Flags().StringVar(&root, "root", "", "the repository: files read for the spec must be inside it (default: the git work tree holding FILE)")
	return cmd
}

func (a *app) openapiDiff() *cobra.Command {
	var org string
	var failOnBreaking, asJSON bool
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "List breaking changes and the operations added, removed and changed",
		Long: "OLD and NEW are files, or the slug of a spec published to --organization (its latest version).\n" +
			"Exit codes: 0 compared, 1 breaking changes with --fail-on-breaking, 2 bad usage or a spec that cannot be read.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var specs [2]*openapi.Spec
			for i, arg := range args {
				s, err := a.loadSpec(cmd, arg, org)
				if err != nil {
					return usageError{err}
				}
				specs[i] = s
			}
			changes, err := openapi.Compare(specs[0], specs[1])
			if err != nil {
				return usageError{err}
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(changes); err != nil {
					return err
				}
			} else {
				fmt.Fprint(a.stdout, changes.Summary())
			}
			if failOnBreaking && len(changes.Breaking) > 0 {
				fmt.Fprintf(a.stderr, "gitbook-sync: %d breaking changes (--fail-on-breaking)\n", len(changes.Breaking))
				return exitError{exitFailed}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&org, "organization", "o", "", "organization of published specs given by slug")
	cmd.Flags().BoolVar(&failOnBreaking, "fail-on-breaking", false, "exit 1 when a change breaks existing clients")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the changes as JSON")
	return cmd
}

// loadSpec loads a file, or with an organization a published slug.
func (a *app) loadSpec(cmd *cobra.Command, arg, org string) (*openapi.Spec, error) {
	if _, err := os.Stat(arg); err == nil || org == "" {
		s, problems, err := openapi.LoadFile(cmd.Context(), arg, "")
		if err != nil {
			return nil, err
		}
		if errs := problems.Errors(); len(errs) > 0 {
			return nil, fmt.Errorf("%s is not valid: %s", arg, errs[0])
		}
		return s, nil
	}
	client, err := a.client()
	if err != nil {
		return nil, err
	}
	raw, err := client.LatestOpenAPIRaw(cmd.Context(), org, arg)
	if err != nil {
		return nil, fmt.Errorf("published spec %s: %w", arg, err)
	}
	s, problems := openapi.LoadData(cmd.Context(), []byte(raw.Text), arg+" (published)")
	if s == nil {
		return nil, fmt.Errorf("published spec %s cannot be read: %s", arg, problems.String())
	}
	return s, nil
}

func (a *app) openapiPublish() *cobra.Command {
	var slug, org, root string
	var force, strict bool
	cmd := &cobra.Command{
		Use:   "publish --spec SLUG --organization ORG FILE_OR_URL",
		Short: "Publish a spec version to GitBook (skipped when unchanged) and wait for GitBook to process it",
		Long: "publish validates the spec (errors stop it; warnings are shown and do not, unless --strict), compares it\n" +
			"with the published version, sends it and follows GitBook's processing to its end.\n" +
			"Exit codes: 0 published or unchanged, 1 not valid or refused by GitBook, 2 bad usage.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if slug == "" || org == "" {
				return usagef("--spec and --organization are required")
			}
			if len(slug) > 100 || !config.SlugRule.MatchString(slug) {
				return usagef("--spec %q: a slug is letters, digits and single hyphens, at most 100 characters", slug)
			}
			client, err := a.client()
			if err != nil {
				return err
			}
			src := openapi.Source{File: args[0]}
			if strings.HasPrefix(args[0], "http://") || strings.HasPrefix(args[0], "https://") {
				src = openapi.Source{URL: args[0]}
			}
			res, err := openapi.Publish(cmd.Context(), openapi.PublishOptions{Client: client, Organization: org, Slug: slug,
				Source: src, Root: root, Strict: strict, Force: force, Wait: a.timeout})
			if res != nil {
				fmt.Fprint(a.stdout, res.Summary())
			}
			return err
		},
	}
	cmd.Flags().StringVarP(&slug, "spec", "s", "", "slug of the spec in the organization")
	cmd.Flags().StringVarP(&org, "organization", "o", "", "organization ID")
	cmd.Flags().BoolVar(&force, "force", false, "publish even when the text is unchanged")
	cmd.Flags().BoolVar(&strict, "strict", false, "treat warnings as errors: nothing is sent")
	cmd.Flags().StringVar(&root, "root", "", "the repository: files read for the spec must be inside it (default: the git work tree holding the file)")
	cmd.Flags().DurationVar(&a.timeout, "timeout", 0, "how long to wait for GitBook to process it (default 10m)")
	return cmd
}
