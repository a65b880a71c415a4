package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
)

// EmulatorOptions are the emulator command's flags.
type EmulatorOptions struct {
	f   *Factory
	ctx context.Context

	Addr, State string
	Persist     bool
	Server      emulator.Options
}

// NewCmdEmulator builds the emulator command. runF replaces emulatorRun in
// tests.
func NewCmdEmulator(f *Factory, runF func(*EmulatorOptions) error) *cobra.Command {
	o := &EmulatorOptions{f: f}
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
			o.ctx = cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return emulatorRun(o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Addr, "addr", "127.0.0.1:8787", "address to listen on (port 0 picks a free one)")
	fl.StringVar(&o.State, "state", "", "YAML state file (default: one organization org-1 with space space-1 without Git Sync, token test-token)")
	fl.BoolVar(&o.Persist, "persist", false, "save the whole state back to the --state file after every change (atomically)")
	fl.StringVar(&o.Server.AppURL, "app-url", "https://app.gitbook.com", "base of the \"app\" links in answers and reports")
	fl.DurationVar(&o.Server.GitSyncPoll, "git-sync-poll", time.Second, "how often GitBook's Git Sync looks at the branches it syncs (0: only on POST /_emulator/spaces/{id}/git-sync)")
	fl.DurationVar(&o.Server.OperationDelay, "operation-delay", 0, "keep imports and exports running at least this long")
	fl.IntVar(&o.Server.Faults.RateLimitEvery, "rate-limit-every", 0, "answer 429 to every Nth request")
	fl.IntVar(&o.Server.Faults.ServerErrorEvery, "server-error-every", 0, "answer 503 to every Nth request")
	fl.IntVar(&o.Server.Faults.DropEvery, "drop-every", 0, "process every Nth request, then drop its connection")
	fl.DurationVar(&o.Server.Faults.Delay, "delay", 0, "delay every answer")
	return cmd
}

// emulatorRun serves until the command's context ends (Ctrl-C).
func emulatorRun(o *EmulatorOptions) error {
	io := o.f.IO
	seed := emulator.DefaultSeed()
	if o.State != "" {
		var err error
		if seed, err = emulator.LoadSeed(o.State); err != nil {
			return usageError{err}
		}
	}
	opts := o.Server
	if o.Persist {
		if o.State == "" {
			return usagef("--persist saves to the --state file: give one")
		}
		opts.StateFile = o.State
	}
	opts.Log = io.ErrOut
	srv, err := emulator.New(seed, opts)
	if err != nil {
		return usageError{err}
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return usagef("listen on %s: %v", o.Addr, err)
	}
	base := "http://" + ln.Addr().String()
	srv.SetBaseURL(base)
	fmt.Fprintf(io.Out, "%s/v1\n", base)
	fmt.Fprintf(io.ErrOut, "GitBook emulator serving %s/v1 (requests: %s/_emulator/requests); stop with Ctrl-C\n", base, base)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-o.ctx.Done()
		_ = hs.Close()
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
