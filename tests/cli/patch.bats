#!/usr/bin/env bats
# sse patch: golden state streams, the RFC 7396 examples, atomic failures, output options,
# streaming and limits. The outside references are in patch_interop.bats, the live view in
# patch_view.bats.

load helper

setup() {
  common_setup
  STATE="$DATA/state"
}

# Runs the golden case $1 (tests/data/state/$1.ndjson, with the options in $1.args) and
# compares stdout with $1.out and stderr with $1.err (exit 3 when there is one, else 0).
check_golden() {
  local base="$STATE/$1" args=() expected_status=0
  [[ -f $base.args ]] && read -ra args <"$base.args"
  [[ -f $base.err ]] && expected_status=3
  cp "$base.ndjson" .
  run --separate-stderr "$SSE" patch "${args[@]}" "$1.ndjson"
  assert_equal "$status" "$expected_status"
  assert_output "$(cat "$base.out")"
  if [[ -f $base.err ]]; then
    assert_equal "$stderr" "$(cat "$base.err")"
  else
    assert_equal "$stderr" ""
  fi
}

@test "golden state streams: keyed, custom, envelopes, Durable State, error events" {
  local cases=() name
  for name in "$STATE"/0*.ndjson; do cases+=("$(basename "${name%.ndjson}")"); done
  ((${#cases[@]} >= 10))
  for name in "${cases[@]}"; do
    echo "# $name"
    check_golden "$name"
  done
}

@test "the golden streams give the same states as event-stream text (--sse)" {
  local name base args
  for name in "$STATE"/0*.ndjson; do
    base=${name%.ndjson}
    args=()
    [[ -f $base.args ]] && read -ra args <"$base.args"
    "$SSE" format "$name" >stream.sse
    run --separate-stderr "$SSE" patch --sse "${args[@]}" stream.sse
    assert_output "$(cat "$base.out")"
  done
}

@test "a failed event is exit 3 naming the event, the operation index and the pointer" {
  printf '%s\n' '{"event":"snapshot","data":{"a":{"b":[1,2]}}}' \
    '{"event":"patch","data":[{"op":"add","path":"/a/c","value":1},{"op":"replace","path":"/a/b/5","value":0}]}' \
    >events.ndjson
  run --separate-stderr "$SSE" patch events.ndjson
  assert_failure 3
  assert_output '{"a":{"b":[1,2]}}'
  assert_equal "$stderr" 'sse: error: patch operation 1 (replace /a/b/5) failed: there is no value at /a/b/5 (index 5 is out of range: /a/b has 2 items) (events.ndjson:2, event 2)'
}

@test "a failed patch leaves the state exactly as it was, and --keep-going goes on" {
  # Every operation but the last succeeds; none of them may show.
  printf '%s\n' '{"event":"snapshot","data":{"list":[1,2,3],"m":{"k":"v"}}}' \
    '{"event":"patch","data":[{"op":"remove","path":"/list/0"},{"op":"move","from":"/m","path":"/list/0"},{"op":"add","path":"/new","value":1},{"op":"copy","from":"/list","path":"/copy"},{"op":"replace","path":"","value":7},{"op":"test","path":"/nope","value":1}]}' \
    '{"event":"patch","data":[{"op":"add","path":"/ok","value":true}]}' >events.ndjson
  run --separate-stderr "$SSE" patch --keep-going events.ndjson
  assert_success
  assert_line --index 0 '{"list":[1,2,3],"m":{"k":"v"}}'
  assert_line --index 1 '{"list":[1,2,3],"m":{"k":"v"},"ok":true}'
  assert_equal "${#lines[@]}" 2
  assert_equal "$stderr" 'sse: warning: patch operation 5 (test /nope) failed: there is no value at /nope (the document is a number) (events.ndjson:2, event 2); event skipped'
}

@test "object members keep the order they arrived in; an added one goes last" {
  printf '%s\n' '{"event":"snapshot","data":{"zeta":1,"alpha":{"y":1,"b":2},"mid":3}}' \
    '{"event":"patch","data":[{"op":"add","path":"/new","value":{"q":1,"a":2}}]}' \
    '{"event":"patch","data":[{"op":"replace","path":"/zeta","value":0},{"op":"add","path":"/alpha/c","value":3}]}' \
    '{"event":"patch","data":[{"op":"remove","path":"/zeta"},{"op":"add","path":"/zeta","value":9}]}' \
    '{"event":"patch","data":[{"op":"test","path":"/alpha","value":{"c":3,"b":2,"y":1}}]}' \
    '{"event":"merge","data":{"mid":null,"alpha":{"y":5},"last":true}}' >events.ndjson
  run --separate-stderr "$SSE" patch events.ndjson
  assert_success
  assert_line --index 0 '{"zeta":1,"alpha":{"y":1,"b":2},"mid":3}'
  assert_line --index 1 '{"zeta":1,"alpha":{"y":1,"b":2},"mid":3,"new":{"q":1,"a":2}}'
  assert_line --index 2 '{"zeta":0,"alpha":{"y":1,"b":2,"c":3},"mid":3,"new":{"q":1,"a":2}}'
  assert_line --index 3 '{"alpha":{"y":1,"b":2,"c":3},"mid":3,"new":{"q":1,"a":2},"zeta":9}'
  assert_line --index 4 '{"alpha":{"y":1,"b":2,"c":3},"mid":3,"new":{"q":1,"a":2},"zeta":9}'
  assert_line --index 5 '{"alpha":{"y":5,"b":2,"c":3},"new":{"q":1,"a":2},"zeta":9,"last":true}'
  assert_equal "$stderr" ""
  # The same order as sse parse --json-data shows the snapshot in.
  run "$SSE" patch --final --pointer /alpha events.ndjson
  assert_output '{"y":5,"b":2,"c":3}'
}

@test "malformed patches and operations are bad input with a precise message" {
  check() {
    printf '{"event":"patch","data":%s}\n' "$1" >bad.ndjson
    run --separate-stderr "$SSE" patch bad.ndjson
    assert_failure 3
    assert_equal "$stderr" "sse: error: $2 (bad.ndjson:1, event 1)"
  }
  check '{"op":"add"}' 'a JSON patch must be an array of operations, not an object'
  check '[1]' 'patch operation 0 is invalid: it is a number, not an object'
  check '[{"path":"/a"}]' 'patch operation 0 is invalid: it has no "op"'
  check '[{"op":"frob","path":"/a"}]' 'patch operation 0 is invalid: unknown op "frob"'
  check '[{"op":"add","path":"a","value":1}]' 'patch operation 0 (add) is invalid: its "path" "a" is not a JSON pointer: a JSON pointer must be empty or start with '"'"'/'"'"''
  check '[{"op":"add","path":"/a"}]' 'patch operation 0 (add /a) is invalid: it has no "value"'
  check '[{"op":"move","path":"/a"}]' 'patch operation 0 (move /a) is invalid: it has no "from"'
  check '[{"op":"add","path":"/a/~2","value":1}]' 'patch operation 0 (add) is invalid: its "path" "/a/~2" is not a JSON pointer: '"'"'~'"'"' must be followed by '"'"'0'"'"' or '"'"'1'"'"' in a JSON pointer'
  check '"[not json"' 'the data of a "patch" event is not JSON: invalid JSON: unexpected character at byte 1'
}

@test "the RFC 7396 appendix examples give the results the RFC lists" {
  # (not "i": bats-assert uses it without declaring it local)
  local count example patch result
  count=$(jq length "$STATE/rfc7396-appendix-a.json")
  ((count == 15))
  for ((example = 0; example < count; example++)); do
    jq -c ".[$example].original" "$STATE/rfc7396-appendix-a.json" >original.json
    patch=$(jq -c ".[$example].patch" "$STATE/rfc7396-appendix-a.json")
    result=$(jq -c ".[$example].result" "$STATE/rfc7396-appendix-a.json")
    jq -nc --arg patch "$patch" '{event: "merge", data: $patch}' >merge.ndjson
    run --separate-stderr "$SSE" patch --apply=custom --initial original.json merge.ndjson
    assert_success
    # Compared as values: jq -S sorts the members of both.
    assert_equal "$(jq -cS . <<<"$output")" "$(jq -cS . <<<"$result")"
  done
}

@test "--final, --changes and --pointer choose what is printed" {
  printf '%s\n' '{"event":"snapshot","data":{"a":1,"b":1}}' \
    '{"event":"merge","data":{"b":2}}' '{"event":"merge","data":{"b":2}}' \
    '{"event":"merge","data":{"a":5}}' '{"event":"patch","data":[]}' >events.ndjson
  run "$SSE" patch --final events.ndjson
  assert_output '{"a":5,"b":2}'
  run "$SSE" patch --changes events.ndjson
  assert_output $'{"a":1,"b":1}\n{"a":1,"b":2}\n{"a":5,"b":2}'
  run "$SSE" patch --changes --pointer /b events.ndjson
  assert_output $'1\n2'
  run "$SSE" patch --pointer /nope events.ndjson
  assert_output $'null\nnull\nnull\nnull\nnull'
}

@test "--initial starts from a state; one that does not suit the mode is bad input" {
  echo '[{"id":"x","n":1}]' >items.json
  echo '{"event":"add","data":{"id":"x","n":2}}' >add.ndjson
  run "$SSE" patch --key id --initial items.json add.ndjson
  assert_success
  assert_output '[{"id":"x","n":2}]'
  echo '[{"id":"x"},{"id":"x"}]' >dup.json
  run --separate-stderr "$SSE" patch --key id --initial dup.json add.ndjson
  assert_failure 3
  assert_equal "$stderr" 'sse: error: the initial state: item 1 repeats the key of an earlier item (dup.json (--initial))'
  echo '{"a":' >broken.json
  run --separate-stderr "$SSE" patch --initial broken.json add.ndjson
  assert_failure 3
  assert_equal "$stderr" 'sse: error: the initial state is not JSON: invalid JSON: unexpected end of input at byte 6 (broken.json (--initial))'
  run --separate-stderr "$SSE" patch --initial nosuch.json add.ndjson
  assert_failure 1
}

@test "keyed collections check keys before changing anything" {
  echo '[{"id":1},{"id":2}]' >items.json
  check() {
    printf '%s\n' "$1" >e.ndjson
    run --separate-stderr "$SSE" patch --key id --initial items.json --keep-going --final e.ndjson
    assert_success
    assert_output '[{"id":1},{"id":2}]'
    assert_equal "$stderr" "sse: warning: $2 (e.ndjson:1, event 1); event skipped"
  }
  check '{"event":"add","data":[{"id":3},{"name":"no key"}]}' '"add" failed: item 1 has no key at /id'
  check '{"event":"add","data":{"id":true}}' '"add" failed: the key at /id of item 0 is a boolean, not a string or an integer'
  check '{"event":"remove","data":[1,7]}' '"remove" failed: there is no item with the key 7'
  check '{"event":"replace","data":{"id":1}}' '"replace" needs an array of items, not an object'
  check '{"event":"replace","data":[{"id":1},{"id":1.5}]}' '"replace" failed: the key at /id of item 1 is a fractional number, not a string or an integer'
}

@test "Durable State batches apply atomically and messages are checked" {
  printf '%s\n' '{"event":"data","data":[{"type":"t","key":"1","value":1,"headers":{"operation":"insert"}},{"type":"t","key":"2","headers":{"operation":"insert"}}]}' >bad.ndjson
  run --separate-stderr "$SSE" patch --apply=durable --keep-going --final bad.ndjson
  assert_success
  assert_output '{}'
  assert_equal "$stderr" 'sse: warning: message 1 of the batch: insert without "value" (bad.ndjson:1, event 1); event skipped'
  printf '%s\n' '{"data":{"headers":{"control":"rewind"}}}' >bad.ndjson
  run --separate-stderr "$SSE" patch bad.ndjson
  assert_failure 3
  assert_equal "$stderr" 'sse: error: Durable State message: unknown headers.control "rewind" (expected snapshot-start, snapshot-end or reset) (bad.ndjson:1, event 1)'
}

@test "input that is not an event stream is bad input, never a crash" {
  printf '{"event":"snapshot","data":1}\nnot json\n' >bad.ndjson
  run --separate-stderr "$SSE" patch bad.ndjson
  assert_failure 3
  assert_output '1'
  assert_equal "$stderr" 'sse: error: invalid JSON: unexpected character at byte 0 (bad.ndjson:2)'
  printf '[1]\n' >bad.ndjson
  run --separate-stderr "$SSE" patch bad.ndjson
  assert_failure 3
  assert_equal "$stderr" 'sse: error: not a JSON object but array (bad.ndjson:1)'
  # Nesting deeper than the limit is refused, not a stack overflow.
  python3 -c 'print("{\"event\":\"snapshot\",\"data\":\"" + "[" * 200000 + "\"}")' >deep.ndjson
  run --separate-stderr "$SSE" patch deep.ndjson
  assert_failure 3
  assert_equal "$stderr" 'sse: error: the data of a "snapshot" event is not JSON: invalid JSON: nested more than 1000 levels deep at byte 1000 (deep.ndjson:1, event 1)'
  # Invalid UTF-8 in a line is refused, as JSON requires.
  printf '{"event":"snapshot","data":"\\"a\xff\\""}\n' >utf8.ndjson
  run --separate-stderr "$SSE" patch utf8.ndjson
  assert_failure 3
  assert_equal "$stderr" 'sse: error: invalid JSON: invalid UTF-8 in a string at byte 31 (utf8.ndjson:1)'
  # Numbers too large for a double are refused; tiny ones round to zero.
  printf '%s\n' '{"event":"snapshot","data":"[1e400]"}' >big.ndjson
  run --separate-stderr "$SSE" patch big.ndjson
  assert_failure 3
  printf '%s\n' '{"event":"snapshot","data":"[1e-400, -0, 18446744073709551615, -9223372036854775808, 18446744073709551616]"}' >numbers.ndjson
  run "$SSE" patch numbers.ndjson
  assert_success
  assert_output '[0.0,0,18446744073709551615,-9223372036854775808,1.8446744073709552e+19]'
}

@test "unknown modes, bad pointers and conflicting options are usage errors" {
  run "$SSE" patch --apply=sideways
  assert_failure 2
  run "$SSE" patch --final --changes
  assert_failure 2
  run "$SSE" patch --pointer nope
  assert_failure 2
  run "$SSE" patch --apply=custom --key id
  assert_failure 2
  run "$SSE" patch --key '/a~'
  assert_failure 2
}

@test "a plain --apply detects the mode and does not take the next argument" {
  echo '{"event":"snapshot","data":{"x":1}}' >s.ndjson
  run "$SSE" patch --apply s.ndjson
  assert_success
  assert_output '{"x":1}'
  run --separate-stderr "$SSE" patch --apply=keyed s.ndjson
  assert_failure 3
  assert_equal "$stderr" 'sse: error: a "snapshot" event belongs to custom state, but this state is keyed (--apply) (s.ndjson:1, event 1)'
}

@test "a state reaches stdout before stdin closes" {
  mkfifo in
  "$SSE" patch <in >out.ndjson &
  local pid=$!
  exec 8>in
  echo '{"event":"snapshot","data":{"n":1}}' >&8
  wait_for 5 grep -q '{"n":1}' out.ndjson
  echo '{"event":"patch","data":[{"op":"replace","path":"/n","value":2}]}' >&8
  wait_for 5 grep -q '{"n":2}' out.ndjson
  exec 8>&-
  wait "$pid"
  run cat out.ndjson
  assert_equal "${#lines[@]}" 2
}

@test "with --sse, a state reaches stdout as soon as the event's blank line arrives" {
  mkfifo in
  "$SSE" patch --sse <in >out.ndjson &
  local pid=$!
  exec 8>in
  printf 'event: snapshot\ndata: [1]\n\n' >&8
  wait_for 5 grep -q '\[1\]' out.ndjson
  exec 8>&-
  wait "$pid"
}

@test "--view on a pipe stays NDJSON" {
  echo '{"event":"snapshot","data":{"n":1}}' >s.ndjson
  run --separate-stderr "$SSE" patch --view s.ndjson
  assert_success
  assert_output '{"n":1}'
}

@test "a line longer than --max-event-size is exit 3" {
  printf '{"event":"snapshot","data":"%s"}\n' "$(head -c 3000 /dev/zero | tr '\0' 1)" >big.ndjson
  run --separate-stderr "$SSE" patch --max-event-size 1KiB big.ndjson
  assert_failure 3
  assert_equal "$stderr" 'sse: error: line longer than the maximum event size of 1KiB (--max-event-size) (big.ndjson:1)'
}

@test "several inputs are one stream, and -v reports the count and the mode" {
  echo '{"event":"snapshot","data":{"n":1}}' >a.ndjson
  echo '{"event":"merge","data":{"m":2}}' >b.ndjson
  printf '\n{"comment":"skipped"}\n{"event":"ping","data":"x"}\n' >c.ndjson
  run --separate-stderr "$SSE" -v patch a.ndjson b.ndjson c.ndjson
  assert_success
  assert_output $'{"n":1}\n{"n":1,"m":2}'
  assert_equal "$stderr" 'sse: 3 events, 0 skipped, state mode custom'
}

@test "a message quoting the stream shows its controls escaped, as -f pretty does" {
  printf '{"event":"error","data":"bad\\u202e\\u009b\\nnext"}\n' > error.ndjson
  run --separate-stderr "$SSE" patch error.ndjson
  assert_failure 3
  assert_equal "$stderr" 'sse: error: the stream sent an error: bad\u202e\u009b\x0anext (error.ndjson:1, event 1)'
}
