#!/usr/bin/env bash
# The HTML report in a real headless Chromium: a small build whose second
# step fails is traced (as root; otherwise the checked-in recording is used),
# replayed to --format html, and opened by tools/browser/cdp_check.py, which
# fails on any console error, uncaught exception or network request, and
# checks that the page shows the failing step and the tree. The screenshot is
# kept at ARTIFACTS/report.png (build-test/artifacts/ in CI).
# A synthetic build of 20,000 processes (ft-synthetic-build) checks the
# compressed embedding and the folded start of a large report.
#   html_report_test.sh FORKTRACE SOURCE_DIR ARTIFACTS SYNTHETIC_BUILD
set -euo pipefail
. "$(dirname "$0")/../common/require.sh"
bin=$1
src=$2
artifacts=$3
synthetic=$4
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v chromium >/dev/null && [ ! -x /usr/lib/chromium/chromium ]; then
  cannot_run "html_report_test: chromium is not installed (tools/install-deps.sh installs it)"
fi

expect=()
if [ "$(id -u)" -eq 0 ]; then
  cat >"$work/Makefile" <<'MAKE'
all: first broken
first:
	@sh -c 'true'
broken:
	@sh -c 'echo "broken.c:1: error" >&2; exit 3'
MAKE
  status=0
  "$bin" -q -o /dev/null -w "$work/build.ftrace" -- make -s -C "$work" -j2 all 2>/dev/null || status=$?
  [ "$status" -eq 2 ] || { echo "html_report_test: make exited $status, expected 2" >&2; exit 1; }
  recording=$work/build.ftrace
  expect=(--expect "Why it failed" --expect "exit 3" --expect-row "make" --expect-row "exit 3")
elif [ "${FORKTRACE_REQUIRE_ROOT_TESTS:-}" = 1 ]; then
  echo "html_report_test: needs root to trace a build" >&2
  exit 1
else
  recording=$src/tests/golden/basic.ftrace
  expect=(--expect "exit 3" --expect-row "ft-workload")
fi

"$bin" -r "$recording" --format html -o "$work/report.html"
cp "$work/report.html" "$artifacts/report.html"
python3 "$src/tools/browser/cdp_check.py" "$work/report.html" "${expect[@]}" \
  --screenshot "$artifacts/report.png"
# Search: typing a command and Enter selects it, and the details show it.
python3 "$src/tools/browser/cdp_check.py" "$work/report.html" --search "true" --expect "1 of " \
  --expect "argv" --screenshot "$artifacts/report-search.png"
# The failures tab ranks the cause, the rest of the failure path, then the
# handled failures, each in the order they ended (issue 24, point 5), not in
# the order they started: `exit 6` ends before the command's `exit 7`, and
# `sh -c 'sleep 0.1; exit 5'` before the subshell started first (`exit 4`).
# The statuses are computed so the command lines do not show them.
if [ "$(id -u)" -eq 0 ]; then
  status=0
  "$bin" -q -o /dev/null -w "$work/order.ftrace" -- \
    sh -c '(sleep 0.4; exit $((2+2))) & sh -c "sleep 0.1; exit \$((2+3))"; wait; sh -c "exit \$((3+3))"; exit $((3+4))' \
    || status=$?
  [ "$status" -eq 7 ] || { echo "html_report_test: the ordering command exited $status, expected 7" >&2; exit 1; }
  "$bin" -r "$work/order.ftrace" --format html -o "$work/order.html"
  python3 "$src/tools/browser/cdp_check.py" "$work/order.html" --expect-order "exit 6" --expect-order "exit 7" \
    --expect-order "exit 5" --expect-order "exit 4" --screenshot "$artifacts/report-order.png"
fi
# A large report: embedded compressed, opens folded down to the failures.
"$synthetic" "$work/large.ftrace" 20000 >/dev/null
"$bin" -r "$work/large.ftrace" --format html -o "$work/large.html"
grep -q 'data-encoding="gzip+base64"' "$work/large.html"
python3 "$src/tools/browser/cdp_check.py" "$work/large.html" --expect "Why it failed" --expect "unit99.c" \
  --expect-row "cc1" --screenshot "$artifacts/report-large.png"
echo "html_report_test: screenshots in $artifacts"
