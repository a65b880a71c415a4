#!/usr/bin/env bash
# The whole fault and soak suite of internal/soak (issue 11): every write's
# answer lost in turn, a SIGKILL after every request of the run, twenty
# pairs of runs at once, for a pull request opened, synchronized, and one
# of more than a batch of 50 pages; and a whole lifecycle under seven
# settings of 429s, 503s, lost answers and delays. Everything runs on
# loopback against the in-process emulator and a fake GitHub.
#
# The default `go test ./internal/soak` runs a sample of the same (under
# ~20 s); this runs it all and prints the counts each test measured.
#
#   bench/soak.sh                           # the whole soak
#   bench/soak.sh -run TestKills            # one test (any go test flag)
#   GITBOOK_SYNC_SOAK_BUGS=1 bench/soak.sh  # also run the tests skipped for a
#                                           # known bug: is it still there?
#   GITBOOK_SYNC_SOAK_SEED=N go test ./internal/soak   # replay the default
#                                           # run's random kill points
set -euo pipefail
cd "$(dirname "$0")/.."
log=${SOAK_LOG:-$(mktemp -t gitbook-sync-soak.XXXXXX)}
status=0
GITBOOK_SYNC_SOAK=1 go test -count=1 -short=false -timeout 60m -v "$@" ./internal/soak >"$log" 2>&1 || status=$?
# The counts, the bugs that skipped tests (once each), then the failures.
grep -E ': [0-9]+ (configurations|trials)' "$log" | sed 's/^ *//'
grep -E 'soak_test.go:[0-9]+: bug:' "$log" | sed 's/^.*: bug:/skipped, bug:/' | sort -u
grep -E '^ *--- FAIL|^(FAIL|ok|panic)' "$log" | sed 's/^ *//' | head -100
echo "the whole log: $log"
exit $status
