#!/usr/bin/env bats
# Crash safety of sse serve --durable on disk: writers append concurrently, the server is
# killed with SIGKILL at a random moment, and after a restart every acknowledged append is
# read back byte-exact, in order, exactly once; the only other lines allowed are whole ones
# whose request was in flight at the kill. Repeated a few times, each bounded in time.

load helper

setup() {
  common_setup
  DURABLE_PID=
  BACKGROUND=()
  needs_program node "this test's writers are Node.js programs"
}

teardown() {
  stop_background
  stop_durable
}

@test "no acknowledged append is lost or torn by a SIGKILL, over several crashes" {
  local data="$BATS_TEST_TMPDIR/data" round writers=4 w
  for w in $(seq 0 $((writers - 1))); do
    : > "acks.$w"
  done
  for round in 1 2 3 4; do
    start_durable --data-dir "$data"
    for w in $(seq 0 $((writers - 1))); do
      # Each round's writer appends to its own stream, created on the first round.
      curl -s -o /dev/null --max-time 5 -X PUT -H 'Content-Type: text/plain' \
        "$DURABLE_URL/v1/stream/crash/$w"
      node "$REPO_ROOT/tests/cli/clients/durable_writer.mjs" "$DURABLE_URL/v1/stream/crash/$w" \
        "r$round-w$w" > "log.$round.$w" 2> "err.$round.$w" 3>&- &
      BACKGROUND+=($!)
    done
    # Let them write (each round a different while, and every writer at least once: one that
    # starts late must not be killed before its first append), then kill without warning.
    for w in $(seq 0 $((writers - 1))); do
      wait_for 10 grep -q '^ack' "log.$round.$w"
    done
    wait_for 10 bash -c "[[ \$(cat log.$round.* | grep -c '^ack') -ge $((round * 150)) ]]"
    kill -KILL "$DURABLE_PID"
    wait "$DURABLE_PID" 2> /dev/null || true
    DURABLE_PID=
    for w in "${BACKGROUND[@]}"; do
      wait_for 10 exited "$w"
      wait "$w" || fail "writer $w failed: $(cat err.$round.*)"
    done
    BACKGROUND=()
    echo "# round $round: $(cat log.$round.* | grep -c '^ack') appends acknowledged before the kill" >&3
  done

  # Restart and check every stream against what its writers were told and tried.
  start_durable --data-dir "$data"
  for w in $(seq 0 $((writers - 1))); do
    read_durable "$DURABLE_URL/v1/stream/crash/$w" > "stream.$w" || fail "cannot read stream $w"
    # Every line is whole: a writer's name and a number, ended by a newline.
    [[ -z $(tail -c 1 "stream.$w") ]] || fail "stream $w ends in a partial line"
    if grep -vqE '^r[0-9]+-w[0-9]+-[0-9]+$' "stream.$w"; then
      fail "stream $w has a torn or foreign line: $(grep -vE '^r[0-9]+-w[0-9]+-[0-9]+$' "stream.$w" | head -3)"
    fi
    for round in 1 2 3 4; do
      local prefix="r$round-w$w-"
      # What the server acknowledged, in order, exactly once...
      sed -n 's/^ack //p' "log.$round.$w" | sed "s/^/$prefix/" > expected
      grep "^$prefix" "stream.$w" > got || true
      local acked
      acked=$(wc -l < expected)
      ((acked > 0)) || fail "round $round writer $w had no acknowledged append"
      assert_equal "$(head -n "$acked" got)" "$(cat expected)"
      # ...and after it at most the one request that was in flight at the kill.
      local extra
      extra=$(tail -n +"$((acked + 1))" got)
      if [[ -n $extra ]]; then
        assert_equal "$extra" "$prefix$(sed -n 's/^try //p' "log.$round.$w" | tail -n 1)"
      fi
    done
  done
}
