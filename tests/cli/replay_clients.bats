#!/usr/bin/env bats
# Recordings end to end with real clients: the npm `eventsource` package (WHATWG EventSource for
# Node, pinned in tests/interop) against `sse serve --replay FILE`, per client and --shared; and
# a stream recorded by `sse tail --record` from `sse serve --script`, then played back by
# `sse replay` (its gaps measured as the lines arrive) and by `sse serve --replay` to another
# `sse tail`. Needs node and npm ci --prefix tests/interop (scripts/setup --tests); without
# them it skips on a developer's machine and fails under scripts/test and CI (missing_peer).
#
# Each server runs `sse serve -v --port 0` on 127.0.0.1 (start_serve: stdin a FIFO held open on
# fd 8) and is stopped in teardown. Every client ends by itself within a deadline and is
# waited for with a bound; timing is measured on the lines as they arrive, never with sleeps.
# ctest labels: interop

load helper

setup() {
  serve_clients_setup eventsource
}

teardown() {
  exec 8>&-
  stop_background
  stop_serve
}


# Serves script.ndjson (sse serve --script, retry 50ms) and records it with
# `sse tail -f data --record FILE` until the stream ends; its output is in $output.
record_script() {
  start_serve --script script.ndjson --retry 50ms
  run --separate-stderr timeout 10 "$SSE" tail -f data --record "$1" "$SSE_URL/"
  assert_success
}

# Writes the recording rec.ndjson: events 1..6 (data "one".."six"), the recorder's connection
# lost after event 3. t starts at 5000 (a leading silence, skipped) and the whole takes 300 ms.
write_recording() {
  cat > rec.ndjson << 'EOF'
{"event":"message","data":"one","id":"1","t":5000}
{"event":"message","data":"two","id":"2","t":5050}
{"event":"message","data":"three","id":"3","t":5100}
{"reconnect":true,"t":5120}
{"event":"message","data":"four","id":"4","t":5200}
{"event":"message","data":"five","id":"5","t":5250}
{"event":"message","data":"six","id":"6","t":5300}
EOF
}

# Stamps each line of stdin with the microseconds of the clock as it is read: "USEC LINE".
# (EPOCHREALTIME is read by bash itself, no process per line; the digits only, whatever the
# locale's decimal separator.)
stamp_lines() {
  local line
  while IFS= read -r line; do
    printf '%s %s\n' "${EPOCHREALTIME//[!0-9]/}" "$line"
  done
}

# Fails unless the gaps between consecutive events of the recording REC (ms, from "t") and
# between consecutive lines of the stamped file STAMPED (µs) agree within BOUND ms each.
gaps_agree() {
  local rec=$1 stamped=$2 bound=$3 report
  report=$(jq -r 'select(has("data")) | .t' "$rec" | paste -d ' ' - "$stamped" | awk -v bound="$bound" '
    NR > 1 {
      recorded = $1 - t; actual = ($2 - us) / 1000; error = actual - recorded
      printf "gap %d: recorded %d ms, replayed %.1f ms\n", NR - 1, recorded, actual
      if (error > bound || error < -bound) bad = 1
    }
    { t = $1; us = $2 }
    END { if (NR < 2) { print "fewer than two events"; bad = 1 } exit bad }') ||
    fail "the replayed gaps are not within ${bound} ms of the recorded ones:
$report
-- $rec:
$(cat "$rec")"
}

@test "eventsource package: sse serve --replay plays a recording, drops where the recorder reconnected, and resumes after the last id" {
  write_recording
  start_serve --replay rec.ndjson --retry 50ms
  start_client es eventsource.mjs "$SSE_URL/" 6
  local es=$CLIENT_PID
  client_succeeds 15 "$es" es
  assert_equal "$(received id es.out)" "1 2 3 4 5 6"
  assert_equal "$(received data es.out)" "one two three four five six"
  # The marker dropped the first connection; the client came back with Last-Event-ID 3 and the
  # recording went on at event 4 (step 5: the marker is step 4), nothing sent twice.
  local opens
  opens=$(grep -c '"open"' es.out)
  ((opens == 2)) || fail "the client opened $opens connections; expected 2 (one drop): $(cat es.out)"
  assert_equal "$(grep -c ': connected, from step 1$' serve.err)" 1
  assert_equal "$(grep -c ': connected, Last-Event-ID 3, from step 5$' serve.err)" 1
  assert_equal "$(grep -c ': connected' serve.err)" 2
}

@test "eventsource package: sse serve --replay of a recording that starts with a reconnect marker still delivers its events" {
  # sse tail --record started before its server was up writes {"reconnect":true,"t":...} for
  # each failed attempt before the first event. Served per client, a marker before any event
  # must not drop every connection: the client has no id to resume from, so it would come
  # back to step 1, the marker, forever, and never get an event. (Fails at 1c9d297: every
  # connection is "connected, from step 1" and dropped at once, about every 50 ms.)
  cat > rec.ndjson << 'EOF'
{"reconnect":true,"t":1}
{"event":"message","data":"one","id":"1","t":201}
{"event":"message","data":"two","id":"2","t":251}
{"event":"message","data":"three","id":"3","t":301}
EOF
  start_serve --replay rec.ndjson --retry 50ms
  start_client es eventsource.mjs "$SSE_URL/" 3 --timeout 4000
  local es=$CLIENT_PID
  client_succeeds 10 "$es" es
  assert_equal "$(received id es.out)" "1 2 3"
  assert_equal "$(received data es.out)" "one two three"
}

@test "eventsource package: sse serve --replay --shared broadcasts one timeline; the marker drops nobody" {
  write_recording
  # --from-start: a client that connects after some of the timeline has played gets it from
  # the history; --linger: the server outlives the recording, whenever the clients come.
  start_serve --replay rec.ndjson --shared --from-start --linger --retry 50ms
  start_client a eventsource.mjs "$SSE_URL/" 6
  local a=$CLIENT_PID
  start_client b eventsource.mjs "$SSE_URL/" 6
  local b=$CLIENT_PID
  client_succeeds 15 "$a" a
  client_succeeds 15 "$b" b
  local name
  for name in a b; do
    assert_equal "$(received id "$name.out")" "1 2 3 4 5 6"
    assert_equal "$(received data "$name.out")" "one two three four five six"
    assert_equal "$(grep -c '"open"' "$name.out")" 1
  done
  wait_for 5 grep -q 'the recording ended' serve.err
  ! grep -q 'Last-Event-ID' serve.err || fail "a client reconnected: $(cat serve.err)"
}

@test "record and replay: sse tail --record keeps the script's events and gaps; sse replay plays them with those gaps" {
  # Three events 300 ms and 600 ms apart, then the script ends: the stream ends, sse tail
  # reconnects with Last-Event-ID 3, gets 204 and exits 0.
  printf '%s\n' '{"data":"alpha","delay":0}' '{"data":"beta","delay":300}' \
    '{"data":"gamma","event":"greek","delay":600}' > script.ndjson
  record_script rec.ndjson
  assert_output "$(printf 'alpha\nbeta\ngamma')"
  # The recording: the three events as received, with t, and the end of the stream as a
  # reconnect marker.
  run --separate-stderr jq -c 'del(.t)' rec.ndjson
  assert_output "$(printf '%s\n' '{"event":"message","data":"alpha","id":"1"}' \
    '{"event":"message","data":"beta","id":"2"}' '{"event":"greek","data":"gamma","id":"3"}' \
    '{"reconnect":true}')"
  # The recorded gaps are the script's delays (within 150 ms).
  local t
  t=$(jq -r 'select(has("data")) | .t' rec.ndjson | paste -sd ' ')
  awk -v t="$t" 'BEGIN { split(t, v, " "); g1 = v[2] - v[1]; g2 = v[3] - v[2]
    exit !(g1 >= 290 && g1 <= 450 && g2 >= 590 && g2 <= 750) }' ||
    fail "recorded t values $t: the gaps are not about 300 and 600 ms"
  # Played back: the same events in order, each gap within 150 ms of the recorded one.
  "$SSE" replay rec.ndjson -f data 2> replay.err | stamp_lines > replayed
  run cut -d ' ' -f 2- replayed
  assert_output "$(printf 'alpha\nbeta\ngamma')"
  gaps_agree rec.ndjson replayed 150
  # --no-wait: all at once (well under the 900 ms the recording takes).
  "$SSE" replay rec.ndjson -f data --no-wait | stamp_lines > fast
  run awk 'NR == 1 { first = $1 } { last = $1 } END { exit !((last - first) / 1000 < 200) }' fast
  assert_success
}

@test "record and replay: a recording by sse tail, served with sse serve --replay, gives another sse tail the same events and gaps" {
  printf '%s\n' '{"data":"alpha","delay":0}' '{"data":"beta","delay":300}' \
    '{"data":"gamma","delay":600}' > script.ndjson
  record_script first.ndjson
  stop_serve
  exec 8>&-
  # The recording ends with the marker of the end of the stream: served, it drops the
  # connection after the last event; sse tail resumes with Last-Event-ID 3, gets 204, exit 0.
  start_serve --replay first.ndjson --retry 50ms
  run --separate-stderr timeout 10 "$SSE" tail -f data --record second.ndjson "$SSE_URL/"
  assert_success
  assert_output "$(printf 'alpha\nbeta\ngamma')"
  assert_equal "$(jq -c 'del(.t)' second.ndjson)" "$(jq -c 'del(.t)' first.ndjson)"
  # Two requests, one stream: the second (Last-Event-ID 3, nothing after it) was the 204.
  assert_equal "$(grep -c ': GET /$' serve.err)" 2
  assert_equal "$(grep -c ': connected' serve.err)" 1
  assert_regex "$stderr" 'connection lost'
  # The second recording's gaps are the first's (within 150 ms).
  jq -r 'select(has("data")) | .t * 1000' second.ndjson > second.us
  gaps_agree first.ndjson second.us 150
}
