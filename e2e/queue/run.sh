#!/usr/bin/env bash
# End-to-end test in n8n queue mode: Redis, one n8n main process and two workers sharing one user
# folder with the packed package installed, the local sandbox as Beschannels. Checks executions
# on the workers, measures the rate limit per worker, and runs the polling trigger.
# Expects `npm run build` to have been done. Installs redis-server with apt-get when it is missing
# (as root), and n8n 2.x with e2e/install-n8n.sh (cached).
#
# Usage: e2e/queue/run.sh
# Environment: see e2e/queue/queue-e2e.ts (BESCHANNELS_QUEUE_*, BESCHANNELS_E2E_KEEP, ...).
set -euo pipefail
cd "$(dirname "$0")/../.."

for f in dist/sandbox/cli.js dist/nodes; do
  [ -e "$f" ] || { echo "[queue] $f is missing: run npm run build first" >&2; exit 1; }
done

# Under `npm run`, npm passes this project's settings on as npm_* variables: drop them, so the
# install of the packed package behaves as it does for a user.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -i '^npm_' || true)

start=$(date +%s)
if [ -z "${REDIS_SERVER:-}" ] && ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "[queue] redis-server is missing: install it (Debian: apt-get install -y redis-server) or set REDIS_SERVER" >&2
    exit 1
  fi
  echo "[queue] installing redis-server with apt-get"
  apt_log="$(mktemp "${TMPDIR:-/tmp}/beschannels-queue-apt.XXXXXX")"
  if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server >"$apt_log" 2>&1 ||
         { apt-get update >>"$apt_log" 2>&1 &&
           DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server >>"$apt_log" 2>&1; }; }; then
    tail -n 20 "$apt_log" >&2
    rm -f "$apt_log"
    echo "[queue] could not install redis-server" >&2
    exit 1
  fi
  rm -f "$apt_log"
  # The package may start a system Redis on port 6379; the test runs its own on a free port.
fi
echo "[queue] $("${REDIS_SERVER:-redis-server}" --version | cut -d' ' -f1-3) ready in $(( $(date +%s) - start )) s"

start=$(date +%s)
bash e2e/install-n8n.sh v2
echo "[queue] n8n install ready in $(( $(date +%s) - start )) s"
# shellcheck disable=SC1091
source "${BESCHANNELS_N8N_CACHE:-$HOME/.cache/n8n-nodes-beschannels}/env.sh"

# The test is TypeScript, built into dist/e2e by the project's tsconfig; build it if needed.
if [ ! -f dist/e2e/queue/queue-e2e.js ] || [ -n "$(find e2e -name '*.ts' -newer dist/e2e/queue/queue-e2e.js)" ]; then
  npx tsc -p tsconfig.json
fi
exec node dist/e2e/queue/queue-e2e.js
