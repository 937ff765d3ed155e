#!/usr/bin/env bats
# The Durable Streams client commands against hostile servers (tests/cli/servers/hostile.mjs):
# reads that never move on, a 413 answered before the body is taken.

load helper

setup() {
  common_setup
  DURABLE_PID=
  BACKGROUND=()
  unset STREAM_URL STREAM_AUTH
}

teardown() {
  stop_background
  stop_durable
}

# Starts hostile.mjs with ARGS; sets HOSTILE_URL.
start_hostile() {
  rm -f hostile.err # a previous server's line must not be taken for this one's
  node "$REPO_ROOT/tests/cli/servers/hostile.mjs" "$@" 2> hostile.err 3>&- 8>&- &
  BACKGROUND+=($!)
  wait_for 10 grep -q '^listening on ' hostile.err
  HOSTILE_URL=$(sed -n 's/^listening on //p' hostile.err | head -n 1)
}

@test "a read that never moves on (200, same offset, no data, no Up-To-Date) is exit 3, not a loop" {
  start_hostile --mode stall
  local url="$HOSTILE_URL/v1/stream/s"
  run --separate-stderr timeout 20 "$SSE" tail --live long-poll "$url"
  assert_failure 3
  assert_output ""
  assert_equal "$stderr" "sse: error: the server answered 10 reads in a row with no data and no progress from offset 0000000000000000_0000000000000000, without Stream-Up-To-Date ($url)"
  assert_equal "$(grep -c '^request: GET' hostile.err)" 11
}
