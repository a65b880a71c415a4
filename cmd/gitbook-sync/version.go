package main

import (
	"fmt"

	"github.com/spf13/cobra"

	buildinfo "github.com/gitbook-sync/gitbook-sync/internal/version"
)

// NewCmdVersion prints the version, from ldflags or the build information.
func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(f.IO.Out, "gitbook-sync", buildinfo.Get())
			return err
		},
	}
}
