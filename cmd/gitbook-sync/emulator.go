package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
)

func (a *app) emulatorCommand() *cobra.Command {
	var addr, state string
	var persist bool
	var opts emulator.Options
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Serve a stateful GitBook API emulator on this machine",
		Long: "emulator serves the GitBook API endpoints gitbook-sync uses under /v1, from a YAML state file\n" +
			"(token, organizations, members, spaces). Imports read real Git repositories (file:// URLs or paths),\n" +
			"exports commit to them. A space with gitSync: github or gitlab and a repository has GitBook's own\n" +
			"Git Sync installed: pushes to its branch are imported, merges in GitBook exported. With --persist the\n" +
			"state file is rewritten after every change, so a restarted emulator carries on.\n" +
			"GET /_emulator/requests lists every request received.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			seed := emulator.DefaultSeed()
			if state != "" {
				var err error
				if seed, err = emulator.LoadSeed(state); err != nil {
					return usageError{err}
				}
			}
			if persist {
				if state == "" {
					return usagef("--persist saves to the --state file: give one")
				}
				opts.StateFile = state
			}
			opts.Log = a.stderr
			srv, err := emulator.New(seed, opts)
			if err != nil {
				return usageError{err}
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return usagef("listen on %s: %v", addr, err)
			}
			base := "http://" + ln.Addr().String()
			srv.SetBaseURL(base)
			fmt.Fprintf(a.stdout, "%s/v1\n", base)
			fmt.Fprintf(a.stderr, "GitBook emulator serving %s/v1 (requests: %s/_emulator/requests); stop with Ctrl-C\n", base, base)
			hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
			go func() {
				<-cmd.Context().Done()
				_ = hs.Close()
			}()
			if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			srv.Close()
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8787", "address to listen on (port 0 picks a free one)")
	f.StringVar(&state, "state", "", "YAML state file (default: one organization org-1 with space space-1 without Git Sync, token test-token)")
	f.BoolVar(&persist, "persist", false, "save the whole state back to the --state file after every change (atomically)")
	f.StringVar(&opts.AppURL, "app-url", "https://app.gitbook.com", "base of the \"app\" links in answers and reports")
	f.DurationVar(&opts.GitSyncPoll, "git-sync-poll", time.Second, "how often GitBook's Git Sync looks at the branches it syncs (0: only on POST /_emulator/spaces/{id}/git-sync)")
	f.DurationVar(&opts.OperationDelay, "operation-delay", 0, "keep imports and exports running at least this long")
	f.IntVar(&opts.Faults.RateLimitEvery, "rate-limit-every", 0, "answer 429 to every Nth request")
	f.IntVar(&opts.Faults.ServerErrorEvery, "server-error-every", 0, "answer 503 to every Nth request")
	f.IntVar(&opts.Faults.DropEvery, "drop-every", 0, "process every Nth request, then drop its connection")
	f.DurationVar(&opts.Faults.Delay, "delay", 0, "delay every answer")
	return cmd
}
