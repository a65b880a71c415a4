package notify

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
)

// Actions speaks to the GitHub Actions runner: workflow commands (masks,
// annotations) on a stream, and the step summary and outputs in the files
// the runner names.
//
// gitbook-sync writes workflow commands to stderr, never stdout, so that
// stdout carries only the report or the one JSON document of --json. The
// runner reads commands from both streams alike: its script handler
// attaches one OutputManager, with the same command manager, to stdout and
// to stderr (actions/runner, src/Runner.Worker/Handlers/ScriptHandler.cs).
type Actions struct {
	// W receives workflow commands, unmasked: add-mask needs the secret
	// itself. Everything else is masked here.
	W                       io.Writer
	SummaryFile, OutputFile string // GITHUB_STEP_SUMMARY, GITHUB_OUTPUT
	Redactor                *redact.Redactor
}

// Mask asks the runner to hide values in the whole job's log.
func (a *Actions) Mask(values ...string) {
	for _, v := range values {
		if v != "" {
			a.command("add-mask", nil, v)
		}
	}
}

// Annotate shows a diagnostic on the run's page and, with a file, on the
// line of the pull request's diff.
func (a *Actions) Annotate(d diag.Diagnostic) {
	name := "warning"
	if d.Severity == diag.Error {
		name = "error"
	}
	props := githubactions.CommandProperties{}
	if d.File != "" {
		props["file"] = d.File
		if d.Line > 0 {
			props["line"] = strconv.Itoa(d.Line)
		}
		if d.Col > 0 {
			props["col"] = strconv.Itoa(d.Col)
		}
	}
	msg := d.Message
	if d.Field != "" {
		msg = d.Field + ": " + msg
	}
	a.command(name, props, a.Redactor.String(msg))
}

// Warn is an annotation with no place.
func (a *Actions) Warn(msg string) { a.Annotate(diag.Diagnostic{Severity: diag.Warning, Message: msg}) }

func (a *Actions) command(name string, props githubactions.CommandProperties, msg string) {
	c := githubactions.Command{Name: name, Properties: props, Message: msg}
	fmt.Fprintln(a.W, c.String())
}

// AddSummary appends Markdown to the step summary, when the runner gave one.
func (a *Actions) AddSummary(markdown string) error {
	if a.SummaryFile == "" {
		return nil
	}
	return appendFile(a.SummaryFile, a.Redactor.String(markdown)+"\n")
}

// Output is one step output.
type Output struct{ Name, Value string }

// SetOutputs writes step outputs, when the runner gave a file for them.
// Each value is framed by a random delimiter, as actions/toolkit does, so
// that no value can end its frame early and set another output.
func (a *Actions) SetOutputs(outputs []Output) error {
	if a.OutputFile == "" {
		return nil
	}
	var b strings.Builder
	for _, o := range outputs {
		delim := "ghadelimiter_" + rand.Text()
		v := a.Redactor.String(o.Value)
		if strings.Contains(o.Name, delim) || strings.Contains(v, delim) {
			return errors.New("step output: a value contains its delimiter")
		}
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", o.Name, delim, v, delim)
	}
	return appendFile(a.OutputFile, b.String())
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("GitHub Actions file %s: %w", path, err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("GitHub Actions file %s: %w", path, err)
	}
	return f.Close()
}
