package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	buildinfo "github.com/gitbook-sync/gitbook-sync/internal/version"
)

// app is what the commands owned elsewhere were written against: the
// emulator (emulator.go), openapi (openapi.go) and version commands. They
// move to the NewCmdX(f) pattern when their owners next touch them; until
// then this adapter keeps them compiling on the Factory.
type app struct {
	f              *Factory
	stdout, stderr io.Writer
	getenv         func(string) string
	timeout        time.Duration
}

func (a *app) client() (*gitbook.Client, error) { return a.f.GitBook() }

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(a.stdout, "gitbook-sync", buildinfo.Get())
			return nil
		},
	}
}
