#!/usr/bin/env bats
# sse parse: formats, streaming, limits and errors.

load helper

setup() {
  common_setup
  printf 'id: 1\nevent: tick\ndata: {"n": 1}\n\n: comment\ndata: two\ndata: lines\n\nretry: 250\ndata: [DONE]\n\n' > stream.sse
}

@test "json is the default when stdout is not a terminal" {
  run --separate-stderr "$SSE" parse stream.sse
  assert_success
  assert_equal "${lines[0]}" '{"event":"tick","data":"{\"n\": 1}","id":"1"}'
  assert_equal "${lines[1]}" '{"event":"message","data":"two\nlines","id":"1"}'
  assert_equal "${lines[2]}" '{"event":"message","data":"[DONE]","id":"1","retry":250}'
  assert_equal "${#lines[@]}" 3
  assert_equal "$stderr" ""
}

@test "stdin is read when no file or '-' is given" {
  run "$SSE" parse < stream.sse
  assert_success
  assert_equal "${#lines[@]}" 3
  run "$SSE" parse - < stream.sse
  assert_equal "${#lines[@]}" 3
}

@test "--json-data embeds JSON data and leaves other data as strings" {
  run "$SSE" parse --json-data stream.sse
  assert_success
  assert_equal "${lines[0]}" '{"event":"tick","data":{"n":1},"id":"1"}'
  assert_equal "${lines[2]}" '{"event":"message","data":"[DONE]","id":"1","retry":250}'
}

@test "-f data prints only the data of each event" {
  run "$SSE" parse -f data stream.sse
  assert_success
  assert_output $'{"n": 1}\ntwo\nlines\n[DONE]'
}

@test "-f sse prints canonical event-stream text" {
  run "$SSE" parse --format sse stream.sse
  assert_success
  assert_output $'event: tick\nid: 1\ndata: {"n": 1}\n\ndata: two\ndata: lines\n\nretry: 250\ndata: [DONE]'
}

@test "-f raw passes the bytes through exactly, including comments and a partial tail" {
  printf '\xef\xbb\xbfdata: a\r\n\r\n: c\rdata: b\r\rdata: unterminated' > odd.sse
  "$SSE" parse -f raw odd.sse > out.raw
  cmp odd.sse out.raw
}

@test "-f pretty shows type, id and data; colour only when asked" {
  run "$SSE" parse -f pretty stream.sse
  assert_success
  assert_line --index 0 'tick  id 1'
  assert_line --index 1 '  {"n": 1}'
  refute_output --partial $'\e['
  run "$SSE" --color always parse -f pretty stream.sse
  assert_output --partial $'\e['
  NO_COLOR= CLICOLOR_FORCE=1 run "$SSE" parse -f pretty stream.sse
  assert_output --partial $'\e['
  CLICOLOR_FORCE=1 NO_COLOR=1 run "$SSE" parse -f pretty stream.sse
  refute_output --partial $'\e['
}

@test "-f pretty escapes terminal control characters in data" {
  printf 'data: a\x1b[31mred\n\n' | "$SSE" parse -f pretty > out.txt
  run cat out.txt
  assert_line --index 1 '  a\x1b[31mred'
}

@test "-f pretty escapes C1 controls and bidirectional overrides" {
  # U+009B is CSI (ESC [ in one character); U+202E reverses the text that follows it.
  printf 'event: a\xe2\x80\xaeb\ndata: x\xc2\x9b31my\xe2\x80\xaez\xe2\x81\xa6\n\n' | "$SSE" parse -f pretty > out.txt
  run cat out.txt
  assert_line --index 0 'a\u202eb'
  assert_line --index 1 '  x\u009b31my\u202ez\u2066'
}

@test "--count prints the number of events across all files" {
  run "$SSE" parse --count stream.sse stream.sse
  assert_success
  assert_output "6"
}

@test "each file is its own stream: the last event ID does not carry over" {
  printf 'data: no id\n\n' > second.sse
  run "$SSE" parse stream.sse second.sse
  assert_line --index 3 '{"event":"message","data":"no id"}'
}

@test "an event reaches stdout before stdin closes" {
  mkfifo in
  "$SSE" parse < in > out.ndjson &
  local pid=$!
  exec 8> in
  printf 'data: first\n\n' >&8
  wait_for 5 grep -q '"first"' out.ndjson
  printf 'data: second\n\n' >&8
  wait_for 5 grep -q '"second"' out.ndjson
  exec 8>&-
  wait "$pid"
  run cat out.ndjson
  assert_equal "${#lines[@]}" 2
}

@test "an event larger than --max-event-size is exit 3 with a message naming it" {
  { printf 'data: small\n\n'; head -c 3000 /dev/zero | tr '\0' 'x' | sed 's/^/data: /'; printf '\n\n'; } > big.sse
  run --separate-stderr "$SSE" parse --max-event-size 1KiB big.sse
  assert_failure 3
  assert_output '{"event":"message","data":"small"}'
  assert_equal "$stderr" "sse: error: a line of event 2 exceeds the maximum event size of 1KiB (--max-event-size) (big.sse, line at byte 13)"
}

@test "a data buffer built from many short lines hits the limit too" {
  for i in $(seq 1 200); do printf 'data: 0123456789\n'; done > many.sse
  run --separate-stderr "$SSE" parse --max-event-size 1KiB many.sse
  assert_failure 3
  assert_equal "$stderr" "sse: error: event 1 exceeds the maximum event size of 1KiB (--max-event-size) (many.sse, line at byte 1581)"
}

@test "an endless line without a line break ends with exit 3, not unbounded memory" {
  run --separate-stderr bash -c "head -c 50000000 /dev/zero | '$SSE' parse --max-event-size 64KiB"
  assert_failure 3
  assert_equal "$stderr" "sse: error: a line of event 1 exceeds the maximum event size of 64KiB (--max-event-size) (stdin, line at byte 0)"
}

@test "a missing file is exit 1 naming the file" {
  run --separate-stderr "$SSE" parse nosuch.sse
  assert_failure 1
  assert_equal "$stderr" "sse: error: cannot open input: No such file or directory (nosuch.sse)"
}

@test "a closed stdout ends quietly with exit 0" {
  for i in $(seq 1 20000); do printf 'data: %d\n\n' "$i"; done > long.sse
  run --separate-stderr bash -c "'$SSE' parse long.sse | head -1; exit \${PIPESTATUS[0]}"
  assert_success
  assert_output '{"event":"message","data":"1"}'
  assert_equal "$stderr" ""
}

@test "-v reports what was read on stderr only" {
  run --separate-stderr "$SSE" -v parse stream.sse
  assert_success
  assert_equal "${#lines[@]}" 3
  assert_equal "$stderr" "sse: stream.sse: 3 events in $(wc -c < stream.sse) bytes"
}

@test "--count agrees with the events printed for every golden input" {
  for input in "$DATA"/sse/*.sse; do
    run "$SSE" parse --count "$input"
    assert_success
    assert_output "$(wc -l < "${input%.sse}.json")"
  done
}

@test "--count enforces --max-event-size like the other formats" {
  printf 'data: %s\n\n' "$(head -c 2000 /dev/zero | tr '\0' 'x')" > big.sse
  run --separate-stderr "$SSE" parse --count --max-event-size 1KiB big.sse
  assert_failure 3
  assert_output ""
  assert_equal "$stderr" "sse: error: a line of event 1 exceeds the maximum event size of 1KiB (--max-event-size) (big.sse, line at byte 0)"
}

@test "a closed stdout ends sse parse while its input is quiet" {
  mkfifo in
  exec 8<> in
  printf 'data: 1\n\ndata: 2\n\n' >&8
  run --separate-stderr timeout 10 bash -c "'$SSE' parse < in | head -1; exit \${PIPESTATUS[0]}"
  exec 8>&-
  assert_success
  assert_output '{"event":"message","data":"1"}'
}
