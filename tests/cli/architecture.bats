#!/usr/bin/env bats
# The include rules of ARCHITECTURE.md hold: its table "Who may include whom" is read here, and
# every #include in lib/ and cmd/ is checked against it. A folder of lib/ that the table does
# not name fails too, so that a new folder is placed in the map before it is used.

load helper

ARCH="$REPO_ROOT/ARCHITECTURE.md"

# The table's rows as "FOLDER<TAB>MAY INCLUDE<TAB>OUTSIDE HEADERS", names separated by spaces.
rules() {
  awk -F'|' '
    /^## Who may include whom/ { on = 1; next }
    on && /^## / { on = 0 }
    on && $2 ~ /`(lib\/[a-z_]+|cmd)`/ {
      folder = $2; gsub(/[ `]/, "", folder)
      inside = $3; gsub(/[`,]/, " ", inside); gsub(/—/, "", inside)
      outside = $4; gsub(/[`,]/, " ", outside); gsub(/—/, "", outside)
      print folder "\t" inside "\t" outside
    }' "$ARCH"
}

# Prints "FILE: INCLUDE" for every include in FOLDER that the rules do not allow.
violations() {
  local folder=$1 inside=$2 outside=$3 self=${1#lib/}
  local allowed_inside=" $self ${inside} " allowed_outside=" ${outside} "
  local file line target top
  while IFS= read -r file; do
    while IFS= read -r line; do
      if [[ $line =~ ^#include\ \"([^\"]+)\" ]]; then
        target=${BASH_REMATCH[1]}
        [[ $target == */* ]] || continue # a header beside the file
        top=${target%%/*}
        [[ $allowed_inside == *" $top "* ]] || echo "$file: $line"
      elif [[ $line =~ ^#include\ \<([^\>]+)\> ]]; then
        target=${BASH_REMATCH[1]}
        # The outside libraries of the design card; the standard and system headers are free.
        [[ $target =~ ^(nlohmann/|httplib\.h|CLI/|rang\.hpp|hiredis/|openssl/|nghttp2/|zlib\.h|gtest/) ]] ||
          continue
        [[ $allowed_outside == *" $target "* ]] || echo "$file: $line"
      fi
    done < <(grep -E '^#include' "$file")
  done < <(find "$REPO_ROOT/$folder" -name '*.[ch]pp' | sort)
}

@test "ARCHITECTURE.md names every folder of lib/, and cmd/" {
  run rules
  assert_success
  local named expected
  named=$(cut -f1 <<< "$output" | sort)
  expected=$( (cd "$REPO_ROOT" && find lib -mindepth 1 -maxdepth 1 -type d && echo cmd) | sort)
  assert_equal "$named" "$expected"
}

@test "every #include in lib/ and cmd/ is one ARCHITECTURE.md allows" {
  local folder inside outside found=""
  while IFS=$'\t' read -r folder inside outside; do
    found+=$(violations "$folder" "$inside" "$outside")
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
