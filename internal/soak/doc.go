// Package soak holds only tests: the fault and soak suite of issue 11. It
// drives the built gitbook-sync binary, as a GitHub Actions step would run
// it, in working copies laid out by internal/cilayout, against the GitBook
// emulator (in process, with its fault options and the contract checker)
// and the strict fake GitHub of internal/fakehost, all on loopback.
//
// What it asserts, after faults, kills and races, for a pull request run:
// exactly one open change request holding every page of the pull request,
// exactly one sticky comment by the token's user, and the space's live
// content untouched. Over a whole lifecycle (open, synchronize, merge,
// push) with 429s and 503s: no page lost.
//
// The default run is bounded (a sample of the configurations); the whole
// soak runs with GITBOOK_SYNC_SOAK=1 (see bench/soak.sh). Every test logs
// what it measured: configurations, kills, trials, re-runs.
package soak
