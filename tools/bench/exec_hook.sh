#!/usr/bin/env bash
# The failed-exec hook's cost (docs/benchmarks.md): a syscall-heavy workload
# (a tight getppid() loop, CPU ns per call) and a real build step (a CMake
# configure of GoogleTest, CPU seconds), each untraced and traced by
# forktrace without the hook, with tp_btf/sys_exit and with the per-syscall
# tracepoints, in interleaved rounds. Run as root from the repository:
#   tools/bench/exec_hook.sh [ROUNDS] [CALLS]      (default: 5 20000000)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
forktrace=${FORKTRACE:-$root/build/forktrace}
rounds=${1:-5}
calls=${2:-20000000}
src=${GTEST_SRC:-/usr/src/googletest}
[ "$(id -u)" -eq 0 ] || { echo "exec_hook.sh: needs root" >&2; exit 1; }
tmp=$(mktemp -d)
tracer=
cleanup() {
  [ -n "$tracer" ] && kill -INT "$tracer" 2>/dev/null && wait "$tracer" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/loop.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]);
  struct timespec a, b;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
  printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
  return 0;
}
C
cc -O2 -o "$tmp/loop" "$tmp/loop.c"

# A real build step: CMake configuring GoogleTest (hundreds of compiler and
# shell execs, PATH searches included); CPU seconds of the whole tree.
build_cpu() {
  rm -rf "$tmp/b" && mkdir "$tmp/b"
  ( cd "$tmp/b" && /usr/bin/time -f "%U %S" -o "$tmp/time" cmake -S "$src" -B . >/dev/null 2>&1 )
  awk '{printf "%.2f\n", $1 + $2}' "$tmp/time"
}

start_tracer() {  # whole-machine, json to a file, as a service would
  case $1 in
    none) tracer= ; return ;;
    off) "$forktrace" -q --no-exec-failures --format json -o "$tmp/t.json" & ;;
    sys_exit) "$forktrace" -q --exec-failures-hook sys_exit --format json -o "$tmp/t.json" & ;;
    tracepoint) "$forktrace" -q --exec-failures-hook tracepoint --format json -o "$tmp/t.json" & ;;
  esac
  tracer=$!
  sleep 2
}
stop_tracer() {
  [ -n "$tracer" ] || return 0
  kill -INT "$tracer"; wait "$tracer" || true; tracer=
}

modes="none off sys_exit tracepoint"
for r in $(seq "$rounds"); do
  for m in $modes; do
    start_tracer "$m"
    echo "$m $("$tmp/loop" "$calls") $(build_cpu)" >>"$tmp/results"
    stop_tracer
  done
done
python3 - "$tmp/results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
by = {}
for m, ns, cpu in rows:
    by.setdefault(m, ([], []))
    by[m][0].append(float(ns)); by[m][1].append(float(cpu))
base_ns = statistics.median(by["none"][0]); base_cpu = statistics.median(by["none"][1])
print("| forktrace | getppid() ns per call (median) | ratio | cmake configure CPU s (median) | ratio |")
print("| --- | ---: | ---: | ---: | ---: |")
names = {"none": "not running", "off": "--no-exec-failures", "sys_exit": "--exec-failures-hook sys_exit",
         "tracepoint": "--exec-failures-hook tracepoint (the default)"}
for m in ["none", "off", "sys_exit", "tracepoint"]:
    ns = statistics.median(by[m][0]); cpu = statistics.median(by[m][1])
    print(f"| {names[m]} | {ns:.1f} | {ns / base_ns:.2f} | {cpu:.2f} | {cpu / base_cpu:.3f} |")
print(f"({len(by['none'][0])} interleaved rounds)")
PY
