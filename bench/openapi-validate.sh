#!/usr/bin/env bash
# Times `gitbook-sync openapi validate` beside `rdme openapi validate`
# (npm rdme 10.9.6, installed here from the npm registry) on the large
# specs of the shared material, in the same run.
# Targets (issue 5): at least 5x faster than rdme, at most half its memory.
#
# usage: bench/openapi-validate.sh [RUNS]    (default 7; medians reported)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
work=bench/work
mkdir -p "$work"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
command -v bc >/dev/null || { echo "needs bc: apt-get install bc" >&2; exit 2; }
if [ ! -x "$work/npm/node_modules/.bin/rdme" ]; then
  mkdir -p "$work/npm"
  (cd "$work/npm" && npm init -y >/dev/null && npm install --no-audit --no-fund rdme@10.9.6 >/dev/null 2>&1)
fi
go build -o "$work/gitbook-sync" ./cmd/gitbook-sync

# run RUNS rounds, each timing rdme then gitbook-sync on the same file
# (interleaved, so that a slow patch of the machine hits both), and print
# each tool's median wall time (ms precision) and median peak memory.
compare() {
  local spec=$1 t
  t=$(mktemp -d)
  for _ in $(seq "$runs"); do
    for tool in rdme gitbook-sync; do
      local cmd=("$work/gitbook-sync" openapi validate "$spec")
      [ "$tool" = rdme ] && cmd=("$work/npm/node_modules/.bin/rdme" openapi validate "$spec")
      local start end
      start=$(date +%s%N)
      /usr/bin/time -o "$t/mem" -f '%M' "${cmd[@]}" >/dev/null 2>&1 || true
      end=$(date +%s%N)
      echo "$(( (end - start) / 1000000 )) $(tail -1 "$t/mem")" >>"$t/$tool"
    done
  done
  local rdme_ms ours_ms
  for tool in rdme gitbook-sync; do
    local ms kb
    ms=$(cut -d' ' -f1 "$t/$tool" | sort -n | awk -v n="$runs" 'NR==int((n+1)/2)')
    kb=$(cut -d' ' -f2 "$t/$tool" | sort -n | awk -v n="$runs" 'NR==int((n+1)/2)')
    printf "%-32s %6.3f s  %7.1f MiB\n" "$tool openapi validate" "$(echo "$ms/1000" | bc -l)" "$(echo "$kb/1024" | bc -l)"
    [ "$tool" = rdme ] && rdme_ms=$ms || ours_ms=$ms
  done
  printf "%-32s %6.1fx faster\n" "" "$(echo "$rdme_ms/$ours_ms" | bc -l)"
  rm -rf "$t"
}

for spec in ../shared/corpus/openapi/openai-openai-openapi/openapi.yaml ../shared/gitbook-api/openapi.json; do
  [ -f "$spec" ] || { echo "skip $spec (absent)"; continue; }
  echo "== $spec ($(du -h "$spec" | cut -f1))"
  compare "$spec"
done
