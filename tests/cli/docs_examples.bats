# Every man-page example runs and prints what it shows, as jq's man tests do, and every page
# renders without warnings.

load helper
load docs_helper

setup_file() { docs_setup_file; }

setup() { common_setup; }

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
