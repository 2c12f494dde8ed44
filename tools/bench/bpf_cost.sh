#!/usr/bin/env bash
# The kernel side's own cost: run time per call of each forktrace BPF program
# (kernel.bpf_stats_enabled, read with bpftool) while forktrace traces the
# whole machine through a storm. Run as root from the repository:
#   tools/bench/bpf_cost.sh [MODE] [ITERATIONS]     (default: exec 6000)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
forktrace=${FORKTRACE:-$root/build/forktrace}
storm=${FT_FORK_STORM:-$root/build/tools/bench/ft-fork-storm}
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

"$forktrace" -q --format json -o /dev/null &
tracer=$!
sleep 1.5
"$storm" "$mode" "$iterations" "$(nproc)" >"$tmp/storm.json"
sleep 0.5
bpftool prog show --json >"$tmp/progs.json"
kill -INT "$tracer"
wait "$tracer" || true
tracer=

echo "storm: $(cat "$tmp/storm.json")"
python3 - "$tmp/progs.json" <<'PY'
import json, sys
progs = [p for p in json.load(open(sys.argv[1])) if p.get("name", "").startswith(("sched_proc_", "sys_exit_"))]
print("| program | calls | ns per call | total ms |")
print("| --- | ---: | ---: | ---: |")
for p in sorted(progs, key=lambda p: p["name"]):
    calls, ns = p.get("run_cnt", 0), p.get("run_time_ns", 0)
    per = f"{ns / calls:.0f}" if calls else "-"
    print(f"| {p['name']} | {calls} | {per} | {ns / 1e6:.1f} |")
PY
