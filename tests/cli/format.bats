#!/usr/bin/env bats
# sse format: NDJSON (or lines) to event-stream text, errors, streaming and the round trip.

load helper

setup() {
  common_setup
}

@test "writes event, id, retry and data lines as needed" {
  printf '%s\n' '{"event":"tick","data":"a\nb","id":"1","retry":500}' '{"data":"c","id":"1"}' '{"data":"d"}' > in.ndjson
  run "$SSE" format in.ndjson
  assert_success
  assert_output $'event: tick\nid: 1\nretry: 500\ndata: a\ndata: b\n\ndata: c\n\nid:\ndata: d'
}

@test "CR, LF and CRLF in data all break lines" {
  run "$SSE" format <<< '{"data":"1\r2\n3\r\n4"}'
  assert_success
  assert_output $'data: 1\ndata: 2\ndata: 3\ndata: 4'
}

@test "--lines makes each input line the data of one event" {
  printf 'one\r\ntwo\n\nlast without newline' > in.txt
  run "$SSE" format --lines in.txt
  assert_success
  assert_output $'data: one\n\ndata: two\n\ndata:\n\ndata: last without newline'
}

@test "comment objects become comment lines and non-string data is written compactly" {
  printf '%s\n' '{"comment":" keep-alive"}' '{"data":{"a":[1, 2]}}' > in.ndjson
  run "$SSE" format in.ndjson
  assert_success
  assert_output $': keep-alive\ndata: {"a":[1,2]}'
}

@test "blank lines between objects are skipped" {
  printf '\n{"data":"x"}\n   \n{"data":"y"}\n' > in.ndjson
  run "$SSE" format in.ndjson
  assert_output $'data: x\n\ndata: y'
}

@test "an id with a line break is exit 3 naming the input line" {
  printf '%s\n' '{"data":"ok"}' '{"data":"x","id":"a\nb"}' > in.ndjson
  run --separate-stderr "$SSE" format in.ndjson
  assert_failure 3
  assert_equal "$stderr" "sse: error: id contains a line break (in.ndjson:2)"
}

@test "an id with NUL and an event type with CR are exit 3" {
  run --separate-stderr "$SSE" format <<< '{"data":"x","id":"a\u0000b"}'
  assert_failure 3
  assert_equal "$stderr" "sse: error: id contains a NUL character (stdin:1)"
  run --separate-stderr "$SSE" format <<< '{"data":"x","event":"a\rb"}'
  assert_failure 3
  assert_equal "$stderr" "sse: error: event type contains a line break (stdin:1)"
}

@test "a line that is not a JSON object is exit 3 naming the line" {
  printf '{"data":"ok"}\n[1]\n' > in.ndjson
  run --separate-stderr "$SSE" format in.ndjson
  assert_failure 3
  assert_equal "$stderr" "sse: error: not a JSON object but array (in.ndjson:2)"
  printf '{"data":"ok"}\n\n{"data": oops}\n' > bad.ndjson
  run --separate-stderr "$SSE" format bad.ndjson
  assert_failure 3
  assert_equal "$stderr" 'sse: error: invalid JSON: unexpected character at byte 9 (bad.ndjson:3)'
}

@test "a bad retry is exit 3" {
  run --separate-stderr "$SSE" format <<< '{"data":"x","retry":"soon"}'
  assert_failure 3
  assert_equal "$stderr" "sse: error: \"retry\" is not a non-negative integer (stdin:1)"
}

@test "a line longer than --max-line-size is exit 3" {
  { printf '{"data":"'; head -c 5000 /dev/zero | tr '\0' 'x'; printf '"}\n'; } > long.ndjson
  run --separate-stderr "$SSE" format --max-line-size 4KiB long.ndjson
  assert_failure 3
  assert_equal "$stderr" "sse: error: line longer than the maximum of 4KiB (--max-line-size) (long.ndjson:1)"
}

@test "sse format | sse parse gives back the events that went in" {
  cat > events.ndjson <<'NDJSON'
{"event":"message","data":"plain"}
{"event":"update","data":"{\"a\":1}","id":"1"}
{"event":"message","data":"multi\nline\n\nwith blank","id":"1","retry":100}
{"event":"message","data":"","id":"1"}
{"event":"message","data":"  leading spaces","id":"next id"}
{"event":"message","data":"ends with newline\n"}
{"event":"x:y","data":":starts with colon"}
NDJSON
  # Separators that are not line breaks, written as raw UTF-8 as the parser prints them.
  printf '{"event":"message","data":"tab\\there \xe2\x80\xa8 nel \xc2\x85 nul \\u0000 end","id":"next id"}\n' >> events.ndjson
  run bash -c "'$SSE' format events.ndjson | '$SSE' parse"
  assert_success
  assert_output "$(cat events.ndjson)"
}

@test "each line reaches stdout before stdin closes" {
  mkfifo in
  "$SSE" format --lines < in > out.sse &
  local pid=$!
  exec 8> in
  printf 'first\n' >&8
  wait_for 5 grep -q '^data: first$' out.sse
  exec 8>&-
  wait "$pid"
}

@test "several files make one stream: an id does not leak from one file into the next" {
  printf '{"data":"a","id":"5"}\n' > a.ndjson
  printf '{"data":"b"}\n' > b.ndjson
  run bash -c "'$SSE' format a.ndjson b.ndjson | '$SSE' parse"
  assert_success
  assert_output $'{"event":"message","data":"a","id":"5"}\n{"event":"message","data":"b"}'
}

@test "a closed stdout ends sse format while its input is quiet" {
  mkfifo in
  exec 8<> in
  printf 'one\ntwo\n' >&8
  run --separate-stderr timeout 10 bash -c "'$SSE' format --lines < in | head -1; exit \${PIPESTATUS[0]}"
  exec 8>&-
  assert_success
  assert_output 'data: one'
}
