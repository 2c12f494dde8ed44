#!/usr/bin/env bash
# What forktrace does when things go wrong, measured (docs/benchmarks.md, "Faults").
#
#   sudo tools/bench/faults.sh [BUILD_DIR] [ITERATIONS]
#
# disk:  `-w FILE -- storm` into a 1 MiB tmpfs that fills: the exit status
#        (125: the storm succeeded, the recording did not), stderr's lines,
#        events traced against events the file replays, where it was cut.
# kill:  a whole-machine `-w FILE` SIGKILLed in the middle of a storm: the
#        file replays to its last whole record; how many events that is
#        against what the storm caused before the kill.
# two:   two whole-machine forktraces with -w at once during one storm: each
#        one's loss, and whether both recorded the storm's processes alike.
# Prints one JSON line per fault.
set -euo pipefail
build=${1:-build}
iterations=${2:-20000}
ft=$(realpath "$build/forktrace")
storm=$(realpath "$build/tools/bench/ft-fork-storm")
[ -x "$ft" ] && [ -x "$storm" ] || { echo "build $ft and $storm first" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "faults.sh loads BPF programs and mounts a tmpfs: run it as root" >&2; exit 2; }
tmp=$(mktemp -d)
cleanup() {
  mountpoint -q "$tmp/disk" 2>/dev/null && umount -l "$tmp/disk"
  rm -rf "$tmp"
}
trap cleanup EXIT

# The storm's own processes in a replay: events whose pid is not the storm's
# and whose parent is (the storm's workers and their children).
storm_events() {  # RECORDING STORM_PID
  "$ft" -r "$1" --format json 2>/dev/null | python3 -c '
import json, sys
storm = int(sys.argv[1])
below = {storm}
n = 0
for line in sys.stdin:
    e = json.loads(line)
    if e["event"] == "fork" and e.get("ppid") in below: below.add(e["pid"])
    if e.get("pid") in below and e["pid"] != storm and e["event"] in ("fork", "exec", "exit"): n += 1
print(n)' "$2"
}

# 1. A full disk during -w FILE -- CMD.
mkdir "$tmp/disk"
mount -t tmpfs -o size=1m,mode=0700 tmpfs "$tmp/disk"
set +e
"$ft" -o /dev/null -w "$tmp/disk/rec.ftrace" -- "$storm" exec "$iterations" >"$tmp/disk.storm" 2>"$tmp/disk.err"
status=$?
set -e
"$ft" -r "$tmp/disk/rec.ftrace" --format json >"$tmp/disk.json" 2>"$tmp/disk.replay.err" || true
python3 - "$tmp" "$status" <<'PY'
import json, re, sys
tmp, status = sys.argv[1], int(sys.argv[2])
storm = json.loads(open(tmp + "/disk.storm").read().splitlines()[-1])
err = open(tmp + "/disk.err").read().splitlines()
summary = next((l for l in err if re.search(r"\d+ events, \d+ lost", l)), "")
m = re.search(r"(\d+) events, (\d+) lost", summary)
replayed = sum(1 for _ in open(tmp + "/disk.json"))
cut = open(tmp + "/disk.replay.err").read().strip()
print(json.dumps({"fault": "full disk (1 MiB tmpfs) during -w FILE -- storm", "exit_status": status,
                  "storm_events": storm["forks"] + storm["execs"] + storm["exits"],
                  "events_traced": int(m.group(1)) if m else None, "lost_in_kernel": int(m.group(2)) if m else None,
                  "events_replayed": replayed, "stderr_lines": [l for l in err if l != summary],
                  "replay_says": cut}))
PY
umount "$tmp/disk"

# 2. SIGKILL of a whole-machine recorder in the middle of a storm.
echo "faults.sh: $(date +%T) SIGKILL of the recorder" >&2
"$ft" -q -o /dev/null -w "$tmp/killed.ftrace" &
tracer=$!
sleep 2  # attached (a loaded machine takes longer: the storm below waits too)
"$storm" exec "$iterations" >"$tmp/kill.storm" &
storm_pid=$!
sleep 1.5
kill -KILL "$tracer"
wait "$tracer" 2>/dev/null || true
killed_at=$(date +%s.%N)
wait "$storm_pid"
size=$(stat -c %s "$tmp/killed.ftrace")
set +e
"$ft" -r "$tmp/killed.ftrace" --format json >"$tmp/killed.json" 2>"$tmp/killed.err"
replay_status=$?
set -e
python3 - "$tmp" "$replay_status" "$size" <<'PY'
import json, sys
tmp, status, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
storm = json.loads(open(tmp + "/kill.storm").read().splitlines()[-1])
replayed = sum(1 for _ in open(tmp + "/killed.json"))
print(json.dumps({"fault": "SIGKILL of forktrace -w FILE 1.5 s into a storm", "file_bytes": size,
                  "replay_exit_status": status, "events_replayed": replayed,
                  "replay_says": open(tmp + "/killed.err").read().strip(),
                  "storm_seconds": round(storm["seconds"], 2)}))
PY

# 3. Two forktraces at once.
echo "faults.sh: $(date +%T) two instances" >&2
"$ft" -o /dev/null -w "$tmp/a.ftrace" 2>"$tmp/a.err" &
a=$!
"$ft" -o /dev/null -w "$tmp/b.ftrace" 2>"$tmp/b.err" &
b=$!
sleep 3
"$storm" exec "$iterations" >"$tmp/two.storm"
sleep 1
kill -INT "$a" "$b"
wait "$a" "$b"
spid=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])["pid"])' "$tmp/two.storm")
ea=$(storm_events "$tmp/a.ftrace" "$spid")
eb=$(storm_events "$tmp/b.ftrace" "$spid")
python3 - "$tmp" "$ea" "$eb" <<'PY'
import json, re, sys
tmp, ea, eb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
storm = json.loads(open(tmp + "/two.storm").read().splitlines()[-1])
def lost(name):
    m = re.search(r"(\d+) events, (\d+) lost", open(tmp + "/" + name).read())
    return int(m.group(2)) if m else None
print(json.dumps({"fault": "two whole-machine forktraces with -w at once", "storm_events": storm["forks"] + storm["execs"] + storm["exits"],
                  "storm_events_in_a": ea, "storm_events_in_b": eb, "lost_a": lost("a.err"), "lost_b": lost("b.err"),
                  "storm_processes_per_second": round(storm["per_second"]), "storm_seconds": round(storm["seconds"], 2)}))
PY
