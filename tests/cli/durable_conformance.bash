# Shared by durable_conformance_disk.bats and durable_conformance_memory.bats (one storage mode
# each, so that ctest -j2 runs them side by side): `sse serve --durable` against the official
# Durable Streams server conformance suite (@durable-streams/server-conformance-tests, pinned
# in tests/interop/package-lock.json and run by tests/interop/durable/run). Each test prints
# the suite's counts (`# conformance: P passed, F failed, S skipped (of T)`) and needs every
# test but the optional subscription group's 6 to pass. Needs node and
# `npm ci --prefix tests/interop` (scripts/setup --tests does both).
#
# The suite checks a CORS preflight from https://example.com, so the server runs with
# --cors '*' (without it, no page is let in and that preflight gets 403).
#
# The Node reference server, run the same way (node tests/interop/durable/reference-server.mjs),
# gets 326 passed, 6 failed, 6 skipped: it lacks the 6 tests added in suite 0.3.6.

setup() {
  common_setup
  RUN="$REPO_ROOT/tests/interop/durable/run"
  DURABLE_PID=
  needs_npm @durable-streams/server-conformance-tests
}

teardown() {
  stop_durable
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
