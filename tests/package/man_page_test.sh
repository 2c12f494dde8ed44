#!/usr/bin/env bash
# forktrace(1) names every long option that forktrace --help lists, and so
# does the bash completion: a new option cannot go undocumented.
#   tests/package/man_page_test.sh FORKTRACE
set -euo pipefail
dir=$(cd "$(dirname "$0")/../../packaging" && pwd)
man=$(sed 's/\\-/-/g' "$dir/forktrace.1")
missing=0
for option in $("$1" --help | grep -oE '^ +(-[a-z], *)?--[a-z][a-z-]*' | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
  [ "$option" = --help ] && continue
  grep -qE -- "(^|[^a-z-])$option([^a-z-]|$)" <<<"$man" || { echo "forktrace.1 lacks $option"; missing=1; }
  grep -qE -- "(^| )$option( |\"|$)" "$dir/forktrace.bash-completion" || { echo "bash completion lacks $option"; missing=1; }
done
man -l "$dir/forktrace.1" >/dev/null 2>&1 || { echo "forktrace.1 does not format"; missing=1; }
exit $missing
