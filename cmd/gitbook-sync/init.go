package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gitbook-sync/gitbook-sync/config"
)

// InitOptions are init's flags.
type InitOptions struct {
	f     *Factory
	Init  config.InitOptions
	Force bool
}

// NewCmdInit builds the init command. runF replaces initRun in tests.
func NewCmdInit(f *Factory, runF func(*InitOptions) error) *cobra.Command {
	o := &InitOptions{f: f}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a starting " + config.FileName + " and GitHub workflow",
		Long: "init reads the repository and writes " + config.FileName + " and " + config.WorkflowFile + ".\n" +
			"With GitBook's site-wide " + config.SiteFile + " the spaces come from it (found again on every run);\n" +
			"else each folder with a .gitbook.yaml is a space, else the repository root.\n" +
			"It replaces no file unless --force is given.",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(o)
			}
			return initRun(o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.Force, "force", false, "replace the files if they exist")
	fl.StringVar(&o.Init.Space, "space", "", "space ID, for a repository with one project and no "+config.SiteFile)
	fl.StringVar(&o.Init.Organization, "organization", "", "organization ID")
	fl.StringVar(&o.Init.Site, "site", "", "site ID: with --organization, "+config.SiteFile+" spaces get their IDs from the site")
	fl.StringVar(&o.Init.Branch, "branch", "", "branch the workflow syncs on push (default main)")
	return cmd
}

func initRun(o *InitOptions) error {
	f := o.f
	repo := f.Global.Repo
	if o.Init.Site != "" && o.Init.Organization == "" {
		return usagef("--site needs --organization: the site's spaces are looked up in its organization")
	}
	files, err := config.Init(repo, o.Init)
	if err != nil {
		return usageError{err}
	}
	if err := config.WriteInit(repo, files, o.Force); err != nil {
		return usageError{err}
	}
	for _, file := range files {
		fmt.Fprintf(f.IO.Out, "wrote %s\n", file.Path)
	}
	fmt.Fprintf(f.IO.Out, "next: fill in what the comments in %s ask for (space IDs), add the GITBOOK_TOKEN secret, "+
		"then check with `gitbook-sync plan` (or `gitbook-sync plan --offline --base HEAD~1`, which needs no IDs)\n", config.FileName)
	return nil
}
