package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/openapi"
)

func (a *app) openapiCommand() *cobra.Command {
	c := &cobra.Command{Use: "openapi", Short: "Validate, compare and publish OpenAPI specs",
		PersistentPreRun: func(_ *cobra.Command, args []string) {
			// Loading a spec allocates about 50 times its size, of which
			// 7 times stays live. A soft limit of 20 times (48 MiB at
			// least) collects rarely while the heap is small and keeps
			// peak memory under half of rdme's on 2-3 MB specs; see
			// bench/openapi-validate.sh. A GOMEMLIMIT set by the user wins.
			if a.getenv("GOMEMLIMIT") != "" {
				return
			}
			var size int64
			for _, arg := range args {
				if fi, err := os.Stat(arg); err == nil {
					size += fi.Size()
				}
			}
			debug.SetMemoryLimit(max(48<<20, 20*size))
		}}
	c.AddCommand(a.openapiValidate(), a.openapiDiff(), a.openapiPublish())
	return c
}

func (a *app) openapiValidate() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE",
		Short: "Validate an OpenAPI 3.0 or 3.1 spec (JSON or YAML, $refs across files)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, problems, err := openapi.LoadFile(cmd.Context(), args[0])
			if err != nil {
				return usageError{err}
			}
			for _, p := range problems {
				fmt.Fprintln(a.stdout, p)
			}
			if n := openapi.Errors(problems); n > 0 {
				fmt.Fprintf(a.stderr, "gitbook-sync: %s: %d errors\n", args[0], n)
				return exitError{exitFailed}
			}
			fmt.Fprintf(a.stdout, "%s is a valid OpenAPI document\n", args[0])
			return nil
		},
	}
}

func (a *app) openapiDiff() *cobra.Command {
	var org string
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "List the operations added, removed and changed, and the breaking changes",
		Long:  "OLD and NEW are files, or the slug of a spec published to --organization (its latest version).",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var specs [2]*openapi.Spec
			for i, arg := range args {
				s, err := a.loadSpec(cmd, arg, org)
				if err != nil {
					return err
				}
				specs[i] = s
			}
			changes, err := openapi.Compare(specs[0], specs[1])
			if err != nil {
				return err
			}
			fmt.Fprint(a.stdout, changes.Summary())
			return nil
		},
	}
	cmd.Flags().StringVarP(&org, "organization", "o", "", "organization of published specs given by slug")
	return cmd
}

// loadSpec loads a file, or with an organization a published slug.
func (a *app) loadSpec(cmd *cobra.Command, arg, org string) (*openapi.Spec, error) {
	if _, err := os.Stat(arg); err == nil || org == "" {
		s, problems, err := openapi.LoadFile(cmd.Context(), arg)
		if err != nil {
			return nil, usageError{err}
		}
		if openapi.Errors(problems) > 0 {
			return nil, fmt.Errorf("%s is not valid: %s", arg, problems[0])
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
	s, problems, err := openapi.LoadData(cmd.Context(), []byte(raw.Text), arg+" (published)")
	if err != nil || s == nil {
		return nil, fmt.Errorf("published spec %s cannot be read: %v %v", arg, err, problems)
	}
	return s, nil
}

func (a *app) openapiPublish() *cobra.Command {
	var slug, org string
	var force bool
	cmd := &cobra.Command{
		Use:   "publish --spec SLUG --organization ORG FILE_OR_URL",
		Short: "Publish a spec version to GitBook (skipped when unchanged)",
		Args:  cobra.ExactArgs(1),
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
			res, err := openapi.Publish(cmd.Context(), openapi.PublishOptions{Client: client, Organization: org, Slug: slug, Source: src, Force: force, Wait: a.timeout})
			if res != nil {
				fmt.Fprint(a.stdout, res.Summary())
			}
			return err
		},
	}
	cmd.Flags().StringVarP(&slug, "spec", "s", "", "slug of the spec in the organization")
	cmd.Flags().StringVarP(&org, "organization", "o", "", "organization ID")
	cmd.Flags().BoolVar(&force, "force", false, "publish even when the text is unchanged")
	cmd.Flags().DurationVar(&a.timeout, "timeout", 0, "how long to wait for GitBook to process it (default 5m)")
	return cmd
}
