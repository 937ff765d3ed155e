#!/usr/bin/env bats
# The conventions every subcommand shares: help, version, usage errors (exit 2), messages.

load helper

setup() {
  common_setup
}

@test "--help lists the subcommands and exits 0" {
  run "$SSE" --help
  assert_success
  assert_line --regexp '^  parse +'
  assert_line --regexp '^  format +'
  refute_output --partial '__meta'
}

@test "--version prints the version" {
  run "$SSE" --version
  assert_success
  assert_output --regexp '^sse [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "sse help SUBCOMMAND prints the same text as SUBCOMMAND --help" {
  run "$SSE" help parse
  assert_success
  local via_help=$output
  run "$SSE" parse --help
  assert_equal "$output" "$via_help"
  run "$SSE" help
  assert_success
  assert_output --partial 'Subcommands:'
}

@test "sse help with an unknown subcommand is a usage error" {
  run --separate-stderr "$SSE" help nosuch
  assert_failure 2
  assert_equal "$stderr" "sse: error: unknown subcommand 'nosuch' (run 'sse --help')"
  run --separate-stderr "$SSE" help pach
  assert_failure 2
  assert_equal "$stderr" "sse: error: unknown subcommand 'pach'; did you mean 'patch'? (run 'sse --help')"
}

@test "an unknown subcommand is exit 2 naming it, with the closest one when one is close" {
  run --separate-stderr "$SSE" tial http://127.0.0.1:9/
  assert_failure 2
  assert_output ""
  assert_equal "$stderr" "sse: error: unknown subcommand 'tial'; did you mean 'tail'? (run 'sse --help')"
  # A global option's value is not the subcommand; a hidden subcommand is never suggested.
  run --separate-stderr "$SSE" --color never sreve
  assert_equal "$stderr" "sse: error: unknown subcommand 'sreve'; did you mean 'serve'? (run 'sse --help')"
  run --separate-stderr "$SSE" -v __mta
  assert_failure 2
  assert_equal "$stderr" "sse: error: unknown subcommand '__mta' (run 'sse --help')"
  run --separate-stderr "$SSE" frobnicate
  assert_equal "$stderr" "sse: error: unknown subcommand 'frobnicate' (run 'sse --help')"
}

@test "no subcommand is exit 2" {
  run --separate-stderr "$SSE"
  assert_failure 2
  assert_output ""
  assert_regex "$stderr" "^sse: error: .*subcommand.* \(run 'sse --help'\)$"
}

@test "every command-line parse error is exit 2 with one line on stderr" {
  for args in "nosuch" "parse --bogus" "parse -f xml" "parse --count -f json" \
              "parse --max-event-size huge" "format --max-line-size 1.5MiB" "--color pink parse" \
              "format --lines --nope" "format a b --max-line-size"; do
    # shellcheck disable=SC2086
    run --separate-stderr "$SSE" $args < /dev/null
    assert_failure 2
    assert_output ""
    assert_regex "$stderr" "^sse: error: "
    assert_equal "$(printf '%s\n' "$stderr" | wc -l)" 1
  done
}

@test "a bad value is a usage error as the command line is read, before anything runs" {
  # Each would have failed at run time first: -d @FILE is read, or the stream is asked for.
  for args in "tail -d @missing --proxy https://127.0.0.1:9/ http://127.0.0.1:9/" \
              "tail -d @missing ftp://example.org/" \
              "tail --live sometimes http://127.0.0.1:9/" \
              "tail --timeout soon -d @missing http://127.0.0.1:9/" \
              "tail --max-event-size huge -d @missing http://127.0.0.1:9/" \
              "tail --connect-timeout 1y -d @missing http://127.0.0.1:9/" \
              "info --max-header-size big http://127.0.0.1:9/s" \
              "append --linger later http://127.0.0.1:9/s x" \
              "replay -f raw missing.ndjson" \
              "serve --durable --memory --heartbeat often --demo" \
              "patch --max-state lots missing.ndjson"; do
    # shellcheck disable=SC2086
    run --separate-stderr "$SSE" $args < /dev/null
    assert_failure 2
    assert_output ""
    assert_regex "$stderr" "^sse: error: .* \(run 'sse [a-z]+ --help'\)$"
  done
  run --separate-stderr "$SSE" tail --timeout soon http://127.0.0.1:9/
  assert_equal "$stderr" "sse: error: --timeout: 'soon' is not a duration (a number with ms, s, m or h, e.g. 500ms, 15s, 2m) (run 'sse tail --help')"
  run --separate-stderr "$SSE" tail --max-event-size huge http://127.0.0.1:9/
  assert_regex "$stderr" "^sse: error: --max-event-size: 'huge' is not a size"
  run --separate-stderr "$SSE" replay -f raw missing.ndjson
  assert_equal "$stderr" "sse: error: -f: sse replay cannot write raw bytes: a recording keeps events, not the bytes they came in (use -f sse) (run 'sse replay --help')"
}

@test "the usage error names the subcommand's help" {
  run --separate-stderr "$SSE" parse --bogus
  assert_failure 2
  assert_equal "$stderr" "sse: error: The following argument was not expected: --bogus (run 'sse parse --help')"
}

@test "SIGINT ends a command waiting for input with exit 130" {
  mkfifo in
  "$SSE" parse < in > out.ndjson &
  local pid=$!
  exec 8> in
  printf 'data: before\n\n' >&8
  wait_for 5 grep -q before out.ndjson
  kill -INT "$pid"
  if ! wait_for 5 exited "$pid"; then
    kill -KILL "$pid"
    fail "sse parse is still running after SIGINT"
  fi
  local status=0
  wait "$pid" || status=$?
  exec 8>&-
  assert_equal "$status" 130
  assert_equal "$(cat out.ndjson)" '{"event":"message","data":"before"}'
}
