#!/usr/bin/env bats
# The Durable Streams client commands against hostile servers (tests/cli/servers/hostile.mjs):
# reads that never move on, a 413 answered before the body is taken.

load helper

setup() {
  durable_client_setup
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

# Whether the stream at URL has reached offset NEXT.
stored_at() {
  [[ $("$SSE" info "$1" | jq -r .next_offset) == "$2" ]]
}

# LINES of N bytes each ('a', 'b', ...), one line per argument N.
lines_of() {
  local letter=a n
  for n in "$@"; do
    head -c "$n" /dev/zero | tr '\0' "$letter"
    echo
    letter=$(tr a-y b-z <<< "$letter")
  done
}

@test "a 413 answered before the body is taken is exit 4 at once, with what was appended before it" {
  start_hostile --mode 413 --accept-posts 1
  local url="$HOSTILE_URL/v1/stream/s"
  # The first line goes alone (sent as it arrives), then 8 MB that the server never reads.
  run --separate-stderr timeout 20 "$SSE" append --batch-max 16MiB "$url" \
    < <(lines_of 600; wait_for 10 grep -q '^request: POST' hostile.err; lines_of 8000000)
  assert_failure 4
  assert_output 0000000000000000_0000000000000601
  assert_regex "$stderr" '^sse: error: cannot append to the stream: HTTP 413 Payload Too Large \(a request body of [0-9]+ bytes is larger than the server accepts\): request body over 1024 bytes \(--max-body\); 1 message appended before it, up to offset 0000000000000000_0000000000000601 \('
  # Not retried, and most of the body was never sent.
  assert_equal "$(grep -c '^request: POST' hostile.err)" 2
  assert_regex "$(cat hostile.err)" 'answered 413 early'
}

@test "sse serve --durable --max-body: a body over it is exit 4 naming the status, not retried" {
  start_durable --memory --max-body 1KiB
  local url="$DURABLE_URL/v1/stream/big"
  run --separate-stderr "$SSE" create --content-type text/plain "$url"
  assert_success
  # The second line comes once the first is stored, so it goes in a request of its own.
  run --separate-stderr timeout 20 "$SSE" append "$url" \
    < <(lines_of 10; wait_for 10 stored_at "$url" 0000000000000000_0000000000000011; lines_of 5000)
  assert_failure 4
  assert_output 0000000000000000_0000000000000011
  assert_regex "$stderr" '^sse: error: cannot append to the stream: HTTP 413 .*\(a request body of 5001 bytes is larger than the server accepts\).*; 1 message appended before it, up to offset 0000000000000000_0000000000000011 \('
  refute_regex "$stderr" 'retrying'
  run --separate-stderr timeout 20 "$SSE" append --whole "$url" < <(head -c 3000000 /dev/zero)
  assert_failure 4
  assert_regex "$stderr" 'HTTP 413 .*a request body of 3000000 bytes'
  assert_equal "$(read_durable "$url")" aaaaaaaaaa
}
