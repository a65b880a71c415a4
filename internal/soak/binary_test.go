package soak

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The suite runs the real binary, built once per test run. A binary of our
// own, not testscript's in-process one, because the suite must kill it
// with SIGKILL at a chosen request and run two at once: testscript's
// RunMain re-executes the test binary, which only a package main can give
// (this package cannot import cmd/gitbook-sync), and hides the process
// behind `exec`. `go build` reuses the build cache, so after the first
// build this costs a link, about a second.
var built struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// binary returns the path of gitbook-sync built from this checkout.
func binary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
		}
		if built.dir, built.err = os.MkdirTemp("", "gitbook-sync-soak-"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "gitbook-sync")
		cmd := exec.Command(goTool, "build", "-o", built.path, mainPackage)
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build ./cmd/gitbook-sync: %w\n%s", err, out)
			return
		}
		built.err = touchSources(goTool)
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

const mainPackage = "github.com/gitbook-sync/gitbook-sync/cmd/gitbook-sync"

// touchSources stats every source file the binary is built from. go test
// caches a passing result by what the test binary is made of and the files
// the test opened or stat'ed: without this, a change to cmd/gitbook-sync
// (which this package cannot import) would replay a stale pass.
func touchSources(goTool string) error {
	format := `{{if not .Standard}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}
{{end}}{{range .EmbedFiles}}{{$d}}/{{.}}
{{end}}{{end}}`
	out, err := exec.Command(goTool, "list", "-deps", "-f", format, mainPackage).Output()
	if err != nil {
		return fmt.Errorf("go list the sources of %s: %w", mainPackage, err)
	}
	for _, f := range strings.Fields(string(out)) {
		_, _ = os.Stat(f)
	}
	return nil
}

// soakGate turns the long loops on; see bench/soak.sh.
const soakGate = "GITBOOK_SYNC_SOAK"

// long reports whether the whole soak runs: GITBOOK_SYNC_SOAK=1 and not
// -short.
func long() bool {
	on, _ := strconv.ParseBool(os.Getenv(soakGate))
	return on && !testing.Short()
}

// pick is n in the default run, m in the soak.
func pick(n, m int) int {
	if long() {
		return m
	}
	return n
}
