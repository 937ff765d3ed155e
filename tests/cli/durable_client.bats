#!/usr/bin/env bats
# The Durable Streams client commands (sse append, create, close, delete, info) and sse tail on
# durable streams, against `sse serve --durable`. Real peers (the Node reference server, the
# official TS client) and faults are in durable_client_interop.bats.

load helper

setup() {
  durable_client_setup
}

teardown() {
  stop_background
  exec 8>&- || true
  stop_durable
}

@test "create, info, append, close and delete: offsets on stdout, metadata as JSON" {
  start_durable --memory
  local url="$DURABLE_URL/v1/stream/life"
  run --separate-stderr "$SSE" create --content-type text/plain --ttl 1h "$url"
  assert_success
  assert_output 0000000000000000_0000000000000000
  run --separate-stderr "$SSE" create --content-type text/plain --ttl 3600 "$url"
  assert_success # the same configuration again
  run --separate-stderr "$SSE" append "$url" 'one ' 'two'
  assert_success
  assert_output 0000000000000000_0000000000000007
  run --separate-stderr "$SSE" info "$url"
  assert_success
  assert_equal "$(jq -c . <<< "$output")" \
    "{\"url\":\"$url\",\"content_type\":\"text/plain\",\"next_offset\":\"0000000000000000_0000000000000007\",\"closed\":false,\"ttl\":3600,\"expires_at\":null}"
  assert_equal "$(read_durable "$url")" 'one two'
  run --separate-stderr "$SSE" close "$url"
  assert_success
  assert_output 0000000000000000_0000000000000007
  run --separate-stderr "$SSE" close "$url"
  assert_success # closing twice is harmless
  run --separate-stderr "$SSE" info "$url"
  assert_equal "$(jq .closed <<< "$output")" true
  run --separate-stderr "$SSE" delete "$url"
  assert_success
  assert_output ''
  run --separate-stderr "$SSE" info "$url"
  assert_failure 4
  assert_equal "$stderr" "sse: error: cannot read the metadata of the stream: HTTP 404 Not Found (no such stream) ($url)"
}

@test "refusals are exit 4 with the reason: missing, closed, conflicting, too large, unauthorized" {
  start_durable --memory --max-body 1KiB --token sekrit
  local url="$DURABLE_URL/v1/stream/refused"
  export STREAM_AUTH='Bearer sekrit'
  run --separate-stderr "$SSE" append "$url" x
  assert_failure 4
  assert_equal "$stderr" "sse: error: cannot read the metadata of the stream: HTTP 404 Not Found (no such stream); --create creates it ($url)"
  "$SSE" create --json --closed "$url"
  run --separate-stderr "$SSE" append "$url" 1
  assert_failure 4
  assert_output ''
  assert_regex "$stderr" '^sse: error: cannot append to the stream: HTTP 409 Conflict \(the stream is closed at offset 0000000000000000_0000000000000000\)'
  run --separate-stderr "$SSE" create --content-type text/plain "$url"
  assert_failure 4
  assert_regex "$stderr" 'HTTP 409 Conflict \(the stream exists with another configuration'
  "$SSE" create "$DURABLE_URL/v1/stream/big"
  run --separate-stderr "$SSE" append "$DURABLE_URL/v1/stream/big" "$(head -c 2000 /dev/zero | tr '\0' x)"
  assert_failure 4
  assert_regex "$stderr" 'HTTP 413 .*\(a request body of 2000 bytes is larger than the server accepts\)'
  unset STREAM_AUTH
  run --separate-stderr "$SSE" info "$url"
  assert_failure 4
  assert_regex "$stderr" 'HTTP 401'
  run --separate-stderr env STREAM_AUTH='Bearer wrong' "$SSE" info --auth 'Bearer sekrit' "$url"
  assert_success # --auth wins over STREAM_AUTH
}

@test "STREAM_URL makes a bare stream name work for every command" {
  start_durable --memory
  export STREAM_URL="$DURABLE_URL/v1/stream/"
  run --separate-stderr "$SSE" create --json team/chat
  assert_success
  printf '{"n":1}\n' | "$SSE" append team/chat
  run --separate-stderr "$SSE" tail team/chat --live none -f data
  assert_success
  assert_output '{"n":1}'
  run --separate-stderr "$SSE" info 'bad name!'
  assert_failure 2
  assert_regex "$stderr" "is neither an http\(s\) URL nor a stream name"
}

@test "stdin lines of a JSON stream are messages: arrays stay whole, blank lines are skipped" {
  start_durable --memory
  local url="$DURABLE_URL/v1/stream/j"
  "$SSE" create --json "$url"
  run --separate-stderr "$SSE" append "$url" < <(printf '{"a":1}\n\n[1,2]\r\n  "x"  \n7')
  assert_success
  assert_equal "$(read_durable "$url")" '[{"a":1},[1,2],"x",7]'
  run --separate-stderr "$SSE" append "$url" '[3,4]' 'null'
  assert_success
  assert_equal "$(read_durable "$url")" '[{"a":1},[1,2],"x",7,[3,4],null]'
  printf '{"whole":\n [1,\n 2]}\n' | "$SSE" append --whole "$url"
  printf '[5,6]' | "$SSE" append --whole "$url"
  assert_equal "$(read_durable "$url")" '[{"a":1},[1,2],"x",7,[3,4],null,{"whole":[1,2]},[5,6]]'
}

@test "a line that is not JSON stops the append: what came before is stored, nothing after" {
  start_durable --memory
  local url="$DURABLE_URL/v1/stream/bad"
  "$SSE" create --json "$url"
  run --separate-stderr "$SSE" append --close "$url" < <(printf '1\n2\n{"oops"\n3\n')
  assert_failure 3
  # The words of every JSON reader of sse (json::parse_value), as sse patch and sse parse say.
  assert_equal "$stderr" "sse: error: invalid JSON: unexpected end of input at byte 7 (stdin:3)"
  assert_output 0000000000000000_0000000000000002 # the offset after what was stored
  assert_equal "$(read_durable "$url")" '[1,2]'
  run --separate-stderr "$SSE" info "$url"
  assert_equal "$(jq .closed <<< "$output")" false # --close is not carried out after an error
  run --separate-stderr "$SSE" append "$url" '1' 'nope'
  assert_failure 3
  assert_regex "$stderr" '\(DATA 2\)$'
  run --separate-stderr "$SSE" append "$url" ''
  assert_failure 3
  assert_equal "$stderr" "sse: error: not valid JSON (empty) (DATA 1)"
  run --separate-stderr "$SSE" append --whole "$url" < /dev/null
  assert_failure 3
  assert_equal "$stderr" "sse: error: not valid JSON (empty) (stdin)"
  assert_equal "$(read_durable "$url")" '[1,2]'
}

@test "a byte stream gets stdin's bytes exactly; --close closes after the last line" {
  start_durable --memory
  local url="$DURABLE_URL/v1/stream/bytes"
  printf 'line one\r\nline two\n\nno newline at the end' > input
  head -c 100000 /dev/urandom >> input
  run --separate-stderr "$SSE" append --create --content-type application/octet-stream --close --batch-max 4KiB "$url" < input
  assert_success
  read_durable "$url" > stored
  cmp input stored
  run --separate-stderr "$SSE" info "$url"
  assert_equal "$(jq -r '.closed, .next_offset' <<< "$output" | paste -sd' ')" \
    "true 0000000000000000_$(printf '%016d' "$(stat -c %s input)")"
}

@test "stdin lines are sent as they arrive, not at the end of input" {
  start_durable --memory
  local url="$DURABLE_URL/v1/stream/live"
  "$SSE" create --json "$url"
  mkfifo lines
  "$SSE" append "$url" < lines > append.out 2> append.err 3>&- &
  BACKGROUND+=($!)
  local pid=$!
  exec 8> lines
  local n
  for n in 1 2 3; do
    echo "{\"n\":$n}" >&8
    wait_for 5 bash -c "[[ \$(curl -s '$url?offset=-1') == *'{\"n\":$n}]' ]]"
  done
  exec 8>&-
  wait_for 5 exited "$pid"
  wait "$pid"
  assert_equal "$(read_durable "$url")" '[{"n":1},{"n":2},{"n":3}]'
}

@test "an idempotent producer: a reused epoch is refused, --claim takes over, --seq is enforced" {
  start_durable --memory
  local url="$DURABLE_URL/v1/stream/p"
  "$SSE" create --json "$url"
  run --separate-stderr "$SSE" append --producer job-7 "$url" 1
  assert_success
  run --separate-stderr "$SSE" append --producer job-7 "$url" 2
  assert_failure 4
  assert_regex "$stderr" "already has seq 0 of producer 'job-7' at epoch 0 from an earlier writer; nothing was written"
  run --separate-stderr "$SSE" append --producer job-7 --claim "$url" 2
  assert_success
  run --separate-stderr "$SSE" append --producer job-7 --epoch 0 "$url" 3
  assert_failure 4
  assert_regex "$stderr" "HTTP 403 .*epoch is stale: the server is at epoch 1"
  run --separate-stderr "$SSE" append --producer job-7 --claim "$url" 3
  assert_success
  assert_equal "$(read_durable "$url")" '[1,2,3]'
  run --separate-stderr "$SSE" append --seq b "$url" 4
  assert_success
  run --separate-stderr "$SSE" append --seq a "$url" 5
  assert_failure 4
  assert_equal "$(read_durable "$url")" '[1,2,3,4]'
}

@test "usage errors are exit 2" {
  run --separate-stderr "$SSE" append --whole http://127.0.0.1:1/s x
  assert_failure 2
  run --separate-stderr "$SSE" append --ttl 10 http://127.0.0.1:1/s x
  assert_failure 2
  assert_regex "$stderr" 'needs --create'
  run --separate-stderr "$SSE" create --ttl 1.5s http://127.0.0.1:1/s
  assert_failure 2
  run --separate-stderr "$SSE" create --expires-at tomorrow http://127.0.0.1:1/s
  assert_failure 2
  run --separate-stderr "$SSE" tail --live sometimes http://127.0.0.1:1/s
  assert_failure 2
  run --separate-stderr "$SSE" tail --offset now --last-event-id 5 http://127.0.0.1:1/s
  assert_failure 2
  assert_regex "$stderr" 'does not apply to a Durable Streams read'
}

@test "values that would add a header are exit 2 naming the option, before anything is sent" {
  start_durable --memory
  local url="$DURABLE_URL/v1/stream/inject"
  local bad=$'x\r\nX-Injected: yes'
  run --separate-stderr "$SSE" append --auth "$bad" "$url" a
  assert_failure 2
  assert_regex "$stderr" '^sse: error: --auth: the value contains a line break'
  run --separate-stderr "$SSE" append --producer "$bad" "$url" a
  assert_failure 2
  assert_regex "$stderr" '^sse: error: --producer: the value contains a line break'
  run --separate-stderr "$SSE" append --seq "$bad" "$url" a
  assert_failure 2
  assert_regex "$stderr" '^sse: error: --seq: '
  run --separate-stderr "$SSE" create --content-type "$bad" "$url"
  assert_failure 2
  assert_regex "$stderr" '^sse: error: --content-type: '
  run --separate-stderr "$SSE" tail --live none --auth "$bad" "$url"
  assert_failure 2
  run --separate-stderr "$SSE" info --auth '' "$url"
  assert_failure 2
  assert_equal "$stderr" "sse: error: --auth: the Authorization value is empty (run 'sse info --help')"
  STREAM_AUTH="$bad" run --separate-stderr "$SSE" info "$url"
  assert_failure 2
  assert_regex "$stderr" 'the Authorization value contains a line break \(CR or LF\) \(STREAM_AUTH\)'
  # None of it reached the server: the stream was never created.
  run --separate-stderr "$SSE" info "$url"
  assert_failure 4
}

@test "tail --live none prints a JSON stream's messages with their offsets and exits 0" {
  start_durable --memory
  local url="$DURABLE_URL/v1/stream/read"
  printf '{"a":1}\n[1,2]\n"x"\n' | "$SSE" append --create --json "$url"
  run --separate-stderr "$SSE" tail --live none "$url"
  assert_success
  assert_output - << 'EOF'
{"offset":"0000000000000000_0000000000000015","data":{"a":1}}
{"offset":"0000000000000000_0000000000000015","data":[1,2]}
{"offset":"0000000000000000_0000000000000015","data":"x"}
EOF
  run --separate-stderr "$SSE" tail --live none -f data --extract /a "$url"
  assert_output '1'
  run --separate-stderr "$SSE" tail --live none -f data --until-data x "$url"
  assert_output $'{"a":1}\n[1,2]'
  run --separate-stderr "$SSE" tail --live none -f data --until message "$url"
  assert_output '{"a":1}'
  run --separate-stderr "$SSE" tail --live none -f data --event other "$url"
  assert_success
  assert_output ''
  run --separate-stderr "$SSE" tail --live none --comments "$url"
  assert_failure 2
  run --separate-stderr "$SSE" tail --offset 0000000000000000_0000000000000015 --live none "$url"
  assert_success
  assert_output ''
}

@test "tail's stop conditions see the messages --event and --extract leave out; --event filters chunks" {
  start_durable --memory
  local url="$DURABLE_URL/v1/stream/stops"
  "$SSE" append --create --json "$url" '{"a":1}' '{"a":2}' > /dev/null
  # The stream is open: only the stop condition ends these reads before --timeout.
  run --separate-stderr "$SSE" tail --timeout 5s -f data --event other --until message "$url"
  assert_success
  assert_output ''
  run --separate-stderr "$SSE" tail --timeout 5s -f data --extract /b --until message "$url"
  assert_success
  assert_output ''
  run --separate-stderr "$SSE" tail --timeout 5s -f data --extract /a -n 1 "$url"
  assert_success
  assert_output '1'
  local bytes="$DURABLE_URL/v1/stream/stops-bytes"
  "$SSE" create "$bytes" > /dev/null
  printf 'abc' | "$SSE" append --whole "$bytes" > /dev/null
  run --separate-stderr "$SSE" tail --live none --event other "$bytes"
  assert_success
  assert_output ''
  run --separate-stderr "$SSE" tail --live none --event message "$bytes"
  assert_output 'abc'
}

@test "tail recognises a Durable Streams URL by its Stream-Next-Offset header" {
  start_durable --memory
  local url="$DURABLE_URL/v1/stream/auto"
  "$SSE" append --create --json "$url" 1 2
  "$SSE" close "$url"
  run --separate-stderr timeout 10 "$SSE" tail -f data "$url"
  assert_success
  assert_output $'1\n2'
}

@test "tail follows live appends by SSE and by long-poll, and exits 0 at the close" {
  LONG_POLL_TIMEOUT=5s start_durable --memory
  local url="$DURABLE_URL/v1/stream/follow" mode pid
  "$SSE" create --json "$url" > /dev/null
  "$SSE" append "$url" '"old"' > /dev/null
  start_live_readers "$url"
  local n
  for n in 1 2 3; do
    "$SSE" append "$url" "{\"n\":$n}" > /dev/null
    for mode in sse long-poll; do
      wait_for 5 grep -qx "{\"n\":$n}" "$mode.out"
    done
  done
  "$SSE" close "$url" > /dev/null
  for pid in "${BACKGROUND[@]}"; do
    wait_for 5 exited "$pid"
    wait "$pid"
  done
  for mode in sse long-poll; do
    assert_equal "$(cat "$mode.out")" $'{"n":1}\n{"n":2}\n{"n":3}'
  done
}

@test "tail writes a binary stream byte for byte, over SSE (base64) and catch-up" {
  start_durable --memory
  local url="$DURABLE_URL/v1/stream/bin"
  head -c 300000 /dev/urandom > input
  "$SSE" create "$url" > /dev/null
  "$SSE" append --whole "$url" < input > /dev/null
  "$SSE" tail -v --offset now --live sse "$url" > live.out 2> live.err &
  BACKGROUND+=($!)
  local pid=$!
  wait_for 5 grep -q 'live=sse' live.err
  "$SSE" append --whole "$url" < input > /dev/null
  "$SSE" close "$url" > /dev/null
  wait_for 10 exited "$pid"
  wait "$pid"
  grep -qi '^sse: < Stream-SSE-Data-Encoding: base64' live.err
  cmp input live.out
  "$SSE" tail --live none "$url" > all.out
  cat input input > expected
  cmp expected all.out
}

@test "--cursor-file consumes each message once across runs" {
  start_durable --memory
  local url="$DURABLE_URL/v1/stream/cron"
  "$SSE" append --create --json "$url" 1 2 > /dev/null
  run --separate-stderr "$SSE" tail --live none -f data --cursor-file cursor "$url"
  assert_output $'1\n2'
  assert_equal "$(cat cursor)" 0000000000000000_0000000000000002
  run --separate-stderr "$SSE" tail --live none -f data --cursor-file cursor "$url"
  assert_success
  assert_output ''
  "$SSE" append "$url" 3 4 > /dev/null
  run --separate-stderr "$SSE" tail --live none -f data --cursor-file cursor "$url"
  assert_output $'3\n4'
}

@test "tail on a missing stream is exit 4; an unreachable server gives up after --max-retries" {
  start_durable --memory
  run --separate-stderr "$SSE" tail --live none "$DURABLE_URL/v1/stream/none"
  assert_failure 4
  assert_regex "$stderr" 'HTTP 404 Not Found \(no such stream\)'
  run --separate-stderr "$SSE" tail --durable --max-retries 2 --live none http://127.0.0.1:1/v1/stream/x
  assert_failure 1
  assert_regex "$stderr" 'giving up after 2 retries'
  run --separate-stderr "$SSE" append --max-retries 1 http://127.0.0.1:1/v1/stream/x 1
  assert_failure 1
  assert_regex "$stderr" 'giving up after 1 retries'
}
