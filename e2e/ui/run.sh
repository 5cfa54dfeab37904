#!/usr/bin/env bash
# Browser test in a real n8n editor: the packed package installed in a fresh n8n 2.x user folder,
# the local sandbox as Beschannels, Debian's Chromium driven by playwright-core. Checks the
# credential dialog, the node's parameters and output, its errors and the trigger's test event;
# see e2e/ui/ui-test.ts. Expects `npm run build` to have been done.
#
# Usage: e2e/ui/run.sh
#   BESCHANNELS_UI_SCREENSHOTS=1 e2e/ui/run.sh    also refreshes docs/screenshots/
# Installs Chromium (and a CJK font for the screenshots) with apt-get when missing (needs root),
# and n8n through e2e/install-n8n.sh (cached after the first run).
# Environment: see e2e/ui/ui-test.ts (BESCHANNELS_UI_*) and e2e/install-n8n.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { echo "[ui] $*"; }
die() { echo "[ui] ERROR: $*" >&2; exit 1; }

for f in dist/sandbox/cli.js dist/nodes; do
  [ -e "$f" ] || die "$f is missing: run npm run build first"
done
node -e "require.resolve('playwright-core')" 2>/dev/null \
  || die "playwright-core is not installed: run npm install (it is a devDependency)"

# Under `npm run`, npm passes this project's settings on as npm_* variables. The install of the
# tarball must behave as it does for a user: drop them.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -i '^npm_' || true)

# ---- Chromium and a font for Chinese text (the screenshots show Chinese member names) ---------
chromium_bin="${BESCHANNELS_UI_CHROMIUM:-/usr/bin/chromium}"
packages=()
[ -x "$chromium_bin" ] || packages+=(chromium)
if ! fc-list 2>/dev/null | grep -qiE 'wenquanyi|noto (sans|serif) cjk'; then
  packages+=(fonts-wqy-microhei)
fi
if [ "${#packages[@]}" -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "missing ${packages[*]}: install them (apt-get install ${packages[*]}) or run as root"
  log "installing ${packages[*]} with apt-get"
  start=$(date +%s)
  apt_log="$(mktemp "${TMPDIR:-/tmp}/beschannels-ui-apt.XXXXXX")"
  # Waits for another apt-get or dpkg (up to 5 minutes) instead of failing on its lock.
  if ! { apt-get -o DPkg::Lock::Timeout=300 update \
      && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y "${packages[@]}"; } \
      >"$apt_log" 2>&1; then
    tail -n 30 "$apt_log" >&2
    rm -f "$apt_log"
    die "apt-get install ${packages[*]} failed"
  fi
  rm -f "$apt_log"
  log "installed ${packages[*]} in $(( $(date +%s) - start )) s"
fi
[ -x "$chromium_bin" ] || die "$chromium_bin is missing after the install"

# ---- n8n 2.x (cached) -------------------------------------------------------------------------
start=$(date +%s)
bash e2e/install-n8n.sh v2 | sed -n 's/^\(\[install-n8n\] \(node\|n8n\) .*\)/[ui] \1/p'
log "n8n install ready in $(( $(date +%s) - start )) s"
# shellcheck disable=SC1091
source "${BESCHANNELS_N8N_CACHE:-$HOME/.cache/n8n-nodes-beschannels}/env.sh"
export BESCHANNELS_NODE24_BIN BESCHANNELS_N8N_V2_BIN

# The test is TypeScript, built into dist/e2e by the project's tsconfig; build it if needed.
if [ ! -f dist/e2e/ui/ui-test.js ] || [ -n "$(find e2e -name '*.ts' -newer dist/e2e/ui/ui-test.js)" ]; then
  npx tsc -p tsconfig.json
fi
node dist/e2e/ui/ui-test.js
