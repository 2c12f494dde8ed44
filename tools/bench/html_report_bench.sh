#!/usr/bin/env bash
# The HTML report's cost (docs/benchmarks.md). For synthetic builds of N
# processes (ft-synthetic-build): the CPU time and peak memory of
# `forktrace -r FILE --format html`, against `--format tree` on the same
# recording in the same run; and how long headless Chromium takes to open the
# page until its first frame is drawn (tools/browser/cdp_check.py; ms since
# navigation began, median of 3), for the page as written (gzip+base64 data
# over 1 MiB) and for the same page with its data inflated back to plain
# JSON, interleaved so both see the same load.
#   tools/bench/html_report_bench.sh [BUILD_DIR] [N...]   (default: build 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
shift || true
sizes=("$@")
((${#sizes[@]})) || sizes=(10000 100000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
inflate() {  # the same page with plain JSON data
  python3 - "$1" "$2" <<'PY'
import base64, re, sys, zlib
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'(<script type="application/json" id="ft-data") data-encoding="gzip\+base64">([^<]*)</script>', page)
if m:
    data = zlib.decompress(base64.b64decode(m.group(2)), 16 + zlib.MAX_WBITS).decode()
    page = page[:m.start()] + m.group(1) + ">" + data + "</script>" + page[m.end():]
open(sys.argv[2], "w", encoding="utf-8").write(page)
PY
}
ready_ms() {
  python3 tools/browser/cdp_check.py "$1" --expect "Why it failed" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d["readyMs"]), round(d["parseMs"]))'
}
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
printf '%-9s %-8s %-13s %-19s %-19s %-17s %s\n' processes events "page MB" "html cpu s / MB" "tree cpu s / MB" "open ms (parse)" "plain JSON: open ms (parse)"
for n in "${sizes[@]}"; do
  "$build/tools/bench/ft-synthetic-build" "$work/b.ftrace" "$n" >/dev/null
  events=$("$build/forktrace" -r "$work/b.ftrace" --format json | wc -l)
  measure() {  # user+sys CPU seconds and peak RSS in MB
    /usr/bin/time -f '%U %S %M' -o "$work/time" "$build/forktrace" -r "$work/b.ftrace" "$@"
    awk '{printf "%.2f / %.0f", $1 + $2, $3 / 1024}' "$work/time"
  }
  html=$(measure --format html -o "$work/r.html")
  tree=$(measure --format tree -o "$work/t.txt")
  inflate "$work/r.html" "$work/plain.html"
  mb=$(awk -v a="$(stat -c %s "$work/r.html")" -v b="$(stat -c %s "$work/plain.html")" 'BEGIN { printf "%.1f (%.1f)", a / 1e6, b / 1e6 }')
  packed=() packed_parse=() plain=() plain_parse=()
  for _ in 1 2 3; do
    read -r ms parse < <(ready_ms "$work/r.html"); packed+=("$ms"); packed_parse+=("$parse")
    read -r ms parse < <(ready_ms "$work/plain.html"); plain+=("$ms"); plain_parse+=("$parse")
  done
  printf '%-9s %-8s %-13s %-19s %-19s %-17s %s\n' "$n" "$events" "$mb" "$html" "$tree" \
    "$(median "${packed[@]}") ($(median "${packed_parse[@]}"))" "$(median "${plain[@]}") ($(median "${plain_parse[@]}"))"
done
