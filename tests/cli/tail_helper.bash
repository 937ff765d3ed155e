# What the sse tail suites (tail.bats, tail_requests.bats, tail_output.bats) share: a scripted
# server per test (scenario), the requests it saw, and a hostile server as the other one.

setup() {
  common_setup
}

teardown() {
  stop_server
  if [[ -n ${OTHER_PID:-} ]]; then
    kill "$OTHER_PID" 2> /dev/null || true
    wait "$OTHER_PID" 2> /dev/null || true
  fi
}

# Writes a scenario: one JSON connection entry per argument.
scenario() {
  local IFS=,
  printf '{"connections": [%s]}\n' "$*" > scenario.json
  start_server scenario.json
}

requests() {
  wc -l < requests.ndjson
}

# Milliseconds between the arrival of requests N and N+1.
gap() {
  jq -s --argjson n "$1" '.[$n].t - .[$n - 1].t' requests.ndjson
}

# Starts tests/cli/servers/hostile.mjs with ARGS as the other server; sets OTHER_URL.
start_hostile() {
  rm -f hostile.err # a previous server's line must not be taken for this one's
  node "$REPO_ROOT/tests/cli/servers/hostile.mjs" "$@" 2> hostile.err &
  OTHER_PID=$!
  wait_for 10 grep -q '^listening on ' hostile.err
  OTHER_URL=$(sed -n 's/^listening on //p' hostile.err)
}
