#!/usr/bin/env bash
# End-to-end test in real n8n (2.x and 1.x): installs the packed package into fresh n8n user
# folders like a user does, runs the examples against the local sandbox and checks the items.
# Expects `npm run build` to have been done. n8n installs are cached by e2e/install-n8n.sh
# (first run: about 11 minutes for both versions; later runs reuse them).
#
# Usage: e2e/run.sh [v2|v1|both]       (default: both)
# Environment: see e2e/install-n8n.sh (cache folder, versions) and e2e/n8n-e2e.ts (BESCHANNELS_E2E_*).
set -euo pipefail
cd "$(dirname "$0")/.."

which="${1:-both}"
case "$which" in
  both | all) which=both; versions="v2,v1" ;;
  v2 | 2) which=v2; versions="v2" ;;
  v1 | 1) which=v1; versions="v1" ;;
  *) echo "usage: $0 [v2|v1|both]" >&2; exit 2 ;;
esac

for f in dist/sandbox/cli.js dist/nodes; do
  [ -e "$f" ] || { echo "[e2e] $f is missing: run npm run build first" >&2; exit 1; }
done

# Under `npm run`, npm passes this project's settings on as npm_* variables (ignore-scripts,
# nodedir, local prefix...). The installs below must behave as they do for a user: drop them.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -i '^npm_' || true)

install_log="$(mktemp "${TMPDIR:-/tmp}/beschannels-e2e-install.XXXXXX")"
trap 'rm -f "$install_log"' EXIT
start=$(date +%s)
bash e2e/install-n8n.sh "$which" | tee "$install_log"
echo "[e2e] n8n installs ready in $(( $(date +%s) - start )) s"
# "n8n 2.40.7: cached in 3 s ..." -> 2.40.7=cached:3
BESCHANNELS_E2E_INSTALL_TIMES="$(sed -n 's/^\[install-n8n\] n8n \([0-9][0-9.]*\): \(cached\|installed\) in \([0-9][0-9]*\) s.*/\1=\2:\3/p' "$install_log" | paste -sd, -)"
export BESCHANNELS_E2E_INSTALL_TIMES

# shellcheck disable=SC1091
source "${BESCHANNELS_N8N_CACHE:-$HOME/.cache/n8n-nodes-beschannels}/env.sh"
export BESCHANNELS_E2E_VERSIONS="$versions"

# The checks are TypeScript, built into dist/e2e by the project's tsconfig; build them if needed.
if [ ! -f dist/e2e/n8n-e2e.js ] || [ -n "$(find e2e -name '*.ts' -newer dist/e2e/n8n-e2e.js)" ]; then
  npx tsc -p tsconfig.json
fi
node dist/e2e/n8n-e2e.js
