#!/usr/bin/env bash
# The Beschannels tool behind n8n's MCP Server Trigger, called by the official MCP TypeScript SDK
# client: the packed package installed in a fresh n8n user folder (2.x, then 1.x), the local
# sandbox as Beschannels; see e2e/mcp/mcp-e2e.ts. Expects `npm run build` to have been done.
#
# Usage: e2e/mcp/run.sh [v2|v1|both]       (default: both)
# Installs n8n through e2e/install-n8n.sh (cached after the first run).
# Environment: see e2e/mcp/mcp-e2e.ts (BESCHANNELS_MCP_*) and e2e/install-n8n.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

which="${1:-both}"
case "$which" in
  both | all) which=both; versions="v2,v1" ;;
  v2 | 2) which=v2; versions="v2" ;;
  v1 | 1) which=v1; versions="v1" ;;
  *) echo "usage: $0 [v2|v1|both]" >&2; exit 2 ;;
esac

log() { echo "[mcp] $*"; }
die() { echo "[mcp] ERROR: $*" >&2; exit 1; }

for f in dist/sandbox/cli.js dist/nodes; do
  [ -e "$f" ] || die "$f is missing: run npm run build first"
done
node -e "require.resolve('@modelcontextprotocol/sdk/client/index.js')" 2>/dev/null \
  || die "@modelcontextprotocol/sdk is not installed: run npm install (it is a devDependency)"

# Under `npm run`, npm passes this project's settings on as npm_* variables. The install of the
# tarball must behave as it does for a user: drop them.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -i '^npm_' || true)

start=$(date +%s)
bash e2e/install-n8n.sh "$which" | sed -n 's/^\(\[install-n8n\] \(node\|n8n\) .*\)/[mcp] \1/p'
log "n8n install ready in $(( $(date +%s) - start )) s"
# shellcheck disable=SC1091
source "${BESCHANNELS_N8N_CACHE:-$HOME/.cache/n8n-nodes-beschannels}/env.sh"
export BESCHANNELS_NODE24_BIN BESCHANNELS_N8N_V2_BIN BESCHANNELS_N8N_V1_BIN BESCHANNELS_N8N_V2_VERSION BESCHANNELS_N8N_V1_VERSION
export BESCHANNELS_MCP_VERSIONS="$versions"

# The test is TypeScript, built into dist/e2e by the project's tsconfig; build it if needed.
if [ ! -f dist/e2e/mcp/mcp-e2e.js ] || [ -n "$(find e2e -name '*.ts' -newer dist/e2e/mcp/mcp-e2e.js)" ]; then
  npx tsc -p tsconfig.json
fi
exec node dist/e2e/mcp/mcp-e2e.js
