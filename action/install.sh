#!/usr/bin/env bash
# Installs the gitbook-sync binary the Action runs, and writes its path to
# the step output `path`. Never changes PATH, GOROOT or any other setting of
# the job: later steps see the runner as it was.
#
# Which binary:
#   - the `version` input when set: latest, v1 or v1.2 (the newest release
#     of that line), or a release tag (v1.2.3, v1.3.0-rc.1);
#   - else the release matching the Action's own ref: @v1.2.3, @v1 (newest
#     v1.x.y), or a commit SHA that a release tag points at;
#   - else (a branch, an unreleased commit, a local `uses: ./`) a build of
#     the Action's own source, with a private Go toolchain.
# A release archive is installed only when its SHA-256 matches the release's
# checksums.txt; nothing is installed otherwise.
#
# Environment (set by action.yml): GBS_VERSION, GBS_ACTION_REF,
# GBS_ACTION_REPOSITORY, GBS_TOKEN, and the runner's GITHUB_ACTION_PATH,
# GITHUB_API_URL, GITHUB_OUTPUT, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP,
# RUNNER_TOOL_CACHE. Tests point GBS_API_URL, GBS_DOWNLOAD_URL and
# GBS_GIT_URL at local servers.
set -euo pipefail

# The Go that builds refs that are not releases. At least go.mod's `go`
# line (cmd/gitbook-sync's tests check it).
go_toolchain=go1.26.8
default_repo=gitbook-sync/gitbook-sync

# Workflow commands are read from stderr too; stdout may be a file here.
fail() {
  echo "::error title=gitbook-sync install::$*" >&2
  exit 1
}

api=${GBS_API_URL:-https://api.github.com}
tool_cache=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/gitbook-sync-tools}
download=${GBS_DOWNLOAD_URL:-https://github.com}
work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/gitbook-sync-install.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The Action's ref and repository. In composite actions github.action_ref
# can be empty (actions/runner#2473); GITHUB_ACTION_PATH then still ends in
# _actions/<owner>/<repo>/<ref>.
action_ref=${GBS_ACTION_REF:-}
repo=${GBS_ACTION_REPOSITORY:-}
action_path=${GITHUB_ACTION_PATH:-}
if [[ -z $action_ref || -z $repo ]] && [[ ${action_path//\\//} =~ /_actions/([^/]+)/([^/]+)/([^/]+)$ ]]; then
  repo=${repo:-${BASH_REMATCH[1]}/${BASH_REMATCH[2]}}
  action_ref=${action_ref:-${BASH_REMATCH[3]}}
fi
repo=${repo:-$default_repo}
git_url=${GBS_GIT_URL:-https://github.com/$repo.git}

case ${RUNNER_OS:-$(uname -s)} in
  Linux) os=linux ;;
  macOS | Darwin) os=darwin ;;
  Windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
  *) fail "unsupported runner OS ${RUNNER_OS:-$(uname -s)}" ;;
esac
case ${RUNNER_ARCH:-$(uname -m)} in
  X64 | x86_64 | amd64) arch=amd64 ;;
  ARM64 | arm64 | aarch64) arch=arm64 ;;
  *) fail "unsupported runner architecture ${RUNNER_ARCH:-$(uname -m)}: releases exist for amd64 and arm64" ;;
esac
exe=gitbook-sync
archive_ext=tar.gz
if [[ $os == windows ]]; then
  exe=gitbook-sync.exe
  archive_ext=zip
fi

# api_get PATH prints the body of a GitHub REST API response. The token goes
# only to the API of the job's own GitHub, never to another host, and
# through a header file rather than the command line.
api_get() {
  local args=(-sSL -H "Accept: application/vnd.github+json" -H "X-GitHub-Api-Version: 2022-11-28" -o "$work/body" -w '%{http_code}')
  if [[ -n ${GBS_TOKEN:-} && $api == "${GITHUB_API_URL:-https://api.github.com}" ]]; then
    (umask 077 && printf 'Authorization: Bearer %s\n' "$GBS_TOKEN" >"$work/auth")
    args+=(-H "@$work/auth")
  fi
  local code
  code=$(curl "${args[@]}" "$api$1") || fail "cannot reach $api: $(cat "$work/body" 2>/dev/null)"
  case $code in
    200) cat "$work/body" ;;
    403 | 429) fail "GitHub's API refused to list $repo's releases (HTTP $code, often the rate limit): pass a token, or set the version input to a release tag such as v1.2.3" ;;
    *) fail "GitHub's API answered HTTP $code for $1" ;;
  esac
}

# download URL FILE: true when fetched, false on 404, fails otherwise.
download() {
  local code
  code=$(curl -sSL -o "$2" -w '%{http_code}' "$1") || fail "cannot download $1"
  case $code in
    200) return 0 ;;
    404) return 1 ;;
    *) fail "downloading $1 answered HTTP $code" ;;
  esac
}

# newest PREFIX prints the release tags vX.Y.Z starting with PREFIX ("v1.",
# "v1.2.", or "v" for any), newest first; pre-releases (v1.3.0-rc.1) are
# left out. Only the 100 most recent releases are read.
newest() {
  api_get "/repos/$repo/releases?per_page=100" >"$work/releases.json"
  { grep -o '"tag_name"[[:space:]]*:[[:space:]]*"[^"]*"' "$work/releases.json" || true; } |
    sed 's/.*"\([^"]*\)"$/\1/' |
    awk -v p="$1" 'index($0, p) == 1 && /^v[0-9]+\.[0-9]+\.[0-9]+$/ { sub(/^v/, ""); print }' |
    sort -t. -k1,1nr -k2,2nr -k3,3nr | sed 's/^/v/'
}

# tags_at SHA prints the release tags pointing at a commit (ls-remote lists
# annotated tags twice, the second time peeled to the commit: "v1.2.3^{}").
tags_at() {
  if ! git ls-remote --tags "$git_url" >"$work/tags.txt" 2>/dev/null; then
    echo "::warning title=gitbook-sync install::cannot list the tags of $git_url; building from source" >&2
    return 0
  fi
  awk -v sha="$1" '$1 == sha { sub("^refs/tags/", "", $2); sub("\\^\\{\\}$", "", $2); print $2 }' "$work/tags.txt" |
    awk '/^v[0-9]+\.[0-9]+\.[0-9]+$/ { sub(/^v/, ""); print }' |
    sort -u -t. -k1,1nr -k2,2nr -k3,3nr | sed 's/^/v/'
}

# candidates WANT prints the release tags that may satisfy WANT, best first.
candidates() {
  case $1 in
    latest) newest v ;;
    v[0-9]* ) if [[ $1 =~ ^v[0-9]+(\.[0-9]+)?$ ]]; then newest "$1."; else echo "$1"; fi ;;
    *) if [[ $1 =~ ^[0-9a-f]{40}$ ]]; then tags_at "$1"; fi ;;
  esac
}

# fetch_release TAG downloads TAG's checksums.txt; false when TAG is not a
# published release.
fetch_release() {
  download "$download/$repo/releases/download/$1/checksums.txt" "$work/checksums.txt"
}

sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

emit() {
  echo "Installed $("$1" version 2>/dev/null || echo gitbook-sync) at $1"
  if [[ -n ${GITHUB_OUTPUT:-} ]]; then
    echo "path=$1" >>"$GITHUB_OUTPUT"
  fi
}

# cache_dir TAG is where TAG is kept, in the layout of @actions/tool-cache
# (<tool>/<version>/<arch>, and <arch>.complete once whole), so a
# self-hosted runner keeps it from one job to the next.
cache_dir() {
  echo "$tool_cache/gitbook-sync/${1#v}"
}

cached() {
  local cache
  cache=$(cache_dir "$1")
  [[ -f $cache/$arch.complete && -x $cache/$arch/$exe ]]
}

# install_release TAG installs TAG from the tool cache, or else from the
# release (its checksums.txt already fetched).
install_release() {
  local tag=$1
  local asset="gitbook-sync_${tag#v}_${os}_${arch}.$archive_ext"
  local cache
  cache=$(cache_dir "$tag")
  if cached "$tag"; then
    emit "$cache/$arch/$exe"
    return
  fi
  local want got
  want=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1 }' "$work/checksums.txt")
  [[ -n $want ]] || fail "release $tag has no $asset in its checksums.txt: no build for $os/$arch"
  download "$download/$repo/releases/download/$tag/$asset" "$work/$asset" || fail "release $tag has no $asset"
  got=$(sha256 "$work/$asset")
  if [[ $got != "$want" ]]; then
    fail "$asset from release $tag is not the file the release published: its SHA-256 is $got, checksums.txt says $want. Nothing was installed. Run the job again; if it persists, report it at https://github.com/$repo/issues"
  fi
  mkdir -p "$work/unpacked"
  if [[ $archive_ext == zip ]]; then
    if command -v unzip >/dev/null; then
      unzip -q -o "$work/$asset" "$exe" -d "$work/unpacked"
    else
      powershell -NoProfile -Command "Expand-Archive -LiteralPath '$(cygpath -w "$work/$asset")' -DestinationPath '$(cygpath -w "$work/unpacked")'"
    fi
  else
    tar -xzf "$work/$asset" -C "$work/unpacked" "$exe"
  fi
  [[ -f $work/unpacked/$exe ]] || fail "$asset holds no $exe"
  rm -rf "${cache:?}/$arch"
  mkdir -p "$cache/$arch"
  mv "$work/unpacked/$exe" "$cache/$arch/$exe"
  chmod +x "$cache/$arch/$exe"
  touch "$cache/$arch.complete"
  emit "$cache/$arch/$exe"
}

# build_source builds the Action's own checkout with a Go toolchain of its
# own: the job's `go` only starts it (GOTOOLCHAIN fetches and verifies the
# pinned release), and every Go directory is private to this step.
build_source() {
  local src=$action_path
  [[ -n $src && -f $src/go.mod ]] || fail "no release matches the Action's ref '${action_ref:-(none)}', and no source to build: use a release, e.g. $repo@v1"
  command -v go >/dev/null || fail "the Action's ref '${action_ref:-(local)}' is not a release, so it must be built, and this runner has no Go to start the build: use a release (e.g. $repo@v1) or set the version input"
  echo "The Action's ref '${action_ref:-(local)}' is not a release: building it with $go_toolchain (this takes a minute; pin a release to skip it)."
  # Under RUNNER_TEMP, which the runner empties after the job.
  local gohome=${RUNNER_TEMP:-$tool_cache}/gitbook-sync-go out=${RUNNER_TEMP:-$tool_cache}/gitbook-sync-build
  local ldflags=-s
  if [[ $action_ref =~ ^[A-Za-z0-9._/-]+$ ]]; then
    ldflags+=" -X github.com/gitbook-sync/gitbook-sync/internal/version.version=$action_ref"
  fi
  mkdir -p "$gohome" "$out"
  (
    cd "$src" &&
      env -u GOROOT -u GOOS -u GOARCH -u GOBIN -u GOEXPERIMENT \
        GOTOOLCHAIN="$go_toolchain" GOPATH="$gohome/path" GOMODCACHE="$gohome/mod" GOCACHE="$gohome/cache" \
        GOFLAGS="-mod=readonly -modcacherw -trimpath" CGO_ENABLED=0 \
        go build -ldflags "$ldflags" -o "$out/$exe" ./cmd/gitbook-sync
  ) || fail "building gitbook-sync from $src failed"
  emit "$out/$exe"
}

# try_releases WANT installs the first of WANT's candidates that is a
# published release (or already in the tool cache), and exits.
try_releases() {
  candidates "$1" >"$work/candidates"
  local tag
  while read -r tag; do
    if cached "$tag" || fetch_release "$tag"; then
      install_release "$tag"
      exit 0
    fi
  done <"$work/candidates"
}

want=${GBS_VERSION:-}
want=${want#refs/tags/}
if [[ $want =~ ^[0-9] ]]; then
  want=v$want
fi
if [[ -n $want ]]; then
  try_releases "$want"
  fail "no release of $repo matches version '$want': use latest, v1, v1.2 or a release tag such as v1.2.3 (see https://github.com/$repo/releases)"
fi
try_releases "$action_ref"
build_source
