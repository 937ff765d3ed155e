#!/usr/bin/env bats
# The Durable Streams server conformance suite against sse serve --durable --memory (see
# durable_conformance.bash).
# ctest labels: interop slow

load helper
load durable_conformance

@test "sse serve --durable --memory passes the Durable Streams server conformance suite" {
  start_durable --cors '*' --memory
  conforms
}
