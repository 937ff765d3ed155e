# How the completions behave on real command lines in real shells: subcommands, options,
# option values in both `--opt VALUE` and `--opt=VALUE` forms, global options after the
# subcommand, FILE arguments and `sse help`. Each script asks `sse __complete`, found on PATH
# as the shells would find it. That it offers every option `sse __meta` lists is docs_help.bats'.

load helper

setup() {
  common_setup
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  ln -sf "$SSE" "$BATS_TEST_TMPDIR/bin/sse"
  PATH="$BATS_TEST_TMPDIR/bin:$PATH"
  source "$REPO_ROOT/completions/sse.bash"
}

# --- bash -----------------------------------------------------------------------------------

# Runs _sse for the words given, the last one being completed, as bash would.
bash_complete() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  _sse
}

# The order is readline's business (it sorts what it shows), so both sides are sorted.
assert_reply() {
  assert_equal "$(printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | paste -sd' ')" \
    "$(printf '%s\n' "$@" | LC_ALL=C sort | paste -sd' ')"
}

# The visible subcommands in the order sse --help lists them.
subcommands() { "$SSE" __meta | jq -r '[.commands[].name] | join(" ")'; }

@test "bash: the completion is registered for sse" {
  run complete -p sse
  assert_output --partial '-F _sse'
}

@test "bash: sse <TAB> offers the subcommands, not the hidden __meta" {
  bash_complete sse ''
  assert_reply $(subcommands)
  assert_equal "$(subcommands)" "tail parse format patch replay serve append create close delete info help"
  bash_complete sse pa
  assert_reply parse patch
  bash_complete sse __
  assert_reply
}

@test "bash: options before and after the subcommand" {
  bash_complete sse -
  assert_reply --color -v --verbose --version -h --help
  bash_complete sse parse --
  assert_reply --color --verbose --version --help --format --json-data --count --max-event-size
  bash_complete sse format --
  assert_reply --color --verbose --version --help --lines --max-line-size
  bash_complete sse help --
  assert_reply --color --verbose --version --help
}

@test "bash: the values of --format and --color" {
  bash_complete sse parse -f ''
  assert_reply json pretty data sse raw
  bash_complete sse parse --format p
  assert_reply pretty
  # COMP_WORDBREAKS splits "--format=js" into three words, and "--format=" into two.
  bash_complete sse parse --format =
  assert_reply json pretty data sse raw
  bash_complete sse parse --format = js
  assert_reply json
  bash_complete sse --color ''
  assert_reply auto always never
  bash_complete sse parse --color n
  assert_reply never
  bash_complete sse --color = a
  assert_reply auto always
}

@test "bash: a global option's value is not taken for the subcommand" {
  bash_complete sse --color never parse --c
  assert_reply --color --count
  bash_complete sse --color = never -v format --l
  assert_reply --lines
}

@test "bash: free-form values get no suggestions" {
  touch stream.sse
  bash_complete sse parse --max-event-size ''
  assert_reply
  bash_complete sse format --max-line-size ''
  assert_reply
}

@test "bash: the Durable Streams commands and tail's --live" {
  bash_complete sse close --
  assert_reply --color --verbose --version --help --auth --header --user --bearer --insecure \
    --cacert --connect-timeout --proxy --max-header-size --max-retries
  bash_complete sse append --cl
  assert_reply --claim --close
  bash_complete sse tail --live ''
  assert_reply sse long-poll none
  bash_complete sse tail --live = l
  assert_reply long-poll
  bash_complete sse append --producer ''
  assert_reply
}

@test "bash: an option that takes a value in one subcommand may be a flag in another" {
  # --linger: a DUR in append, a flag in serve; --json: a flag in append and create, a body in tail.
  bash_complete sse append --linger ''
  assert_reply
  bash_complete sse serve --linger --h
  assert_reply --help --host --history --heartbeat --hello
  bash_complete sse create --json --c
  assert_reply --color --cacert --connect-timeout --content-type --closed
  bash_complete sse append --json --cl
  assert_reply --claim --close
  bash_complete sse tail --json ''
  assert_reply
}

@test "bash: FILE arguments and FILE values complete to files, DIR values to directories" {
  touch stream.sse other.ndjson
  mkdir data
  bash_complete sse parse st
  assert_reply stream.sse
  bash_complete sse format o
  assert_reply other.ndjson
  bash_complete sse tail --record o
  assert_reply other.ndjson
  bash_complete sse tail --cacert = st
  assert_reply stream.sse
  bash_complete sse serve --data-dir d
  assert_reply data
}

@test "bash: the COMMAND of serve --exec completes to commands" {
  bash_complete sse serve --exec -- bas
  [[ " ${COMPREPLY[*]} " == *" bash "* ]] || fail "no bash in: ${COMPREPLY[*]}"
}

@test "bash: the completion works without sse on PATH when called by its path" {
  PATH=${PATH#"$BATS_TEST_TMPDIR/bin:"}
  COMP_WORDS=("$SSE" pa)
  COMP_CWORD=1
  _sse
  assert_reply parse patch
}

@test "bash: sse help takes one subcommand" {
  bash_complete sse help ''
  assert_reply $(subcommands)
  bash_complete sse -v help f
  assert_reply format
  bash_complete sse help parse ''
  assert_reply
}

# --- fish -----------------------------------------------------------------------------------

# The candidates fish offers for the command line $1, without descriptions, on one line.
fish_complete() {
  fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
    "$REPO_ROOT/completions/sse.fish" "$1" | cut -f1 | paste -sd' '
}

require_fish() { needs_program fish "the fish completion is run in fish"; }

@test "fish: the file parses" {
  require_fish
  run fish --no-execute "$REPO_ROOT/completions/sse.fish"
  assert_success
}

@test "fish: subcommands, and options before and after the subcommand" {
  require_fish
  assert_equal "$(fish_complete 'sse ')" \
    'append close create delete format help info parse patch replay serve tail'
  assert_equal "$(fish_complete 'sse --')" '--color --help --verbose --version'
  assert_equal "$(fish_complete 'sse parse --')" \
    '--color --count --format --help --json-data --max-event-size --verbose --version'
  assert_equal "$(fish_complete 'sse format --')" \
    '--color --help --lines --max-line-size --verbose --version'
  assert_equal "$(fish_complete 'sse --color never parse --c')" '--color --count'
}

@test "fish: the Durable Streams commands and tail's --live" {
  require_fish
  assert_equal "$(fish_complete 'sse close --')" \
    '--auth --bearer --cacert --color --connect-timeout --header --help --insecure --max-header-size --max-retries --proxy --user --verbose --version'
  assert_equal "$(fish_complete 'sse tail --live ')" 'long-poll none sse'
  assert_equal "$(fish_complete 'sse append --linger ')" ''
  assert_equal "$(fish_complete 'sse serve --linger --h')" '--heartbeat --hello --help --history --host'
}

@test "fish: the values of --format and --color" {
  require_fish
  assert_equal "$(fish_complete 'sse parse -f ')" 'data json pretty raw sse'
  assert_equal "$(fish_complete 'sse parse --format=p')" '--format=pretty'
  assert_equal "$(fish_complete 'sse --color ')" 'always auto never'
  assert_equal "$(fish_complete 'sse format --color n')" 'never'
}

@test "fish: FILE arguments and sse help" {
  require_fish
  touch stream.sse
  assert_equal "$(fish_complete 'sse parse st')" 'stream.sse'
  assert_equal "$(fish_complete 'sse tail --record st')" 'stream.sse'
  assert_equal "$(fish_complete 'sse tail --cacert=st')" '--cacert=stream.sse'
  assert_equal "$(fish_complete 'sse st')" ''
  assert_equal "$(fish_complete 'sse help ')" \
    'append close create delete format help info parse patch replay serve tail'
  assert_equal "$(fish_complete 'sse help parse ')" ''
}

# --- zsh ------------------------------------------------------------------------------------

require_zsh() { needs_program zsh "the zsh completion is run in zsh"; }

# Types $1 and TAB into an interactive zsh that loads completions/ through compinit, and
# succeeds once the screen shows $2, or fails after $3 seconds (default 10).
zsh_shows() {
  timeout "${3:-10}" zsh -f -c '
    zmodload zsh/zpty
    zpty z zsh -f -i
    zpty -w z "fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
    zpty -n -w z "$2"$'"'\t'"'
    zpty -r z screen "*$3*"' zsh "$REPO_ROOT/completions" "$1" "$2" >/dev/null
}

@test "zsh: the file parses and compinit binds it to sse" {
  require_zsh
  run zsh -n "$REPO_ROOT/completions/_sse"
  assert_success
  run zsh -f -c 'fpath=($1 $fpath); autoload -Uz compinit; compinit -u -D; print -r $_comps[sse]' \
    zsh "$REPO_ROOT/completions"
  assert_output _sse
}

@test "zsh: subcommands, options and values in an interactive shell" {
  require_zsh
  zsh_shows 'sse ' 'Print help for sse'
  zsh_shows 'sse --color never parse --' '--max-event-size'
  zsh_shows 'sse parse -f ' 'pretty'
  zsh_shows 'sse --color ' 'always'
  zsh_shows 'sse format --' '--max-line-size'
  zsh_shows 'sse help ' 'Parse event-stream bytes'
  zsh_shows 'sse parse --format=' 'pretty'
  zsh_shows 'sse append --' '--batch-max'
  zsh_shows 'sse tail --live ' 'long-poll'
}

@test "zsh: the interactive check can fail" {
  require_zsh
  run zsh_shows 'sse parse -f ' 'ndjson' 2
  assert_failure
}
