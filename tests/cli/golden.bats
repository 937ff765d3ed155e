#!/usr/bin/env bats
# The golden event streams of tests/data/sse: `sse parse FILE` prints exactly NNN-name.json
# (hand-derived from the WHATWG rules), and so does parse | format | parse.

load helper

setup() {
  common_setup
}

# Runs CHECK (a function taking the .sse and the .json path) on every golden pair and fails
# once at the end, naming every case that did not match.
for_each_golden() {
  local check=$1 input expected failed=() count=0
  for input in "$DATA"/sse/*.sse; do
    expected=${input%.sse}.json
    [[ -f $expected ]] || {
      failed+=("$(basename "$input"): no .json")
      continue
    }
    count=$((count + 1))
    if ! "$check" "$input" "$expected"; then
      failed+=("$(basename "$input" .sse)")
    fi
  done
  ((count >= 30)) || {
    echo "only $count golden cases found in $DATA/sse" >&2
    return 1
  }
  if ((${#failed[@]} > 0)); then
    printf 'failed: %s\n' "${failed[@]}" >&2
    return 1
  fi
}

parse_matches() {
  local input=$1 expected=$2 status=0
  "$SSE" parse "$input" > actual.json 2> stderr.txt || status=$?
  if ((status != 0)) || [[ -s stderr.txt ]]; then
    echo "$(basename "$input"): exit $status, stderr: $(cat stderr.txt)" >&2
    return 1
  fi
  diff -u --label expected --label actual "$expected" actual.json >&2
}

stdin_matches() {
  local input=$1 expected=$2
  "$SSE" parse -f json < "$input" > actual.json 2> stderr.txt || {
    echo "$(basename "$input"): exit $?, stderr: $(cat stderr.txt)" >&2
    return 1
  }
  diff -u --label expected --label actual "$expected" actual.json >&2
}

round_trip_matches() {
  local input=$1 expected=$2
  # Data with a CR cannot survive format: it would come back as LF.
  if grep -qF '\r' "$expected"; then
    return 0
  fi
  set -o pipefail
  "$SSE" parse "$input" | "$SSE" format | "$SSE" parse > actual.json 2> stderr.txt || {
    echo "$(basename "$input"): pipeline failed, stderr: $(cat stderr.txt)" >&2
    return 1
  }
  diff -u --label expected --label "actual (parse | format | parse)" "$expected" actual.json >&2
}

@test "sse parse FILE prints exactly the golden NDJSON" {
  for_each_golden parse_matches
}

@test "sse parse from stdin prints exactly the golden NDJSON" {
  for_each_golden stdin_matches
}

@test "sse parse | sse format | sse parse gives the golden NDJSON back" {
  for_each_golden round_trip_matches
}
