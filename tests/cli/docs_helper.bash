# What the docs_*.bats suites share: `sse __meta` (what CLI11 really parses), the man pages'
# sources read section by section, and set comparisons that name what each side lacks.
# A "scope" is sse itself ('') or one subcommand.

# Writes `sse __meta` where meta() reads it; for setup_file. Needs jq.
docs_setup_file() {
  command -v jq >/dev/null || {
    echo "jq is required by the docs suites" >&2
    return 1
  }
  "$SSE" __meta >"$BATS_FILE_TMPDIR/meta.json"
}

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
