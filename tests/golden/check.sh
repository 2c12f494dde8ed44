#!/usr/bin/env bash
# Replays the checked-in recording through every view and compares with the
# expected output: a format or view change that breaks old files fails here.
set -euo pipefail
bin=$1
dir=$2
update=${3:-}
export TZ=UTC  # the text view prints local time
status=0
check() {
  local name=$1
  shift
  local got
  got=$(mktemp)
  "$bin" -r "$dir/basic.ftrace" "$@" >"$got"
  if [ "$update" = --update ]; then
    cp "$got" "$dir/expected/$name"
  elif ! diff -u "$dir/expected/$name" "$got"; then
    echo "golden: $name differs" >&2
    status=1
  fi
  rm -f "$got"
}
mkdir -p "$dir/expected"
check basic.txt --format text
check basic.threads.txt --format text --threads
check basic.tree --format tree
check basic.json --format json
check basic.threads.json --format json --threads
check basic.failed.json --format json --failed
check basic.failed.tree --format tree --failed
check basic.chrome.json --format chrome
check basic.summary --summary
[ $status -eq 0 ] && echo "golden: all views match"
exit $status
