#!/usr/bin/env bats
# sse serve --durable beyond the conformance suite: what a user meets on the command line, and
# the safety rules (names that could escape, body limits, the token). The protocol itself is
# checked by the official suite in durable_conformance_*.bats.

load helper

setup() {
  common_setup
}

teardown() {
  stop_durable
}

# curl against the server: status code, then the headers named, one per line.
status_of() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"
}

@test "a stream's life from the command line: create, append, read, close, delete" {
  start_durable --memory
  local url="$DURABLE_URL/v1/stream/logs/app"
  run --separate-stderr curl -si --max-time 5 -X PUT -H 'Content-Type: text/plain' --data-binary 'one ' "$url"
  assert_line --partial 'HTTP/1.1 201'
  assert_line --partial "Location: $url"
  assert_line --partial 'Stream-Next-Offset: 0000000000000000_0000000000000004'
  assert_equal "$(status_of -X POST -H 'Content-Type: text/plain' --data-binary 'two' "$url")" 204
  run --separate-stderr curl -s --max-time 5 "$url?offset=-1"
  assert_output 'one two'
  assert_equal "$(status_of -X POST -H 'Stream-Closed: true' "$url")" 204
  run --separate-stderr curl -si --max-time 5 "$url?offset=0000000000000000_0000000000000007"
  assert_line --partial 'Stream-Closed: true'
  assert_equal "$(status_of -X DELETE "$url")" 204
  assert_equal "$(status_of "$url")" 404
}

@test "SSE reads deliver appends live, and end after the close" {
  LONG_POLL_TIMEOUT=5s start_durable --memory
  local url="$DURABLE_URL/v1/stream/live"
  assert_equal "$(status_of -X PUT -H 'Content-Type: application/json' "$url")" 201
  curl -sN --max-time 10 "$url?offset=-1&live=sse" > events 3>&- &
  local reader=$!
  wait_for 5 grep -q 'upToDate' events
  assert_equal "$(status_of -X POST -H 'Content-Type: application/json' --data '{"n":1}' "$url")" 204
  wait_for 5 grep -q '^data:\[{"n":1}\]$' events
  assert_equal "$(status_of -X POST -H 'Stream-Closed: true' "$url")" 204
  wait "$reader" # the server ended the response
  grep -q '"streamClosed":true' events
}

@test "a catch-up of more than 1 MiB is one answer with the tail's offset, in memory and on disk" {
  head -c 3000000 /dev/urandom > input
  seq 50000 | sed 's/.*/{"n":&,"pad":"......................"}/' > messages # 2.1 MB
  jq -cs . messages > expected.json
  local where url tail
  for where in --memory "--data-dir $BATS_TEST_TMPDIR/data"; do
    # shellcheck disable=SC2086 # the store's option and its value
    start_durable $where
    url="$DURABLE_URL/v1/stream"
    "$SSE" append --create "$url/bin" < input > /dev/null
    "$SSE" append --create --json "$url/json" < messages > /dev/null
    tail=$(curl -sI --max-time 5 "$url/bin" | tr -d '\r' | sed -n 's/^Stream-Next-Offset: //p')
    curl -s --max-time 20 -D head "$url/bin?offset=-1" > bin.out
    cmp input bin.out
    grep -qi '^Stream-Up-To-Date: true' head
    assert_equal "$(tr -d '\r' < head | sed -n 's/^Stream-Next-Offset: //p')" "$tail"
    curl -s --max-time 20 "$url/json?offset=-1" > json.out
    assert_equal "$(jq -c . json.out)" "$(cat expected.json)"
    stop_durable
  done
}

@test "stream names that could escape or alias are refused with 400" {
  start_durable --memory
  local name
  for name in '..' 'a/../b' 'a//b' './a' 'a%2Fb' 'a%2fb' 'a%00b' 'a/' "$(head -c 2000 /dev/zero | tr '\0' x)"; do
    assert_equal "$(status_of --path-as-is -X PUT "$DURABLE_URL/v1/stream/$name")" 400 || fail "name $name"
  done
  assert_equal "$(status_of -X PUT "$DURABLE_URL/elsewhere")" 404
}

@test "--max-body refuses larger bodies with 413; --token requires the bearer token" {
  start_durable --memory --max-body 1KiB --token s3cret
  local url="$DURABLE_URL/v1/stream/x"
  assert_equal "$(status_of -X PUT "$url")" 401
  assert_equal "$(status_of -X PUT -H 'Authorization: Bearer wrong' "$url")" 401
  assert_equal "$(status_of -X PUT -H 'Authorization: Bearer s3cret' "$url")" 201
  head -c 2048 /dev/zero > big
  assert_equal "$(status_of -X POST -H 'Authorization: Bearer s3cret' -H 'Content-Type: application/octet-stream' --data-binary @big "$url")" 413
  # The preflight needs no token: browsers send none.
  assert_equal "$(status_of -X OPTIONS "$url")" 204
}

@test "--durable listens on 4437 by default and takes no stream source" {
  run --separate-stderr "$SSE" serve --durable --memory --demo
  assert_equal "$status" 2
  assert_equal "$stderr" "sse: error: --durable serves its own streams: it takes no source (run 'sse serve --help')"
  run --separate-stderr "$SSE" serve --help
  assert_output --partial '4437 with --durable'
}

@test "SIGINT stops the server gracefully with 130, ending live readers" {
  LONG_POLL_TIMEOUT=30s start_durable --memory -v
  local url="$DURABLE_URL/v1/stream/s"
  assert_equal "$(status_of -X PUT "$url")" 201
  curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$url?offset=now&live=long-poll" > poll 3>&- &
  local poller=$!
  # The server has the request (a connection alone is not yet a waiting reader).
  wait_for 5 grep -q 'GET /v1/stream/s?offset=now&live=long-poll' serve.err
  kill -INT "$DURABLE_PID"
  server_exits_with DURABLE_PID 130
  wait "$poller"
  assert_equal "$(cat poll)" 204
}
