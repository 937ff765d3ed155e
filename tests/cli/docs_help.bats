# What --help and the completions offer cannot drift from `sse __meta`: --help lists every
# subcommand and exactly each one's options, and `sse __complete` (which every completion
# script asks) offers them, their choices, and values only where an option takes one.
# ctest labels: slow

load helper
load docs_helper

setup_file() { docs_setup_file; }

setup() { common_setup; }

# The options `sse CMD --help` (or `sse --help`) lists.
help_options() {
  "$SSE" "$@" --help |
    awk '/^[A-Z][^:]*:$/ { on = ($0 != "Positionals:" && $0 != "Subcommands:"); next }
         /^$/ { on = 0 } on && /^  -/ { print $1 }' | tr ',' '\n'
}

# What a completion should offer after `sse [CMD] -`: the command's own options and, as they
# are accepted after the subcommand too, the global ones.
expected_completion_options() {
  meta_options ''
  [[ -z $1 ]] || meta_options "$1"
}

@test "sse --help lists every subcommand" {
  local listed
  listed=$("$SSE" --help | awk '/^Subcommands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }')
  assert_same_set '__meta' "$(meta_commands)" 'sse --help' "$listed"
}

@test "--help lists exactly the options of each command" {
  local scope
  for scope in '' $(meta_commands); do
    assert_same_set "__meta ${scope:-sse}" "$(meta_options "$scope")" \
      "sse ${scope:+$scope }--help" "$(help_options $scope)"
  done
}

# --- sse __complete -------------------------------------------------------------------------

# The words `sse __complete` offers for the words given, without their descriptions.
complete_words() { "$SSE" __complete "$@" | cut -f1; }

@test "sse __complete offers every subcommand and exactly each command's options" {
  assert_same_set '__meta' "$(meta_commands)" "sse __complete ''" "$(complete_words '')"
  local scope
  for scope in '' $(meta_commands); do
    assert_same_set "__meta ${scope:-sse}" "$(expected_completion_options "$scope")" \
      "sse __complete ${scope:+$scope }-" "$(complete_words $scope -)"
  done
}

@test "sse __complete offers exactly the choices of every option that has them" {
  local scope names choices name checked=0
  for scope in '' $(meta_commands); do
    # One line per option with choices: "-f,--format json pretty ...".
    while IFS=' ' read -r names choices; do
      [[ -n $names ]] || continue
      choices=$(tr ' ' '\n' <<<"$choices")
      for name in ${names//,/ }; do
        assert_same_set "__meta $name" "$choices" \
          "sse __complete ${scope:+$scope }$name ''" "$(complete_words $scope "$name" '')"
        if [[ $name == --* ]]; then
          assert_same_set "__meta $name" "$(sed "s/^/$name=/" <<<"$choices")" \
            "sse __complete ${scope:+$scope }$name=" "$(complete_words $scope "$name=")"
        fi
        checked=$((checked + 1))
      done
    done < <(meta_options "$scope" \
      'select(.choices | length > 0) | "\(.names | join(",")) \(.choices | join(" "))"')
  done
  ((checked > 0))
}

# After an option that takes a value, the next word is that value; after a flag, "-" begins
# the next option. This matters beyond value completion: a value is not the subcommand.
@test "sse __complete knows exactly which options take a value" {
  local scope name offered expected=() found=()
  for scope in '' $(meta_commands); do
    for name in $(meta_options "$scope"); do
      offered=$(complete_words $scope "$name" -)
      if ! grep -qx -- --help <<<"$offered"; then
        found+=("${scope:-sse} $name")
      fi
    done
    while read -r name; do
      expected+=("${scope:-sse} $name")
    done < <(meta_options "$scope" 'select(.takes_value) | .names[]')
  done
  assert_same_set '__meta (takes_value)' "$(printf '%s\n' "${expected[@]}")" \
    'sse __complete (no options after it)' "$(printf '%s\n' "${found[@]}")"
}
