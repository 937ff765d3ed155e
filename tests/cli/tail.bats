#!/usr/bin/env bats
# sse tail against a scripted local server (tests/cli/servers/scripted.mjs): reconnection,
# statuses, framing, timeouts, stop conditions, request options and output.
# ctest labels: slow

load helper

setup() {
  common_setup
}

teardown() {
  stop_server
  if [[ -n ${OTHER_PID:-} ]]; then
    kill "$OTHER_PID" 2> /dev/null || true
    wait "$OTHER_PID" 2> /dev/null || true
  fi
}

# Writes a scenario: one JSON connection entry per argument.
scenario() {
  local IFS=,
  printf '{"connections": [%s]}\n' "$*" > scenario.json
  start_server scenario.json
}

requests() {
  wc -l < requests.ndjson
}

# Milliseconds between the arrival of requests N and N+1.
gap() {
  jq -s --argjson n "$1" '.[$n].t - .[$n - 1].t' requests.ndjson
}

@test "resumes with Last-Event-ID after a dropped connection and stops on 204" {
  scenario '{"steps": [{"send": "retry: 50\nid: 1\ndata: one\n\n"}, {"send": "id: 2\ndata: two\n\n"}, {"drop": true}]}' \
           '{"steps": [{"send": "data: three\n\n"}]}' \
           '{"status": 204}'
  run --separate-stderr "$SSE" tail "$SERVER_URL/stream"
  assert_success
  assert_equal "${lines[0]}" '{"event":"message","data":"one","id":"1","retry":50}'
  assert_equal "${lines[1]}" '{"event":"message","data":"two","id":"2"}'
  # The id persists across the reconnection, as in a browser.
  assert_equal "${lines[2]}" '{"event":"message","data":"three","id":"2"}'
  assert_equal "${#lines[@]}" 3
  assert_equal "$(request_header 1 last-event-id)" ""
  assert_equal "$(request_header 2 last-event-id)" "2"
  assert_equal "$(request_header 3 last-event-id)" "2"
  assert_equal "$(request_header 1 accept)" "text/event-stream"
  assert_equal "$(request_header 1 cache-control)" "no-cache"
  assert_regex "$stderr" "connection lost"
}

@test "a block cut off by a drop does not move Last-Event-ID past what was delivered" {
  scenario '{"steps": [{"send": "retry: 10\nid: 1\ndata: a\n\nid: 2\ndata: b"}, {"drop": true}]}' \
           '{"steps": [{"send": "id: 2\ndata: b\n\n"}]}' '{"status": 204}'
  run --separate-stderr "$SSE" tail "$SERVER_URL"
  assert_success
  assert_equal "$(request_header 2 last-event-id)" "1"
  assert_equal "${lines[1]}" '{"event":"message","data":"b","id":"2"}'
}

@test "waits the server's retry: before reconnecting after a clean end" {
  scenario '{"steps": [{"send": "retry: 400\ndata: a\n\n"}]}' '{"status": 204}'
  run "$SSE" tail "$SERVER_URL"
  assert_success
  local waited
  waited=$(gap 1)
  ((waited >= 400)) || fail "reconnected after ${waited}ms, before retry: 400"
  ((waited < 3000)) || fail "reconnected after ${waited}ms"
}

@test "backs off within --max-backoff and gives up after --max-retries" {
  scenario '{"status": 503}'
  run --separate-stderr "$SSE" tail --max-backoff 300ms --max-retries 3 "$SERVER_URL"
  assert_failure 1
  assert_equal "$(requests)" 4
  assert_regex "$stderr" "sse: error: giving up after 3 retries: HTTP 503 Service Unavailable \(--max-retries\) \($SERVER_URL/\)$"
  for n in 1 2 3; do
    local waited
    waited=$(gap "$n")
    ((waited < 1500)) || fail "wait $n was ${waited}ms with --max-backoff 300ms"
  done
}

@test "honours Retry-After on 503 as the least wait" {
  # Above the first wait of 3s (the default retry), Retry-After decides.
  scenario '{"status": 503, "headers": {"Retry-After": "4"}}' '{"steps": [{"send": "retry: 10\ndata: back\n\n"}]}' '{"status": 204}'
  run --separate-stderr "$SSE" tail "$SERVER_URL"
  assert_success
  assert_output '{"event":"message","data":"back","retry":10}'
  local waited
  waited=$(gap 1)
  ((waited >= 4000)) || fail "retried after ${waited}ms despite Retry-After: 4"
  assert_regex "$stderr" "HTTP 503 Service Unavailable; reconnecting in 4000ms"
}

@test "a Retry-After of years waits no longer than --max-backoff" {
  scenario '{"status": 503, "headers": {"Retry-After": "99999999"}}' '{"steps": [{"send": "data: back\n\n"}]}' '{"status": 204}'
  run --separate-stderr timeout 20 "$SSE" tail --max-backoff 200ms "$SERVER_URL"
  assert_success
  assert_output '{"event":"message","data":"back"}'
  assert_regex "$stderr" "HTTP 503 Service Unavailable; reconnecting in 200ms"
}

# Starts tests/cli/servers/hostile.mjs with ARGS as the other server; sets OTHER_URL.
start_hostile() {
  rm -f hostile.err # a previous server's line must not be taken for this one's
  node "$REPO_ROOT/tests/cli/servers/hostile.mjs" "$@" 2> hostile.err &
  OTHER_PID=$!
  wait_for 10 grep -q '^listening on ' hostile.err
  OTHER_URL=$(sed -n 's/^listening on //p' hostile.err)
}

@test "response headers are bounded in size, line length and count: exit 3, not retried" {
  # 8 MB of headers on offer each time; the client stops at its limit.
  start_hostile --mode headers --line-bytes 1000 --bytes 8000000
  run --separate-stderr timeout 20 "$SSE" tail "$OTHER_URL/s"
  assert_failure 3
  assert_output ""
  assert_equal "$stderr" "sse: error: the response headers are larger than 256KiB, the limit ($OTHER_URL/s)"
  assert_equal "$(grep -c '^request:' hostile.err)" 1
  kill "$OTHER_PID"; wait "$OTHER_PID" || true
  start_hostile --mode long-line --bytes 8000000
  run --separate-stderr timeout 20 "$SSE" tail "$OTHER_URL/s"
  assert_failure 3
  assert_equal "$stderr" "sse: error: a response header line is longer than 8KiB, the limit ($OTHER_URL/s)"
  kill "$OTHER_PID"; wait "$OTHER_PID" || true
  start_hostile --mode headers --line-bytes 20 --bytes 200000
  run --separate-stderr timeout 20 "$SSE" tail "$OTHER_URL/s"
  assert_failure 3
  assert_equal "$stderr" "sse: error: the response has more than 2000 header lines, the limit ($OTHER_URL/s)"
}

@test "a head of nearly 2000 header lines under 256KiB is read" {
  # 1984 filler lines (the server writes 64 at a time) of 100 bytes: about 194 KiB.
  start_hostile --mode headers --line-bytes 100 --bytes $((1984 * 100))
  run --separate-stderr timeout 20 "$SSE" tail --no-reconnect "$OTHER_URL/s"
  assert_success
  assert_output '{"event":"message","data":"too late"}'
  # --max-header-size sets the limit.
  run --separate-stderr timeout 20 "$SSE" tail --max-header-size 64KiB "$OTHER_URL/s"
  assert_failure 3
  assert_equal "$stderr" "sse: error: the response headers are larger than 64KiB, the limit ($OTHER_URL/s)"
  run --separate-stderr "$SSE" tail --max-header-size lots "$OTHER_URL/s"
  assert_failure 2
}

@test "a 401 is exit 4 at once, with the status and the start of the body" {
  scenario '{"status": 401, "headers": {"Content-Type": "application/json"}, "steps": [{"send": "{\"error\": \"bad token\"}\n"}]}'
  run --separate-stderr "$SSE" tail "$SERVER_URL"
  assert_failure 4
  assert_output ""
  assert_equal "$stderr" "sse: error: HTTP 401 Unauthorized: {\"error\": \"bad token\"} ($SERVER_URL/)"
  assert_equal "$(requests)" 1
}

@test "a 200 that is not an event stream is exit 3" {
  scenario '{"headers": {"Content-Type": "text/html"}, "steps": [{"send": "<html>login</html>"}]}'
  run --separate-stderr "$SSE" tail "$SERVER_URL"
  assert_failure 3
  assert_equal "$stderr" "sse: error: not an event stream (Content-Type: text/html): <html>login</html> ($SERVER_URL/)"
}

@test "CRLF, CR and BOM framing all parse" {
  scenario '{"steps": [{"send_base64": "77u/ZGF0YTogYm9tDQoNCmRhdGE6IGNyDWRhdGE6IGxpbmUNDQ=="}]}'
  # The bytes: BOM "data: bom\r\n\r\ndata: cr\rdata: line\r\r"
  run "$SSE" tail --no-reconnect "$SERVER_URL"
  assert_success
  assert_equal "${lines[0]}" '{"event":"message","data":"bom"}'
  assert_equal "${lines[1]}" '{"event":"message","data":"cr\nline"}'
}

@test "a stream dripped one byte per write parses the same" {
  scenario '{"steps": [{"drip": "id: 7\nevent: e\ndata: caf\u00e9 \u2028 ok\n\n", "pause": 2}]}'
  run "$SSE" tail --no-reconnect "$SERVER_URL"
  assert_success
  assert_output $'{"event":"e","data":"caf\u00e9 \u2028 ok","id":"7"}'
}

@test "an idle stream hits --idle-timeout: exit 124 without reconnecting, a reconnect otherwise" {
  scenario '{"steps": [{"send": "data: then silence\n\n"}, {"stall": true}]}'
  run --separate-stderr "$SSE" tail --no-reconnect --idle-timeout 300ms "$SERVER_URL"
  assert_failure 124
  assert_output '{"event":"message","data":"then silence"}'
  assert_equal "$stderr" "sse: error: no data for 300ms (--idle-timeout) ($SERVER_URL/)"
  stop_server
  scenario '{"steps": [{"send": "retry: 10\ndata: a\n\n"}, {"stall": true}]}' '{"status": 204}'
  run --separate-stderr "$SSE" tail --idle-timeout 300ms "$SERVER_URL"
  assert_success
  assert_equal "$(requests)" 2
  assert_regex "$stderr" "no data for 300ms \(--idle-timeout\); reconnecting"
}

@test "--timeout ends a live stream with exit 124" {
  scenario '{"steps": [{"send": "data: a\n\n"}, {"stall": true}]}'
  run --separate-stderr "$SSE" tail --timeout 500ms "$SERVER_URL"
  assert_failure 124
  assert_output '{"event":"message","data":"a"}'
  assert_equal "$stderr" "sse: error: timed out after 500ms (--timeout) ($SERVER_URL/)"
}

@test "gzip and br responses are decoded and delivered event by event" {
  for encoding in gzip br; do
    scenario "{\"encoding\": \"$encoding\", \"steps\": [{\"send\": \"data: first\\n\\n\"}, {\"stall\": true}]}"
    "$SSE" tail "$SERVER_URL" > out.ndjson &
    local pid=$!
    # The stream stays open: the event can only be here if it was decoded as it arrived.
    wait_for 5 grep -q '"first"' out.ndjson
    kill "$pid"
    wait "$pid" || true
    assert_equal "$(request_header 1 accept-encoding)" "gzip, deflate, br"
    stop_server
  done
}

@test "a 20 MB event arrives whole with a larger --max-event-size" {
  scenario '{"steps": [{"send": "data: "}, {"send_repeat": "x", "count": 20000000}, {"send": "\n\n"}]}'
  "$SSE" tail --no-reconnect --max-event-size 32MiB -f data "$SERVER_URL" > out.txt
  assert_equal "$(wc -c < out.txt)" 20000001
}

@test "an event over --max-event-size is exit 3" {
  scenario '{"steps": [{"send": "data: "}, {"send_repeat": "x", "count": 5000}, {"send": "\n\n"}]}'
  run --separate-stderr "$SSE" tail --max-event-size 4KiB "$SERVER_URL"
  assert_failure 3
  assert_regex "$stderr" "^sse: error: a line of event 1 exceeds the maximum event size of 4KiB"
}

@test "repeatable options take one value each, so the URL may follow them" {
  scenario '{"steps": [{"send": "event: a\ndata: 1\n\nevent: b\ndata: 2\n\n"}]}' '{"status": 204}'
  run --separate-stderr "$SSE" tail -H 'X-One: 1' --header 'X-Two: 2' --event b "$SERVER_URL/"
  assert_success
  assert_output '{"event":"b","data":"2"}'
  assert_equal "$(request_header 1 x-one)" "1"
  assert_equal "$(request_header 1 x-two)" "2"
}

@test "a POST is never sent twice unless --retry-post" {
  scenario '{"steps": [{"send": "data: partial\n\n"}, {"drop": true}]}' '{"status": 204}'
  run --separate-stderr "$SSE" tail --json '{"prompt": "hi"}' "$SERVER_URL/v1/chat"
  assert_failure 1
  assert_output '{"event":"message","data":"partial"}'
  assert_regex "$stderr" "^sse: error: connection lost while reading; not re-sent without --retry-post \($SERVER_URL/v1/chat\)$"
  assert_equal "$(requests)" 1
  assert_equal "$(jq -r .method requests.ndjson)" POST
  assert_equal "$(jq -r .body requests.ndjson)" '{"prompt": "hi"}'
  assert_equal "$(request_header 1 content-type)" application/json
  stop_server
  scenario '{"steps": [{"send": "retry: 10\ndata: partial\n\n"}, {"drop": true}]}' '{"status": 204}'
  run "$SSE" tail --retry-post -X POST -d @<(printf 'a=1') "$SERVER_URL"
  assert_success
  assert_equal "$(requests)" 2
  assert_equal "$(jq -r .body requests.ndjson | head -1)" 'a=1'
}

@test "a POST stream that ends cleanly is exit 0" {
  scenario '{"steps": [{"send": "data: done\n\n"}]}'
  run "$SSE" tail -X POST "$SERVER_URL"
  assert_success
  assert_output '{"event":"message","data":"done"}'
  assert_equal "$(requests)" 1
}

@test "--cursor-file resumes where the previous run stopped" {
  scenario '{"steps": [{"send": "id: 1\ndata: a\n\nid: 2\ndata: b\n\n"}, {"stall": true}]}' \
           '{"steps": [{"send": "id: 3\ndata: c\n\n"}, {"stall": true}]}'
  run "$SSE" tail -n 2 --cursor-file cursor "$SERVER_URL"
  assert_success
  assert_equal "$(cat cursor)" "2"
  run "$SSE" tail -n 1 --cursor-file cursor "$SERVER_URL"
  assert_success
  assert_output '{"event":"message","data":"c","id":"3"}'
  assert_equal "$(request_header 2 last-event-id)" "2"
  assert_equal "$(cat cursor)" "3"
  assert_file_not_exists cursor.tmp.*
}

@test "values with a line break are refused before a request is sent: exit 2 naming the option" {
  scenario '{"steps": [{"send": "data: x\n\n"}]}'
  local option
  for option in --last-event-id --bearer -u -H; do
    local value=$'1\r\nX-Injected: yes'
    [[ $option == -H ]] && value=$'X-A: 1\r\nX-Injected: yes'
    run --separate-stderr "$SSE" tail --no-reconnect "$option" "$value" "$SERVER_URL"
    assert_failure 2
    assert_output ""
    assert_regex "$stderr" "^sse: error: --[a-z-]+: .*contains a line break \(CR or LF\)"
    [[ $stderr != *X-Injected* ]] || fail "the error echoes the injected line: $stderr"
  done
  # A method that would split the request line.
  run --separate-stderr "$SSE" tail --no-reconnect -X $'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET' "$SERVER_URL"
  assert_failure 2
  assert_regex "$stderr" "^sse: error: --request: the method contains"
  run --separate-stderr "$SSE" tail --no-reconnect -H 'X A: b' "$SERVER_URL"
  assert_failure 2
  assert_regex "$stderr" "the header name contains ' '"
  [[ ! -s requests.ndjson ]] || fail "a request reached the server: $(cat requests.ndjson)"
}

@test "a cursor file with a line break is exit 3, nothing sent" {
  scenario '{"steps": [{"send": "data: x\n\n"}]}'
  printf '1\r\nX-Injected: yes\n' > cursor
  run --separate-stderr "$SSE" tail --no-reconnect --cursor-file cursor "$SERVER_URL"
  assert_failure 3
  assert_output ""
  assert_equal "$stderr" "sse: error: the cursor file does not hold a last event ID that can be sent: it contains a line break (CR or LF) (cursor)"
  [[ ! -s requests.ndjson ]] || fail "a request reached the server: $(cat requests.ndjson)"
}

@test "--cursor-file keeps the id of the last event written before an error" {
  scenario '{"steps": [{"send": "id: 5\ndata: ok\n\nevent: error\ndata: boom\n\n"}, {"stall": true}]}'
  run --separate-stderr "$SSE" tail --cursor-file cursor "$SERVER_URL"
  assert_failure 3
  assert_equal "$(cat cursor)" "5"
}

@test "--cursor-file is kept by a run that gets no event" {
  # A run that ends before any event (the server says 204, or --timeout) resumed from the
  # cursor, so the cursor still says where it is: a later run must not start over.
  scenario '{"status": 204}' '{"steps": [{"stall": true}]}' '{"status": 204}'
  printf '7\n' > cursor
  run --separate-stderr "$SSE" tail --cursor-file cursor "$SERVER_URL"
  assert_success
  assert_equal "$(request_header 1 last-event-id)" "7"
  assert_equal "$(cat cursor)" "7"
  run --separate-stderr "$SSE" tail --timeout 300ms --cursor-file cursor "$SERVER_URL"
  assert_failure 124
  assert_equal "$(cat cursor)" "7"
  # Nor does an id given with --last-event-id get lost: it is the position until an event.
  rm cursor
  run --separate-stderr "$SSE" tail --last-event-id 9 --cursor-file cursor "$SERVER_URL"
  assert_success
  assert_equal "$(cat cursor)" "9"
}

@test "--last-event-id starts from an id" {
  scenario '{"status": 204}'
  run "$SSE" tail --last-event-id 41 "$SERVER_URL"
  assert_success
  assert_equal "$(request_header 1 last-event-id)" "41"
}

@test "--until-data [DONE] stops with or without a space, without printing it" {
  for done in 'data: [DONE]' 'data:[DONE]'; do
    scenario "{\"steps\": [{\"send\": \"data: tok\\n\\n$done\\n\\n\"}, {\"stall\": true}]}"
    run "$SSE" tail --until-data '[DONE]' "$SERVER_URL"
    assert_success
    assert_output '{"event":"message","data":"tok"}'
    stop_server
  done
}

@test "--until TYPE prints that event and stops; -n counts printed events" {
  scenario '{"steps": [{"send": "event: a\ndata: 1\n\nevent: b\ndata: 2\n\nevent: done\ndata: 3\n\ndata: 4\n\n"}, {"stall": true}]}'
  run "$SSE" tail --until done -f data "$SERVER_URL"
  assert_success
  assert_output $'1\n2\n3'
  run "$SSE" tail --event b --event done -n 1 -f data "$SERVER_URL"
  assert_success
  assert_output '2'
}

@test "--extract prints an LLM's tokens as they arrive with -f data" {
  scenario '{"steps": [
    {"send": "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"},
    {"send": "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"},
    {"send": "data: {\"choices\":[{\"delta\":{\"content\":\"lo!\"}}]}\n\n"},
    {"send": "data: [DONE]\n\n"}]}'
  run "$SSE" tail -X POST --json '{}' "$SERVER_URL" --extract /choices/0/delta/content -f data --until-data '[DONE]'
  assert_success
  assert_output 'Hello!'
  run "$SSE" tail -X POST --json '{}' "$SERVER_URL" --extract /choices/0/delta/content --until-data '[DONE]'
  assert_equal "${lines[0]}" '{"event":"message","data":"Hel"}'
}

@test "an error event after 200 is exit 3 with its message, unless --no-error-events" {
  scenario '{"steps": [{"send": "data: ok\n\nevent: error\ndata: {\"type\":\"overloaded_error\"}\n\n"}, {"stall": true}]}'
  run --separate-stderr "$SSE" tail "$SERVER_URL"
  assert_failure 3
  assert_output '{"event":"message","data":"ok"}'
  assert_equal "$stderr" "sse: error: the server reported an error in event 2: {\"type\":\"overloaded_error\"} ($SERVER_URL)"
  run "$SSE" tail --no-error-events -n 2 -f data "$SERVER_URL"
  assert_success
  assert_output $'ok\n{"type":"overloaded_error"}'
}

@test "JSON data with a top-level error is exit 3" {
  scenario '{"steps": [{"send": "data: {\"error\": {\"message\": \"quota exceeded\", \"code\": 429}}\n\n"}, {"stall": true}]}'
  run --separate-stderr "$SSE" tail "$SERVER_URL"
  assert_failure 3
  assert_equal "$stderr" "sse: error: the server reported an error in event 1: quota exceeded ($SERVER_URL)"
}

@test "--comments includes comment lines" {
  scenario '{"steps": [{"send": ": hello\ndata: x\n\n"}]}'
  run "$SSE" tail --no-reconnect --comments "$SERVER_URL"
  assert_success
  assert_equal "${lines[0]}" '{"comment":" hello"}'
  assert_equal "${lines[1]}" '{"event":"message","data":"x"}'
}

@test "-H, -u and --bearer reach the server" {
  scenario '{"status": 204}'
  run "$SSE" tail -H 'X-Trace: abc' -H 'Accept: text/event-stream; q=1' -u alice:s3cret "$SERVER_URL"
  assert_success
  assert_equal "$(request_header 1 x-trace)" abc
  assert_equal "$(request_header 1 accept)" "text/event-stream; q=1"
  assert_equal "$(request_header 1 authorization)" "Basic $(printf alice:s3cret | base64)"
  stop_server
  scenario '{"status": 204}'
  run "$SSE" tail --bearer T0KEN "$SERVER_URL"
  assert_equal "$(request_header 1 authorization)" "Bearer T0KEN"
}

@test "a closed stdout ends quietly with exit 0, even while the stream is quiet" {
  scenario '{"steps": [{"send": "data: 1\n\ndata: 2\n\n"}, {"stall": true}]}'
  run --separate-stderr timeout 10 bash -c "'$SSE' tail '$SERVER_URL' | head -1; exit \${PIPESTATUS[0]}"
  assert_success
  assert_output '{"event":"message","data":"1"}'
  assert_equal "$stderr" ""
}

@test "a refused connection is retried, then exit 1 with --max-retries" {
  local port
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  run --separate-stderr "$SSE" tail --max-retries 1 --max-backoff 100ms "http://127.0.0.1:$port/"
  assert_failure 1
  assert_regex "$stderr" "giving up after 1 retries: could not connect"
}

@test "bad URLs and options are usage errors" {
  run --separate-stderr "$SSE" tail ftp://example.org/
  assert_failure 2
  assert_equal "$stderr" "sse: error: invalid URL: unsupported scheme 'ftp' (ftp://example.org/) (run 'sse tail --help')"
  run --separate-stderr "$SSE" tail -H 'no colon' http://127.0.0.1:9/
  assert_failure 2
  run --separate-stderr "$SSE" tail --extract 'no-slash' http://127.0.0.1:9/
  assert_failure 2
  run --separate-stderr "$SSE" tail --timeout soon http://127.0.0.1:9/
  assert_failure 2
}

@test "https: verified with --cacert, refused without it, accepted with -k" {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out cert.pem 2> /dev/null
  TLS_CERT=cert.pem TLS_KEY=key.pem scenario '{"steps": [{"send": "data: secure\n\n"}]}'
  assert_regex "$SERVER_URL" '^https://'
  run --separate-stderr "$SSE" tail --no-reconnect --cacert cert.pem "$SERVER_URL"
  assert_success
  assert_output '{"event":"message","data":"secure"}'
  run --separate-stderr "$SSE" tail --no-reconnect "$SERVER_URL"
  assert_failure 1
  assert_regex "$stderr" "certificate verification failed|TLS"
  run --separate-stderr "$SSE" tail --no-reconnect -k "$SERVER_URL"
  assert_success
  assert_output '{"event":"message","data":"secure"}'
}

@test "--proxy sends the request to the proxy with the absolute URL" {
  scenario '{"steps": [{"send": "data: via proxy\n\n"}]}'
  run "$SSE" tail --no-reconnect --proxy "$SERVER_URL" http://stream.example:8080/feed
  assert_success
  assert_output '{"event":"message","data":"via proxy"}'
  assert_equal "$(jq -r .url requests.ndjson)" "http://stream.example:8080/feed"
}

@test "--apply prints the state after each event instead of the events" {
  scenario '{"steps": [{"send": "event: json_snapshot\ndata: {\"n\": 1, \"tags\": []}\n\nevent: json_patch\ndata: [{\"op\": \"replace\", \"path\": \"/n\", \"value\": 2}, {\"op\": \"add\", \"path\": \"/tags/-\", \"value\": \"x\"}]\n\n"}]}' \
           '{"status": 204}'
  run --separate-stderr "$SSE" tail --apply "$SERVER_URL"
  assert_success
  assert_equal "${lines[0]}" '{"n":1,"tags":[]}'
  assert_equal "${lines[1]}" '{"n":2,"tags":["x"]}'
  assert_equal "${#lines[@]}" 2
  run "$SSE" tail --apply --final --no-reconnect "$SERVER_URL"
  assert_output '{}' # the third request got the 204: no events, the empty initial state
  stop_server
  scenario '{"steps": [{"send": "event: json_snapshot\ndata: {\"n\": 1}\n\nevent: json_patch\ndata: [{\"op\": \"replace\", \"path\": \"/n\", \"value\": 2}]\n\n"}]}'
  run "$SSE" tail --apply --final --no-reconnect "$SERVER_URL"
  assert_output '{"n":2}'
  run "$SSE" tail --apply --pointer /n --no-reconnect "$SERVER_URL"
  assert_output $'1\n2'
}

@test "--apply: a failed patch is exit 3 naming the event, a reconnect event reconnects" {
  scenario '{"steps": [{"send": "retry: 10\nevent: snapshot\ndata: {}\n\nevent: reconnect\ndata: {}\n\n"}, {"stall": true}]}' \
           '{"steps": [{"send": "event: patch\ndata: [{\"op\": \"remove\", \"path\": \"/missing\"}]\n\n"}, {"stall": true}]}'
  run --separate-stderr "$SSE" tail --apply "$SERVER_URL"
  assert_failure 3
  assert_output '{}'
  assert_equal "$(requests)" 2
  assert_regex "$stderr" "the stream asked to reconnect"
  assert_regex "$stderr" "sse: error: .*/missing"
}

@test "state options need --apply, and --extract does not mix with it" {
  run --separate-stderr "$SSE" tail --final http://127.0.0.1:9/
  assert_failure 2
  assert_regex "$stderr" "needs --apply"
  run --separate-stderr "$SSE" tail --apply --extract /a http://127.0.0.1:9/
  assert_failure 2
}

@test "redirects are followed, without credentials to another host, and loops end" {
  # Server B, in its own directory so that its request log is its own.
  mkdir b
  printf '%s\n' '{"connections": [{"steps": [{"send": "data: elsewhere\n\n"}]}]}' > b/scenario.json
  (cd b && start_server scenario.json && echo "$SERVER_PID $SERVER_URL" > ../b.info)
  read -r OTHER_PID other_url < b.info
  scenario "{\"status\": 302, \"headers\": {\"Location\": \"$other_url/feed\"}}"
  run --separate-stderr "$SSE" tail --no-reconnect -u alice:s3cret -H 'X-Keep: 1' "$SERVER_URL/start"
  assert_success
  assert_output '{"event":"message","data":"elsewhere"}'
  assert_equal "$(request_header 1 authorization)" "Basic $(printf alice:s3cret | base64)"
  assert_equal "$(jq -r .url b/requests.ndjson)" /feed
  assert_equal "$(jq -r '.headers.authorization // "none"' b/requests.ndjson)" none
  assert_equal "$(jq -r '.headers["x-keep"]' b/requests.ndjson)" 1
  stop_server
  scenario '{"status": 307, "headers": {"Location": "/again"}}'
  run --separate-stderr "$SSE" tail --no-reconnect "$SERVER_URL"
  assert_failure 1
  assert_regex "$stderr" "more than 10 redirects"
  assert_equal "$(requests)" 11
}

@test "a 3xx without Location and a 304 are HTTP errors, exit 4" {
  scenario '{"status": 302}'
  run --separate-stderr "$SSE" tail "$SERVER_URL"
  assert_failure 4
  assert_equal "$stderr" "sse: error: HTTP 302 Found ($SERVER_URL/)"
}

@test "a POST that goes idle is exit 124, not re-sent" {
  scenario '{"steps": [{"send": "data: a\n\n"}, {"stall": true}]}'
  run --separate-stderr "$SSE" tail --json '{}' --idle-timeout 300ms "$SERVER_URL"
  assert_failure 124
  assert_equal "$stderr" "sse: error: no data for 300ms (--idle-timeout); not re-sent without --retry-post ($SERVER_URL/)"
  assert_equal "$(requests)" 1
}

@test "a closed stdout also ends the wait before a reconnect" {
  scenario '{"steps": [{"send": "retry: 20000\ndata: 1\n\ndata: 2\n\n"}]}'
  run --separate-stderr timeout 10 bash -c "'$SSE' tail '$SERVER_URL' | head -1; exit \${PIPESTATUS[0]}"
  assert_success
  assert_output '{"event":"message","data":"1","retry":20000}'
}

@test "durations beyond 31 years and https proxies are usage errors" {
  run --separate-stderr "$SSE" tail --timeout 100000000h http://127.0.0.1:9/
  assert_failure 2
  run --separate-stderr "$SSE" tail --proxy https://127.0.0.1:9/ http://127.0.0.1:9/
  assert_failure 2
  assert_equal "$stderr" "sse: error: --proxy: only http:// proxies are supported (run 'sse tail --help')"
}

@test "-v shows the request and the response headers on stderr, data stays on stdout" {
  scenario '{"headers": {"X-Server": "scripted"}, "steps": [{"send": "data: x\n\n"}]}'
  run --separate-stderr "$SSE" -v tail --no-reconnect -H 'X-Trace: 7' "$SERVER_URL/s"
  assert_success
  assert_output '{"event":"message","data":"x"}'
  assert_regex "$stderr" "sse: > GET $SERVER_URL/s"
  assert_regex "$stderr" "sse: > X-Trace: 7"
  assert_regex "$stderr" "sse: < HTTP 200 OK"
  assert_regex "$stderr" "sse: < (X-Server|x-server): scripted"
}
