# bash completion for sse(1): a thin wrapper around `sse __complete WORD...`, which works out
# the candidates from the options sse really parses (its output is described in cmd/complete.cpp
# and ARCHITECTURE.md). It needs nothing from the bash-completion package.

_sse() {
  local cur=${COMP_WORDS[COMP_CWORD]} sse=${COMP_WORDS[0]}
  [[ $sse == '~/'* ]] && sse=$HOME/${sse#'~/'}
  COMPREPLY=()

  # "--format=js" arrives as "--format" "=" "js", because '=' is in COMP_WORDBREAKS: join them
  # again for sse, and keep what readline replaces, the text after the '='.
  local -a words=()
  local i word joining=false
  for ((i = 1; i <= COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ $word == = && ${#words[@]} -gt 0 && ${words[-1]} == -* ]]; then
      words[-1]+==
      joining=true
    elif $joining; then
      words[-1]+=$word
      joining=false
    else
      words+=("$word")
    fi
  done
  [[ $cur == = ]] && cur=
  local strip=${words[-1]%"$cur"}

  local -a lines
  mapfile -t lines < <("$sse" __complete "${words[@]}" 2>/dev/null)
  case ${lines[0]-} in
  :file | :directory | :command)
    local kind=${lines[0]#:}
    # compopt fails outside a real completion (the tests call _sse), which is harmless.
    [[ $kind == command ]] || compopt -o filenames 2>/dev/null || true
    mapfile -t COMPREPLY < <(compgen -A "$kind" -- "$cur")
    ;;
  *)
    local line
    for line in "${lines[@]}"; do
      line=${line%%$'\t'*}
      COMPREPLY+=("${line#"$strip"}")
    done
    ;;
  esac
  return 0
}

complete -F _sse sse
