#!/usr/bin/env bats
# sse serve against real clients: the npm `eventsource` package (WHATWG EventSource for Node),
# a page in Debian's headless Chromium (driven by the npm playwright-core, which uses
# /usr/bin/chromium and downloads no browser), curl -N, 1000 concurrent node:http streams and a
# raw TCP client that stops reading. The clients are in tests/cli/clients/; the npm packages
# are pinned in tests/interop/package-lock.json (npm ci --prefix tests/interop). Needs node,
# curl and chromium (scripts/setup --tests installs them all); without them it skips on a
# developer's machine and fails under scripts/test and CI (missing_peer in helper.bash).
#
# Each test starts `sse serve -v --port 0` on 127.0.0.1, its stdin a FIFO held open on fd 8
# (closing fd 8 is the end of its input), and stops it in teardown. Every client ends by
# itself within a deadline and is waited for with a bound.
# ctest labels: interop slow

load helper

setup() {
  serve_clients_setup eventsource playwright-core
}

teardown() {
  exec 7>&- 8>&-
  stop_background
  stop_serve
}

# Writes the lines "event FROM" .. "event TO" to the server's stdin at once; with PAD, each
# line has a space and PAD zeros more. (awk, not a shell loop: bats traces every command.)
feed() {
  awk -v from="$1" -v to="$2" -v pad="${3:-0}" 'BEGIN {
    zeros = "0"
    while (length(zeros) < pad) zeros = zeros zeros
    tail = pad > 0 ? " " substr(zeros, 1, pad) : ""
    for (i = from; i <= to; i++) printf "event %d%s\n", i, tail
  }' >&8
}

# Writes the same lines one every DELAY seconds, in the background: a slow source.
feed_slowly() {
  local from=$1 to=$2 delay=$3
  (
    for ((i = from; i <= to; i++)); do
      printf 'event %d\n' "$i"
      sleep "$delay"
    done >&8
  ) 3>&- 7>&- &
  BACKGROUND+=($!)
}


# Runs the eventsource.mjs client `es` on URL until it has COUNT events (es.out), while the
# events FROM..TO are written to the server's stdin one every 30 ms; fails unless it ends well.
eventsource_while_fed() {
  local url=$1 count=$2 from=$3 to=$4
  start_client es eventsource.mjs "$url" "$count"
  local es=$CLIENT_PID
  wait_for 10 grep -q '"open":1' es.out
  feed_slowly "$from" "$to" 0.03
  client_succeeds 15 "$es" es
}

# Chromium and its driver; without them the browser tests fail, saying how to install.
needs_chromium() {
  [[ -x /usr/bin/chromium ]] ||
    missing_peer "Debian's Chromium is not installed (/usr/bin/chromium): the browser tests need it; install it with scripts/setup --tests (apt-get install chromium)"
}

# Starts tests/cli/clients/browser.mjs OPTION... with its stdin on the FIFO `ctl` held open on
# fd 7, and sets PAGE_ORIGIN to the origin of its page (http://127.0.0.1:PORT). The stream's
# URL is then given as a line on fd 7.
start_browser() {
  needs_chromium
  rm -f ctl
  mkfifo ctl
  node "$CLIENTS/browser.mjs" "$@" < ctl > browser.out 2> browser.err 3>&- 8>&- &
  BROWSER_PID=$!
  BACKGROUND+=("$BROWSER_PID")
  exec 7> ctl
  # Chromium's first start on a fresh machine is slow; browser.mjs bounds it to 30 s.
  browser_said page 40
  PAGE_ORIGIN=$(jq -r 'select(.page) | .page' browser.out)
}

# Waits up to SECONDS for browser.mjs to print its line KEY ("page", "open", "messages",
# "closed"); fails with what the browser and the server printed if browser.mjs gave up first
# (its "failed" or "timeout" line says what the page had) or the time ran out.
browser_said() {
  local key=$1 seconds=$2
  if wait_for "$seconds" grep -qE "^\{\"($key|failed|timeout)\":" browser.out &&
    grep -q "^{\"$key\":" browser.out; then
    return 0
  fi
  fail "the browser did not get to \"$key\" within ${seconds}s
browser.out: $(cat browser.out)
browser.err: $(cat browser.err)
serve.err: $(cat serve.err 2> /dev/null)"
}

# Whether curl.out holds at least N heartbeat comments.
heartbeats_at_least() {
  (($(grep -c '^: heartbeat$' curl.out) >= $1))
}

# Raises the soft limit on open files to N (within the hard limit), or fails saying why.
raise_fd_limit() {
  local want=$1
  (($(ulimit -n) >= want)) && return 0
  ulimit -n "$want" 2> /dev/null ||
    fail "cannot raise the open files limit to $want (soft $(ulimit -Sn), hard $(ulimit -Hn)): 1000 clients need it"
}

@test "eventsource package: every event once and in order across dropped connections (Last-Event-ID)" {
  # --max-lifetime ends each connection after 300ms while a slow source writes 40 events over
  # about 1.2 s: the client reconnects (after retry: 50ms) three times or more and resumes
  # with Last-Event-ID. --from-start covers a reconnection before the first event, when the
  # client has no id to resume from.
  start_serve --max-lifetime 300ms --retry 50ms --from-start
  eventsource_while_fed "$SSE_URL/" 40 1 40
  assert_equal "$(received id es.out)" "$(seq -s ' ' 1 40)"
  assert_equal "$(received data es.out)" "$(seq -f 'event %g' 1 40 | paste -sd ' ')"
  local opens resumes
  opens=$(grep -c '"open"' es.out)
  resumes=$(grep -c 'connected, Last-Event-ID [0-9]*, [0-9]* events from history' serve.err)
  ((opens >= 3)) || fail "the client opened $opens connections; expected drops every 300ms"
  ((resumes >= 2)) || fail "only $resumes reconnections resumed with Last-Event-ID: $(cat serve.err)"
  ((resumes >= opens - 2)) || fail "$opens connections but only $resumes resumed: $(cat serve.err)"
}

@test "eventsource package: ?lastEventId= resumes the first connection, the Last-Event-ID header the later ones" {
  start_serve --max-lifetime 300ms --retry 50ms
  # A plain client that gets events 1..5 is the sign that they are in the history.
  start_client first fanout.mjs "$SSE_URL/" 1 5
  local first=$CLIENT_PID
  wait_for 10 grep -q '"connected":1' first.out
  feed 1 5
  client_succeeds 10 "$first" first
  # The query stays in the URL on every reconnection; the header, set from the last event
  # received, must win over it or events 4 and 5 would come again.
  eventsource_while_fed "$SSE_URL/?lastEventId=3" 30 6 30
  assert_equal "$(received id es.out)" "$(seq -s ' ' 4 30)"
  assert_regex "$(cat serve.err)" 'connected, Last-Event-ID 3, 2 events from history'
  local opens
  opens=$(grep -c '"open"' es.out)
  ((opens >= 2)) || fail "the client opened $opens connections; expected drops every 300ms"
}

@test "Chromium: a page of another origin gets every event (--cors ORIGIN, withCredentials) and stops at 204 when the stream ends (--linger)" {
  start_browser --messages 3 --credentials --until-closed
  start_serve --cors "$PAGE_ORIGIN" --linger --retry 100ms
  echo "$SSE_URL/" >&7
  browser_said open 15
  feed 1 3
  # The end of stdin ends the stream; the browser reconnects with Last-Event-ID 3, which is
  # the last id: 204, and EventSource stops for good.
  browser_said messages 10
  exec 8>&-
  client_succeeds 15 "$BROWSER_PID" browser
  run --separate-stderr jq -c 'select(.messages and (has("closed") | not)) | .messages[]' browser.out
  assert_output "$(for i in 1 2 3; do
    printf '{"id":"%d","data":"event %d","origin":"%s"}\n' "$i" "$i" "$SSE_URL"
  done)"
  # No message came twice after the reconnection, and the browser did reconnect.
  run --separate-stderr jq -c 'select(.closed) | .messages | length' browser.out
  assert_output 3
  assert_equal "$(grep -c ': GET /$' serve.err)" 2
  assert_equal "$(grep -c ': connected' serve.err)" 1
}

@test "Chromium: EventSource resumes across dropped connections with Last-Event-ID, from another origin" {
  # As the eventsource package test, in the browser: drops every 300ms while 40 events come
  # over about 1.2 s; the browser sends Last-Event-ID on a cross-origin reconnection.
  start_browser --messages 40 --timeout 8000
  start_serve --cors "$PAGE_ORIGIN" --max-lifetime 300ms --retry 50ms --from-start
  echo "$SSE_URL/" >&7
  browser_said open 15
  feed_slowly 1 40 0.03
  client_succeeds 15 "$BROWSER_PID" browser
  run --separate-stderr jq -r '.messages[]? | .id' browser.out
  assert_output "$(seq 1 40)"
  run --separate-stderr jq -r '.messages[]? | .data' browser.out
  assert_output "$(seq -f 'event %g' 1 40)"
  local resumes
  resumes=$(grep -c 'connected, Last-Event-ID [0-9]*, [0-9]* events from history' serve.err)
  ((resumes >= 2)) || fail "only $resumes reconnections resumed with Last-Event-ID: $(cat serve.err)"
}

@test "Chromium: --cors '*' lets a page of any origin read the stream" {
  start_browser --messages 2
  start_serve --cors '*'
  echo "$SSE_URL/" >&7
  browser_said open 15
  feed 1 2
  client_succeeds 15 "$BROWSER_PID" browser
  run --separate-stderr jq -c '.messages[]? | [.id, .data]' browser.out
  assert_output $'["1","event 1"]\n["2","event 2"]'
}

@test "Chromium: without --cors a page of another origin gets an error and no event" {
  start_browser --until-closed
  # The events are in the history before the page connects, so a leak would show at once.
  start_serve --from-start
  feed 1 3
  echo "$SSE_URL/" >&7
  client_succeeds 15 "$BROWSER_PID" browser
  run --separate-stderr jq -c 'select(.closed) | [.errors, (.messages | length)]' browser.out
  assert_output '[1,0]'
  run --separate-stderr jq -r 'select(.closed) | .console[]' browser.out
  assert_output --partial "from origin '$PAGE_ORIGIN' has been blocked by CORS policy"
  # The request did reach the server, which refused it (403): the page's origin is not let in.
  assert_regex "$(cat serve.err)" ': GET /'
  assert_regex "$(cat serve.err)" "refused: origin '$PAGE_ORIGIN' is not allowed"
}

@test "curl -N sees heartbeat comments on a quiet stream (--heartbeat 200ms)" {
  start_serve --heartbeat 200ms
  local started=${EPOCHREALTIME/./}
  curl -sN -D headers.txt "$SSE_URL/" > curl.out 2> curl.err 3>&- 7>&- 8>&- &
  local curl_pid=$!
  BACKGROUND+=("$curl_pid")
  wait_for 5 heartbeats_at_least 3
  local elapsed_ms=$(((${EPOCHREALTIME/./} - started) / 1000))
  # Three heartbeats are due 200, 400 and 600ms after the connection, not sooner.
  ((elapsed_ms >= 500)) || fail "3 heartbeats within ${elapsed_ms}ms with --heartbeat 200ms"
  assert_regex "$(cat headers.txt)" $'[Cc]ontent-[Tt]ype: text/event-stream\r'
  # Until now the stream held nothing else; an event still gets through after them.
  run --separate-stderr grep -v -e '^: heartbeat$' -e '^$' curl.out
  assert_output ''
  feed 1 1
  wait_for 5 grep -q '^data: event 1$' curl.out
  exited "$curl_pid" && fail "curl ended: $(cat curl.err)"
  return 0
}

@test "1000 concurrent clients each get every event, in order" {
  raise_fd_limit 4096
  start_serve
  start_client fanout fanout.mjs "$SSE_URL/" 1000 50 --timeout 15000
  local fanout=$CLIENT_PID
  # Every client has its response head: the server has them all before the first event.
  wait_for 15 grep -q '"connected":1000' fanout.out
  feed 1 50
  client_succeeds 15 "$fanout" fanout
  run --separate-stderr jq -c 'select(.clients) | [.complete, .fewest, .most, .failed]' fanout.out
  assert_output '[1000,50,50,0]'
  assert_equal "$(grep -c ': connected, 0 events from history' serve.err)" 1000
}

@test "a client that stops reading is cut at --client-buffer while another gets every event" {
  start_serve --client-buffer 64KiB
  start_client stalled stalled.mjs "$SSE_URL/"
  local stalled=$CLIENT_PID
  start_client normal fanout.mjs "$SSE_URL/" 1 10000
  local normal=$CLIENT_PID
  wait_for 10 grep -q '"stalled"' stalled.out
  wait_for 10 grep -q '"connected":1' normal.out
  local port
  port=$(jq -r 'select(.stalled) | .stalled' stalled.out)
  # About 10 MB: more than the kernel's socket buffers hold for the stalled client (about
  # 4 MB on loopback), so the server's own queue for it must grow past 64KiB.
  feed 1 10000 1000
  client_succeeds 15 "$normal" normal
  wait_for 5 grep -q "127.0.0.1:$port: cut: more than --client-buffer queued" serve.err
  assert_equal "$(grep -c 'cut: ' serve.err)" 1
  # Reading again, the stalled client finds its connection closed by the server, short of
  # the whole stream.
  kill -USR2 "$stalled"
  client_succeeds 10 "$stalled" stalled
  local bytes
  bytes=$(jq -r 'select(.closed) | .bytes' stalled.out)
  ((bytes < 10000 * 1000)) || fail "the stalled client got $bytes bytes: the whole stream"
}

@test "an event larger than --client-buffer reaches a client that keeps up (no cut and reconnect loop)" {
  # The budget is for what is queued behind a slow reader: a single event bigger than it, sent
  # to a client with nothing queued, is written at once and leaves nothing queued. (Known to
  # fail: serve counts the event as queued before writing it, cuts every client, and an
  # EventSource that resumes gets the same event again and is cut again, forever.)
  start_serve --client-buffer 64KiB --retry 50ms
  start_client es eventsource.mjs "$SSE_URL/" 3 --timeout 3000
  local es=$CLIENT_PID
  wait_for 10 grep -q '"open":1' es.out
  feed 1 1
  feed 2 2 200000
  feed 3 3
  client_succeeds 10 "$es" es
  assert_equal "$(received id es.out)" "1 2 3"
  assert_equal "$(jq -r 'select(.id == "2") | .data | length' es.out)" $((8 + 200000))
  run --separate-stderr grep 'cut: ' serve.err
  assert_output ''
}
