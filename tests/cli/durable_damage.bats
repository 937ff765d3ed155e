#!/usr/bin/env bats
# Damage in sse serve --durable's data directory (issue #13): a flipped bit before the last
# commit point is reported on stderr with its file and offset, the damaged stream answers 500
# naming the damage, every other stream is served, and nothing on disk is cut; --repair cuts
# the stream back to its last intact commit and keeps what it cut.

load helper

setup() {
  common_setup
  DURABLE_PID=
}

teardown() {
  stop_durable
}

# Appends N lines "line-I" to the stream at URL, one request each, over one connection.
append_lines() {
  local url=$1 n=$2 i
  for ((i = 0; i < n; i++)); do
    ((i > 0)) && echo next
    printf 'url = "%s"\nrequest = POST\nheader = "Content-Type: text/plain"\n' "$url"
    printf 'data = "line-%d\\n"\noutput = /dev/null\nfail\n' "$i"
  done > appends.cfg
  curl -s --max-time 30 -K appends.cfg
}

# Flips the lowest bit of the byte at OFFSET of FILE, in place.
flip_bit() {
  local file=$1 offset=$2 byte
  byte=$(od -An -tu1 -j "$offset" -N1 "$file" | tr -d ' ')
  printf "\\x$(printf '%02x' $((byte ^ 1)))" | dd of="$file" bs=1 seek="$offset" conv=notrunc status=none
}

@test "a flipped bit mid-log is reported, the stream refused, the rest served, nothing cut" {
  local data="$BATS_TEST_TMPDIR/data" log size
  start_durable --data-dir "$data"
  curl -sf -o /dev/null -X PUT -H 'Content-Type: text/plain' "$DURABLE_URL/v1/stream/log"
  curl -sf -o /dev/null -X PUT -H 'Content-Type: text/plain' --data-binary 'fine' \
    "$DURABLE_URL/v1/stream/other"
  append_lines "$DURABLE_URL/v1/stream/log" 1000
  stop_durable

  log=$(echo "$data"/s_log/*.log)
  size=$(stat -c %s "$log")
  flip_bit "$log" $((size / 2))
  cp "$log" damaged.copy

  start_durable --data-dir "$data"
  run grep -c '^sse: warning: ' serve.err
  assert_output 1
  run grep '^sse: warning: ' serve.err
  assert_output --partial "stream log is damaged and not served until it is repaired"
  assert_output --regexp "\\($log at byte [0-9]+\\)$"
  local at
  at=$(sed -n 's/.* at byte \([0-9]*\))$/\1/p' serve.err)
  ((at <= size / 2 && at > size / 2 - 200)) || fail "the damage is reported at byte $at"

  run curl -s -w '\n%{http_code}' "$DURABLE_URL/v1/stream/log?offset=-1"
  assert_line --index 1 500
  assert_line --index 0 --partial "the stream is damaged on disk"
  assert_line --index 0 --partial "s_log/$(basename "$log") at byte $at"
  run curl -s -o /dev/null -w '%{http_code}' -I "$DURABLE_URL/v1/stream/log"
  assert_output 500
  run curl -s "$DURABLE_URL/v1/stream/other?offset=-1"
  assert_output fine
  # Neither a create, an append nor a delete touches it.
  run curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: text/plain' \
    "$DURABLE_URL/v1/stream/log"
  assert_output 500
  run curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: text/plain' -d x \
    "$DURABLE_URL/v1/stream/log"
  assert_output 500
  run curl -s -o /dev/null -w '%{http_code}' -X DELETE "$DURABLE_URL/v1/stream/log"
  assert_output 500
  stop_durable
  cmp "$log" damaged.copy || fail "the damaged log was changed"
  [[ $(ls "$data") == $'lock\ns_log\ns_other' ]] || fail "the data directory changed: $(ls "$data")"

  # The repair: the appends before the damage stay, what is cut is kept beside the log.
  start_durable --data-dir "$data" --repair
  run grep '^sse: warning: ' serve.err
  assert_output --partial "stream log was damaged: "
  assert_output --partial "; repaired: cut $log at byte "
  local cut
  cut=$(sed -n 's/.*; repaired: cut .* at byte \([0-9]*\), .*/\1/p' serve.err)
  assert_output --partial ", what was cut is kept in $log.damaged-$cut"
  ((cut <= at)) || fail "cut at $cut, after the damage at $at"
  read_durable "$DURABLE_URL/v1/stream/log" > got || fail "cannot read the repaired stream"
  local lines
  lines=$(wc -l < got)
  ((lines > 400 && lines < 500)) || fail "$lines lines after the repair"
  seq 0 $((lines - 1)) | sed 's/^/line-/' | diff - got
  cmp <(head -c "$cut" damaged.copy; cat "$log.damaged-$cut") damaged.copy
  [[ $(stat -c %s "$log") == "$cut" ]]
  stop_durable

  # Repaired for good: the next start is silent and the stream takes appends again.
  start_durable --data-dir "$data"
  run grep -c '^sse: warning: ' serve.err
  assert_output 0
  run curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: text/plain' -d 'more' \
    "$DURABLE_URL/v1/stream/log"
  assert_output 204
}

@test "a flip near the start of a log keeps the stream's directory" {
  local data="$BATS_TEST_TMPDIR/data" log
  start_durable --data-dir "$data"
  curl -sf -o /dev/null -X PUT -H 'Content-Type: text/plain' "$DURABLE_URL/v1/stream/log"
  append_lines "$DURABLE_URL/v1/stream/log" 20
  stop_durable
  log=$(echo "$data"/s_log/*.log)
  flip_bit "$log" 3
  start_durable --data-dir "$data"
  run grep '^sse: warning: ' serve.err
  assert_output --partial "stream log is damaged"
  assert_output --partial "($log at byte 0)"
  run curl -s -o /dev/null -w '%{http_code}' "$DURABLE_URL/v1/stream/log?offset=-1"
  assert_output 500
  assert_file_exists "$log"
}

@test "a fork of a damaged stream is refused too: it would read a hole" {
  local data="$BATS_TEST_TMPDIR/data" log
  start_durable --data-dir "$data"
  curl -sf -o /dev/null -X PUT -H 'Content-Type: text/plain' --data-binary 'source data' \
    "$DURABLE_URL/v1/stream/src"
  curl -sf -o /dev/null -X PUT -H 'Content-Type: text/plain' \
    -H 'Stream-Forked-From: /v1/stream/src' "$DURABLE_URL/v1/stream/fork"
  run curl -s "$DURABLE_URL/v1/stream/fork?offset=-1"
  assert_output 'source data'
  stop_durable
  log=$(echo "$data"/s_src/*.log)
  flip_bit "$log" 12
  start_durable --data-dir "$data"
  run curl -s -w '\n%{http_code}' "$DURABLE_URL/v1/stream/fork?offset=-1"
  assert_line --index 1 500
  assert_line --index 0 --partial "its fork source src is damaged on disk"
  run curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: text/plain' \
    -H 'Stream-Forked-From: /v1/stream/src' "$DURABLE_URL/v1/stream/fork2"
  assert_output 500
}

@test "--repair needs --durable and a data directory" {
  run -2 "$SSE" serve --repair --demo
  assert_output --partial "sse: error: --repair needs --durable"
  run -2 "$SSE" serve --durable --memory --repair
  assert_output --partial "sse: error: --repair repairs a --data-dir"
}
