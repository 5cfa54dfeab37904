#!/usr/bin/env bash
# The whole suite, exactly what CI runs (`npm test`): lint, build, n8n's package scanner, the engine
# and unit tests, then every end-to-end suite in real n8n (`npm run e2e`). The n8n installs those
# suites need (about 10 minutes the first time on 2 cores, cached after) start at once, in the
# background, while the rest runs; their output is shown when they are done.
set -euo pipefail
cd "$(dirname "$0")/.."

install_log="$(mktemp "${TMPDIR:-/tmp}/beschannels-install.XXXXXX")"
setsid bash e2e/install-n8n.sh both >"$install_log" 2>&1 &
install=$!
# Stops the installs (their whole process group) when a step before them fails.
trap 'kill -- -"$install" 2>/dev/null || true; rm -f "$install_log"' EXIT

npm run lint
npm run build
node scripts/scan-package.mjs
npx jest --runInBand
if ! wait "$install"; then
  cat "$install_log" >&2
  echo "[test] the n8n installs failed (e2e/install-n8n.sh)" >&2
  exit 1
fi
cat "$install_log"
npm run e2e
