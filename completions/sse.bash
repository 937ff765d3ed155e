# bash completion for sse(1).
# Kept in step with `sse __meta` by tests/cli/docs.bats. It needs nothing from the
# bash-completion package, so the tests can call _sse with COMP_WORDS set by hand.

_sse_commands='tail parse format patch replay serve append create close delete info help'
# Global options work before and after the subcommand.
_sse_global_options='--color -v --verbose --version -h --help'
_sse_tail_options='-H --header -X --request -d --data --json -u --user --bearer -k --insecure
  --cacert --connect-timeout --proxy --max-header-size -f --format --json-data --comments --event --extract
  -n --max-events --until --until-data --timeout --idle-timeout --no-reconnect --retry-post
  --max-retries --max-backoff --last-event-id --cursor-file --no-error-events --max-event-size
  --apply --key --initial --pointer --final --changes --keep-going --view --max-state --record --durable
  --offset --live --auth'
_sse_parse_options='-f --format --json-data --count --max-event-size'
_sse_format_options='--lines --max-line-size'
_sse_patch_options='--sse --max-event-size --apply --key --initial --pointer --final --changes
  --keep-going --view --max-state'
_sse_replay_options='-f --format --json-data --event -n --max-events --speed --no-wait --interval
  --from --to --loop --apply --key --initial --pointer --final --changes --keep-going --view --max-state'
_sse_serve_options='--ndjson --sse --exec --script --replay --shared --demo --host -p --port --cors --allow-host --max-clients
  --max-lifetime --client-buffer --history --from-start --linger --retry --heartbeat --hello
  --goodbye --eol --bom --max-event-size --durable --data-dir --memory --repair --long-poll-timeout --token
  --max-body'
# The Durable Streams client commands share the URL, authorization and retry options.
_sse_durable_options='--auth -H --header -u --user --bearer -k --insecure --cacert
  --connect-timeout --proxy --max-header-size --max-retries'
_sse_append_options="$_sse_durable_options --whole --batch-max --linger --producer --epoch
  --claim --seq --create --content-type --json --ttl --expires-at --close"
_sse_create_options="$_sse_durable_options --content-type --json --ttl --expires-at --closed"
_sse_close_options=$_sse_durable_options
_sse_delete_options=$_sse_durable_options
_sse_info_options=$_sse_durable_options
_sse_help_options=''

# Prints the choices for the value of option $1 and returns 0, or returns 1 when $1 takes no
# value. An option with a free-form value prints nothing: there is nothing to suggest.
# $2 is the subcommand, for the names that take a value in one and not in another
# (--json, --linger); without it, an option takes a value if it does in any subcommand.
_sse_option_values() {
  case $2:$1 in
  append:--json | create:--json | serve:--linger) return 1 ;;
  esac
  case $1 in
  --color) echo 'auto always never' ;;
  -f | --format) echo 'json pretty data sse raw' ;;
  -X | --request) echo 'GET POST PUT PATCH DELETE' ;;
  -H | --header | -d | --data | --json | -u | --user | --bearer | --connect-timeout | --proxy | \
    --event | --extract | -n | --max-events | --until | --until-data | --timeout | \
    --idle-timeout | --max-retries | --max-backoff | --last-event-id | --cacert | --cursor-file) ;;
  --max-event-size | --max-line-size | --max-header-size | --max-state | --key | --initial | --pointer) ;;
  --eol) echo 'lf crlf cr' ;;
  --live) echo 'sse long-poll none' ;;
  --offset | --auth | --batch-max | --linger | --producer | --epoch | --seq | --content-type | \
    --ttl | --expires-at) ;;
  --host | -p | --port | --cors | --allow-host | --max-clients | --max-lifetime | --client-buffer | --history | \
    --retry | --heartbeat | --hello | --goodbye | --script | --replay | --record | --speed | \
    --interval | --from | --to | --data-dir | --long-poll-timeout | --token | --max-body) ;;
  *) return 1 ;;
  esac
}

# Sets COMPREPLY to the words of $1 that start with $2. (mapfile, unlike COMPREPLY=($(...)),
# does not fail when nothing matches, so callers under `set -e` are safe.)
_sse_reply() {
  mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

_sse() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  COMPREPLY=()

  # "--format=js" arrives as three words, because '=' is in COMP_WORDBREAKS.
  if [[ $cur == = ]]; then
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    cur=
  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
    prev=${COMP_WORDS[COMP_CWORD - 2]}
  fi

  # The subcommand is the first word that is neither an option nor an option's value.
  local i word command='' value_next=false
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ $word == = ]]; then
      continue # joins an option to its value
    elif $value_next; then
      value_next=false
    elif [[ $word == -* ]]; then
      _sse_option_values "$word" >/dev/null && value_next=true
    else
      command=$word
      break
    fi
  done

  local values
  if [[ $prev == --initial || $prev == --cacert || $prev == --cursor-file || $prev == --script || $prev == --replay || $prev == --record ]]; then
    compopt -o filenames 2>/dev/null || true
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    return 0
  fi
  if values=$(_sse_option_values "$prev" "$command"); then
    _sse_reply "$values" "$cur"
    return 0
  fi

  if [[ $cur == -* ]]; then
    local options=$_sse_global_options
    case $command in
    tail) options+=" $_sse_tail_options" ;;
    parse) options+=" $_sse_parse_options" ;;
    format) options+=" $_sse_format_options" ;;
    patch) options+=" $_sse_patch_options" ;;
    replay) options+=" $_sse_replay_options" ;;
    serve) options+=" $_sse_serve_options" ;;
    append) options+=" $_sse_append_options" ;;
    create) options+=" $_sse_create_options" ;;
    close) options+=" $_sse_close_options" ;;
    delete) options+=" $_sse_delete_options" ;;
    info) options+=" $_sse_info_options" ;;
    help) options+=" $_sse_help_options" ;;
    esac
    _sse_reply "$options" "$cur"
    return 0
  fi

  case $command in
  '') _sse_reply "$_sse_commands" "$cur" ;;
  parse | format | patch | replay)
    # FILE arguments; compopt fails outside a real completion, which is harmless.
    compopt -o filenames 2>/dev/null || true
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    ;;
  serve)
    # The COMMAND of --exec, then its arguments as files.
    if [[ " ${COMP_WORDS[*]:1:COMP_CWORD-1} " == *" --exec "* ]]; then
      mapfile -t COMPREPLY < <(compgen -c -- "$cur")
    fi
    ;;
  help)
    # One SUBCOMMAND, and nothing after it.
    local count=0
    for ((i = i + 1; i < COMP_CWORD; i++)); do
      [[ ${COMP_WORDS[i]} == -* ]] || count=$((count + 1))
    done
    if ((count == 0)); then
      _sse_reply "$_sse_commands" "$cur"
    fi
    ;;
  esac
  return 0
}

complete -F _sse sse
