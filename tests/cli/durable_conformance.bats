#!/usr/bin/env bats
# `sse serve --durable` against the official Durable Streams server conformance suite
# (@durable-streams/server-conformance-tests, pinned in tests/interop/package-lock.json and run
# by tests/interop/durable/run), once with a data directory and once in memory. Each test
# prints the suite's counts (`# conformance: P passed, F failed, S skipped (of T)`) and needs
# every test but the optional subscription group's 6 to pass. Needs node and
# `npm ci --prefix tests/interop` (scripts/setup --tests does both).
#
# The Node reference server, run the same way (node tests/interop/durable/reference-server.mjs),
# gets 326 passed, 6 failed, 6 skipped: it lacks the 6 tests added in suite 0.3.6.

load helper

setup() {
  common_setup
  RUN="$REPO_ROOT/tests/interop/durable/run"
  DURABLE_PID=
  command -v node > /dev/null ||
    fail "node is not installed: this test needs Node.js (and npm ci --prefix tests/interop)"
  [[ -f "$REPO_ROOT/tests/interop/node_modules/@durable-streams/server-conformance-tests/package.json" ]] ||
    fail "the conformance suite is not installed; install it with:  npm ci --prefix tests/interop"
}

teardown() {
  stop_durable
}

# Starts `sse serve --durable --port 0 --long-poll-timeout 500ms OPTION...` on 127.0.0.1 and
# sets DURABLE_URL once it prints its `listening on` line (serve.err is its log). Fails, with
# the log, if it exits or has not listened within 10 s.
start_durable() {
  rm -f serve.err
  "$SSE" serve --durable --port 0 --long-poll-timeout 500ms "$@" < /dev/null 2> serve.err 3>&- &
  DURABLE_PID=$!
  local deadline=$((SECONDS + 10))
  until grep -q '^listening on ' serve.err 2> /dev/null; do
    if exited "$DURABLE_PID"; then
      local status=0
      wait "$DURABLE_PID" 2> /dev/null || status=$?
      DURABLE_PID=
      fail "sse serve --durable $* exited (status $status) before listening: $(cat serve.err)"
    fi
    ((SECONDS < deadline)) ||
      fail "sse serve --durable $* did not print 'listening on' within 10 s: $(cat serve.err)"
    sleep 0.05
  done
  DURABLE_URL=$(sed -n 's/^listening on //p' serve.err | head -n 1)
}

# Stops the server: SIGTERM, SIGKILL if it is still there 6 s later. Fails if a sanitizer
# reported anything in its log.
stop_durable() {
  [[ -n ${DURABLE_PID:-} ]] || return 0
  kill "$DURABLE_PID" 2> /dev/null || true
  local deadline=$((SECONDS + 6))
  until exited "$DURABLE_PID" || ((SECONDS >= deadline)); do sleep 0.05; done
  exited "$DURABLE_PID" || kill -KILL "$DURABLE_PID" 2> /dev/null || true
  wait "$DURABLE_PID" 2> /dev/null || true
  DURABLE_PID=
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' serve.err; then
    fail "sse serve reported a sanitizer error: $(cat serve.err)"
  fi
}

# Runs the suite against DURABLE_URL, prints its summary line to the test log and checks that
# nothing failed and every test outside the subscription group passed.
conforms() {
  run "$RUN" "$DURABLE_URL" --timeout 100 --json report.json
  local summary
  summary=$(grep -m 1 '^conformance: [0-9]' <<< "$output" || true)
  echo "# ${summary:-conformance: no result}" >&3
  [[ -n $summary ]] || fail "the conformance run gave no result (exit status $status)"
  local passed failed
  passed=$(sed -E 's/^conformance: ([0-9]+) passed.*/\1/' <<< "$summary")
  failed=$(sed -E 's/^.* ([0-9]+) failed.*/\1/' <<< "$summary")
  ((failed == 0 && passed >= 332)) ||
    fail "conformance needs 0 failed and at least 332 passed; got $failed failed, $passed passed"
  assert_success
}

@test "sse serve --durable --data-dir passes the Durable Streams server conformance suite" {
  start_durable --data-dir "$BATS_TEST_TMPDIR/data"
  conforms
}

@test "sse serve --durable --memory passes the Durable Streams server conformance suite" {
  start_durable --memory
  conforms
}
