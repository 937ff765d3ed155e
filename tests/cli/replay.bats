#!/usr/bin/env bats
# sse tail --record, sse replay and sse serve --replay: the recording format, timing, ranges,
# loops, states, bad recordings, and serving a recording. Real EventSource clients against
# serve --replay, and record-then-replay timing, are in replay_clients.bats.

load helper

setup() {
  common_setup
  SERVE_PID=
  printf '%s\n' '{"event":"message","data":"one","id":"1","t":1000}' \
    '{"event":"update","data":"two","id":"2","t":1100}' '{"reconnect":true,"t":1150}' \
    '{"comment":"kept out of the output","t":1150}' \
    '{"event":"message","data":"three","id":"3","t":1300}' > rec.ndjson
}

teardown() {
  exec 8>&-
  stop_serve
}

# Milliseconds since some fixed moment, for bounds on elapsed time.
now_ms() {
  date +%s%3N
}

@test "replay prints the events in order, in every format; markers and comments are not events" {
  run --separate-stderr "$SSE" replay --no-wait rec.ndjson
  assert_success
  assert_output "$(printf '%s\n' '{"event":"message","data":"one","id":"1"}' \
    '{"event":"update","data":"two","id":"2"}' '{"event":"message","data":"three","id":"3"}')"
  run --separate-stderr "$SSE" replay --no-wait -f data rec.ndjson
  assert_output "$(printf 'one\ntwo\nthree')"
  run --separate-stderr "$SSE" replay --no-wait -f sse --event update rec.ndjson
  assert_output "$(printf 'event: update\nid: 2\ndata: two\n')"
  run --separate-stderr "$SSE" replay --no-wait -f pretty --color never rec.ndjson -n 1
  assert_output "$(printf 'message  id 1\n  one')"
  run --separate-stderr "$SSE" replay -v --no-wait -f data rec.ndjson
  assert_equal "$stderr" "sse: the recorder reconnected here (150ms)"
}

@test "replay keeps the recorded gaps (leading silence skipped) and --speed scales them" {
  local start end
  start=$(now_ms)
  run --separate-stderr "$SSE" replay -f data rec.ndjson
  end=$(now_ms)
  assert_success
  # The events span 300 ms; the 1000 ms before the first one are not waited for.
  ((end - start >= 290)) || fail "took $((end - start)) ms"
  ((end - start < 900)) || fail "took $((end - start)) ms"
  start=$(now_ms)
  run --separate-stderr "$SSE" replay -f data --speed 0.5 rec.ndjson
  end=$(now_ms)
  ((end - start >= 590)) || fail "at half speed took $((end - start)) ms"
}

@test "--from and --to take an id or an event number; a range that names nothing is exit 2" {
  run --separate-stderr "$SSE" replay --no-wait -f data --from 2 rec.ndjson
  assert_output "$(printf 'two\nthree')"
  run --separate-stderr "$SSE" replay --no-wait -f data --to 2 rec.ndjson
  assert_output "$(printf 'one\ntwo')"
  printf '%s\n' '{"data":"a","id":"x"}' '{"data":"b","id":"y"}' '{"data":"c","id":"z"}' > ids.ndjson
  run --separate-stderr "$SSE" replay --no-wait -f data --from y --to 3 ids.ndjson
  assert_output "$(printf 'b\nc')"
  run --separate-stderr "$SSE" replay --no-wait --from nothing ids.ndjson
  assert_equal "$status" 2
  assert_equal "$stderr" "sse: error: --from nothing: no event has this id, nor is there an event number nothing"
  run --separate-stderr "$SSE" replay --no-wait --from 3 --to x ids.ndjson
  assert_equal "$status" 2
}

@test "untimed input (event-stream text, NDJSON without t) plays --interval apart; files play in turn" {
  printf 'data: a\r\n\r\ndata: b\r\n\r\n' > plain.sse
  printf '%s\n' '{"data":"c"}' > more.ndjson
  local start end
  start=$(now_ms)
  run --separate-stderr "$SSE" replay -f data --interval 200ms plain.sse more.ndjson
  end=$(now_ms)
  assert_output "$(printf 'a\nb\nc')"
  ((end - start >= 390)) || fail "took $((end - start)) ms for two 200 ms intervals"
  run --separate-stderr bash -c "cat plain.sse | '$SSE' replay -f data"
  assert_output "$(printf 'a\nb')"
}

@test "--loop starts over until -n; --apply folds the replay into states" {
  run --separate-stderr "$SSE" replay --no-wait -f data --loop -n 7 rec.ndjson
  assert_output "$(printf 'one\ntwo\nthree\none\ntwo\nthree\none')"
  printf '%s\n' '{"event":"json_snapshot","data":"{\"n\":1}","t":0}' \
    '{"event":"json_patch","data":"[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2}]","t":10}' > state.ndjson
  run --separate-stderr "$SSE" replay state.ndjson --apply
  assert_output "$(printf '{"n":1}\n{"n":2}')"
  run --separate-stderr "$SSE" replay state.ndjson --apply --final
  assert_output '{"n":2}'
}

@test "bad recordings name the line: not JSON, t backwards, a truncated last line; --keep-going skips" {
  printf '%s\n' '{"data":"a","t":1}' 'garbage' '{"data":"b","t":2}' > bad1.ndjson
  run --separate-stderr "$SSE" replay --no-wait bad1.ndjson
  assert_equal "$status" 3
  assert_equal "$stderr" "sse: error: not a JSON object (bad1.ndjson:2)"
  assert_output ''
  printf '%s\n' '{"data":"a","t":5}' '{"data":"b","t":2}' > bad2.ndjson
  run --separate-stderr "$SSE" replay --no-wait bad2.ndjson
  assert_equal "$status" 3
  assert_equal "$stderr" 'sse: error: "t" goes backwards, from 5 to 2 (bad2.ndjson:2)'
  printf '%s\n%s' '{"data":"a","t":1}' '{"data":"b","t":' > bad3.ndjson
  run --separate-stderr "$SSE" replay --no-wait bad3.ndjson
  assert_equal "$status" 3
  assert_equal "$stderr" "sse: error: truncated last line (not a JSON object) (bad3.ndjson:2)"
  run --separate-stderr "$SSE" replay --no-wait -f data --keep-going bad1.ndjson bad3.ndjson
  assert_success
  assert_output "$(printf 'a\nb\na')"
  assert_equal "$stderr" "$(printf '%s\n' 'sse: warning: skipped: not a JSON object (bad1.ndjson:2)' \
    'sse: warning: skipped: truncated last line (not a JSON object) (bad3.ndjson:2)')"
  printf '%s\n' '{"data":"a","t":-4}' > bad4.ndjson
  run --separate-stderr "$SSE" replay bad4.ndjson
  assert_equal "$status" 3
  assert_equal "$stderr" 'sse: error: "t" is not a whole number of milliseconds (bad4.ndjson:1)'
}

@test "replay -f raw is a usage error; a missing file is exit 1" {
  run --separate-stderr "$SSE" replay -f raw rec.ndjson
  assert_equal "$status" 2
  assert_output ''
  run --separate-stderr "$SSE" replay nothing.ndjson
  assert_equal "$status" 1
}

@test "a closed stdout ends a replay at once, even during a long gap" {
  printf '%s\n' '{"data":"a","t":0}' '{"data":"b","t":60000}' > long.ndjson
  local start end
  start=$(now_ms)
  run bash -c "'$SSE' replay -f data long.ndjson | head -n 1"
  end=$(now_ms)
  assert_output a
  ((end - start < 10000)) || fail "took $((end - start)) ms"
}

@test "tail --record writes every event with its time, filtered ones too, and the reconnects" {
  printf '%s\n' '{"data":"one"}' '{"data":"two","event":"other","delay":200}' '{"drop":true}' \
    '{"data":"[DONE]"}' > steps.ndjson
  start_serve --script steps.ndjson --retry 10ms
  run --separate-stderr "$SSE" tail "$SSE_URL/" --record got.ndjson --event message \
    --until-data '[DONE]' -f data
  assert_success
  assert_output one
  assert_equal "$(jq -c 'del(.t)' got.ndjson)" "$(printf '%s\n' \
    '{"event":"message","data":"one","id":"1"}' '{"event":"other","data":"two","id":"2"}' \
    '{"reconnect":true}' '{"event":"message","data":"[DONE]","id":"3"}')"
  jq -e -s '[.[].t] | . == sort' got.ndjson
  # It replays.
  run --separate-stderr "$SSE" replay --no-wait -f data got.ndjson
  assert_output "$(printf 'one\ntwo\n[DONE]')"
}

@test "tail --record stamps each event with the time it arrived" {
  # The second event is sent only once the first is on disk and 300 ms more have passed, so
  # the gap the recording shows is at least that, however loaded the machine is.
  start_serve --ndjson
  "$SSE" tail "$SSE_URL/" --record got.ndjson --until-data '[DONE]' > tail.out 2> tail.err 8>&- &
  local tail_pid=$!
  wait_for 10 grep -q 'connected' serve.err
  echo '{"data":"one"}' >&8
  wait_for 10 grep -q '"one"' got.ndjson
  sleep 0.3
  printf '%s\n' '{"data":"two"}' '{"data":"[DONE]"}' >&8
  wait_for 10 exited "$tail_pid"
  wait "$tail_pid" || fail "tail failed: $(cat tail.err)"
  local gap
  gap=$(jq -s '.[1].t - .[0].t' got.ndjson)
  ((gap >= 300)) || fail "the events came at least 300 ms apart, the recording says $gap ms: $(cat got.ndjson)"
}

@test "tail --record into a file that cannot be written is exit 1 naming it" {
  run --separate-stderr "$SSE" tail http://127.0.0.1:9/ --record /nonexistent/dir/rec.ndjson
  assert_equal "$status" 1
  assert_equal "$stderr" "sse: error: cannot write the recording: No such file or directory (/nonexistent/dir/rec.ndjson)"
}

@test "serve --replay plays the recording to each client, drops where the recorder reconnected" {
  start_serve --replay rec.ndjson --retry 10ms
  run --separate-stderr curl -sN --max-time 5 "$SSE_URL/"
  assert_equal "$status" 18 # the connection was dropped, as the recorder's was
  assert_output "$(printf 'retry: 10\n\nid: 1\ndata: one\n\nevent: update\nid: 2\ndata: two\n')"
  run --separate-stderr "$SSE" tail -f data "$SSE_URL/"
  assert_success
  assert_output "$(printf 'one\ntwo\nthree')"
  grep -q 'connected, Last-Event-ID 2, from step 5' serve.err
}

@test "serve --replay --shared broadcasts one timeline, resumable from the history, then ends" {
  start_serve --replay rec.ndjson --shared --linger --from-start
  wait_for 5 grep -q 'the recording ended' serve.err
  run --separate-stderr "$SSE" tail -f data "$SSE_URL/"
  assert_success
  assert_output "$(printf 'one\ntwo\nthree')"
  run --separate-stderr curl -s -o /dev/null -w '%{http_code}' -H 'Last-Event-ID: 3' "$SSE_URL/"
  assert_output 204
  run --separate-stderr "$SSE" serve --shared < /dev/null
  assert_equal "$status" 2
  assert_equal "$stderr" "sse: error: --shared goes with --replay (run 'sse serve --help')"
}

@test "serve --replay of a bad recording is exit 3 naming the line" {
  printf '%s\n' '{"data":"a","t":1}' 'nope' > bad.ndjson
  run --separate-stderr "$SSE" serve --port 0 --replay bad.ndjson
  assert_equal "$status" 3
  assert_equal "$stderr" "sse: error: not a JSON object (bad.ndjson:2)"
}
