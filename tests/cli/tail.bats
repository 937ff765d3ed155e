#!/usr/bin/env bats
# sse tail against a scripted local server (tests/cli/servers/scripted.mjs): reconnection and
# its waits, statuses, response heads and their bounds, framing, encodings, timeouts, event
# sizes, redirects. Its requests are in tail_requests.bats, what it prints in tail_output.bats.
# ctest labels: slow

load helper
load tail_helper

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

@test "a refused connection is retried, then exit 1 with --max-retries" {
  local port
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  run --separate-stderr "$SSE" tail --max-retries 1 --max-backoff 100ms "http://127.0.0.1:$port/"
  assert_failure 1
  assert_regex "$stderr" "giving up after 1 retries: could not connect"
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
