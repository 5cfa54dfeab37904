#!/usr/bin/env bash
# The long search of the reader's model (`npm run fuzz`): 20,000 reads per property unless FUZZ_RUNS
# says otherwise; FUZZ_SEED replays a seed. `npm run fuzz -- --stats` first builds and prints how often
# each behaviour is drawn (scripts/fuzzStats.ts, failing if one is drawn in fewer than 5% of servers);
# `--all` searches the behaviours NOT_YET leaves out (FUZZ_ALL=1).
set -euo pipefail
cd "$(dirname "$0")/.."
stats=0
for arg in "$@"; do
  case "$arg" in
    --stats) stats=1 ;;
    --all) export FUZZ_ALL=1 ;;
    *) echo "fuzz: unknown option $arg (--stats, --all)" >&2; exit 2 ;;
  esac
done
export FUZZ_RUNS="${FUZZ_RUNS:-20000}"
drawn=0
if [ "$stats" = 1 ]; then
  npm run build --silent
  node dist/scripts/fuzzStats.js || drawn=$?
fi
npx jest --runInBand test/reader/readerModel.test.ts
exit "$drawn"
