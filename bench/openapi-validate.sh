#!/usr/bin/env bash
# Times `gitbook-sync openapi validate` beside `rdme openapi validate` (npm
# rdme 10.9.6) and `redocly lint` (npm @redocly/cli 2.77.0) on the large
# specs of the shared material. The tools take turns, run after run, so
# that a slow patch of a shared machine hits them all.
# Targets (issue 12): at least 5x faster than rdme and 4x faster than
# Redocly on the OpenAI spec, at most half rdme's peak memory: rdme's
# row reads 5.0x wall or more and 2.0x peak (median maximum RSS) or more.
#
# usage: bench/openapi-validate.sh [RUNS]    (default 7; medians reported)
# Not part of `go test`: it installs the peers from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
work=bench/work
mkdir -p "$work"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
# install PACKAGE@VERSION into its own directory under $work/peers
install() {
  local dir="$work/peers/${1//[@\/]/_}"
  if [ ! -d "$dir/node_modules" ]; then
    mkdir -p "$dir"
    (cd "$dir" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts "$1" >/dev/null 2>&1) ||
      { echo "npm install $1 failed" >&2; exit 2; }
  fi
  echo "$dir/node_modules/.bin"
}
rdme=$(install rdme@10.9.6)/rdme
redocly=$(install @redocly/cli@2.77.0)/redocly
go build -o "$work/gitbook-sync" ./cmd/gitbook-sync

# median of column $2 of file $1
median() { cut -d' ' -f"$2" "$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

compare() {
  local spec=$1 t
  t=$(mktemp -d)
  for _ in $(seq "$runs"); do
    for tool in rdme redocly gitbook-sync; do
      local cmd
      case $tool in
        rdme) cmd=("$rdme" openapi validate "$spec") ;;
        redocly) cmd=("$redocly" lint "$spec") ;;
        gitbook-sync) cmd=("$work/gitbook-sync" openapi validate "$spec") ;;
      esac
      local start end
      start=$(date +%s%N)
      # Redocly exits 1 on lint findings; what is timed is the work.
      /usr/bin/time -o "$t/rusage" -f '%M %U %S' "${cmd[@]}" >/dev/null 2>&1 || true
      end=$(date +%s%N)
      # GNU time puts "Command exited with non-zero status" first.
      read -r kb user sys < <(tail -n 1 "$t/rusage")
      echo "$(( (end - start) / 1000000 )) $kb $(echo "($user + $sys) * 1000" | bc | cut -d. -f1)" >>"$t/$tool"
    done
  done
  local ours_ms ours_cpu ours_kb
  ours_ms=$(median "$t/gitbook-sync" 1)
  ours_cpu=$(median "$t/gitbook-sync" 3)
  ours_kb=$(median "$t/gitbook-sync" 2)
  printf "%-28s %9s %9s %10s %16s\n" tool "wall" "cpu" "peak" "vs gitbook-sync"
  for tool in gitbook-sync rdme redocly; do
    local ms kb cpu
    ms=$(median "$t/$tool" 1)
    kb=$(median "$t/$tool" 2)
    cpu=$(median "$t/$tool" 3)
    printf "%-28s %7.2f s %7.2f s %6.0f MiB   %5.1fx wall %5.1fx cpu %5.1fx peak\n" "$tool" \
      "$(echo "$ms/1000" | bc -l)" "$(echo "$cpu/1000" | bc -l)" "$(echo "$kb/1024" | bc -l)" \
      "$(echo "$ms/$ours_ms" | bc -l)" "$(echo "$cpu/$ours_cpu" | bc -l)" "$(echo "$kb/$ours_kb" | bc -l)"
  done
  rm -rf "$t"
}

echo "medians of $runs runs; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for spec in ../shared/corpus/openapi/openai-openai-openapi/openapi.yaml ../shared/gitbook-api/openapi.json; do
  [ -f "$spec" ] || { echo "skip $spec (absent)"; continue; }
  echo "== $spec ($(du -h "$spec" | cut -f1))"
  compare "$spec"
done
