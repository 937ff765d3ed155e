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
  [[ ! -e /proc/$1/stat ]] || [[ $(awk '{print $3}' "/proc/$1/stat" 2> /dev/null) == Z ]]
}
