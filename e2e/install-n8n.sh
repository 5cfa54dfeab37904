#!/usr/bin/env bash
# Prepares real n8n installs for the end-to-end tests, cached outside the repository:
#   <cache>/node24/          Node.js 24 from the npm registry (n8n needs Node >= 24)
#   <cache>/n8n-<version>/   one n8n install per tested version (2.x and 1.x by default)
#   <cache>/env.sh           BESCHANNELS_* variables for other scripts to `source`
# A finished, verified install leaves a marker file and is reused on the next run; an
# unfinished one (no marker) is wiped and redone. npm output goes to <cache>/logs/.
#
# Usage: e2e/install-n8n.sh [v2|v1|both]...     (default: both)
# Environment:
#   BESCHANNELS_N8N_CACHE  cache root (default: $HOME/.cache/n8n-nodes-beschannels)
#   N8N_V2_VERSION         n8n 2.x version (default: 2.41.1, the newest 2.x whose dependencies the
#                          registry has; 2.41.3 needs an n8n-core it lacks)
#   N8N_V1_VERSION         n8n 1.x version (default: 1.123.81)
#   NODE24_VERSION         npm spec of the `node` package (default: 24)
#   BESCHANNELS_N8N_ENV_OUT  also write this run's variables to this file (env.sh is shared by
#                          every run on the cache, whatever versions it chose)
set -euo pipefail

CACHE="${BESCHANNELS_N8N_CACHE:-$HOME/.cache/n8n-nodes-beschannels}"
N8N_V2_VERSION="${N8N_V2_VERSION:-2.41.1}"
N8N_V1_VERSION="${N8N_V1_VERSION:-1.123.81}"
NODE24_VERSION="${NODE24_VERSION:-24}"
MARKER=".install-complete"
LOGS="$CACHE/logs"

log() { echo "[install-n8n] $*"; }
die() { echo "[install-n8n] ERROR: $*" >&2; exit 1; }

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
}

# ---- which versions --------------------------------------------------------------------------
want_v2=0
want_v1=0
if [ "$#" -eq 0 ]; then
  want_v2=1
  want_v1=1
fi
for arg in "$@"; do
  case "$arg" in
    v2 | 2 | "$N8N_V2_VERSION") want_v2=1 ;;
    v1 | 1 | "$N8N_V1_VERSION") want_v1=1 ;;
    both | all) want_v2=1; want_v1=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $arg" ;;
  esac
done

mkdir -p "$CACHE" "$LOGS"

# One run at a time per cache folder.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  if ! flock -n 9; then
    log "another install is running in $CACHE; waiting for it"
    flock 9
  fi
fi

TMP_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/install-n8n.XXXXXX")"
trap 'rm -rf "$TMP_ROOT"' EXIT

# Runs a command with its output in a log file; on failure shows the log's tail and exits.
run_logged() {
  local logfile="$1"
  shift
  {
    echo "# $(date -u +%FT%TZ) in $PWD"
    echo "# \$ ${*#with_node24 }"
  } >>"$logfile"
  if ! "$@" >>"$logfile" 2>&1; then
    echo "[install-n8n] FAILED: ${*#with_node24 }" >&2
    echo "[install-n8n] last lines of $logfile:" >&2
    tail -n 40 "$logfile" >&2
    exit 1
  fi
}

# ---- Node 24 ---------------------------------------------------------------------------------
NODE24_DIR="$CACHE/node24"
NODE24_HOME=""   # folder with bin/ and include/ (used as npm_config_nodedir)
NODE24_BIN=""
NODE24_VER=""

find_node24_home() {
  local d
  for d in "$NODE24_DIR"/node_modules/node/node_modules/node-*/ "$NODE24_DIR"/node_modules/node-*/; do
    if [ -x "${d}bin/node" ]; then
      (cd "$d" && pwd)
      return 0
    fi
  done
  return 1
}

verify_node24() {
  NODE24_HOME="$(find_node24_home)" || return 1
  NODE24_BIN="$NODE24_HOME/bin"
  NODE24_VER="$("$NODE24_BIN/node" --version)" || return 1
  case "$NODE24_VER" in v24.*) ;; *) echo "unexpected Node version $NODE24_VER" >&2; return 1 ;; esac
  [ -d "$NODE24_HOME/include/node" ] || { echo "no headers in $NODE24_HOME/include/node" >&2; return 1; }
}

install_node24() {
  local start logfile="$LOGS/node24.log"
  start=$(date +%s)
  if [ -f "$NODE24_DIR/$MARKER" ] && verify_node24; then
    log "node $NODE24_VER: cached in $(( $(date +%s) - start )) s"
    return 0
  fi
  rm -rf "$NODE24_DIR"
  mkdir -p "$NODE24_DIR"
  : >"$logfile"
  printf '{\n  "name": "beschannels-e2e-node24",\n  "private": true\n}\n' >"$NODE24_DIR/package.json"
  # The `node` package puts its binary in place with an install script: scripts must be on.
  (cd "$NODE24_DIR" && run_logged "$logfile" \
    npm install --ignore-scripts=false --no-audit --no-fund --loglevel=warn "node@$NODE24_VERSION")
  if ! verify_node24 >>"$logfile" 2>&1; then
    tail -n 40 "$logfile" >&2
    die "Node 24 did not install in $NODE24_DIR"
  fi
  echo "$NODE24_VER" >"$NODE24_DIR/$MARKER"
  log "node $NODE24_VER: installed in $(( $(date +%s) - start )) s"
}

# ---- n8n -------------------------------------------------------------------------------------
# Runs a command with Node 24 first on PATH and native builds against its headers.
with_node24() {
  PATH="$NODE24_BIN:$PATH" npm_config_nodedir="$NODE24_HOME" "$@"
}

# Prints the version reported by `<dir>/node_modules/.bin/n8n --version`.
n8n_version_of() {
  local dir="$1" user_folder out
  user_folder="$(mktemp -d "$TMP_ROOT/n8n-user.XXXXXX")"
  out="$(with_node24 env N8N_USER_FOLDER="$user_folder" N8N_DIAGNOSTICS_ENABLED=false \
    N8N_RUNNERS_ENABLED=false timeout 180 "$dir/node_modules/.bin/n8n" --version 2>&1)" || {
    echo "$out" >&2
    return 1
  }
  printf '%s\n' "$out" | grep -E '^[0-9]+\.[0-9]+\.[0-9]+' | tail -n 1
}

# install_n8n <version> -> sets N8N_RESULT_BIN, N8N_RESULT_VERSION
install_n8n() {
  local version="$1" dir="$CACHE/n8n-$1" start t got
  local install_log="$LOGS/n8n-$1.install.log" rebuild_log="$LOGS/n8n-$1.rebuild.log"
  start=$(date +%s)
  N8N_RESULT_BIN="$dir/node_modules/.bin/n8n"
  if [ -f "$dir/$MARKER" ]; then
    if got="$(n8n_version_of "$dir")" && [ "$got" = "$version" ]; then
      N8N_RESULT_VERSION="$got"
      log "n8n $version: cached in $(( $(date +%s) - start )) s (n8n --version: $got)"
      return 0
    fi
    log "n8n $version: cached install does not run; reinstalling"
  elif [ -e "$dir" ]; then
    log "n8n $version: unfinished install found; wiping it"
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  : >"$install_log"
  : >"$rebuild_log"

  # n8n 1.x depends on xlsx from a CDN tarball; the registry's 0.18.5 replaces it.
  local overrides=""
  case "$version" in
    1.*) overrides=$',\n  "overrides": { "xlsx": "0.18.5" }' ;;
  esac
  printf '{\n  "name": "beschannels-e2e-n8n-%s",\n  "private": true%s\n}\n' "$version" "$overrides" \
    >"$dir/package.json"

  # Scripts off: some optional native modules (e.g. @confluentinc/kafka-javascript) download
  # sources from the internet at install time. Only the native modules n8n needs are built after.
  t=$(date +%s)
  (cd "$dir" && run_logged "$install_log" with_node24 \
    npm install --ignore-scripts --save-exact --no-audit --no-fund --loglevel=warn "n8n@$version")
  log "n8n $version: npm install (scripts off) in $(( $(date +%s) - t )) s"

  t=$(date +%s)
  (cd "$dir" && run_logged "$rebuild_log" with_node24 \
    npm rebuild --ignore-scripts=false --no-audit --no-fund isolated-vm sqlite3)
  log "n8n $version: npm rebuild isolated-vm sqlite3 in $(( $(date +%s) - t )) s"

  t=$(date +%s)
  got="$(n8n_version_of "$dir")" || die "n8n $version: '$N8N_RESULT_BIN --version' failed"
  [ "$got" = "$version" ] || die "n8n $version: '$N8N_RESULT_BIN --version' printed '$got'"
  log "n8n $version: verified in $(( $(date +%s) - t )) s (n8n --version: $got)"

  echo "$got" >"$dir/$MARKER"
  N8N_RESULT_VERSION="$got"
  log "n8n $version: installed in $(( $(date +%s) - start )) s ($(du -sh "$dir" 2>/dev/null | cut -f1))"
}

# ---- run -------------------------------------------------------------------------------------
TOTAL_START=$(date +%s)
log "cache: $CACHE"
install_node24

# The two versions install side by side (mostly downloads and unpacking); each has its own logs.
pids=()
if [ "$want_v2" = 1 ]; then install_n8n "$N8N_V2_VERSION" & pids+=("$!"); fi
if [ "$want_v1" = 1 ]; then install_n8n "$N8N_V1_VERSION" & pids+=("$!"); fi
for pid in "${pids[@]}"; do wait "$pid" || die "an n8n install failed (logs in $LOGS)"; done

# env.sh describes every completed install in the cache, not only the ones selected this run.
ENV_FILE="$CACHE/env.sh"
{
  echo "# Written by e2e/install-n8n.sh on $(date -u +%FT%TZ); source this file."
  printf 'export BESCHANNELS_N8N_CACHE=%q\n' "$CACHE"
  printf 'export BESCHANNELS_NODE24_BIN=%q\n' "$NODE24_BIN"
  printf 'export BESCHANNELS_NODE24_NODEDIR=%q\n' "$NODE24_HOME"
  printf 'export BESCHANNELS_NODE24_VERSION=%q\n' "$NODE24_VER"
  for pair in "V2:$N8N_V2_VERSION" "V1:$N8N_V1_VERSION"; do
    key="${pair%%:*}"
    ver="${pair#*:}"
    dir="$CACHE/n8n-$ver"
    if [ -f "$dir/$MARKER" ]; then
      printf 'export BESCHANNELS_N8N_%s_BIN=%q\n' "$key" "$dir/node_modules/.bin/n8n"
      printf 'export BESCHANNELS_N8N_%s_VERSION=%q\n' "$key" "$(cat "$dir/$MARKER")"
    fi
  done
} >"$ENV_FILE.tmp"
if [ -n "${BESCHANNELS_N8N_ENV_OUT:-}" ]; then cp "$ENV_FILE.tmp" "$BESCHANNELS_N8N_ENV_OUT"; fi
mv "$ENV_FILE.tmp" "$ENV_FILE"

log "done in $(( $(date +%s) - TOTAL_START )) s; run n8n with Node 24 first on PATH:"
grep '^export ' "$ENV_FILE"
echo "# or: source $ENV_FILE && PATH=\"\$BESCHANNELS_NODE24_BIN:\$PATH\" \"\$BESCHANNELS_N8N_V2_BIN\" --version"
