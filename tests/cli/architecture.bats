#!/usr/bin/env bats
# The include rules of ARCHITECTURE.md hold: its table "Who may include whom" is read here, and
# every #include in lib/ and cmd/ is checked against it. A folder of lib/ that the table does
# not name fails too, so that a new folder is placed in the map before it is used.

load helper

ARCH="$REPO_ROOT/ARCHITECTURE.md"

setup() { common_setup; }

# The table's rows as "FOLDER<TAB>MAY INCLUDE<TAB>OUTSIDE HEADERS", names separated by spaces.
rules() {
  awk -F'|' '
    /^## Who may include whom/ { on = 1; next }
    on && /^## / { on = 0 }
    on && $2 ~ /`(lib\/[a-z_\/]+|cmd)`/ {
      folder = $2; gsub(/[ `]/, "", folder)
      inside = $3; gsub(/[`,]/, " ", inside); gsub(/—/, "", inside)
      outside = $4; gsub(/[`,]/, " ", outside); gsub(/—/, "", outside)
      print folder "\t" inside "\t" outside
    }' "$ARCH"
}

# Prints "FILE: INCLUDE" for every include in the files of FOLDER (not those of a subfolder
# with a row of its own, listed in SKIP) that its row does not allow. An include "a/b/x.hpp"
# is allowed when the row names "a" or "a/b", or when it is in FOLDER itself.
violations() {
  local folder=$1 inside=$2 outside=$3 skip=${4:-}
  local self=${folder#lib/}
  local file line target entry ok
  while IFS= read -r file; do
    while IFS= read -r line; do
      if [[ $line =~ ^#include\ \"([^\"]+)\" ]]; then
        target=${BASH_REMATCH[1]}
        [[ $target == */* ]] || continue # a header beside the file
        ok=
        for entry in "$self" $inside; do
          [[ $target == "$entry"/* ]] && ok=1
        done
        [[ -n $ok ]] || echo "$file: $line"
      elif [[ $line =~ ^#include\ \<([^\>]+)\> ]]; then
        target=${BASH_REMATCH[1]}
        # The outside libraries of the design card; the standard and system headers are free.
        [[ $target =~ ^(nlohmann/|httplib\.h|CLI/|rang\.hpp|hiredis/|openssl/|nghttp2/|zlib\.h|gtest/) ]] ||
          continue
        [[ " $outside " == *" $target "* ]] || echo "$file: $line"
      fi
    done < <(grep -E '^#include' "$REPO_ROOT/$file")
  done < <(cd "$REPO_ROOT" && find "$folder" -name '*.[ch]pp' | grep -vE "^(${skip:-^})/" | sort)
}

@test "ARCHITECTURE.md names every folder of lib/, and cmd/" {
  run rules
  assert_success
  local named expected
  named=$(cut -f1 <<< "$output" | grep -v '^lib/.*/' | sort)
  expected=$( (cd "$REPO_ROOT" && find lib -mindepth 1 -maxdepth 1 -type d && echo cmd) | sort)
  assert_equal "$named" "$expected"
}

@test "every #include in lib/ and cmd/ is one ARCHITECTURE.md allows" {
  local folder inside outside found="" folders skip
  folders=$(rules | cut -f1)
  while IFS=$'\t' read -r folder inside outside; do
    # A subfolder with a row of its own keeps its own rules.
    skip=$(grep "^$folder/" <<< "$folders" | paste -sd'|')
    found+=$(violations "$folder" "$inside" "$outside" "$skip")
  done < <(rules)
  [[ -z $found ]] || fail "includes that ARCHITECTURE.md does not allow:
${found//$REPO_ROOT\//}"
}

@test "the check finds an include the table does not allow" {
  # A copy of the tree's rules with sse/ no longer allowed to include util/: it must complain.
  local line
  line=$(rules | awk -F'\t' '$1 == "lib/sse"')
  [[ -n $line ]]
  run violations lib/sse "" ""
  assert_output --partial 'lib/sse/'
  assert_output --partial '#include "util/'
}

@test "only lib/json includes nlohmann: every other file names json::Value" {
  run bash -c "cd '$REPO_ROOT' && grep -rlE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]nlohmann/' \
    lib cmd tests bench | grep -v '^lib/json/' || true"
  assert_success
  assert_output ''
}
