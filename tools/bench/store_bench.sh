#!/usr/bin/env bash
# The whole-trace store's cost (issue 19, docs/benchmarks.md): CPU time and
# peak memory of the end-of-trace views on two recordings made here, each
# against a plain JSON replay of the same recording in the same run:
#   - a synthetic build of about 60,000 processes (ft-synthetic-build):
#     `--format tree --summary` (target <= 50 MiB) and `--format html`
#     (target <= 80 MiB);
#   - a recording of 1,000,008 events (ft-userspace-bench's): `--summary`
#     (targets <= 1.0 s CPU, <= 200 MiB) and `--diff` against itself
#     (targets <= 2.0 s CPU, <= 400 MiB).
# CPU is user + system time (not wall time: the machine is shared); each
# figure is the median of ROUNDS runs (default 3).
#   tools/bench/store_bench.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rounds=${ROUNDS:-3}
forktrace=$build/forktrace
for f in "$forktrace" "$build/tools/bench/ft-synthetic-build" "$build/tools/bench/ft-userspace-bench"; do
  [ -x "$f" ] || { echo "store_bench: $f is missing: build first (tools/build.sh)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/tools/bench/ft-synthetic-build" "$work/60k.ftrace" 60000 >/dev/null
FT_BENCH_KEEP="$work/1m.ftrace" "$build/tools/bench/ft-userspace-bench" 83334 --repeat 1 --only recording >/dev/null

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
measure() {  # LABEL TARGET_S TARGET_MIB ARGS...: one table row, median of the rounds
  local label=$1 target_s=$2 target_mib=$3 cpu=() mib=()
  shift 3
  for _ in $(seq "$rounds"); do
    /usr/bin/time -f '%U %S %M' -o "$work/time" "$forktrace" -q "$@" -o "$work/out" >/dev/null
    read -r user sys kib < "$work/time"
    cpu+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')")
    mib+=("$((kib / 1024))")
  done
  printf '| %s | %s s | %s | %s MiB | %s |\n' "$label" "$(median "${cpu[@]}")" "$target_s" "$(median "${mib[@]}")" "$target_mib"
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs; $rounds rounds, medians"
echo "| command | CPU | target | peak RSS | target |"
echo "| --- | ---: | ---: | ---: | ---: |"
measure "60k processes: --format json (baseline)" - - -r "$work/60k.ftrace" --format json
measure "60k processes: --format tree --summary" - "≤ 50" -r "$work/60k.ftrace" --format tree --summary
measure "60k processes: --format html" - "≤ 80" -r "$work/60k.ftrace" --format html
measure "1M events: --format json (baseline)" - - -r "$work/1m.ftrace" --format json
measure "1M events: --summary" "≤ 1.0 s" "≤ 200" -r "$work/1m.ftrace" --summary
measure "1M events: --diff itself" "≤ 2.0 s" "≤ 400" -r "$work/1m.ftrace" --diff "$work/1m.ftrace"
