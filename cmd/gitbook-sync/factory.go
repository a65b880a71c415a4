package main

import (
	"io"
	"os"
	"sync"

	"golang.org/x/term"

	"github.com/gitbook-sync/gitbook-sync/ci"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/redact"
	buildinfo "github.com/gitbook-sync/gitbook-sync/internal/version"
)

// version names this build in the User-Agent (see internal/version).
var version = buildinfo.Get().Version

// Factory gives commands what they depend on, each made on first use, as
// gh's cmdutil.Factory does: a test replaces any of them without touching
// globals.
type Factory struct {
	IO       *IOStreams
	Getenv   func(string) string
	Redactor *redact.Redactor
	// Global holds the root command's flags.
	Global *GlobalOptions
	// CI reads the CI environment, once.
	CI func() (*ci.Context, error)
	// GitBook makes the API client from GITBOOK_TOKEN and --api-url.
	GitBook func() (*gitbook.Client, error)
}

// GlobalOptions are the flags every command takes.
type GlobalOptions struct {
	Config string // --config
	Repo   string // --repo
	APIURL string // --api-url
}

// IOStreams are the process's outputs. Out and ErrOut mask every secret;
// RawErr does not, for the workflow commands that must name a secret to
// mask it (and mask everything else themselves).
type IOStreams struct {
	Out, ErrOut io.Writer
	RawErr      io.Writer
	// StdoutTTY is true when stdout is a terminal.
	StdoutTTY bool
	// Color is true when the text report may use colour: on a terminal
	// unless NO_COLOR is set or TERM is dumb, or when CLICOLOR_FORCE asks.
	Color bool
}

// gitbookTokenVar holds the GitBook API token; the hosts' tokens are
// ci.Context's.
const gitbookTokenVar = "GITBOOK_TOKEN"

// newFactory builds the real dependencies around the process's streams.
// The writers it returns must be flushed before exit.
func newFactory(stdout, stderr io.Writer, getenv func(string) string) (*Factory, []*redact.Writer) {
	r := &redact.Redactor{}
	for _, name := range ci.SecretVariables {
		r.Add(getenv(name))
	}
	out, errOut := redact.NewWriter(stdout, r), redact.NewWriter(stderr, r)
	tty := isTerminal(stdout)
	color := getenv("NO_COLOR") == "" && (tty && getenv("TERM") != "dumb" || getenv("CLICOLOR_FORCE") != "" && getenv("CLICOLOR_FORCE") != "0")
	f := &Factory{
		IO:       &IOStreams{Out: out, ErrOut: errOut, RawErr: stderr, StdoutTTY: tty, Color: color},
		Getenv:   getenv,
		Redactor: r,
		Global:   &GlobalOptions{},
		CI:       sync.OnceValues(func() (*ci.Context, error) { return ci.Detect(getenv) }),
	}
	f.GitBook = func() (*gitbook.Client, error) {
		token := getenv(gitbookTokenVar)
		if token == "" {
			return nil, usagef("GITBOOK_TOKEN is not set: create an API token in GitBook (Settings → Developer) and export it")
		}
		base := f.Global.APIURL
		if base == "" {
			base = getenv("GITBOOK_API_URL")
		}
		return gitbook.New(gitbook.Options{BaseURL: base, Token: token, UserAgent: "gitbook-sync/" + version, Redactor: r})
	}
	return f, []*redact.Writer{out, errOut}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
