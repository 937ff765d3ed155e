#!/usr/bin/env bats
# sse patch --view on a real terminal: tmux runs it in a detached 80x24 pane, reading events
# from a fifo the test writes to, and the test reads the screen with capture-pane. Each test
# has its own tmux server (-L), as tmux's own regress tests do. Needs tmux (scripts/setup
# --tests installs it); without it, skips on a developer's machine, fails under scripts/test
# and CI.

load helper

setup() {
  common_setup
  needs_program tmux "the view is driven in a tmux pane"
  SOCKET="sse-view-$$-$BATS_TEST_NUMBER"
  printf 'set -g status off\n' >tmux.conf
  mkfifo in
}

teardown() {
  exec 8>&- 2>/dev/null || true
  tmux -L "$SOCKET" kill-server 2>/dev/null || true
}

tmux_() { tmux -L "$SOCKET" -f "$BATS_TEST_TMPDIR/tmux.conf" "$@"; }

# Starts `sse patch --view ARGS...` in the pane, stdin from the fifo, stderr to err.txt; the
# pane prints the exit status when it ends, and stays (a sleep that teardown's kill-server
# ends; remain-on-exit would scroll the screen by the line it adds). Opens fd 8 on the fifo
# for the events.
start_view() {
  local command
  command="cd '$BATS_TEST_TMPDIR' && '$SSE' patch --view $* <in 2>err.txt; echo \"exit status \$?\"; exec sleep 300"
  tmux_ new-session -d -x 80 -y 24 "$command" # tmux runs it with sh -c
  # Read-write, so opening never blocks; sse sees the end of input once fd 8 is closed.
  exec 8<>in
}

screen() { tmux_ capture-pane -p; }
screen_has() { screen | grep -qF -- "$1"; }
send() { printf '%s\n' "$@" >&8; }

@test "the view redraws the state in place, highlights what changed, and stays at exit" {
  start_view --color never
  send '{"event":"snapshot","data":{"count":1,"name":"x","list":[1,2]}}'
  wait_for 5 screen_has '"count": 1,'
  run screen
  assert_line --index 0 'sse patch: state after event 1'
  assert_line --index 1 '{'
  assert_line --index 2 '  "count": 1,'

  send '{"event":"patch","data":[{"op":"replace","path":"/count","value":2}]}'
  wait_for 5 screen_has '"count": 2,'
  # Redrawn in place: one state on the screen, at the top, never two.
  run screen
  assert_line --index 0 'sse patch: state after event 2'
  assert_equal "$(grep -c '"count"' <<<"$output")" 1
  # The changed line is highlighted (reverse video without colour), the others are not.
  run tmux_ capture-pane -p -e
  assert_output --partial $'\e[7m  "count": 2,'
  refute_output --partial $'\e[7m  "name"'

  # The end of input: the last state is left on the normal screen.
  exec 8>&-
  wait_for 5 screen_has 'exit status 0'
  run screen
  assert_line --index 0 'sse patch: state after event 2'
  assert_line '  "count": 2,'
  assert_line '  "name": "x",' # members in arrival order: "list" is last
  assert_equal "$(tmux_ display-message -p '#{alternate_on}')" 0
}

@test "a burst of events is drawn in a few frames, at most 60 a second" {
  start_view --color never -v
  local started=$SECONDS i
  send '{"event":"snapshot","data":{"n":0}}'
  for ((i = 1; i <= 3000; i++)); do
    printf '{"event":"patch","data":[{"op":"replace","path":"/n","value":%d}]}\n' "$i"
  done >&8
  wait_for 10 screen_has '"n": 3000'
  exec 8>&-
  wait_for 5 screen_has 'exit status 0'
  local elapsed=$((SECONDS - started + 1)) frames
  run cat err.txt
  assert_output --regexp '^sse: 3001 events, 0 skipped, [0-9]+ frames drawn, state mode custom$'
  frames=$(grep -oE '[0-9]+ frames' err.txt | grep -oE '[0-9]+')
  echo "# $frames frames for 3001 events in at most ${elapsed}s" >&3
  # At most 60 a second (plus the first and the final one), far fewer than the events.
  ((frames <= 60 * elapsed + 2))
  ((frames < 3001 / 4))
}

@test "SIGINT leaves the last state on screen and exits 130" {
  start_view --color never
  send '{"event":"snapshot","data":{"live":true}}'
  wait_for 5 screen_has '"live": true'
  tmux_ send-keys C-c
  wait_for 5 screen_has 'exit status 130'
  run screen
  assert_line --index 0 'sse patch: state after event 1'
  assert_line '  "live": true'
  assert_equal "$(tmux_ display-message -p '#{alternate_on}')" 0
}

@test "a state taller than the screen is cut, saying how much is hidden; colour when asked" {
  start_view --color always
  send '{"event":"snapshot","data":{"items":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30]}}'
  wait_for 5 screen_has 'more lines'
  run screen
  assert_line --index 0 'sse patch: state after event 1'
  # 24 rows: the header, 22 of the 34 lines of the state, then what did not fit.
  assert_line --index 23 '... 12 more lines'
  run tmux_ capture-pane -p -e
  assert_output --partial $'\e[' # colours reached the terminal
  exec 8>&-
  wait_for 5 screen_has 'exit status 0'
}

@test "an error leaves the last good state on screen, then the message" {
  start_view --color never
  send '{"event":"snapshot","data":{"ok":1}}' '{"event":"patch","data":[{"op":"remove","path":"/nope"}]}'
  wait_for 5 screen_has 'exit status 3'
  run screen
  assert_line '  "ok": 1'
  run cat err.txt
  assert_output 'sse: error: patch operation 0 (remove /nope) failed: there is no value at /nope (the document has no member "nope") (stdin:2, event 2)'
}

@test "--keep-going warnings wait until the view has closed; the header counts them" {
  start_view --color never --keep-going
  send '{"event":"snapshot","data":{"ok":1}}' '{"event":"patch","data":[{"op":"remove","path":"/nope"}]}'
  wait_for 5 screen_has 'sse patch: state after event 1 (1 skipped)'
  [[ ! -s err.txt ]]
  exec 8>&-
  wait_for 5 screen_has 'exit status 0'
  run cat err.txt
  assert_output 'sse: warning: patch operation 0 (remove /nope) failed: there is no value at /nope (the document has no member "nope") (stdin:2, event 2); event skipped'
}

@test "SIGTERM leaves the last state on screen, then ends the process by the signal" {
  start_view --color never
  send '{"event":"snapshot","data":{"term":1}}'
  wait_for 5 screen_has '"term": 1'
  local shell pid
  shell=$(tmux_ display-message -p '#{pane_pid}')
  pid=$(pgrep -P "$shell")
  [[ -n $pid ]]
  kill -TERM "$pid"
  wait_for 5 screen_has 'exit status 143'
  run screen
  assert_line --index 0 'sse patch: state after event 1'
  assert_line '  "term": 1'
  assert_equal "$(tmux_ display-message -p '#{alternate_on}')" 0
}

@test "on a dumb terminal --view stays NDJSON" {
  local command
  command="cd '$BATS_TEST_TMPDIR' && TERM=dumb '$SSE' patch --view <in; echo \"exit status \$?\"; exec sleep 300"
  tmux_ new-session -d -x 80 -y 24 "$command"
  exec 8<>in
  send '{"event":"snapshot","data":{"n":1}}'
  wait_for 5 screen_has '{"n":1}'
  exec 8>&-
  wait_for 5 screen_has 'exit status 0'
  run screen
  assert_line --index 0 '{"n":1}'
}
