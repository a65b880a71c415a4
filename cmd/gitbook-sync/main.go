// Command gitbook-sync keeps a Git repository of docs and a GitBook space
// in step. This package only wires flags to the engine; see sync/ for the
// behaviour.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}
