#!/usr/bin/env bash
# Times `gitbook-sync openapi validate` beside `rdme openapi validate`
# (npm rdme 10.9.6, installed here from the npm registry) on the large
# specs of the shared material, in the same run.
# Targets (issue 5): at least 5x faster than rdme, at most half its memory.
#
# usage: bench/openapi-validate.sh [RUNS]    (default 5; median reported)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=bench/work
mkdir -p "$work"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
if [ ! -x "$work/npm/node_modules/.bin/rdme" ]; then
  mkdir -p "$work/npm"
  (cd "$work/npm" && npm init -y >/dev/null && npm install --no-audit --no-fund rdme@10.9.6 >/dev/null 2>&1)
fi
go build -o "$work/gitbook-sync" ./cmd/gitbook-sync

measure() { # label command...: median wall time and peak memory
  local label=$1; shift
  local t
  t=$(mktemp)
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$t" -a -f '%e %M' "$@" >/dev/null 2>&1 || true
  done
  grep -E '^[0-9.]+ [0-9]+$' "$t" | sort -n | awk -v l="$label" -v n="$runs" 'NR==int((n+1)/2){printf "%-34s %6.3f s  %7.1f MiB\n", l, $1, $2/1024}'
  rm -f "$t"
}

for spec in ../shared/corpus/openapi/openai-openai-openapi/openapi.yaml ../shared/gitbook-api/openapi.json; do
  [ -f "$spec" ] || { echo "skip $spec (absent)"; continue; }
  echo "== $spec ($(du -h "$spec" | cut -f1))"
  measure "rdme openapi validate" "$work/npm/node_modules/.bin/rdme" openapi validate "$spec"
  measure "gitbook-sync openapi validate" "$work/gitbook-sync" openapi validate "$spec"
done
