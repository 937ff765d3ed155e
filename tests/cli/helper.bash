# Shared setup for the CLI tests: the binary under test, isolation, and the bats libraries.
# SSE must point at the binary (ctest sets it); each test runs in its own temp dir.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

: "${SSE:?set SSE to the sse binary under test}"
REPO_ROOT="$(cd "$(dirname "${BATS_TEST_FILENAME}")/../.." && pwd)"
DATA="$REPO_ROOT/tests/data"

common_setup() {
  export NO_COLOR=1
  unset CLICOLOR_FORCE
  cd "$BATS_TEST_TMPDIR" || return 1
}

# A test's outside peer (a program, an npm package from tests/interop) that is missing: the
# test is skipped, saying why, on a developer's machine, and fails where every peer must be
# there (scripts/test, which installs them, sets SSE_REQUIRE_PEERS; so does CI): a missing
# peer there is a broken setup, never a pass.
missing_peer() {
  if [[ -n ${SSE_REQUIRE_PEERS:-} || -n ${CI:-} ]]; then
    fail "$1"
  fi
  skip "$1"
}

# Needs PROGRAM on PATH, for WHAT (words for the message).
needs_program() {
  command -v "$1" > /dev/null ||
    missing_peer "$1 is not installed: ${2:-this test needs it} (scripts/setup --tests installs it)"
}

# Whether PROGRAM is on PATH, for a test that checks it when it is there and other things
# anyway; where every peer must be there, its absence fails the test.
has_program() {
  command -v "$1" > /dev/null && return 0
  if [[ -n ${SSE_REQUIRE_PEERS:-} || -n ${CI:-} ]]; then
    # exit, not fail: a failure inside an if's condition would only make it false.
    echo "$1 is not installed (scripts/setup --tests installs it)" >&2
    exit 1
  fi
  return 1
}

# Needs node and each npm PACKAGE pinned in tests/interop/package-lock.json.
needs_npm() {
  needs_program node "the interop tests need Node.js"
  local package
  for package in "$@"; do
    [[ -f "$REPO_ROOT/tests/interop/node_modules/$package/package.json" ]] ||
      missing_peer "$package is not installed; install it with:  npm ci --prefix tests/interop"
  done
}

# Waits until COMMAND succeeds, polling every 20 ms, for at most SECONDS (default 5).
wait_for() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      echo "timed out after ${seconds}s waiting for: $*" >&2
      return 1
    fi
    sleep 0.02
  done
}

# Whether process PID has ended (gone, or a zombie waiting to be reaped).
exited() {
  # Z: a zombie not yet reaped; X: being reaped this instant; no file: gone.
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2> /dev/null) || return 0
  [[ -z $state || $state == Z || $state == X ]]
}

# Waits (at most 10 s) for the server whose pid is in the variable NAME (SERVE_PID,
# DURABLE_PID) to exit, reaps it, empties NAME, and fails unless it exited with STATUS.
server_exits_with() {
  local name=$1 expected=$2 pid=${!1} status=0
  wait_for 10 exited "$pid"
  # Not `run wait`: it waits in a subshell, which may find the server already reaped (255).
  wait "$pid" || status=$?
  printf -v "$name" '%s' ''
  assert_equal "$status" "$expected"
}

# Starts the scripted test server (tests/cli/servers/scripted.mjs) on a free port of
# 127.0.0.1 with the scenario in FILE; sets SERVER_URL, and logs requests to requests.ndjson.
# The server is stopped by stop_server, which teardown must call.
start_server() {
  local scenario=$1
  : > requests.ndjson
  # A previous server's line must not be taken for this one's.
  rm -f server.err
  node "$REPO_ROOT/tests/cli/servers/scripted.mjs" "$scenario" requests.ndjson 2> server.err &
  SERVER_PID=$!
  wait_for 10 grep -q '^listening on ' server.err
  SERVER_URL=$(sed -n 's/^listening on //p' server.err)
}

stop_server() {
  if [[ -n ${SERVER_PID:-} ]]; then
    kill "$SERVER_PID" 2> /dev/null || true
    wait "$SERVER_PID" 2> /dev/null || true
    SERVER_PID=
  fi
}

# The value of header NAME (lower case) in request N of requests.ndjson; empty when absent.
request_header() {
  jq -r --argjson n "$1" --arg name "$2" 'select(.n == $n) | .headers[$name] // ""' requests.ndjson
}

# Starts `sse serve -v --port 0 OPTION...` with its stdin on the FIFO `feed`, held open for
# writing on fd 8; sets SSE_URL (http://127.0.0.1:PORT) once it listens. serve.err is its log.
start_serve() {
  rm -f feed serve.err
  mkfifo feed
  "$SSE" serve -v --port 0 "$@" < feed 2> serve.err 3>&- 7>&- &
  SERVE_PID=$!
  exec 8> feed
  wait_for 10 grep -q '^listening on ' serve.err
  SSE_URL=$(sed -n 's/^listening on //p' serve.err)
}

# Starts curl on the stream of start_serve's server, the body it gets in `body`, and waits
# until the server has logged the connection; sets CLIENT_PID.
curl_connected() {
  curl -sN --max-time 5 "$SSE_URL/" > body 8>&- &
  CLIENT_PID=$!
  wait_for 5 grep -q 'connected' serve.err
}

# Stops the server (SIGTERM: a graceful shutdown, bounded by the server to 5 s) and fails if a
# sanitizer reported anything in its log.
stop_serve() {
  [[ -n $SERVE_PID ]] || return 0
  kill "$SERVE_PID" 2> /dev/null || true
  wait "$SERVE_PID" 2> /dev/null || true
  SERVE_PID=
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' serve.err; then
    fail "sse serve reported a sanitizer error: $(cat serve.err)"
  fi
}

# Starts `sse serve --durable --port 0 --long-poll-timeout 500ms OPTION...` (another timeout
# with LONG_POLL_TIMEOUT=DUR, another port with DURABLE_PORT=N) on 127.0.0.1 and
# sets DURABLE_URL once it prints its `listening on` line (serve.err is its log). Fails, with
# the log, if it exits or has not listened within 10 s.
start_durable() {
  rm -f serve.err
  "$SSE" serve --durable --port "${DURABLE_PORT:-0}" --long-poll-timeout "${LONG_POLL_TIMEOUT:-500ms}" "$@" < /dev/null 2> serve.err 3>&- 8>&- &
  DURABLE_PID=$!
  local deadline=$((SECONDS + 10))
  until grep -q '^listening on ' serve.err 2> /dev/null; do
    if exited "$DURABLE_PID"; then
      local status=0
      wait "$DURABLE_PID" 2> /dev/null || status=$?
      DURABLE_PID=
      fail "sse serve --durable $* exited (status $status) before listening: $(cat serve.err)"
    fi
    ((SECONDS < deadline)) ||
      fail "sse serve --durable $* did not print 'listening on' within 10 s: $(cat serve.err)"
    sleep 0.05
  done
  DURABLE_URL=$(sed -n 's/^listening on //p' serve.err | head -n 1)
}

# Stops the server: SIGTERM, SIGKILL if it is still there 6 s later. Fails if a sanitizer
# reported anything in its log.
stop_durable() {
  [[ -n ${DURABLE_PID:-} ]] || return 0
  kill "$DURABLE_PID" 2> /dev/null || true
  local deadline=$((SECONDS + 6))
  until exited "$DURABLE_PID" || ((SECONDS >= deadline)); do sleep 0.05; done
  exited "$DURABLE_PID" || kill -KILL "$DURABLE_PID" 2> /dev/null || true
  wait "$DURABLE_PID" 2> /dev/null || true
  DURABLE_PID=
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' serve.err; then
    fail "sse serve reported a sanitizer error: $(cat serve.err)"
  fi
}

# The setup of a suite of the Durable Streams client commands: no server and no background
# process yet, and no STREAM_URL or STREAM_AUTH from the environment the tests run in.
durable_client_setup() {
  common_setup
  DURABLE_PID=
  BACKGROUND=()
  unset STREAM_URL STREAM_AUTH
}

# The setup of a suite of real clients against sse serve: CLIENTS (tests/cli/clients) and
# INTEROP (tests/interop) set, no server and no background process yet; needs node and each
# npm PACKAGE.
serve_clients_setup() {
  common_setup
  CLIENTS="$REPO_ROOT/tests/cli/clients"
  INTEROP="$REPO_ROOT/tests/interop"
  BACKGROUND=()
  SERVE_PID=
  needs_npm "$@"
}

# FIELD (id or data) of each message that an eventsource.mjs client printed to FILE, on one
# line.
received() {
  jq -r "select(has(\"id\")) | .$1" "$2" | paste -sd ' '
}

# Starts `node $CLIENTS/SCRIPT ARG...` (CLIENTS is tests/cli/clients, set by the caller's setup)
# in the background with its output in NAME.out and NAME.err; sets CLIENT_PID and adds it to
# BACKGROUND, which the caller's teardown stops.
start_client() {
  local name=$1 script=$2
  shift 2
  node "$CLIENTS/$script" "$@" > "$name.out" 2> "$name.err" 3>&- 7>&- 8>&- &
  CLIENT_PID=$!
  BACKGROUND+=("$CLIENT_PID")
}

# Waits (at most SECONDS; each client also has its own deadline) for the client NAME started
# as PID to end, and fails, with its output and the end of the server's log, unless it ended
# with status 0.
client_succeeds() {
  local seconds=$1 pid=$2 name=$3 status=0
  if wait_for "$seconds" exited "$pid"; then
    wait "$pid" || status=$?
  else
    status="still running after ${seconds}s"
  fi
  [[ $status == 0 ]] || fail "client $name: exit status $status
$(awk 'NR <= 12 { print; next } { last = $0; n = NR } END { if (n > 13) print "..."; if (n) print last }' "$name.out" | cut -c1-400)
$(head -n 10 "$name.err")
-- sse serve (last 20 lines):
$(tail -n 20 serve.err)"
}

# Prints the whole Durable Streams stream at URL: catch-up reads from -1, following
# Stream-Next-Offset until Stream-Up-To-Date. Fails when a read fails or makes no progress, or
# after 1000 reads.
read_durable() {
  local url=$1 offset=-1 next headers
  for _ in $(seq 1000); do
    headers=$(curl -s --max-time 10 -D - -o read.part "$url?offset=$offset") || return 1
    headers=$(tr -d '\r' <<< "$headers")
    cat read.part
    grep -qi '^Stream-Up-To-Date: true' <<< "$headers" && return 0
    next=$(sed -n 's/^Stream-Next-Offset: //Ip' <<< "$headers")
    [[ -n $next && $next != "$offset" ]] || return 1
    offset=$next
  done
  return 1
}

# Starts `sse tail -v --offset now --live MODE -f data URL` for MODE sse and long-poll (output
# in MODE.out and MODE.err, pids in BACKGROUND), and waits until each has sent its live
# request: both readers are then at the tail.
start_live_readers() {
  local url=$1 mode
  for mode in sse long-poll; do
    "$SSE" tail -v --offset now --live "$mode" -f data "$url" > "$mode.out" 2> "$mode.err" &
    BACKGROUND+=($!)
  done
  wait_for 5 grep -q 'live=sse' sse.err
  wait_for 5 grep -q 'live=long-poll' long-poll.err
}

# Stops every process in BACKGROUND (pids a test started) and reaps it.
stop_background() {
  local pid
  for pid in "${BACKGROUND[@]}"; do
    kill "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
  done
  BACKGROUND=()
}
