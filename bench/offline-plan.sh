#!/usr/bin/env bash
# Times `gitbook-sync plan --offline` beside `git diff --stat -M -p` on the
# workload of ../shared/bench/mkrepo.py (20,000 pages, 701 changed files),
# in the same run, on the repository as mkrepo builds it (loose objects)
# and again after `git gc` (packed, as a fresh clone is).
# Targets (issue 3): at most 2x git's time, peak memory under 150 MiB.
#
# usage: bench/offline-plan.sh [RUNS]    (default 5; median reported)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
mkrepo=../shared/bench/mkrepo.py
[ -f "$mkrepo" ] || { echo "needs $mkrepo (the shared material)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
work=bench/work
mkdir -p "$work"
go build -o "$work/gitbook-sync" ./cmd/gitbook-sync
if [ ! -d "$work/repo/.git" ]; then
  # No background auto-gc, so the repository state is the same every time.
  GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=gc.auto GIT_CONFIG_VALUE_0=0 python3 "$mkrepo" "$work/repo" >/dev/null
fi
bin=$(pwd)/$work/gitbook-sync

measure() { # label command...: prints the median wall time and peak memory
  local label=$1; shift
  local t
  t=$(mktemp)
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$t" -a -f '%e %M' "$@" >/dev/null 2>&1
  done
  grep -E '^[0-9.]+ [0-9]+$' "$t" | sort -n | awk -v l="$label" -v n="$runs" 'NR==int((n+1)/2){printf "%-22s %6.3f s  %7.1f MiB\n", l, $1, $2/1024}'
  rm -f "$t"
}

for state in loose packed; do
  if [ "$state" = packed ]; then git -C "$work/repo" gc --quiet; fi
  echo "== $state objects ($(git -C "$work/repo" diff --shortstat base HEAD | sed 's/^ //'))"
  (cd "$work/repo" && measure "git diff --stat -M -p" git -c gc.auto=0 diff --stat -M -p base HEAD)
  (cd "$work/repo" && measure "gitbook-sync plan" "$bin" plan --offline --base base --head HEAD)
done
rm -rf "$work/repo"  # the next run rebuilds the loose state
