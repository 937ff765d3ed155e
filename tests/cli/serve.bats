#!/usr/bin/env bats
# sse serve: sources (stdin lines, NDJSON, event-stream text, --script with faults, --demo,
# --exec), ids and resuming, the stream's framing and HTTP behaviour, limits, shutdown, and
# the errors of a bad command line or bad input. Real browser and EventSource clients are in
# serve_clients.bats. Every server binds 127.0.0.1 on a free port and is stopped in teardown.
# ctest labels: slow

load helper

setup() {
  common_setup
  SERVE_PID=
}

teardown() {
  exec 8>&-
  stop_serve
}

# The body of GET URL as curl -N shows it (chunked framing removed); extra curl options first.
get() {
  curl -sN --max-time 5 "$@"
}

# Writes a script file NAME from the NDJSON lines given.
write_script() {
  local name=$1
  shift
  printf '%s\n' "$@" > "$name"
}

# --- stdin ------------------------------------------------------------------------------------

@test "stdin lines become events with ids 1, 2, 3; the server exits 0 once they are delivered" {
  start_serve
  curl_connected
  local client=$CLIENT_PID
  printf 'first\r\nsecond\n\nlast without newline' >&8
  exec 8>&-
  wait_for 10 exited "$SERVE_PID"
  wait "$SERVE_PID"
  SERVE_PID=
  wait "$client" # curl exit 0: the chunked body was ended properly, not cut
  assert_equal "$(cat body)" "$(printf 'id: 1\ndata: first\n\nid: 2\ndata: second\n\nid: 3\ndata:\n\nid: 4\ndata: last without newline\n\n')"
}

@test "the listening line names the address, and the stream has the headers of a real SSE server" {
  start_serve
  [[ $SSE_URL =~ ^http://127\.0\.0\.1:[0-9]+$ ]]
  run --separate-stderr curl -sI --max-time 5 "$SSE_URL/any/path"
  assert_success
  assert_line --partial 'HTTP/1.1 200 OK'
  assert_line --partial 'Content-Type: text/event-stream'
  assert_line --partial 'Cache-Control: no-cache'
  assert_line --partial 'X-Accel-Buffering: no'
  refute_line --partial 'Content-Encoding'
}

@test "--ndjson serves event objects with their type, id, retry and JSON data; comments pass" {
  start_serve --ndjson
  curl_connected
  local client=$CLIENT_PID
  printf '%s\n' '{"event":"update","data":{"n":1},"id":"a-1","retry":500}' '{"comment":"note"}' \
    '{"data":"two\nlines"}' >&8
  exec 8>&-
  wait "$client"
  assert_equal "$(cat body)" "$(printf 'event: update\nid: a-1\nretry: 500\ndata: {"n":1}\n\n: note\n\nid: 2\ndata: two\ndata: lines\n\n')"
}

@test "--ndjson: a bad line is exit 3 naming stdin and its line; the events before it were served" {
  start_serve --ndjson
  curl_connected
  local client=$CLIENT_PID
  printf '%s\n' '{"data":"ok"}' '{"data": nope}' >&8
  server_exits_with SERVE_PID 3
  grep -q 'sse: error: .*(stdin:2)$' serve.err
  wait "$client"
  assert_equal "$(cat body)" "$(printf 'id: 1\ndata: ok\n\n')"
}

@test "--sse re-serves parsed event-stream text, keeping its ids" {
  start_serve --sse
  curl_connected
  local client=$CLIENT_PID
  printf ': c\r\nevent: e\r\nid: x\r\ndata: 1\r\n\r\ndata: 2\n\n' >&8
  exec 8>&-
  wait "$client"
  assert_equal "$(cat body)" "$(printf 'event: e\nid: x\ndata: 1\n\nid: x\ndata: 2\n\n')"
}

@test "--max-event-size bounds a stdin line: exit 3 naming the line" {
  start_serve --max-event-size 10
  printf 'short\n%s\n' 0123456789ABCDEF >&8
  server_exits_with SERVE_PID 3
  grep -q '^sse: error: line longer than the maximum event size of 10B (--max-event-size) (stdin:2)$' serve.err
}

# --- ids, history, resuming -------------------------------------------------------------------

@test "Last-Event-ID (header or ?lastEventId=) resumes from the history; an unknown id gets it all" {
  start_serve --history 3
  printf '%s\n' a b c d e >&8
  wait_for 5 grep -q . <(get --max-time 1 --from-start "$SSE_URL/" 2> /dev/null; true) || true
  # The lines are published once the server read them: wait until id 5 is in the history.
  wait_for 5 bash -c "curl -sN --max-time 1 -H 'Last-Event-ID: nothing' '$SSE_URL/' | grep -q 'id: 5'"
  get --max-time 1 -H 'Last-Event-ID: 3' "$SSE_URL/" > resumed || true
  assert_equal "$(grep '^data' resumed | paste -sd ' ')" "data: d data: e"
  get --max-time 1 "$SSE_URL/?lastEventId=4" > query || true
  assert_equal "$(grep '^data' query | paste -sd ' ')" "data: e"
  # Only 3 events are kept: id 1 is unknown now, and the client is told so.
  get --max-time 1 -H 'Last-Event-ID: 1' "$SSE_URL/" > old || true
  grep -q '^: Last-Event-ID 1 is not in the history; sending the 3 events kept$' old
  assert_equal "$(grep '^data' old | paste -sd ' ')" "data: c data: d data: e"
  # A new client gets live events only.
  get --max-time 1 "$SSE_URL/" > live || true
  refute grep -q '^data' live
}

@test "--from-start sends a new client the history first, then live events" {
  start_serve --from-start
  printf '%s\n' a b >&8
  wait_for 5 bash -c "curl -sN --max-time 1 '$SSE_URL/' | grep -q 'data: b'"
  curl -sN --max-time 5 "$SSE_URL/" > body 8>&- &
  local client=$!
  wait_for 5 grep -q 'data: b' body
  printf 'c\n' >&8
  exec 8>&-
  wait "$client"
  assert_equal "$(grep '^data' body | paste -sd ' ')" "data: a data: b data: c"
}

@test "--linger serves the history after stdin ends; a client that has the last id gets 204" {
  start_serve --linger
  printf '%s\n' a b >&8
  exec 8>&-
  wait_for 5 grep -q 'stdin ended' serve.err
  run --separate-stderr get "$SSE_URL/"
  assert_success
  assert_equal "$(grep '^data' <<< "$output" | paste -sd ' ')" "data: a data: b"
  run --separate-stderr curl -s -o /dev/null -w '%{http_code}' -H 'Last-Event-ID: 2' "$SSE_URL/"
  assert_output 204
  # sse tail stops on that 204 instead of reconnecting for ever.
  run --separate-stderr "$SSE" tail -f data "$SSE_URL/"
  assert_success
  assert_output "$(printf 'a\nb')"
  kill -0 "$SERVE_PID"
}

# --- framing --------------------------------------------------------------------------------

@test "--bom, --retry, --hello open the stream; --goodbye closes it; --eol crlf frames every line" {
  start_serve --bom --retry 2s --hello 'hi there' --goodbye bye --eol crlf
  curl_connected
  local client=$CLIENT_PID
  printf 'x\n' >&8
  exec 8>&-
  wait "$client"
  assert_equal "$(od -An -c body | tr -s ' \n' ' ')" \
    "$(printf '\xef\xbb\xbfretry: 2000\r\n\r\n: hi there\r\n\r\nid: 1\r\ndata: x\r\n\r\n: bye\r\n\r\n' | od -An -c | tr -s ' \n' ' ')"
  # And what a client parses from it (retry: came in a block of its own):
  run --separate-stderr "$SSE" parse body
  assert_output '{"event":"message","data":"x","id":"1"}'
}

@test "--eol cr frames lines with CR alone, and sse parse reads them back" {
  start_serve --eol cr
  curl_connected
  local client=$CLIENT_PID
  printf 'one\ntwo\n' >&8
  exec 8>&-
  wait "$client"
  assert_equal "$(tr -cd '\n' < body | wc -c)" 0
  run --separate-stderr "$SSE" parse -f data body
  assert_output "$(printf 'one\ntwo')"
}

@test "heartbeat comments come only while the stream is quiet" {
  start_serve --heartbeat 100ms
  curl -sN --max-time 5 "$SSE_URL/" > body 8>&- &
  wait_for 5 bash -c '[[ $(grep -c "^: heartbeat$" body) -ge 2 ]]'
}

@test "HTTP/1.1 clients get a chunked body, HTTP/1.0 clients one ended by closing" {
  start_serve
  curl -sN --raw --max-time 5 "$SSE_URL/" > chunked 8>&- &
  local one=$!
  curl -sN --http1.0 -D head10 --max-time 5 "$SSE_URL/" > plain 8>&- &
  local two=$!
  wait_for 5 bash -c '[[ $(grep -c connected serve.err) -ge 2 ]]'
  printf 'x\n' >&8
  exec 8>&-
  wait "$one"
  wait "$two"
  assert_equal "$(cat chunked)" "$(printf 'f\r\nid: 1\ndata: x\n\n\r\n0\r\n\r\n')"
  assert_equal "$(cat plain)" "$(printf 'id: 1\ndata: x\n\n')"
  grep -qi '^Connection: close' head10
}

# --- HTTP -----------------------------------------------------------------------------------

@test "--cors answers the preflight and labels the stream; other methods get 405" {
  start_serve --cors 'http://localhost:5173'
  run --separate-stderr curl -si --max-time 5 -X OPTIONS -H 'Origin: http://localhost:5173' \
    -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: last-event-id' "$SSE_URL/"
  assert_line --partial 'HTTP/1.1 204'
  assert_line --partial 'Access-Control-Allow-Origin: http://localhost:5173'
  assert_line --partial 'Access-Control-Allow-Methods: GET, HEAD, OPTIONS'
  assert_line --partial 'Access-Control-Allow-Headers: last-event-id'
  run --separate-stderr curl -sI --max-time 5 -H 'Origin: http://localhost:5173' "$SSE_URL/"
  assert_line --partial 'Access-Control-Allow-Origin: http://localhost:5173'
  assert_line --partial 'Access-Control-Allow-Credentials: true'
  run --separate-stderr curl -sI --max-time 5 -H 'Origin: http://evil.example' "$SSE_URL/"
  refute_line --partial 'Access-Control-Allow-Origin'
  run --separate-stderr curl -si --max-time 5 -X POST -d x "$SSE_URL/"
  assert_line --partial 'HTTP/1.1 405'
  assert_line --partial 'Allow: GET, HEAD, OPTIONS'
}

@test "a malformed request gets 400 and a huge head 431; the server goes on" {
  start_serve
  local port=${SSE_URL##*:}
  run bash -c "exec 9<>/dev/tcp/127.0.0.1/$port; printf 'NONSENSE\r\n\r\n' >&9; timeout 5 head -n 1 <&9"
  assert_output --partial 'HTTP/1.1 400 Bad Request'
  run --separate-stderr curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" "$SSE_URL/"
  assert_output 431
  run --separate-stderr curl -sI --max-time 5 "$SSE_URL/"
  assert_line --partial '200 OK'
}

@test "--max-clients refuses one client too many with 503 and Retry-After" {
  start_serve --max-clients 1
  curl -sN --max-time 5 "$SSE_URL/" > /dev/null 8>&- &
  wait_for 5 grep -q 'connected' serve.err
  run --separate-stderr curl -si --max-time 5 "$SSE_URL/"
  assert_line --partial 'HTTP/1.1 503'
  assert_line --partial 'Retry-After: 1'
  grep -q 'refused, --max-clients reached' serve.err
}

@test "--max-lifetime ends a stream cleanly; the client resumes by id without loss" {
  start_serve --max-lifetime 300ms --retry 10ms
  "$SSE" tail -f data -n 6 "$SSE_URL/" > got 2> tail.err 8>&- &
  local client=$!
  wait_for 5 grep -q 'connected' serve.err
  printf '%s\n' 1 2 3 >&8
  wait_for 5 grep -q 'reached --max-lifetime' serve.err
  wait_for 5 grep -q 'Last-Event-ID 3' serve.err
  printf '%s\n' 4 5 6 >&8
  wait_for 10 exited "$client"
  wait "$client"
  assert_equal "$(paste -sd ' ' got)" "1 2 3 4 5 6"
}

@test "SIGINT ends the streams gracefully (goodbye sent, body ended) and exits 130; SIGTERM exits 0" {
  start_serve --goodbye 'server going away'
  curl_connected
  local client=$CLIENT_PID
  kill -INT "$SERVE_PID"
  server_exits_with SERVE_PID 130
  wait "$client"
  assert_equal "$(cat body)" "$(printf ': server going away\n\n')"

  start_serve
  kill -TERM "$SERVE_PID"
  server_exits_with SERVE_PID 0
}

# --- scripts --------------------------------------------------------------------------------

@test "--script: events with delays and a drop; the client resumes after the drop without repeating it" {
  write_script steps.ndjson '{"data":"one"}' '{"data":"two","event":"e","delay":50}' '{"drop":true}' \
    '{"comment":"after the drop"}' '{"data":"three"}'
  start_serve --script steps.ndjson --retry 10ms
  run --separate-stderr get "$SSE_URL/"
  assert_equal "$status" 18 # the body was cut: "transfer closed with outstanding read data"
  assert_output "$(printf 'retry: 10\n\nid: 1\ndata: one\n\nevent: e\nid: 2\ndata: two\n')"
  run --separate-stderr get -H 'Last-Event-ID: 2' "$SSE_URL/"
  assert_success
  assert_output "$(printf 'retry: 10\n\nid: 3\ndata: three\n')"
  # sse tail goes through the whole script, and stops at the 204 that follows the last event.
  run --separate-stderr "$SSE" tail -f data "$SSE_URL/"
  assert_success
  assert_output "$(printf 'one\ntwo\nthree')"
  grep -q 'connected, Last-Event-ID 2, from step 5' serve.err
}

@test "--script: a status step answers the next connection; stall silences even heartbeats" {
  write_script steps.ndjson '{"data":"one"}' '{"status":503,"retry_after":7,"body":"busy"}' \
    '{"stall":400}' '{"data":"two"}'
  start_serve --script steps.ndjson --heartbeat 100ms
  curl -sN --max-time 5 "$SSE_URL/" > first 8>&- &
  local client=$!
  wait_for 5 grep -q 'data: one' first
  run --separate-stderr curl -si --max-time 5 "$SSE_URL/"
  assert_line --partial 'HTTP/1.1 503'
  assert_line --partial 'Retry-After: 7'
  assert_line busy
  wait "$client"
  # Between "one" and "two" the stall let no heartbeat out.
  assert_equal "$(cat first)" "$(printf 'id: 1\ndata: one\n\nid: 2\ndata: two\n')"
  run --separate-stderr curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$SSE_URL/"
  assert_output 200
}

@test "--script: raw bytes go out exactly as given; retry steps; an unknown id starts over" {
  write_script steps.ndjson '{"retry":1234}' '{"raw":"data: bare\r"}' '{"raw_base64":"/w0KDQo="}' '{"data":"end"}'
  start_serve --script steps.ndjson
  get "$SSE_URL/" > body
  assert_equal "$(od -An -tx1 body | tr -s ' \n' ' ')" \
    "$(printf 'retry: 1234\n\ndata: bare\r\xff\r\n\r\nid: 1\ndata: end\n\n' | od -An -tx1 | tr -s ' \n' ' ')"
  get -H 'Last-Event-ID: nope' "$SSE_URL/" > again
  grep -q '^: Last-Event-ID nope is not in the script; starting over$' again
  grep -q '^data: end$' again
}

@test "--script: every kind of bad step is exit 3 naming the file and line" {
  local bad
  for bad in '{"data":' '[1]' '{"delay":-1,"data":"x"}' '{"status":99}' '{"what":1}' \
    '{"data":"x","id":"a\nb"}' '{"stall":"long"}' '{"raw":5}'; do
    write_script steps.ndjson '{"data":"fine"}' "$bad"
    run --separate-stderr "$SSE" serve --port 0 --script steps.ndjson
    assert_equal "$status" 3
    [[ $stderr == "sse: error: "*"(steps.ndjson:2)" ]] || fail "for $bad: $stderr"
  done
}

# --- demo -----------------------------------------------------------------------------------

@test "--demo: a snapshot, then ticks and patches that rebuild the dashboard; resuming by id" {
  start_serve --demo
  run --separate-stderr "$SSE" tail -n 3 "$SSE_URL/"
  assert_success
  assert_equal "$(jq -r .event <<< "$output" | paste -sd ' ')" "json_snapshot tick json_patch"
  run --separate-stderr "$SSE" tail -n 3 --apply --final "$SSE_URL/"
  assert_success
  assert_output '{"title":"Build farm","workers":{"a":"idle","b":"idle","c":"idle"},"queue":["job-1"],"done":0}'
  run --separate-stderr "$SSE" tail -n 1 --last-event-id 3 "$SSE_URL/"
  assert_output --partial '"event":"tick","data":"20'
  assert_output --partial '"id":"4"'
}

# --- exec -----------------------------------------------------------------------------------

@test "--exec: a block-buffered child still reaches its client line by line" {
  # Python buffers print() on a pipe; the second line waits until the first has arrived.
  cat > child.py << 'PY'
import os, time
print("first")
deadline = time.time() + 10
while not os.path.exists("go") and time.time() < deadline:
    time.sleep(0.01)
print("second")
PY
  start_serve --exec python3 child.py
  curl -sN --max-time 5 "$SSE_URL/" > body 8>&- &
  local client=$!
  wait_for 5 grep -q '^data: first$' body
  touch go
  wait "$client" # the stream ends when the child exits
  assert_equal "$(cat body)" "$(printf 'id: 1\ndata: first\n\nid: 2\ndata: second\n')"
  grep -q 'the command ended' serve.err
}

@test "--exec: the child ends when its client goes; each client has its own child" {
  start_serve --exec -- sh -c 'echo $$ >> pids; echo ready; exec sleep 1000'
  curl -sN --max-time 5 "$SSE_URL/" > one 8>&- &
  local client=$!
  curl -sN --max-time 5 "$SSE_URL/" > two 8>&- &
  local other=$!
  wait_for 5 grep -q 'ready' one
  wait_for 5 grep -q 'ready' two
  assert_equal "$(wc -l < pids)" 2
  local pid
  pid=$(head -n 1 pids)
  kill "$client"
  kill "$other"
  wait_for 5 bash -c "! kill -0 $pid 2> /dev/null"
  pid=$(tail -n 1 pids)
  wait_for 5 bash -c "! kill -0 $pid 2> /dev/null"
}

@test "--exec: one word with spaces runs under sh; a command that cannot start is a 500" {
  start_serve --exec 'printf "a\nb\n" | tr a-z A-Z'
  run --separate-stderr get "$SSE_URL/"
  assert_success
  assert_output "$(printf 'id: 1\ndata: A\n\nid: 2\ndata: B\n')"
  stop_serve
  start_serve --exec /nonexistent/program
  run --separate-stderr curl -s -w '\n%{http_code}' --max-time 5 "$SSE_URL/"
  assert_line 'cannot run /nonexistent/program: No such file or directory'
  assert_line 500
}

# --- command line -----------------------------------------------------------------------------

@test "usage errors: two sources, --exec without a command, a command without --exec, no source" {
  run --separate-stderr "$SSE" serve --demo --script /dev/null
  assert_equal "$status" 2
  assert_equal "$stderr" "sse: error: give one source: stdin (--ndjson or --sse to change its format), --exec, --script, --replay or --demo (run 'sse serve --help')"
  run --separate-stderr "$SSE" serve --ndjson --sse < /dev/null
  assert_equal "$status" 2
  run --separate-stderr "$SSE" serve --exec < /dev/null
  assert_equal "$status" 2
  assert_equal "$stderr" "sse: error: --exec needs a command: sse serve --exec -- CMD ARGS... (run 'sse serve --help')"
  run --separate-stderr "$SSE" serve ls < /dev/null
  assert_equal "$status" 2
  assert_equal "$stderr" "sse: error: a command is given only with --exec ('ls') (run 'sse serve --help')"
  run --separate-stderr "$SSE" serve --heartbeat soon < /dev/null
  assert_equal "$status" 2
  # A terminal on stdin is no source: script(1) gives it one.
  run script -qec "$SSE serve --port 0" /dev/null
  assert_equal "$status" 2
  assert_output --partial "no source: pipe lines into stdin, or give --exec, --script, --replay or --demo"
}

@test "a port in use is exit 1 naming the address" {
  start_serve
  local port=${SSE_URL##*:}
  run --separate-stderr "$SSE" serve --port "$port" < /dev/null
  assert_equal "$status" 1
  assert_equal "$stderr" "sse: error: cannot listen: Address already in use (127.0.0.1:$port)"
}
