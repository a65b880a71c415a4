#!/usr/bin/env bash
# Times `gitbook-sync plan --offline` beside `git diff --stat -M -p` on the
# workload of ../shared/bench/mkrepo.py (20,000 pages, 701 changed files),
# in the same run, on the repository as mkrepo builds it (loose objects)
# and again after `git gc` (packed, as a fresh clone is).
# Targets (issue 3): at most 2x git's time, peak memory under 150 MiB.
#
# The two commands run in turn, so that a machine shared with other work
# slows both alike; CPU time (user + system) is less swayed by that work
# than wall time.
#
# usage: bench/offline-plan.sh [RUNS]    (default 5; medians reported)
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
gitlog=$(mktemp)
ourlog=$(mktemp)
trap 'rm -f "$gitlog" "$ourlog"' EXIT

run() { # log command...: appends "wall cpu maxrss" of one run to log
  local log=$1; shift
  /usr/bin/time -o "$log" -a -f '%e %U %S %M' "$@" >/dev/null 2>&1
}

report() { # label log: median wall and CPU time, peak memory
  local lines mid
  lines=$(grep -E '^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$' "$2")
  mid=$(( ($(wc -l <<<"$lines") + 1) / 2 ))
  printf "%-22s %6.3f s  cpu %6.3f s  %7.1f MiB\n" "$1" \
    "$(awk '{print $1}' <<<"$lines" | sort -n | sed -n "${mid}p")" \
    "$(awk '{print $2 + $3}' <<<"$lines" | sort -n | sed -n "${mid}p")" \
    "$(awk '{print $4 / 1024}' <<<"$lines" | sort -n | tail -1)"
}

for state in loose packed; do
  if [ "$state" = packed ]; then git -C "$work/repo" gc --quiet; fi
  echo "== $state objects ($(git -C "$work/repo" diff --shortstat base HEAD | sed 's/^ //'))"
  : >"$gitlog"
  : >"$ourlog"
  for _ in $(seq "$runs"); do
    (cd "$work/repo" && run "$gitlog" git -c gc.auto=0 diff --stat -M -p base HEAD)
    (cd "$work/repo" && run "$ourlog" "$bin" plan --offline --base base --head HEAD)
  done
  report "git diff --stat -M -p" "$gitlog"
  report "gitbook-sync plan" "$ourlog"
done
rm -rf "$work/repo"  # the next run rebuilds the loose state
