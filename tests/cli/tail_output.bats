#!/usr/bin/env bats
# What sse tail prints and when it stops, against a scripted local server
# (tests/cli/servers/scripted.mjs): --cursor-file and --last-event-id, stop conditions,
# --extract, error events, comments, a closed stdout, --apply.

load helper
load tail_helper

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

@test "a closed stdout ends quietly with exit 0, even while the stream is quiet" {
  scenario '{"steps": [{"send": "data: 1\n\ndata: 2\n\n"}, {"stall": true}]}'
  run --separate-stderr timeout 10 bash -c "'$SSE' tail '$SERVER_URL' | head -1; exit \${PIPESTATUS[0]}"
  assert_success
  assert_output '{"event":"message","data":"1"}'
  assert_equal "$stderr" ""
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

@test "a closed stdout also ends the wait before a reconnect" {
  scenario '{"steps": [{"send": "retry: 20000\ndata: 1\n\ndata: 2\n\n"}]}'
  run --separate-stderr timeout 10 bash -c "'$SSE' tail '$SERVER_URL' | head -1; exit \${PIPESTATUS[0]}"
  assert_success
  assert_output '{"event":"message","data":"1","retry":20000}'
}
