#!/usr/bin/env bash
# --format perfetto against --format chrome on the 1,000,008-event recording
# (ft-userspace-bench's, as in docs/benchmarks.md), in the same run, with a
# plain JSON Lines replay as the baseline: CPU (user + system), peak RSS and
# the bytes written, the median of ROUNDS runs (default 3), alternated.
# Also the export's own share: the run's CPU minus that of --format tree
# (the same replay and store, without history, and a cheap render).
#   tools/bench/perfetto_bench.sh [BUILD_DIR] [RECORDING]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
recording=${2:-}
rounds=${ROUNDS:-3}
forktrace=$build/forktrace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "$recording" ]; then
  recording=$work/1m.ftrace
  FT_BENCH_KEEP="$recording" "$build/tools/bench/ft-userspace-bench" 83334 --repeat 1 --only recording >/dev/null
fi
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
declare -A cpu mib bytes
formats="json tree chrome perfetto"
for _ in $(seq "$rounds"); do
  for f in $formats; do
    /usr/bin/time -f '%U %S %M' -o "$work/time" "$forktrace" -q -r "$recording" --format "$f" -o "$work/out.$f" >/dev/null
    read -r user sys kib < "$work/time"
    cpu[$f]+="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') "
    mib[$f]+="$((kib / 1024)) "
    bytes[$f]=$(stat -c %s "$work/out.$f")
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs; $rounds rounds, medians"
echo "| --format | CPU | peak RSS | bytes |"
echo "| --- | ---: | ---: | ---: |"
declare -A med
for f in $formats; do
  # shellcheck disable=SC2086
  med[$f]=$(median ${cpu[$f]})
  # shellcheck disable=SC2086
  printf '| %s | %s s | %s MiB | %s |\n' "$f" "${med[$f]}" "$(median ${mib[$f]})" "${bytes[$f]}"
done
awk -v p="${bytes[perfetto]}" -v c="${bytes[chrome]}" -v pc="${med[perfetto]}" -v cc="${med[chrome]}" \
  -v t="${med[tree]}" 'BEGIN { printf "perfetto / chrome: bytes %.2f, CPU %.2f; perfetto - tree: %.2f s CPU\n", p / c, pc / cc, pc - t }'
