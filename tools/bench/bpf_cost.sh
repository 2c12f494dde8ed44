#!/usr/bin/env bash
# The kernel side's own cost: run time per call of each forktrace BPF program
# (kernel.bpf_stats_enabled, read with bpftool) while forktrace traces the
# whole machine through a storm. Run as root from the repository:
#   tools/bench/bpf_cost.sh [MODE] [ITERATIONS]     (default: exec 6000)
# FT_ARGS adds options to forktrace (FT_ARGS="--exec-failures-hook sys_exit"
# measures the other failed-exec hook). Only this forktrace's programs are
# counted (their ids from its /proc/PID/fdinfo), whoever else traces. The
# table's last column is each program's share of start-up: its load and
# verification, from one `forktrace -v` run with the same options.
# MODE signal is a storm of kill(getpid(), SIGUSR1) that a handler takes: the
# signal hook's cost per signal that ends nothing; it also times the storm
# without forktrace first, so the line after the table says what a signal
# costs with and without the hook.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
forktrace=${FORKTRACE:-$root/build/forktrace}
storm=${FT_FORK_STORM:-$root/build/tools/bench/ft-fork-storm}
FT_ARGS=${FT_ARGS:-}
mode=${1:-exec}
iterations=${2:-6000}
[ "$(id -u)" -eq 0 ] || { echo "bpf_cost.sh: needs root" >&2; exit 1; }
command -v bpftool >/dev/null || { echo "bpf_cost.sh: needs bpftool" >&2; exit 1; }

stats_before=$(sysctl -n kernel.bpf_stats_enabled)
tmp=$(mktemp -d)
cleanup() {
  sysctl -q kernel.bpf_stats_enabled="$stats_before"
  [ -n "${tracer:-}" ] && kill "$tracer" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
sysctl -q kernel.bpf_stats_enabled=1

if [ "$mode" = signal ]; then
  "$storm" "$mode" "$iterations" "$(nproc)" >"$tmp/bare.json"
fi
# shellcheck disable=SC2086
"$forktrace" -v -q -o /dev/null $FT_ARGS -- /bin/true 2>"$tmp/startup.txt" >/dev/null
# shellcheck disable=SC2086
"$forktrace" -q --format json -o /dev/null $FT_ARGS &
tracer=$!
sleep 1.5
"$storm" "$mode" "$iterations" "$(nproc)" >"$tmp/storm.json"
sleep 0.5
bpftool prog show --json >"$tmp/progs.json"
grep -h '^prog_id:' /proc/"$tracer"/fdinfo/* 2>/dev/null | awk '{print $2}' >"$tmp/ids.txt" || true
kill -INT "$tracer"
wait "$tracer" || true
tracer=

echo "storm: $(cat "$tmp/storm.json")"
python3 - "$tmp/progs.json" "$tmp/ids.txt" "$tmp/startup.txt" "$tmp/storm.json" "$mode" "$tmp/bare.json" <<'PY'
import json, os, re, sys
ids = {int(x) for x in open(sys.argv[2]).read().split()}
progs = [p for p in json.load(open(sys.argv[1]))
         if p.get("name", "").startswith(("sched_proc_", "sys_exit_", "signal_", "oom_")) and (not ids or p["id"] in ids)]
load_ms = {}
for line in open(sys.argv[3]):
    if line.startswith("forktrace: programs loaded:"):
        for item in line.split(":", 2)[2].split(","):
            m = re.match(r"\s*(\S+) ([\d.]+) ms", item)
            if m:
                load_ms[m[1][:15]] = float(m[2])
mode = sys.argv[5]
# What one iteration of the storm runs: exec mode is fork + exec + exit, one
# execve, and the parent's SIGCHLD (signal_generate returns at its first test).
per_iteration = {"exec": {"sched_proc_fork", "sched_proc_exec", "sched_proc_exit", "sys_exit_execve", "signal_generate"},
                 "fork": {"sched_proc_fork", "sched_proc_exit", "signal_generate"},
                 "signal": {"signal_generate"}}.get(mode, set())
print("| program | calls | ns per call | total ms | start-up: load and verification ms |")
print("| --- | ---: | ---: | ---: | ---: |")
lifecycle = 0.0
for p in sorted(progs, key=lambda p: p["name"]):
    calls, ns = p.get("run_cnt", 0), p.get("run_time_ns", 0)
    per = ns / calls if calls else 0
    name = p["name"]
    if name in per_iteration or (name.startswith("sched_proc_exit") and "sched_proc_exit" in per_iteration):
        lifecycle += per
    print(f"| {name} | {calls} | {per:.0f} | {ns / 1e6:.1f} | {load_ms.get(name, float('nan')):.1f} |")
startup_total = sum(load_ms.get(p["name"], 0) for p in progs)
if mode == "signal" and os.path.getsize(sys.argv[6]):
    bare, traced = json.load(open(sys.argv[6])), json.load(open(sys.argv[4]))
    per = lambda r: r["seconds"] * r["workers"] / r["iterations"] * 1e9
    print(f"storm wall time per signal and worker: {per(bare):.0f} ns without forktrace, {per(traced):.0f} ns with it")
if per_iteration:
    print(f"| one {mode} iteration ({', '.join(sorted(per_iteration))}; sys_exit_exec, where loaded, is per syscall) | | {lifecycle:.0f} | | {startup_total:.1f} |")
PY
