#!/usr/bin/env bash
# `npm test`: everything, from a fresh clone. `scripts/test.sh STAGE...` runs only those test stages
# (unit, browser, extension, ui), with the setup they need.
#   1. npm ci when node_modules is missing or older than package-lock.json
#   2. scripts/setup-test-host.sh (Debian chromium, code-server; quick when present)   [not for unit alone]
#   3. build: scripts/build.mjs (product) and scripts/build-tests.mjs (test bundles)    [not for unit alone]
#   4. unit       node --test: test/*/*.test.ts outside browser/, extension/, ui/, except *.browser.test.ts
#   5. browser    node --test: test/browser/*.test.ts and test/*/*.browser.test.ts (pages in headless Chromium)
#   6. extension  mocha inside the real extension host (code-server): test/extension/*.test.ts
#   7. ui         node --test: test/ui/*.test.ts (the workbench driven through Chromium), when there are any
# Every stage runs even if an earlier test stage failed; a failed setup step stops the test stages.
# Logs: test-results/logs/<stage>.log. Exit status: non-zero if any step failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LOGS="$ROOT/test-results/logs"
mkdir -p "$LOGS"
export ONNXRUNTIME_NODE_INSTALL=skip PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# Tags the temporary folders of the code-servers this run starts (see test/harness/code-server.ts).
export LLM_LENS_TEST_RUN_ID=$$

SUMMARY=()
FAILED=0
TOTAL_PASSED=0
TOTAL_FAILED=0
TEST_STAGES_ALLOWED=1

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
banner() { printf '\n==== %s ====\n' "$*"; }

# Pass and fail counts from a stage log: node's spec reporter ("ℹ pass N"), TAP ("# pass N"),
# or the extension suite's "extension: N passed, N failed" line.
count_from_log() {
  local log=$1 what=$2 n
  n=$(grep -aE "^(ℹ|#) ${what} [0-9]+$" "$log" | tail -1 | grep -oE '[0-9]+$')
  if [ -z "$n" ]; then
    if [ "$what" = pass ]; then
      n=$(grep -aoE '^extension: [0-9]+ passed' "$log" | tail -1 | grep -oE '[0-9]+')
    else
      n=$(grep -aoE '^extension: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
    fi
  fi
  echo "${n:-0}"
}

# run_stage NAME LIMIT_SECONDS COMMAND...: runs a stage with a time limit, logs it, records the outcome.
run_stage() {
  local name=$1 limit=$2; shift 2
  local log="$LOGS/$name.log" start status passed failed result
  banner "$name: $*"
  start=$(now)
  # --kill-after: a stage that ignores SIGTERM is killed 15 s later
  timeout --kill-after=15 "$limit" "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  passed=$(count_from_log "$log" pass)
  failed=$(count_from_log "$log" fail)
  TOTAL_PASSED=$((TOTAL_PASSED + passed))
  TOTAL_FAILED=$((TOTAL_FAILED + failed))
  if [ "$status" -eq 0 ]; then result=ok
  elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then result="TIMED OUT after ${limit}s"; FAILED=1
  else result="FAILED (exit $status)"; FAILED=1
  fi
  SUMMARY+=("$(printf '%-10s %-22s %5ss   tests passed %s, failed %s' "$name" "$result" "$(elapsed "$start")" "$passed" "$failed")")
  return "$status"
}

# run_setup NAME COMMAND...: a step that must succeed for the test stages to mean anything.
run_setup() {
  local name=$1; shift
  local start
  banner "$name: $*"
  start=$(now)
  if "$@" 2>&1 | tee "$LOGS/$name.log"; [ "${PIPESTATUS[0]}" -eq 0 ]; then
    SUMMARY+=("$(printf '%-10s %-22s %5ss' "$name" ok "$(elapsed "$start")")")
  else
    SUMMARY+=("$(printf '%-10s %-22s %5ss' "$name" FAILED "$(elapsed "$start")")")
    FAILED=1
    TEST_STAGES_ALLOWED=0
  fi
}

install_deps() {
  if [ -d node_modules ] && [ -f node_modules/.package-lock.json ] && ! [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "node_modules is up to date"
  else
    npm ci --no-audit --no-fund
  fi
}

build() {
  node scripts/build.mjs && node scripts/build-tests.mjs
}

ALL_STAGES=(unit browser extension ui)
STAGES=("$@")
[ ${#STAGES[@]} -eq 0 ] && STAGES=("${ALL_STAGES[@]}")
for stage in "${STAGES[@]}"; do
  [[ " ${ALL_STAGES[*]} " == *" $stage "* ]] || { echo "unknown stage '$stage'; stages: ${ALL_STAGES[*]}" >&2; exit 2; }
done
wants() { [[ " ${STAGES[*]} " == *" $1 "* ]]; }

# Test files of each stage, found by location and name so that new test folders join in.
shopt -s nullglob
UNIT_TESTS=() BROWSER_TESTS=(test/browser/*.test.ts)
for f in test/*/*.test.ts; do
  case "$f" in
    test/browser/* | test/extension/* | test/ui/* | test/harness/*) ;;
    *.browser.test.ts) BROWSER_TESTS+=("$f") ;;
    *) UNIT_TESTS+=("$f") ;;
  esac
done
UI_TESTS=(test/ui/*.test.ts)
shopt -u nullglob

# run_node_tests STAGE LIMIT FILES...: node's test runner, one file at a time (two cores; browser stages are heavy).
run_node_tests() {
  local stage=$1 limit=$2; shift 2
  if [ $# -eq 0 ]; then
    SUMMARY+=("$(printf '%-10s skipped (no test files)' "$stage")")
    return 0
  fi
  run_stage "$stage" "$limit" node --import tsx --test --test-reporter=spec --test-concurrency=1 "$@"
}

START=$(now)
run_setup deps install_deps
if [ "${STAGES[*]}" != unit ]; then
  [ "$TEST_STAGES_ALLOWED" -eq 1 ] && run_setup host bash scripts/setup-test-host.sh
  [ "$TEST_STAGES_ALLOWED" -eq 1 ] && run_setup build build
fi

if [ "$TEST_STAGES_ALLOWED" -eq 1 ]; then
  wants unit && run_node_tests unit 600 "${UNIT_TESTS[@]}"
  wants browser && run_node_tests browser 900 "${BROWSER_TESTS[@]}"
  wants extension && run_stage extension 600 node --import tsx test/harness/run-extension-suite.ts
  wants ui && run_node_tests ui 1200 "${UI_TESTS[@]}"
fi

# code-server runs detached from this shell; the harness stops it, and this checks that it did.
leftovers=$(pgrep -f "llm-lens-code-server-$LLM_LENS_TEST_RUN_ID-" || true)
if [ -n "$leftovers" ]; then
  echo "warning: code-server processes left behind by the tests: $leftovers" >&2
fi

banner "summary ($(elapsed "$START")s, logs in test-results/logs/)"
printf '%s\n' "${SUMMARY[@]}"
echo "total: $TOTAL_PASSED passed, $TOTAL_FAILED failed"
exit "$FAILED"
