// Package gitbooksync carries the files the binary ships with: the sample
// repository that `gitbook-sync demo` syncs.
package gitbooksync

import "embed"

// DemoRepo is testdata/repos/demo, the demo's starting docs.
//
//go:embed all:testdata/repos/demo
var DemoRepo embed.FS

// DemoRepoRoot is DemoRepo's top directory.
const DemoRepoRoot = "testdata/repos/demo"
