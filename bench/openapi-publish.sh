#!/usr/bin/env bash
# Times `gitbook-sync openapi publish` beside `gitbook openapi publish`
# (npm @gitbook/cli 0.25.1, GitBook's own CLI) against one emulator
# (`gitbook-sync emulator`, on loopback), the two taking turns. Each run
# publishes a changed spec (a new x-bench-run value), so that gitbook-sync
# also reads the published version and compares. gitbook-sync waits for
# GitBook's processing to end and reports its result; @gitbook/cli sends
# and exits. Target (issue 12): gitbook-sync no slower.
#
# usage: bench/openapi-publish.sh [RUNS]    (default 9; medians reported)
# Not part of `go test`: it installs @gitbook/cli from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-9}
work=bench/work
mkdir -p "$work"
cli="$work/peers/_gitbook_cli_0.25.1"
if [ ! -d "$cli/node_modules" ]; then
  mkdir -p "$cli"
  # Its install script fetches cloudflared for `gitbook dev`, which this
  # does not use (and which a machine without the internet cannot fetch).
  (cd "$cli" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts @gitbook/cli@0.25.1 >/dev/null 2>&1) ||
    { echo "npm install @gitbook/cli failed" >&2; exit 2; }
fi
go build -o "$work/gitbook-sync" ./cmd/gitbook-sync

t=$(mktemp -d)
"$work/gitbook-sync" emulator --addr 127.0.0.1:0 >"$t/url" 2>"$t/emulator.log" &
emu=$!
trap 'kill $emu 2>/dev/null; wait $emu 2>/dev/null; rm -rf "$t"' EXIT
for _ in $(seq 100); do [ -s "$t/url" ] && break; sleep 0.05; done
api=$(head -n 1 "$t/url") # http://127.0.0.1:PORT/v1
export GITBOOK_TOKEN=test-token GITBOOK_API_URL=$api GITBOOK_ENDPOINT=${api%/v1}

# median of the numbers in file $1
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

compare() {
  local name=$1 spec=$2
  for run in $(seq "$runs"); do
    for tool in gitbook-cli gitbook-sync; do
      local copy="$t/$tool.yaml" start end
      { cat "$spec"; printf '\nx-bench-run: %s\n' "$run"; } >"$copy"
      start=$(date +%s%N)
      if [ $tool = gitbook-cli ]; then
        "$cli/node_modules/.bin/gitbook" openapi publish --spec "$name-cli" --organization org-1 "$copy" >"$t/out" 2>&1
      else
        "$work/gitbook-sync" openapi publish --spec "$name-ours" --organization org-1 --root "$t" "$copy" >"$t/out" 2>&1
      fi || { echo "$tool failed:" >&2; cat "$t/out" >&2; exit 1; }
      end=$(date +%s%N)
      echo $(( (end - start) / 1000000 )) >>"$t/$name-$tool"
    done
  done
  local cli_ms ours_ms
  cli_ms=$(median "$t/$name-gitbook-cli")
  ours_ms=$(median "$t/$name-gitbook-sync")
  printf "%-44s %6.3f s\n" "@gitbook/cli openapi publish (sends, exits)" "$(echo "$cli_ms/1000" | bc -l)"
  printf "%-44s %6.3f s  (%.2fx @gitbook/cli's time)\n" "gitbook-sync openapi publish (waits)" "$(echo "$ours_ms/1000" | bc -l)" "$(echo "$ours_ms/$cli_ms" | bc -l)"
}

echo "medians of $runs runs; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== petstore (openapi/testdata/pets-3.0.yaml)"
compare pets openapi/testdata/pets-3.0.yaml
openai=../shared/corpus/openapi/openai-openai-openapi/openapi.yaml
if [ -f "$openai" ]; then
  echo "== OpenAI spec ($(du -h "$openai" | cut -f1))"
  compare openai "$openai"
fi
