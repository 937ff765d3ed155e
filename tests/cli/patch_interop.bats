#!/usr/bin/env bats
# sse patch against outside references, installed from npm at the versions pinned in
# tests/interop/package-lock.json (npm ci --prefix tests/interop; scripts/setup --tests does it):
#   - every case of json-patch-test-suite (tests.json and spec_tests.json), driven by
#     tests/interop/json-patch-suite.mjs: results must match and failing patches must leave
#     the state unchanged; the two disabled cases whose duplicate "op" member JSON.parse lost
#     are skipped with the reason printed;
#   - random Durable State sequences applied by sse patch and by @durable-streams/state's
#     MaterializedState (tests/interop/durable-state-diff.mjs), compared after every event.
# Needs node; fails (never skips) without it or without the packages.
#
# Environment: SSE_INTEROP_SEED (default 1) and SSE_STATE_COUNT (default 2000) choose the
# Durable State sequences; a failure prints the sequence and how to rerun it alone.

load helper

setup() {
  common_setup
  INTEROP="$REPO_ROOT/tests/interop"
  command -v node >/dev/null ||
    fail "node is not installed: the interop tests need Node.js (and npm ci --prefix tests/interop)"
  local package
  for package in json-patch-test-suite @durable-streams/state; do
    [[ -f "$INTEROP/node_modules/$package/package.json" ]] ||
      fail "$package is not installed; install it with:  npm ci --prefix tests/interop"
  done
}

@test "json-patch-test-suite: every case gives the expected state or fails atomically" {
  run --separate-stderr timeout 240 node "$INTEROP/json-patch-suite.mjs" "$SSE"
  echo "$output"
  assert_success
  assert_line --partial 'json-patch-test-suite: '
  # Every case ran, except the two that cannot be represented.
  local summary
  summary=$(grep '^json-patch-test-suite: ' <<<"$output")
  [[ $summary =~ ([0-9]+)\ passed,\ 0\ failed,\ 2\ skipped ]]
  ((BASH_REMATCH[1] >= 90))
  grep '^skip ' <<<"$output" | sed 's/^/# /' >&3
}

@test "Durable State: sse patch equals @durable-streams/state MaterializedState on random sequences" {
  local seed="${SSE_INTEROP_SEED:-1}" count="${SSE_STATE_COUNT:-2000}"
  run --separate-stderr timeout 240 node "$INTEROP/durable-state-diff.mjs" "$SSE" --seed "$seed" --count "$count"
  echo "$output"
  assert_success
  assert_line "durable state (seed $seed): $count passed, 0 failed"
}
