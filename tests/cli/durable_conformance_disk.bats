#!/usr/bin/env bats
# The Durable Streams server conformance suite against sse serve --durable --data-dir (see
# durable_conformance.bash).
# ctest labels: interop slow

load helper
load durable_conformance

@test "sse serve --durable --data-dir passes the Durable Streams server conformance suite" {
  start_durable --cors '*' --data-dir "$BATS_TEST_TMPDIR/data"
  conforms
}
