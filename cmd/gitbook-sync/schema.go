package main

import (
	"github.com/spf13/cobra"

	"github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/report"
)

// NewCmdConfig holds configuration helpers.
func NewCmdConfig(f *Factory) *cobra.Command {
	c := &cobra.Command{Use: "config", Short: "Configuration helpers"}
	c.AddCommand(&cobra.Command{
		Use:   "schema",
		Short: "Print the JSON schema of " + config.FileName,
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := f.IO.Out.Write(config.Schema())
			return err
		},
	})
	return c
}

// NewCmdSchema prints the published JSON schemas.
func NewCmdSchema(f *Factory) *cobra.Command {
	schemas := map[string]func() []byte{"config": config.Schema, "results": report.Schema}
	return &cobra.Command{
		Use:       "schema config|results",
		Short:     "Print the JSON schema of " + config.FileName + " (config) or of --format json and the Action's results (results)",
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		ValidArgs: []string{"config", "results"},
		RunE: func(_ *cobra.Command, args []string) error {
			_, err := f.IO.Out.Write(schemas[args[0]]())
			return err
		},
	}
}
