#!/bin/sh
# Runs every fuzz target of the repository, one after the other, for
# FUZZTIME each (default 1m). Targets are found with `go test -list`, so a
# new Fuzz function is picked up without editing this script. New failing
# inputs are written by Go to the package's testdata/fuzz/<target>/: commit
# them with the fix, so that `go test` replays them from then on.
#
#   scripts/fuzz.sh                 # every target, a minute each
#   FUZZTIME=10s scripts/fuzz.sh    # a quick pass
#   scripts/fuzz.sh ./content/...   # the targets of some packages
set -eu
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-1m}
[ $# -gt 0 ] || set -- ./...
failed=0
count=0
for pkg in $(go list "$@"); do
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		count=$((count + 1))
		echo "== $pkg $target ($fuzztime)"
		if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"; then
			failed=$((failed + 1))
			echo "!! $pkg $target failed: see the input Go wrote under testdata/fuzz/$target"
		fi
	done
done
echo "$count fuzz targets run, $failed failed"
[ "$failed" -eq 0 ]
