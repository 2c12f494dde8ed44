#!/usr/bin/env bash
# forktrace's memory over time: whole-machine tracing (text view to /dev/null)
# through a storm of short-lived processes, resident memory sampled every
# second; then the cost of one live process, from 10,000 held alive at once.
#   tools/bench/memory_storm.sh [PROCESSES]   (default 1,000,000; run as root)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
forktrace=${FORKTRACE:-$root/build/forktrace}
processes=${1:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/fork_storm" "$root/tools/bench/fork_storm.c" -lpthread

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

"$forktrace" -q -o /dev/null &
tracer=$!
sleep 1.5
start=$(rss_kib $tracer)
"$tmp/fork_storm" fork "$processes" "$(nproc)" >"$tmp/storm.json" &
storm=$!
samples=()
peak=$start
while kill -0 $storm 2>/dev/null; do
  r=$(rss_kib $tracer)
  samples+=("$r")
  ((r > peak)) && peak=$r
  sleep 1
done
wait $storm
sleep 1
end=$(rss_kib $tracer)
echo "storm: $(cat "$tmp/storm.json")"
echo "forktrace RSS (KiB): start $start, peak $peak, end $end"
echo "samples (KiB, one per second): ${samples[*]}"

# One live process: hold N children alive, compare RSS before and while held.
held=10000
before=$(rss_kib $tracer)
python3 - "$held" "$tmp" <<'PY' &
import os, sys, time, signal
n, tmp = int(sys.argv[1]), sys.argv[2]
kids = []
for _ in range(n):
    pid = os.fork()
    if pid == 0:
        signal.pause()
        os._exit(0)
    kids.append(pid)
open(tmp + "/ready", "w").close()
while not os.path.exists(tmp + "/go"):
    time.sleep(0.05)
for pid in kids:
    os.kill(pid, signal.SIGKILL)
for pid in kids:
    os.waitpid(pid, 0)
PY
holder=$!
while [ ! -e "$tmp/ready" ]; do sleep 0.1; done
sleep 1  # forktrace has consumed every fork
during=$(rss_kib $tracer)
touch "$tmp/go"
wait $holder
sleep 1
after=$(rss_kib $tracer)
echo "live processes: $held held: RSS before $before KiB, while held $during KiB, after they exited $after KiB"
echo "bytes per live process: $(( (during - before) * 1024 / held ))"
kill -INT $tracer
wait $tracer || true
