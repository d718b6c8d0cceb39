#!/usr/bin/env bash
# npm test: the type check and the Jest suite side by side, failing if either fails.
# Side by side because the type check is one single-threaded process (~40 s) that would otherwise leave a core idle
# before the suite starts. Three Jest workers on two cores: the fault and integration tests spend half their time
# waiting on brokers and timers, so a third worker fills the idle core (measured in docs/decisions.md, "Test suite time").
# Arguments go to Jest (`npm test -- test/fault`).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache
tsc_log=.cache/tsc-noemit.log
tsc --noEmit -p tsconfig.json >"$tsc_log" 2>&1 &
tsc_pid=$!
jest --maxWorkers="${JEST_WORKERS:-3}" "$@"
jest_rc=$?
wait "$tsc_pid"
tsc_rc=$?
if [ "$tsc_rc" -ne 0 ]; then
  echo "npm test: the type check failed (tsc --noEmit):" >&2
  cat "$tsc_log" >&2
fi
[ "$jest_rc" -eq 0 ] && [ "$tsc_rc" -eq 0 ]
