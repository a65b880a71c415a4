package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitbook-sync/gitbook-sync/ci"
	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/notify"
	"github.com/gitbook-sync/gitbook-sync/report"
)

// Main runs the command line and returns the exit code; main only exits.
func Main(args []string, stdout, stderr io.Writer, getenv func(string) string) ExitCode {
	f, writers := newFactory(stdout, stderr, getenv)
	defer func() {
		for _, w := range writers {
			w.Flush()
		}
	}()
	if ctx, err := f.CI(); err == nil && ctx.Provider == ci.GitHub {
		// Before anything else is printed, so the runner masks the
		// secrets in the whole job's log too.
		(&notify.Actions{W: f.IO.RawErr}).Mask(f.Redactor.Secrets()...)
	}
	root := NewCmdRoot(f)
	root.SetArgs(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := root.ExecuteContext(ctx)
	if ee := (exitError{}); err != nil && !errors.As(err, &ee) {
		reportError(f, err)
	}
	return exitCodeOf(err)
}

// reportError prints err once, and in GitHub Actions annotates each
// problem it carries at its place.
func reportError(f *Factory, err error) {
	// One problem a line (joined errors are a line each); names in errors
	// come from the repository, so they are kept from driving the terminal.
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(f.IO.ErrOut, "gitbook-sync: %s\n", report.Safe(line))
	}
	if ctx, cerr := f.CI(); cerr == nil && ctx.Provider == ci.GitHub {
		a := &notify.Actions{W: f.IO.RawErr, Redactor: f.Redactor}
		for _, d := range diag.As(err) {
			a.Annotate(d)
		}
	}
}

// NewCmdRoot builds the command tree.
func NewCmdRoot(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "gitbook-sync",
		Short: "Keep a Git repository of docs and a GitBook space in step",
		Long: "gitbook-sync compares a repository with GitBook spaces and imports, exports or stops with a reason.\n" +
			"Exit codes: 0 done or nothing to do, 1 a space failed, 2 bad usage or configuration, 3 a person must act.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			msg := fmt.Sprintf("unknown command %q", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf("; did you mean %q?", s[0])
			}
			return usagef("%s; see gitbook-sync --help", msg)
		},
	}
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(flagError)
	root.SuggestionsMinimumDistance = 2
	pf := root.PersistentFlags()
	pf.StringVar(&f.Global.Config, "config", "", "configuration file (default: "+config.FileName+" at the repository root)")
	pf.StringVar(&f.Global.Repo, "repo", ".", "the repository checkout")
	pf.StringVar(&f.Global.APIURL, "api-url", "", "GitBook API base URL (env GITBOOK_API_URL; default "+gitbook.DefaultBaseURL+")")

	root.AddCommand(
		NewCmdPlan(f, nil),
		NewCmdSync(f, nil),
		NewCmdAction(f, nil),
		NewCmdDemo(f),
		NewCmdConfig(f),
		NewCmdSchema(f),
		NewCmdInit(f, nil),
		NewCmdEmulator(f, nil),
		NewCmdVersion(f),
		NewCmdOpenAPI(f, nil),
	)
	usageArgs(root)
	return root
}

// usageArgs makes every command's argument check a usage error (exit 2),
// including the commands written elsewhere.
func usageArgs(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return usageError{err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		usageArgs(sub)
	}
}
