#!/usr/bin/env bash
# `npm test`: everything, from a fresh clone. `scripts/test.sh STAGE...` runs only those test stages
# (unit, browser, extension, ui), with the setup they need.
#   1. npm ci when node_modules is missing or older than package-lock.json
#   2. scripts/setup-test-host.sh (Debian chromium, code-server; quick when present)   [not for unit alone]
#   3. build: scripts/build.mjs (product) and scripts/build-tests.mjs (test bundles)    [not for unit alone]
#   4. unit       node --test: test/*/*.test.ts outside browser/, extension/, ui/, except *.browser.test.ts
#   5. browser    node --test: test/browser/*.test.ts and test/*/*.browser.test.ts, one file at a time
#   6. extension  mocha inside the real extension host (code-server): test/extension/*.test.ts, then
#                 the display-language tests again with VS Code in Simplified Chinese (zh-cn)
#   7. ui         node --test: test/ui/*.test.ts (the workbench driven through Chromium), one file at a time
# Every stage runs even if an earlier test stage failed; a failed setup step stops the test stages.
# Browser and UI files run one by one, each with its own time limit, so that one that hangs cannot
# hide the others' results. Logs: test-results/logs/<stage>.log. Exit status: non-zero if anything failed.
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
SETUP_OK=1

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
banner() { printf '\n==== %s ====\n' "$*"; }

# Sum of the pass or fail counts in a log: node's spec reporter ("ℹ pass N"), TAP ("# pass N"),
# or the extension suite's "extension: N passed, N failed".
count_in_log() {
  local log=$1 what=$2
  {
    grep -aE "^(ℹ|#) ${what} [0-9]+$" "$log" | grep -oE '[0-9]+$'
    if [ "$what" = pass ]; then
      grep -aoE '^extension: [0-9]+ passed' "$log" | grep -oE '[0-9]+'
    else
      grep -aoE '^extension: [0-9]+ passed, [0-9]+ failed' "$log" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+'
    fi
  } | awk '{ n += $1 } END { print n + 0 }'
}

# A stage is one or more runs (stage_run) between stage_begin and stage_end.
stage_begin() {
  STAGE_NAME=$1 STAGE_START=$(now) STAGE_RESULT=ok STAGE_PASSED=0 STAGE_FAILED=0
  STAGE_LOG="$LOGS/$1.log"
  : > "$STAGE_LOG"
}

# stage_run LIMIT_SECONDS COMMAND...: one run with a time limit; its counts join the stage's.
stage_run() {
  local limit=$1; shift
  local run_log status passed failed
  run_log=$(mktemp)
  banner "$STAGE_NAME: $*" | tee -a "$STAGE_LOG"
  # --kill-after: a run that ignores SIGTERM is killed 15 s later
  timeout --kill-after=15 "$limit" "$@" 2>&1 | tee "$run_log"
  status=${PIPESTATUS[0]}
  cat "$run_log" >> "$STAGE_LOG"
  passed=$(count_in_log "$run_log" pass)
  failed=$(count_in_log "$run_log" fail)
  rm -f "$run_log"
  if [ "$status" -ne 0 ]; then
    # a run that crashed or timed out before reporting counts as one failure
    [ "$failed" -eq 0 ] && failed=1
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
      STAGE_RESULT="TIMED OUT (${limit}s)"
      echo "[test.sh] $* did not finish within ${limit}s" | tee -a "$STAGE_LOG"
    elif [ "$STAGE_RESULT" = ok ]; then
      STAGE_RESULT="FAILED"
    fi
  fi
  STAGE_PASSED=$((STAGE_PASSED + passed))
  STAGE_FAILED=$((STAGE_FAILED + failed))
}

stage_end() {
  [ "$STAGE_RESULT" = ok ] || FAILED=1
  TOTAL_PASSED=$((TOTAL_PASSED + STAGE_PASSED))
  TOTAL_FAILED=$((TOTAL_FAILED + STAGE_FAILED))
  SUMMARY+=("$(printf '%-10s %-18s %7ss   tests passed %s, failed %s' "$STAGE_NAME" "$STAGE_RESULT" "$(elapsed "$STAGE_START")" "$STAGE_PASSED" "$STAGE_FAILED")")
}

skip_stage() { SUMMARY+=("$(printf '%-10s skipped: %s' "$1" "$2")"); }

# run_setup NAME COMMAND...: a step that must succeed for the test stages to mean anything.
run_setup() {
  local name=$1; shift
  local start result=ok
  banner "$name: $*"
  start=$(now)
  "$@" 2>&1 | tee "$LOGS/$name.log"
  if [ "${PIPESTATUS[0]}" -ne 0 ]; then result=FAILED; FAILED=1; SETUP_OK=0; fi
  SUMMARY+=("$(printf '%-10s %-18s %7ss' "$name" "$result" "$(elapsed "$start")")")
}

install_deps() {
  if [ -f node_modules/.package-lock.json ] && ! [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "node_modules is up to date"
  else
    npm ci --no-audit --no-fund
  fi
}

build() {
  node scripts/build.mjs && node scripts/build-tests.mjs
}

NODE_TEST=(node --import tsx --test --test-reporter=spec --test-concurrency=1)

# run_test_files STAGE LIMIT_PER_FILE FILE...: each file in its own node --test run.
run_test_files() {
  local stage=$1 limit=$2; shift 2
  if [ $# -eq 0 ]; then skip_stage "$stage" "no test files"; return; fi
  stage_begin "$stage"
  local file
  for file in "$@"; do stage_run "$limit" "${NODE_TEST[@]}" "$file"; done
  stage_end
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

START=$(now)
run_setup deps install_deps
if [ "$SETUP_OK" -eq 1 ] && [ "${STAGES[*]}" != unit ]; then
  run_setup host bash scripts/setup-test-host.sh
  [ "$SETUP_OK" -eq 1 ] && run_setup build build
fi

if [ "$SETUP_OK" -eq 1 ]; then
  if wants unit; then
    if [ ${#UNIT_TESTS[@]} -gt 0 ]; then
      stage_begin unit; stage_run 600 "${NODE_TEST[@]}" "${UNIT_TESTS[@]}"; stage_end
    else
      skip_stage unit "no test files"
    fi
  fi
  wants browser && run_test_files browser 600 "${BROWSER_TESTS[@]}"
  if wants extension; then
    # the runner stops the suite itself after LLM_LENS_SUITE_TIMEOUT_MS (540 s), before this limit
    stage_begin extension
    stage_run 600 node --import tsx test/harness/run-extension-suite.ts
    # The display-language tests again in Simplified Chinese, so that their zh-cn assertions run
    # (unless LLM_LENS_TEST_GREP narrowed the suite to other tests).
    if [ -z "${LLM_LENS_TEST_GREP:-}" ] || [[ "display language" =~ ${LLM_LENS_TEST_GREP} ]]; then
      stage_run 300 env LLM_LENS_TEST_LOCALE=zh-cn LLM_LENS_TEST_GREP='display language' LLM_LENS_SUITE_TIMEOUT_MS=240000 \
        node --import tsx test/harness/run-extension-suite.ts
    fi
    stage_end
  fi
  wants ui && run_test_files ui 600 "${UI_TESTS[@]}"
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
