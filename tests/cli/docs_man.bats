# The man pages cannot drift from the binary: `sse __meta` is compared with them in both
# directions, as curl's test1139 compares its option table with curl.1. Their examples run in
# docs_examples.bats, --help and the completions are docs_help.bats'.

load helper
load docs_helper

setup_file() { docs_setup_file; }

setup() { common_setup; }

@test "every subcommand has a man page, and every man page a subcommand" {
  local commands pages
  commands=$(meta_commands | grep -vxF -f <(printf '%s\n' "${k_commands_without_page[@]}"))
  pages=$(cd "$REPO_ROOT/man" && ls sse-*.1.scd | sed 's/^sse-//; s/\.1\.scd$//')
  assert_same_set '__meta' "$commands" 'man/' "$pages"
  assert_file_exists "$(page_of '')"
}

@test "each subcommand's page shows its usage line in SYNOPSIS" {
  local command usage synopsis
  for command in $(meta_commands); do
    [[ -f $(page_of "$command") ]] || continue
    usage=$(meta --arg c "$command" '.commands[] | select(.name == $c) | .usage')
    # "*sse tail* [_OPTIONS_] _URL_" reads "sse tail [OPTIONS] URL".
    synopsis=$(man_section "$(page_of "$command")" SYNOPSIS | tr -d '*_' | sed '/^$/d')
    grep -qxF -- "$usage" <<<"$synopsis" || {
      echo "$command: '$usage' is not in SYNOPSIS:"
      echo "$synopsis"
      return 1
    }
  done
}

@test "sse(1) SUBCOMMANDS lists every subcommand" {
  local listed
  listed=$(man_section "$(page_of '')" SUBCOMMANDS | grep -oE '^\*[a-z][a-z0-9-]*\*' | tr -d '*')
  assert_same_set '__meta' "$(meta_commands)" 'sse(1) SUBCOMMANDS' "$listed"
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
