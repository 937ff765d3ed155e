#!/usr/bin/env bats
# sse's Durable Streams client against real peers, both ways: sse append and sse tail against
# the Node reference server (@durable-streams/server), the official TS client
# (@durable-streams/client, via clients/ds_client.mjs) against sse serve --durable, and faults
# (servers/ds_faulty.mjs: dropped requests, lost acknowledgements, 503, cut SSE responses; a
# server killed and restarted mid-append) under which no message is lost or duplicated.
# ctest labels: interop slow

load helper

setup() {
  durable_client_setup
  CLIENTS="$REPO_ROOT/tests/cli/clients"
}

teardown() {
  stop_background
  stop_durable
}

# Starts a Node server script (ARGS...) whose stderr (NAME.err) gets `listening on URL`; sets
# NODE_URL and adds it to BACKGROUND.
start_node_server() {
  local name=$1
  shift
  node "$@" 2> "$name.err" 3>&- 8>&- &
  BACKGROUND+=($!)
  wait_for 10 grep -q '^listening on ' "$name.err"
  NODE_URL=$(sed -n 's/^listening on //p' "$name.err" | head -n 1)
}

start_reference() {
  start_node_server reference "$REPO_ROOT/tests/interop/durable/reference-server.mjs" "$@"
  REFERENCE_URL=$NODE_URL
}

# A fault-injecting proxy in front of UPSTREAM with the fault OPTIONS; sets PROXY_URL.
start_proxy() {
  local upstream=$1
  shift
  start_node_server proxy "$REPO_ROOT/tests/cli/servers/ds_faulty.mjs" --upstream "$upstream" "$@"
  PROXY_URL=$NODE_URL
}

# 1..N as JSON messages {"n":N}, one per line.
numbered() { seq "$1" | sed 's/.*/{"n":&}/'; }

@test "sse append and sse tail against the Node reference server: JSON, SSE and long-poll, now, close" {
  start_reference
  local url="$REFERENCE_URL/v1/stream/json" mode pid
  numbered 500 | "$SSE" append --create --json --batch-max 2KiB "$url" > /dev/null
  run --separate-stderr "$SSE" tail --live none -f data "$url"
  assert_success
  assert_equal "$output" "$(numbered 500)"
  start_live_readers "$url"
  numbered 20 | "$SSE" append --close "$url" > /dev/null
  for pid in "${BACKGROUND[@]:1}"; do
    wait_for 10 exited "$pid"
    wait "$pid"
  done
  assert_equal "$(cat sse.out)" "$(numbered 20)"
  assert_equal "$(cat long-poll.out)" "$(numbered 20)"
  run --separate-stderr "$SSE" info "$url"
  assert_equal "$(jq -c '[.content_type, .closed]' <<< "$output")" '["application/json",true]'
}

@test "a binary stream through the reference server comes back byte for byte over SSE" {
  start_reference
  local url="$REFERENCE_URL/v1/stream/bin"
  head -c 200000 /dev/urandom > input
  "$SSE" create "$url" > /dev/null
  "$SSE" tail -v --offset -1 --live sse "$url" > live.out 2> live.err &
  BACKGROUND+=($!)
  local pid=$!
  "$SSE" append --close "$url" < input > /dev/null
  wait_for 10 exited "$pid"
  wait "$pid"
  cmp input live.out
}

@test "producer retries against the reference server: lost acknowledgements are not written twice" {
  start_reference
  start_proxy "$REFERENCE_URL" --drop-after-forward-every 3 --unavailable-every 7
  local url="$PROXY_URL/v1/stream/retried"
  numbered 3000 | "$SSE" append --create --json --batch-max 1KiB "$url" > /dev/null 2> append.err
  grep -q '^fault: drop-after-forward POST' proxy.err
  grep -q '^fault: unavailable POST' proxy.err
  run --separate-stderr "$SSE" tail --live none -f data "$REFERENCE_URL/v1/stream/retried"
  assert_equal "$output" "$(numbered 3000)"
}

@test "the official TS client reads, byte for byte, what sse append wrote to sse serve --durable" {
  start_durable --memory
  local base="$DURABLE_URL/v1/stream" mode
  numbered 300 | "$SSE" append --create --json "$base/json" > /dev/null
  "$SSE" append "$base/json" '[1,[2]]' '"x\ny"' > /dev/null
  head -c 100000 /dev/urandom > input
  "$SSE" append --create --close "$base/bin" < input > /dev/null
  { numbered 300; echo '[1,[2]]'; echo '"x\ny"'; } > expected
  run --separate-stderr node "$CLIENTS/ds_client.mjs" read "$base/json" --live none
  assert_success
  assert_equal "$output" "$(cat expected)"
  for mode in none sse long-poll; do
    node "$CLIENTS/ds_client.mjs" read "$base/bin" --live "$mode" > "bin.$mode"
    cmp input "bin.$mode"
  done
}

@test "the official TS client reads a stream of more than 1 MiB whole with one live:false request" {
  start_durable --memory -v
  local base="$DURABLE_URL/v1/stream"
  head -c 3500000 /dev/urandom > input
  "$SSE" append --create "$base/bin" < input > /dev/null
  numbered 60000 | sed 's/}$/,"pad":"................"}/' > expected # about 2.2 MB of JSON
  "$SSE" append --create --json "$base/json" < expected > /dev/null
  node "$CLIENTS/ds_client.mjs" read "$base/bin" --live none > bin.out
  cmp input bin.out
  run --separate-stderr node "$CLIENTS/ds_client.mjs" read "$base/json" --live none
  assert_success
  assert_equal "$output" "$(cat expected)"
  # One answer each: ds_client starts a second session only after a partial one.
  assert_equal "$(grep -c 'GET /v1/stream/bin?' serve.err)" 1
  assert_equal "$(grep -c 'GET /v1/stream/json?' serve.err)" 1
}

@test "sse tail reads, byte for byte, what the official TS client wrote to sse serve --durable" {
  start_durable --memory
  local base="$DURABLE_URL/v1/stream"
  node "$CLIENTS/ds_client.mjs" create "$base/json" --json
  { numbered 200; echo '[1,2]'; echo '"tab\there"'; } > lines
  node "$CLIENTS/ds_client.mjs" append "$base/json" < lines > /dev/null
  run --separate-stderr "$SSE" tail --live none -f data "$base/json"
  assert_success
  assert_equal "$output" "$(jq -c . lines)"
  node "$CLIENTS/ds_client.mjs" create "$base/bin" --content-type application/octet-stream
  head -c 150000 /dev/urandom > input
  node "$CLIENTS/ds_client.mjs" append "$base/bin" < input > /dev/null
  "$SSE" close "$base/bin" > /dev/null
  "$SSE" tail "$base/bin" > live.out
  cmp input live.out
}

@test "dropped requests, lost acknowledgements and 503s: every message arrives exactly once" {
  start_durable --memory
  start_proxy "$DURABLE_URL" --drop-every 5 --drop-after-forward-every 3 --unavailable-every 7 --retry-after 0
  local url="$PROXY_URL/v1/stream/faults"
  numbered 5000 > lines
  run --separate-stderr "$SSE" append --create --json --batch-max 1KiB --close "$url" < lines
  assert_success
  for kind in drop drop-after-forward unavailable; do
    grep -q "^fault: $kind POST" proxy.err || fail "no $kind fault happened: $(cat proxy.err)"
  done
  run --separate-stderr "$SSE" tail --live none -f data "$DURABLE_URL/v1/stream/faults"
  assert_equal "$output" "$(cat lines)"
}

@test "sse tail through SSE responses cut mid-way resumes from its offset: nothing lost or repeated" {
  LONG_POLL_TIMEOUT=2s start_durable --memory
  # Larger than a catch-up event of all 200 messages, which a resumed response starts with.
  start_proxy "$DURABLE_URL" --cut-sse-after-bytes 3000
  local url="$DURABLE_URL/v1/stream/cut"
  "$SSE" create --json "$url" > /dev/null
  "$SSE" tail --offset -1 --live sse -f data "$PROXY_URL/v1/stream/cut" > live.out 2> live.err &
  BACKGROUND+=($!)
  local pid=$! batch
  for batch in $(seq 40); do
    seq $(((batch - 1) * 5 + 1)) $((batch * 5)) | sed 's/.*/{"n":&}/' | "$SSE" append "$url" > /dev/null
  done
  "$SSE" close "$url" > /dev/null
  wait_for 20 exited "$pid" || fail "$(cat live.err proxy.err)"
  wait "$pid"
  grep -q '^fault: cut-sse' proxy.err
  assert_equal "$(cat live.out)" "$(numbered 200)"
}

@test "a server killed and restarted mid-append: acknowledged and retried messages are stored once" {
  start_durable --data-dir data
  local port=${DURABLE_URL##*:} url="$DURABLE_URL/v1/stream/restart"
  "$SSE" create --json "$url" > /dev/null
  mkfifo lines
  "$SSE" append --max-retries 30 --close "$url" < lines > append.out 2> append.err 3>&- &
  BACKGROUND+=($!)
  local appender=$!
  exec 8> lines
  numbered 1000 >&8
  wait_for 10 bash -c "curl -s '$url?offset=-1' | grep -q '{\"n\":1000}'"
  kill -KILL "$DURABLE_PID"
  wait "$DURABLE_PID" 2> /dev/null || true
  DURABLE_PID=
  seq 1001 2000 | sed 's/.*/{"n":&}/' >&8 # written while the server is down
  wait_for 10 grep -q 'retrying' append.err
  DURABLE_PORT=$port start_durable --data-dir data
  seq 2001 3000 | sed 's/.*/{"n":&}/' >&8
  exec 8>&-
  wait_for 30 exited "$appender" || fail "$(cat append.err)"
  wait "$appender"
  run --separate-stderr "$SSE" tail --live none -f data "$url"
  assert_equal "$output" "$(numbered 3000)"
  run --separate-stderr "$SSE" info "$url"
  assert_equal "$(jq .closed <<< "$output")" true
}
