#!/usr/bin/env bats
# sse patch against @durable-streams/state (pinned in tests/interop/package-lock.json; npm ci
# --prefix tests/interop): random Durable State sequences applied by sse patch and by the
# package's MaterializedState (tests/interop/durable-state-diff.mjs), compared after every
# event. Needs node and the package; without them it skips on a developer's machine and fails
# under scripts/test and CI (missing_peer in helper.bash).
#
# Environment: SSE_INTEROP_SEED (default 1) and SSE_STATE_COUNT (default 2000) choose the
# sequences; a failure prints the sequence and how to rerun it alone.
# ctest labels: interop slow

load helper

setup() {
  common_setup
  INTEROP="$REPO_ROOT/tests/interop"
  needs_npm @durable-streams/state
}

@test "Durable State: sse patch equals @durable-streams/state MaterializedState on random sequences" {
  local seed="${SSE_INTEROP_SEED:-1}" count="${SSE_STATE_COUNT:-2000}"
  run --separate-stderr timeout 240 node "$INTEROP/durable-state-diff.mjs" "$SSE" --seed "$seed" --count "$count"
  echo "$output"
  assert_success
  assert_line "durable state (seed $seed): $count passed, 0 failed"
}
