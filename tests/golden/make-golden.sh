#!/usr/bin/env bash
# Regenerates the golden recording and its expected replay output. Run as root
# only when the format or a view changes on purpose; review the diff.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/forktrace}
workload=${2:-$here/../../build/tests/workload/ft-workload}
"$bin" -q --threads -w "$here/basic.ftrace" -o /dev/null -- \
  sh -c '"$0" all >/dev/null 2>&1; sh -c "exit 3"; sh -c "kill -TERM \$\$"; true' "$workload"
"$here/check.sh" "$bin" "$here" --update
