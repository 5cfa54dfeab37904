#!/usr/bin/env bash
# Runs one end-to-end suite with node's test runner on the built files (dist/e2e), after making
# sure what it needs is installed: n8n through e2e/install-n8n.sh (cached after the first run),
# Chromium and a CJK font for ui (apt-get, as root), redis-server for queue (apt-get, as root).
#
# Usage: e2e/run.sh cli|ui|queue|mcp|agent [v2|v1|both]   (the n8n version, for cli, mcp and agent; default both)
# Environment: BESCHANNELS_E2E_KEEP=1 keeps the temporary folder (logs, user folders); each
# suite's file names the settings it reads.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "[e2e] $*"; }
die() { echo "[e2e] ERROR: $*" >&2; exit 1; }

suite="${1:-}"
versions=v2
case "$suite" in
  cli | mcp | agent) case "${2:-both}" in both) versions=both ;; v2 | v1) versions="$2" ;; *) die "unknown version $2 (v2, v1, both)" ;; esac ;;
  ui | queue) ;;
  *) die "usage: $0 cli|ui|queue|mcp|agent [v2|v1|both]" ;;
esac
for f in dist/sandbox/cli.js dist/nodes "dist/e2e/$suite/$suite.test.js"; do
  [ -e "$f" ] || die "$f is missing: run npm run build first"
done

# Under `npm run`, npm passes this project's settings on as npm_* variables: drop them, so the
# install of the packed package behaves as it does for a user.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -i '^npm_' || true)

apt_install() {
  [ "$(id -u)" -eq 0 ] || die "missing $*: install them (apt-get install $*) or run as root"
  log "installing $* with apt-get"
  local apt_log
  apt_log="$(mktemp "${TMPDIR:-/tmp}/beschannels-apt.XXXXXX")"
  # Waits for another apt-get or dpkg (up to 5 minutes) instead of failing on its lock.
  if ! { apt-get -o DPkg::Lock::Timeout=300 update \
      && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "$@"; } >"$apt_log" 2>&1; then
    tail -n 30 "$apt_log" >&2
    rm -f "$apt_log"
    die "apt-get install $* failed"
  fi
  rm -f "$apt_log"
}

packages=()
if [ "$suite" = ui ]; then
  [ -x "${BESCHANNELS_UI_CHROMIUM:-/usr/bin/chromium}" ] || packages+=(chromium)
  # The screenshots show Chinese member names.
  fc-list 2>/dev/null | grep -qiE 'wenquanyi|noto (sans|serif) cjk' || packages+=(fonts-wqy-microhei)
fi
if [ "$suite" = queue ] && [ -z "${REDIS_SERVER:-}" ] && ! command -v redis-server >/dev/null 2>&1; then
  packages+=(redis-server)
fi
[ "${#packages[@]}" -eq 0 ] || apt_install "${packages[@]}"

start=$(date +%s)
# This run's own copy of the install's variables: the shared env.sh may be rewritten meanwhile by a
# run that chose other versions.
env_file="$(mktemp "${TMPDIR:-/tmp}/beschannels-n8n-env.XXXXXX")"
trap 'rm -f "$env_file"' EXIT
BESCHANNELS_N8N_ENV_OUT="$env_file" bash e2e/install-n8n.sh "$versions"
log "n8n installs ready in $(( $(date +%s) - start )) s"
# shellcheck disable=SC1090
source "$env_file"
rm -f "$env_file"
export BESCHANNELS_NODE24_BIN BESCHANNELS_N8N_V2_BIN BESCHANNELS_N8N_V2_VERSION BESCHANNELS_N8N_V1_BIN BESCHANNELS_N8N_V1_VERSION
case "$versions" in both) export BESCHANNELS_E2E_VERSIONS=v2,v1 ;; *) export BESCHANNELS_E2E_VERSIONS="$versions" ;; esac

exec node --test --test-reporter=spec "dist/e2e/$suite/$suite.test.js"
