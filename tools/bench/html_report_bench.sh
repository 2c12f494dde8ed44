#!/usr/bin/env bash
# The HTML report's cost (docs/benchmarks.md): for synthetic builds of N
# processes (ft-synthetic-build), the time and memory `forktrace -r --format
# html` takes, against `--format tree` on the same recording in the same run,
# and how long headless Chromium takes to open the page until it is ready
# (tools/browser/cdp_check.py: navigation start to the first frame drawn).
#   tools/bench/html_report_bench.sh [BUILD_DIR] [N...]   (default: build 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
shift || true
sizes=("$@")
((${#sizes[@]})) || sizes=(10000 100000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-9s %-10s %-8s %-22s %-22s %-10s %s\n' processes events html_MB "html: cpu s / max MB" "tree: cpu s / max MB" "load ms" "(script ms, median of 3)"
for n in "${sizes[@]}"; do
  "$build/tools/bench/ft-synthetic-build" "$work/b.ftrace" "$n" >/dev/null
  events=$("$build/forktrace" -r "$work/b.ftrace" --format json | wc -l)
  measure() {  # user+sys CPU seconds and peak RSS in MB
    /usr/bin/time -f '%U %S %M' -o "$work/time" "$build/forktrace" -r "$work/b.ftrace" "$@"
    awk '{printf "%.2f / %.0f", $1 + $2, $3 / 1024}' "$work/time"
  }
  html=$(measure --format html -o "$work/r.html")
  tree=$(measure --format tree -o "$work/t.txt")
  mb=$(awk -v b="$(stat -c %s "$work/r.html")" 'BEGIN { printf "%.1f", b / 1e6 }')
  loads=() scripts=()
  for _ in 1 2 3; do
    line=$(python3 tools/browser/cdp_check.py "$work/r.html" --expect "Why it failed")
    loads+=("$(python3 -c 'import json,sys; print(round(json.loads(sys.argv[1])["readyMs"]))' "$line")")
    scripts+=("$(python3 -c 'import json,sys; print(round(json.loads(sys.argv[1])["scriptMs"]))' "$line")")
  done
  median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
  printf '%-9s %-10s %-8s %-22s %-22s %-10s %s\n' "$n" "$events" "$mb" "$html" "$tree" "$(median "${loads[@]}")" "($(median "${scripts[@]}"))"
done
