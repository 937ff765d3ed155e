#!/usr/bin/env bats
# One JSON depth limit (1000 levels) at every edge, and a bounded state (--max-state): deep
# input is a clear refusal (exit 3, or 400 from a server), never a stack overflow, and a
# patch that copies the root into itself is refused before it eats the memory.

load helper

setup() {
  common_setup
}

teardown() {
  stop_durable
  stop_serve 2> /dev/null || true
}

# JSON arrays nested N deep: [[[...]]].
deep() {
  python3 -c "import sys; n=int(sys.argv[1]); sys.stdout.write('['*n + ']'*n)" "$1"
}

@test "sse format and sse patch refuse data nested 200k deep: exit 3 naming the limit and the line" {
  printf '{"data":%s}\n' "$(deep 200000)" > deep.ndjson
  run --separate-stderr "$SSE" format deep.ndjson
  assert_equal "$status" 3
  assert_equal "$stderr" "sse: error: invalid JSON: nested more than 1000 levels deep at byte 1007 (deep.ndjson:1)"
  printf '{"event":"snapshot","data":%s}\n' "$(deep 200000)" > deep.ndjson
  run --separate-stderr "$SSE" patch deep.ndjson
  assert_equal "$status" 3
  assert_regex "$stderr" '^sse: error: invalid JSON: nested more than 1000 levels deep .*\(deep.ndjson:1\)$'
}

@test "sse patch: patches each within the limit cannot build a state deeper than it" {
  python3 - > deep.ndjson <<'PY'
import json
path = ""
for i in range(80):
    value = '{"a":' * 900 + '0' + '}' * 900
    print(json.dumps({"event": "patch", "data": '[{"op":"add","path":"%s/x","value":%s}]' % (path, value)}))
    path += "/x" + "/a" * 899
PY
  run --separate-stderr "$SSE" patch --final deep.ndjson
  assert_equal "$status" 3
  assert_output ''
  assert_regex "$stderr" '^sse: error: patch operation 0 \(add /x/a/.*\) failed: the value would be nested more than 1000 levels deep \(deep.ndjson:2, event 2\)$'
}

@test "sse patch: the copy bomb is refused at --max-state, atomically, and the state goes on" {
  {
    echo '{"event":"snapshot","data":"{\"x\":\"0123456789\"}"}'
    printf '{"event":"patch","data":"['
    for i in $(seq 0 39); do
      ((i == 0)) || printf ','
      printf '{\\"op\\":\\"copy\\",\\"from\\":\\"\\",\\"path\\":\\"/c%d\\"}' "$i"
    done
    printf ']"}\n'
    echo '{"event":"merge","data":"{\"y\":1}"}'
  } > bomb.ndjson
  run --separate-stderr "$SSE" patch --max-state 64KiB bomb.ndjson
  assert_equal "$status" 3
  assert_regex "$stderr" '^sse: error: patch operation [0-9]+ \(copy /c[0-9]+\) failed: copying the document would make the document larger than the size limit of 64KiB \(bomb.ndjson:2, event 2\)$'
  run --separate-stderr "$SSE" patch --max-state 64KiB --keep-going bomb.ndjson
  assert_success
  assert_output "$(printf '%s\n' '{"x":"0123456789"}' '{"x":"0123456789","y":1}')"
  run --separate-stderr "$SSE" patch --max-state lots bomb.ndjson
  assert_equal "$status" 2
}

@test "sse serve --durable: a JSON body nested 65k deep is 400 naming the limit; the server goes on" {
  start_durable --memory
  local url="$DURABLE_URL/v1/stream/deep"
  deep 65000 > body.json
  run curl -s --max-time 5 -w '\n%{http_code}' -X PUT -H 'Content-Type: application/json' --data-binary @body.json "$url"
  assert_line --index 1 400
  assert_line --index 0 --partial 'nested more than 1000 levels deep'
  assert_equal "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X PUT -H 'Content-Type: application/json' "$url")" 201
  run curl -s --max-time 5 -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary @body.json "$url"
  assert_line --index 1 400
  assert_line --index 0 --partial 'nested more than 1000 levels deep'
  assert_equal "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST -H 'Content-Type: application/json' --data-binary '[{"a":1}]' "$url")" 204
  run curl -s --max-time 5 "$url?offset=-1"
  assert_output '[{"a":1}]'
}

@test "sse serve --ndjson: data nested 200k deep is exit 3 naming the line" {
  start_serve --ndjson
  printf '{"data":%s}\n' "$(deep 200000)" >&8
  server_exits_with SERVE_PID 3
  grep -q 'sse: error: invalid JSON: nested more than 1000 levels deep .*(stdin:1)$' serve.err
}

@test "sse tail: an error report {\"error\": ...} nested 65k deep is exit 3 naming the event" {
  start_serve
  local status=0
  timeout 10 "$SSE" tail --no-reconnect "$SSE_URL/" > out 2> err 8>&- &
  local tail=$!
  wait_for 5 grep -q 'connected' serve.err
  printf '{"error":%s}\n' "$(deep 65000)" >&8
  wait "$tail" || status=$?
  assert_equal "$status" 3
  local stderr
  stderr=$(cat err)
  assert_regex "$stderr" "^sse: error: the data of event 1 is invalid JSON: nested more than 1000 levels deep at byte [0-9]+ \\($SSE_URL/\\)\$"
}

@test "sse append: a JSON line nested deeper than the limit is exit 3 before anything is sent" {
  start_durable --memory
  local url="$DURABLE_URL/v1/stream/j"
  curl -s -o /dev/null --max-time 5 -X PUT -H 'Content-Type: application/json' "$url"
  deep 1001 > deep.json
  run --separate-stderr "$SSE" append --json "$url" < deep.json
  assert_equal "$status" 3
  assert_regex "$stderr" '^sse: error: invalid JSON: nested more than 1000 levels deep at byte [0-9]+ \(stdin:1\)$'
}
