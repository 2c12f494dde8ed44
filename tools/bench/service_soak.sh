#!/usr/bin/env bash
# A service-mode forktrace over a long steady load (docs/benchmarks.md,
# "Faults"): whole machine, JSON to /dev/null, a rotating recording and
# /metrics, as the Debian package's service runs, while a driver starts RATE
# processes a second for MINUTES minutes: each second one storm of RATE/10
# fork + exec of /bin/true + exit + wait and one of the other 9/10 as fork +
# _exit + wait, over all CPUs, then sleep to the next second (a 2-CPU VM
# forks and execs only a few hundred a second under load).
#
#   sudo tools/bench/service_soak.sh [MINUTES] [RATE] [BUILD_DIR]   (30, 500, build)
#
# Every WINDOW seconds (60) it prints one Markdown row: processes the service
# saw start in the window and their rate, forktrace's RSS (VmRSS) at the end
# of the window, its CPU time per 1,000 processes in the window (user +
# system from /proc/PID/stat), events lost so far, recording files kept. At
# the end: whether memory stayed flat (the second half's largest RSS within
# 1 MiB of the first half's), whether anything was lost, the CPU per 1,000
# processes of the first and last windows, and whether the kept recordings
# replay.
set -euo pipefail
minutes=${1:-30}
rate=${2:-500}
build=${3:-build}
window=${WINDOW:-60}
ft=$(realpath "$build/forktrace")
storm=$(realpath "$build/tools/bench/ft-fork-storm")
[ -x "$ft" ] && [ -x "$storm" ] || { echo "service_soak: build $ft and $storm first" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "service_soak: loads BPF programs: run it as root" >&2; exit 2; }
tmp=$(mktemp -d)
tracer=
cleanup() {
  [ -n "$tracer" ] && kill -TERM "$tracer" 2>/dev/null && wait "$tracer" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
addr=127.0.0.1:$port
mkdir "$tmp/rec"
"$ft" -q --format json -o /dev/null -w "$tmp/rec" --rotate-size 64 --keep-files 4 --metrics "$addr" \
  --job-env BUILD_ID 2>"$tmp/err" &
tracer=$!
metric() { curl -sf "http://$addr/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
for _ in $(seq 100); do
  metric forktrace_live_processes >/dev/null 2>&1 && break
  sleep 0.1
done
metric forktrace_live_processes >/dev/null || { echo "service_soak: no /metrics" >&2; cat "$tmp/err" >&2; exit 1; }

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$tracer/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$tracer/stat"; }
started() { metric forktrace_processes_started_total; }
hz=$(getconf CLK_TCK)

# The driver: RATE processes each second, then sleep out the second.
(
  end=$((SECONDS + minutes * 60))
  while ((SECONDS < end)); do
    t0=$(date +%s%N)
    BUILD_ID="soak-$SECONDS" "$storm" exec $((rate / 10)) "$(nproc)" >/dev/null
    "$storm" fork $((rate - rate / 10)) "$(nproc)" >/dev/null
    left=$((1000000000 - ($(date +%s%N) - t0)))
    ((left > 0)) && sleep "0.$(printf '%09d' "$left")"
  done
) &
driver=$!

echo "service soak: $minutes min at $rate processes/s, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ), $(uname -r)"
echo
echo "| at (s) | processes | per second | RSS (KiB) | CPU ms per 1,000 processes | lost | files |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
rss=() per_k=()
last_started=$(started) last_cpu=$(cpu_ticks) t=0
while kill -0 "$driver" 2>/dev/null; do
  sleep "$window"
  t=$((t + window))
  now_started=$(started) now_cpu=$(cpu_ticks) now_rss=$(rss_kib)
  n=$((now_started - last_started))
  ms=$(((now_cpu - last_cpu) * 1000 / hz))
  k=$(awk -v ms="$ms" -v n="$n" 'BEGIN { printf "%.1f", n ? ms * 1000 / n : 0 }')
  files=$(find "$tmp/rec" -type f | wc -l)
  echo "| $t | $n | $((n / window)) | $now_rss | $k | $(metric forktrace_events_lost_total) | $files |"
  rss+=("$now_rss") per_k+=("$k")
  last_started=$now_started last_cpu=$now_cpu
done
wait "$driver" || true
lost=$(metric forktrace_events_lost_total)
kill -TERM "$tracer"
status=0
wait "$tracer" || status=$?
tracer=
half=$((${#rss[@]} / 2))
first=$(printf '%s\n' "${rss[@]:0:half}" | sort -n | tail -1)
second=$(printf '%s\n' "${rss[@]:half}" | sort -n | tail -1)
echo
echo "memory: largest RSS $first KiB in the first half, $second KiB in the second: $( ((second <= first + 1024)) && echo flat || echo GREW)"
echo "lost: $lost; forktrace's exit status on SIGTERM: $status"
echo "CPU ms per 1,000 processes: first window ${per_k[0]}, last window ${per_k[${#per_k[@]} - 1]}"
if "$ft" -q -r "$tmp/rec" --format json -o "$tmp/replay.json"; then
  echo "the $(find "$tmp/rec" -type f | wc -l) kept recordings replay: $(wc -l <"$tmp/replay.json") events"
else
  echo "the kept recordings do not replay"
fi
