#!/usr/bin/env bats
# sse tail --apply --view on a real terminal: tmux runs it in a detached pane against the
# scripted server, and the test reads the screen with capture-pane (as patch_view.bats does).

load helper

setup() {
  common_setup
  needs_program tmux "the view is driven in a tmux pane"
  SOCKET="sse-tail-view-$$-$BATS_TEST_NUMBER"
  printf 'set -g status off\n' >tmux.conf
}

teardown() {
  tmux -L "$SOCKET" kill-server 2>/dev/null || true
  stop_server
}

tmux_() { tmux -L "$SOCKET" -f "$BATS_TEST_TMPDIR/tmux.conf" "$@"; }
screen() { tmux_ capture-pane -p; }
screen_has() { screen | grep -qF -- "$1"; }

@test "the live state of a stream is redrawn in place and left on screen at the end" {
  printf '%s\n' '{"connections": [{"steps": [
    {"send": "event: json_snapshot\ndata: {\"workers\": {\"a\": \"idle\"}, \"done\": 0}\n\n"},
    {"wait": 300},
    {"send": "event: json_patch\ndata: [{\"op\": \"replace\", \"path\": \"/workers/a\", \"value\": \"busy\"}]\n\n"},
    {"wait": 300},
    {"send": "event: json_patch\ndata: [{\"op\": \"replace\", \"path\": \"/done\", \"value\": 1}]\n\n"}]}]}' > scenario.json
  start_server scenario.json
  tmux_ new-session -d -x 80 -y 24 \
    "cd '$BATS_TEST_TMPDIR' && '$SSE' tail --no-reconnect --apply --view --color never '$SERVER_URL' 2>err.txt; echo \"exit status \$?\"; exec sleep 300"
  wait_for 10 screen_has '"a": "busy"'
  wait_for 10 screen_has 'exit status 0'
  run screen
  assert_line --regexp "^sse tail $SERVER_URL: state after event 3"
  assert_equal "$(grep -c '"workers"' <<<"$output")" 1
  assert_line '  "done": 1' # the last member, in the order of the snapshot
  assert_equal "$(cat err.txt)" ""
}
