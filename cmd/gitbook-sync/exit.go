package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// ExitCode is what the process returns. The README's "Exit codes" table
// documents each; this is the only place they are defined.
type ExitCode int

const (
	exitOK      ExitCode = 0 // done, or nothing to do
	exitFailed  ExitCode = 1 // a space failed (API error, GitBook refused, timeout)
	exitUsage   ExitCode = 2 // bad flags, input or configuration; nothing was sent for it
	exitStopped ExitCode = 3 // a person must act (diverged, space ahead, operation running); nothing was written
)

// rank orders codes by how much they need attention, for runs of several
// spaces: a failure over a configuration problem over a stop.
func (c ExitCode) rank() int {
	return map[ExitCode]int{exitOK: 0, exitStopped: 1, exitUsage: 2, exitFailed: 3}[c]
}

func worst(a, b ExitCode) ExitCode {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// usageError marks errors that are the caller's to fix: flags, inputs,
// configuration (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitError carries an exit code chosen by a command that has already
// said why.
type exitError struct{ code ExitCode }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// flagError is cobra's FlagErrorFunc: a flag cobra could not parse is a
// usage error.
func flagError(_ *cobra.Command, err error) error { return usageError{err} }

// exitCodeOf maps an error from a command to the exit code.
func exitCodeOf(err error) ExitCode {
	var ee exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case isUsage(err):
		return exitUsage
	}
	return exitFailed
}

// isUsage reports whether err is a problem in what the user gave: a
// usage error, or one carrying diagnostics (a problem at a place in a
// file), such as a .gitbook.yaml that does not parse.
func isUsage(err error) bool {
	var ue usageError
	return errors.As(err, &ue) || len(diag.As(err).Errors()) > 0
}

// resultsExitCode is the worst of the spaces' results. A plan that says
// "stop" did its job: it exits 0.
func resultsExitCode(results []gbsync.Result, dryRun bool) ExitCode {
	code := exitOK
	for _, r := range results {
		switch {
		case r.Outcome == gbsync.Failed && isUsage(r.Err):
			code = worst(code, exitUsage)
		case r.Outcome == gbsync.Failed:
			code = worst(code, exitFailed)
		case r.Outcome == gbsync.Stopped && !dryRun:
			code = worst(code, exitStopped)
		}
	}
	return code
}
