#!/usr/bin/env bats
# The rule for a test whose outside peer is missing (helper.bash, missing_peer): skipped, with
# the reason, on a developer's machine; failed where every peer must be there
# (SSE_REQUIRE_PEERS, set by scripts/test, or CI). peers/needs_missing.bats, which needs a
# program that cannot exist, is run both ways.

load helper

setup() {
  common_setup
}

# Runs peers/needs_missing.bats in a clean environment with SETTING... (NAME=VALUE).
run_needs_missing() {
  local path # without the bats internals this bats put first
  path=$(tr ':' '\n' <<< "$PATH" | grep -v bats-core | paste -sd:)
  run env -i PATH="$path" HOME="$HOME" SSE="$SSE" BATS_LIB_PATH="$BATS_LIB_PATH" "$@" \
    bats --tap "$REPO_ROOT/tests/cli/peers/needs_missing.bats"
}

@test "a missing peer is a skip, saying why, on a developer's machine" {
  run_needs_missing
  assert_success
  assert_line "ok 1 needs a peer # skip sse-no-such-program is not installed: it is made up (scripts/setup --tests installs it)"
  assert_line "ok 2 checks a peer when it is there"
}

@test "a missing peer fails under scripts/test (SSE_REQUIRE_PEERS) and in CI" {
  local mode
  for mode in SSE_REQUIRE_PEERS=1 CI=true; do
    run_needs_missing "$mode"
    assert_failure
    assert_line "not ok 1 needs a peer"
    assert_line "not ok 2 checks a peer when it is there"
    assert_output --partial "sse-no-such-program is not installed"
  done
}
