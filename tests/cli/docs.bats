# The documentation cannot drift from the binary: `sse __meta` (what CLI11 really parses) is
# compared with the man pages, `--help` and the three completion scripts, in both directions,
# as curl's test1139 does; and every man-page example is run, as jq's man tests do.
# A "scope" below is sse itself ('') or one subcommand.
# Needs jq; the fish and zsh checks are left out on a developer's machine without those
# shells, and fail under scripts/test and CI (has_program in helper.bash).
# ctest labels: slow

load helper

setup_file() {
  command -v jq >/dev/null || {
    echo "jq is required by docs.bats" >&2
    return 1
  }
  "$SSE" __meta >"$BATS_FILE_TMPDIR/meta.json"
}

setup() { common_setup; }

# --- What the binary says -------------------------------------------------------------------

meta() { jq -r "$@" "$BATS_FILE_TMPDIR/meta.json"; }

meta_commands() { meta '.commands[].name'; }

# Applies the jq filter $2 (default: every name) to each option of command $1, or of sse
# itself when $1 is empty.
meta_options() {
  local scope='.options[]'
  if [[ -n $1 ]]; then
    scope='.commands[] | select(.name == $c) | .options[]'
  fi
  meta --arg c "$1" "$scope | ${2:-.names[]}"
}

# Every option name, global or of any command.
meta_all_options() { meta '(.options[], .commands[].options[]) | .names[]'; }

# The options `sse CMD --help` (or `sse --help`) lists.
help_options() {
  "$SSE" "$@" --help |
    awk '/^[A-Z][^:]*:$/ { on = ($0 != "Positionals:" && $0 != "Subcommands:"); next }
         /^$/ { on = 0 } on && /^  -/ { print $1 }' | tr ',' '\n'
}

# --- What the man pages say -----------------------------------------------------------------

# `sse help` only prints what --help prints; sse(1) documents it.
k_commands_without_page=(help)

page_of() { echo "$REPO_ROOT/man/sse${1:+-$1}.1.scd"; }
options_section_of() { [[ -n $1 ]] && echo OPTIONS || echo 'GLOBAL OPTIONS'; }

# The lines of section $2 of the scdoc page $1: from "# $2" to the next level-one heading.
man_section() { awk -v title="# $2" '/^# / { on = ($0 == title); next } on' "$1"; }

# The option names on the term lines ("*-f*, *--format* _FORMAT_") of section $2 of page $1;
# with a third argument, only those of term lines that name a _VALUE_.
man_options() {
  local term='^\*-'
  [[ -z ${3-} ]] || term='^\*-.*_[A-Z][A-Z:]*_'
  man_section "$1" "$2" | grep -E "$term" | grep -oE '\*-[^*]+\*' | tr -d '*'
}

# The options a page names in bold anywhere: "*--format*", "*--color auto*".
man_mentions() { grep -oE '\*--?[a-z][a-z0-9-]*' "$1" | tr -d '*'; }

man_exit_codes() { man_section "$1" 'EXIT STATUS' | grep -E '^\*[0-9]+\*$' | tr -d '*'; }

header_exit_codes() {
  grep -oE 'k_exit_[a-z_]+ = [0-9]+' "$REPO_ROOT/cmd/exit_codes.hpp" | grep -oE '[0-9]+$'
}

# --- What the completions offer -------------------------------------------------------------

# COMPREPLY of the bash completion for the words given, the last being completed.
bash_complete() {
  (
    source "$REPO_ROOT/completions/sse.bash"
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    _sse
    printf '%s\n' "${COMPREPLY[@]}"
  )
}

# The candidates fish offers for the command line $1, without their descriptions.
fish_complete() {
  fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
    "$REPO_ROOT/completions/sse.fish" "$1" | cut -f1
}

# Runs _sse in zsh for the words given, with the compsys functions replaced by stubs that
# print their arguments, so _arguments prints the option specs. $1 is code to run afterwards.
zsh_complete() {
  zsh -f -c '
    _arguments() { print -rl -- "$@" }
    _describe() { print -rl -- "${(@P)${@[-1]}}" }
    _files() { : }
    _message() { : }
    file=$1 after=$2
    shift 2
    words=("$@")
    CURRENT=$#
    if [[ -n $after ]]; then
      source $file >/dev/null
      eval $after
    else
      source $file
    fi' zsh "$REPO_ROOT/completions/_sse" "$@"
}

# The option names in the _arguments specs zsh uses for the words given.
zsh_options() {
  zsh_complete '' "$@" | sed -E 's/^\([^)]*\)//; s/^\*//' | grep -oE '^--?[A-Za-z0-9][A-Za-z0-9-]*'
}

zsh_commands() { zsh_complete _sse_commands sse '' | cut -d: -f1; }

# The choices in the zsh spec of option $1 for the words that follow.
zsh_choices() {
  local option=$1
  shift
  zsh_complete '' "$@" | sed -E 's/^\([^)]*\)//; s/^\*//' | grep -E "^${option}[+=[]" |
    sed -nE 's/.*:\(([^)]*)\)$/\1/p' | tr ' ' '\n'
}

# The options that take a value, as each completion sees them. They matter beyond value
# completion: a value must not be mistaken for the subcommand.
bash_valued_options() {
  (
    source "$REPO_ROOT/completions/sse.bash"
    local name
    for name in $(meta_all_options); do
      if _sse_option_values "$name" >/dev/null; then
        printf '%s\n' "$name" # not echo: "-n" would be taken as its option
      fi
    done
  )
}

fish_valued_options() {
  fish --no-config -c 'source $argv[1]; complete -c sse' "$REPO_ROOT/completions/sse.fish" |
    grep -E '^complete (--exclusive|--require-parameter) ' | grep -oE ' -[sl] [^ ]+' |
    sed -E 's/^ -s /-/; s/^ -l /--/'
}

zsh_valued_options() {
  local command
  for command in '' $(meta_commands); do
    zsh_complete '' sse $command ''
  done | sed -E 's/^\([^)]*\)//; s/^\*//' | grep -E '^-[^[]*\[[^]]*\]:' |
    grep -oE '^--?[A-Za-z0-9][A-Za-z0-9-]*'
}

require_shell() { needs_program "$1" "the completion is run in $1"; }

# --- Comparing ------------------------------------------------------------------------------

sorted() { sed '/^$/d' <<<"$1" | LC_ALL=C sort -u; }

# Fails unless the newline-separated lists $2 (called $1) and $4 (called $3) hold the same
# items, naming what each one lacks.
assert_same_set() {
  local only_left only_right
  only_left=$(LC_ALL=C comm -23 <(sorted "$2") <(sorted "$4") | paste -sd' ')
  only_right=$(LC_ALL=C comm -13 <(sorted "$2") <(sorted "$4") | paste -sd' ')
  if [[ -n $only_left || -n $only_right ]]; then
    [[ -z $only_left ]] || echo "in $1 but not in $3: $only_left"
    [[ -z $only_right ]] || echo "in $3 but not in $1: $only_right"
    return 1
  fi
}

# Fails if the list $2 (called $1) has items that the list $4 (called $3) lacks, naming them.
assert_subset() {
  local extra
  extra=$(LC_ALL=C comm -23 <(sorted "$2") <(sorted "$4") | paste -sd' ')
  [[ -z $extra ]] || {
    echo "in $1 but not in $3: $extra"
    return 1
  }
}

# What a completion should offer after `sse [CMD] -`: the command's own options and, as they
# are accepted after the subcommand too, the global ones.
expected_completion_options() {
  meta_options ''
  [[ -z $1 ]] || meta_options "$1"
}

# --- Man pages ------------------------------------------------------------------------------

@test "every subcommand has a man page, and every man page a subcommand" {
  local commands pages
  commands=$(meta_commands | grep -vxF -f <(printf '%s\n' "${k_commands_without_page[@]}"))
  pages=$(cd "$REPO_ROOT/man" && ls sse-*.1.scd | sed 's/^sse-//; s/\.1\.scd$//')
  assert_same_set '__meta' "$commands" 'man/' "$pages"
  assert_file_exists "$(page_of '')"
}

@test "sse(1) SUBCOMMANDS lists every subcommand" {
  local listed
  listed=$(man_section "$(page_of '')" SUBCOMMANDS | grep -oE '^\*[a-z][a-z0-9-]*\*' | tr -d '*')
  assert_same_set '__meta' "$(meta_commands)" 'sse(1) SUBCOMMANDS' "$listed"
}

@test "sse --help lists every subcommand" {
  local listed
  listed=$("$SSE" --help | awk '/^Subcommands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }')
  assert_same_set '__meta' "$(meta_commands)" 'sse --help' "$listed"
}

@test "each man page documents exactly the options of its command" {
  local scope page section
  for scope in '' $(meta_commands); do
    page=$(page_of "$scope")
    [[ -f $page ]] || continue # commands without a page are checked above
    section=$(options_section_of "$scope")
    assert_same_set "__meta ${scope:-sse}" "$(meta_options "$scope")" \
      "${page##*/} $section" "$(man_options "$page" "$section")"
  done
  # The loop must not pass by finding nothing.
  [[ -n $(man_options "$(page_of parse)" OPTIONS) ]]
}

@test "each man page shows a value exactly for the options that take one" {
  local scope page section
  for scope in '' $(meta_commands); do
    page=$(page_of "$scope")
    [[ -f $page ]] || continue
    section=$(options_section_of "$scope")
    assert_same_set "__meta ${scope:-sse} (takes_value)" \
      "$(meta_options "$scope" 'select(.takes_value) | .names[]')" \
      "${page##*/} $section (with a _VALUE_)" "$(man_options "$page" "$section" valued)"
  done
}

@test "man pages mention only options that exist" {
  local page
  for page in "$REPO_ROOT"/man/*.scd; do
    assert_subset "${page##*/}" "$(man_mentions "$page")" '__meta' "$(meta_all_options)"
  done
}

@test "--help lists exactly the options of each command" {
  local scope
  for scope in '' $(meta_commands); do
    assert_same_set "__meta ${scope:-sse}" "$(meta_options "$scope")" \
      "sse ${scope:+$scope }--help" "$(help_options $scope)"
  done
}

@test "EXIT STATUS in sse(1) is the table in cmd/exit_codes.hpp" {
  local codes
  codes=$(header_exit_codes)
  [[ -n $codes ]]
  assert_same_set 'cmd/exit_codes.hpp' "$codes" \
    'sse(1) EXIT STATUS' "$(man_exit_codes "$(page_of '')")"
}

@test "subcommand pages and the --help footer use only documented exit codes" {
  local page
  for page in "$REPO_ROOT"/man/sse-*.1.scd; do
    assert_subset "${page##*/} EXIT STATUS" "$(man_exit_codes "$page")" \
      'cmd/exit_codes.hpp' "$(header_exit_codes)"
  done
  assert_same_set 'cmd/exit_codes.hpp' "$(header_exit_codes)" 'sse --help footer' \
    "$("$SSE" --help | grep '^Exit status:' | grep -oE '[0-9]+')"
}

# Examples are the lines starting with "$ " in the ``` blocks of EXAMPLES; the lines after one,
# up to the next "$ " or the end of the block, are exactly what it prints on stdout. The
# examples of one page run in order in one directory, so later ones can use earlier files.
@test "man page examples run and print what they show" {
  mkdir bin
  ln -s "$SSE" bin/sse
  local page name dir example examples failures=0
  for page in "$REPO_ROOT"/man/*.scd; do
    name=${page##*/}
    dir="$BATS_TEST_TMPDIR/${name%.1.scd}"
    mkdir -p "$dir/examples"
    # scdoc reads "\X" as X, even in literal blocks; undo that first.
    sed 's/\\\(.\)/\1/g' "$page" | awk -v dir="$dir/examples" '
      /^# / { examples = ($0 == "# EXAMPLES"); next }
      !examples { next }
      /^```$/ { block = !block; if (out != "") close(out); out = ""; next }
      block && /^\$ / {
        if (out != "") close(out)
        n++
        command = sprintf("%s/%03d.sh", dir, n)
        out = sprintf("%s/%03d.out", dir, n)
        print substr($0, 3) > command
        close(command)
        printf "" > out
        next
      }
      block && out != "" { print > out }'
    examples=("$dir"/examples/*.sh)
    if [[ ! -f ${examples[0]} ]]; then
      echo "$name: no runnable examples"
      failures=$((failures + 1))
      continue
    fi
    for example in "${examples[@]}"; do
      if ! (cd "$dir" && PATH="$BATS_TEST_TMPDIR/bin:$PATH" timeout 30 bash -o pipefail "$example" \
        >"${example%.sh}.actual" 2>"${example%.sh}.err"); then
        echo "$name: failed: $(cat "$example")"
        cat "${example%.sh}.err"
        failures=$((failures + 1))
      elif ! diff -u "${example%.sh}.out" "${example%.sh}.actual"; then
        echo "$name: unexpected output from: $(cat "$example")"
        failures=$((failures + 1))
      fi
    done
  done
  ((failures == 0))
}

@test "man pages render without warnings" {
  needs_program scdoc "the man pages are built from their sources"
  needs_program man "the built man pages are rendered"
  local page warnings
  for page in "$REPO_ROOT"/man/*.scd; do
    scdoc <"$page" >page.1
    warnings=$(MANWIDTH=80 man --warnings -l page.1 2>&1 >/dev/null)
    [[ -z $warnings ]] || {
      echo "${page##*/}: $warnings"
      return 1
    }
  done
}

# --- Completions ----------------------------------------------------------------------------

@test "bash completion offers every subcommand and exactly each command's options" {
  assert_same_set '__meta' "$(meta_commands)" "bash completion of 'sse '" "$(bash_complete sse '')"
  local scope
  for scope in '' $(meta_commands); do
    assert_same_set "__meta ${scope:-sse}" "$(expected_completion_options "$scope")" \
      "bash completion of 'sse ${scope:+$scope }-'" "$(bash_complete sse $scope -)"
  done
}

@test "fish completion offers every subcommand and exactly each command's options" {
  require_shell fish
  assert_same_set '__meta' "$(meta_commands)" "fish completion of 'sse '" "$(fish_complete 'sse ')"
  local scope
  for scope in '' $(meta_commands); do
    assert_same_set "__meta ${scope:-sse}" "$(expected_completion_options "$scope")" \
      "fish completion of 'sse ${scope:+$scope }-'" "$(fish_complete "sse ${scope:+$scope }-")"
  done
}

@test "zsh completion offers every subcommand and exactly each command's options" {
  require_shell zsh
  assert_same_set '__meta' "$(meta_commands)" "zsh completion of 'sse '" "$(zsh_commands)"
  local scope
  for scope in '' $(meta_commands); do
    assert_same_set "__meta ${scope:-sse}" "$(expected_completion_options "$scope")" \
      "zsh completion of 'sse ${scope:+$scope }-'" "$(zsh_options sse $scope '')"
  done
}

@test "completions offer exactly the choices of every option that has them" {
  local scope names choices name line
  for scope in '' $(meta_commands); do
    # One line per option with choices: "-f,--format json pretty ...".
    while IFS=' ' read -r names choices; do
      [[ -n $names ]] || continue
      choices=$(tr ' ' '\n' <<<"$choices")
      for name in ${names//,/ }; do
        line="sse ${scope:+$scope }$name "
        assert_same_set "__meta $name" "$choices" \
          "bash completion of '$line'" "$(bash_complete sse $scope "$name" '')"
        if has_program fish; then
          assert_same_set "__meta $name" "$choices" \
            "fish completion of '$line'" "$(fish_complete "$line")"
        fi
        if has_program zsh; then
          assert_same_set "__meta $name" "$choices" \
            "zsh spec of $name" "$(zsh_choices "$name" sse $scope '')"
        fi
      done
    done < <(meta_options "$scope" \
      'select(.choices | length > 0) | "\(.names | join(",")) \(.choices | join(" "))"')
  done
}

@test "completions know exactly which options take a value" {
  local expected
  expected=$(for scope in '' $(meta_commands); do
    meta_options "$scope" 'select(.takes_value) | .names[]'
  done)
  assert_same_set '__meta (takes_value)' "$expected" \
    'bash _sse_option_values' "$(bash_valued_options)"
  if has_program fish; then
    assert_same_set '__meta (takes_value)' "$expected" 'fish (-x or -r)' "$(fish_valued_options)"
  fi
  if has_program zsh; then
    assert_same_set '__meta (takes_value)' "$expected" 'zsh (spec with an argument)' \
      "$(zsh_valued_options)"
  fi
}
