#!/usr/bin/env bash
# forktrace's start-up, measured and broken into its parts. Run as root from
# the repository:
#   tools/bench/startup.sh [RUNS]        (default 10; FORKTRACE=path overrides the binary)
#
# What it runs, RUNS times each, and reports as medians (Markdown on stdout):
#  1. `forktrace -q -o /dev/null -- /bin/true`: wall, user and system CPU
#     (wait4's rusage: forktrace and its children).
#  2. The same with `--format json -o FILE`: from just before forktrace is
#     started to /bin/true's exec, as forktrace's own exec event dates it.
#  3. The same with `-v`: forktrace's start-up line (each phase's wall and CPU
#     time, app/live/startup_report.h), the programs it loaded (each one's
#     load and verification from the kernel's load_time stamps, instructions
#     the verifier processed), and the verifier's own statistics (libbpf's
#     log at BPF_LOG_STATS: its verification time, states).
#  4. The same under `strace -f --seccomp-bpf -e trace=bpf -T`: the bpf()
#     calls, their system time, each program's BPF_PROG_LOAD and each map's
#     BPF_MAP_CREATE; and once under `strace -f -c`: every syscall's count.
#  5. Whole-machine `forktrace --format json` on a pseudo-terminal: from its
#     start to the first event line it prints (a helper runs /bin/true every
#     20 ms so that there is an event to print).
# The machine may be shared: system CPU and the bpf() time are steadier than
# wall time, so all are printed, with the load average before and after.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
forktrace=${FORKTRACE:-$root/build/forktrace}
runs=${1:-10}
[ "$(id -u)" -eq 0 ] || { echo "startup.sh: needs root" >&2; exit 1; }
command -v strace >/dev/null || { echo "startup.sh: needs strace" >&2; exit 1; }
[ -x "$forktrace" ] || { echo "startup.sh: no forktrace at $forktrace (build first, or set FORKTRACE)" >&2; exit 1; }

exec python3 - "$forktrace" "$runs" <<'PY'
import json, os, pty, re, select, signal, statistics, subprocess, sys, tempfile, threading, time
from collections import defaultdict

ft, runs = sys.argv[1], int(sys.argv[2])
tmp = tempfile.mkdtemp(prefix="ft-startup.")
command = ["--", "/bin/true"]
quiet = ["-q", "-o", "/dev/null"]


def med(values):
    return statistics.median(values) if values else float("nan")


def loadavg():
    return open("/proc/loadavg").read().split()[0]


def timed(argv, stderr_path=None):
    """wall ms, user ms, sys ms, exit status, stderr text"""
    err = open(stderr_path or os.devnull, "w")
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    _, status, ru = os.wait4(p.pid, 0)
    wall = (time.monotonic() - t0) * 1e3
    err.close()
    text = open(stderr_path).read() if stderr_path else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"startup.sh: {' '.join(argv)} failed ({status}): {text}")
    return wall, ru.ru_utime * 1e3, ru.ru_stime * 1e3, text


load_before = loadavg()

# 1. wall and CPU
walls, users, syss = [], [], []
for _ in range(runs):
    w, u, s, _ = timed([ft] + quiet + command)
    walls.append(w), users.append(u), syss.append(s)
cpus = [u + s for u, s in zip(users, syss)]

# 2. start to the command's exec
to_exec = []
out = os.path.join(tmp, "out.json")
for _ in range(runs):
    t0 = time.time_ns()
    timed([ft, "-q", "--format", "json", "-o", out] + command)
    execs = [json.loads(l) for l in open(out) if '"exec"' in l]
    execs = [e for e in execs if e.get("event") == "exec" and e.get("filename") == "/bin/true"]
    if execs:
        to_exec.append((execs[0]["ts_ns"] - t0) / 1e6)

# 3. phases, programs, the verifier's statistics (-v)
phases = defaultdict(list)
prog_ms = defaultdict(list)
prog_insns = {}
verify_ms = defaultdict(list)
states = {}
phase_re = re.compile(r" ([^,:]+?) ([\d.]+)/([\d.]+)")
for i in range(runs):
    _, _, _, text = timed([ft, "-v"] + quiet + command, os.path.join(tmp, f"v{i}.txt"))
    current = None
    for line in text.splitlines():
        if line.startswith("forktrace: start-up"):
            for name, wall, cpu in phase_re.findall(line.split(":", 2)[2]):
                phases[name.strip()].append((float(wall), float(cpu)))
        elif line.startswith("forktrace: programs loaded:"):
            for item in line.split(":", 2)[2].split(","):
                m = re.match(r"\s*(\S+) ([\d.]+) ms(?: (\d+) insns)?", item)
                if m:
                    prog_ms[m[1]].append(float(m[2]))
                    if m[3]:
                        prog_insns[m[1]] = int(m[3])
        m = re.search(r"prog '([^']+)': -- BEGIN PROG LOAD LOG", line)
        if m:
            current = m[1]
        m = re.search(r"verification time (\d+) usec", line)
        if m and current:
            verify_ms[current].append(int(m[1]) / 1e3)
        m = re.search(r"total_states (\d+) peak_states (\d+)", line)
        if m and current:
            states[current] = (int(m[1]), int(m[2]))
        if "END PROG LOAD LOG" in line:
            current = None

# 4. bpf() calls under strace
bpf_calls, bpf_ms = [], []
load_ms = defaultdict(list)
map_ms = defaultdict(list)
by_cmd = defaultdict(list)
call_re = re.compile(r"bpf\((BPF_\w+),(.*)\) += (-?\d+).*<([\d.]+)>$")
for i in range(runs):
    trace = os.path.join(tmp, f"strace{i}.txt")
    timed(["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=bpf", "-T", "-s", "32", "-o", trace, ft] + quiet + command)
    n, total = 0, 0.0
    cmds = defaultdict(float)
    for line in open(trace):
        m = call_re.search(line)
        if not m:
            continue
        cmd, args, secs = m[1], m[2], float(m[4]) * 1e3
        n += 1
        total += secs
        cmds[cmd] += secs
        name = re.search(r'(?:prog_name|map_name)="([^"]*)"', args)
        if cmd == "BPF_PROG_LOAD" and name and "Dual BSD/GPL" in args:
            load_ms[name[1]].append(secs)
        elif cmd == "BPF_MAP_CREATE" and name:
            map_ms[name[1]].append(secs)
    bpf_calls.append(n), bpf_ms.append(total)
    for cmd, secs in cmds.items():
        by_cmd[cmd].append(secs)
counts = os.path.join(tmp, "count.txt")
timed(["strace", "-f", "-c", "-o", counts, ft] + quiet + command)
syscalls = {}
for line in open(counts):
    f = line.split()
    if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
        syscalls[f[-1]] = int(f[3])

# 5. whole machine: start to the first event line on a terminal
stop = threading.Event()
def events():
    while not stop.is_set():
        subprocess.run(["/bin/true"])
        time.sleep(0.02)
helper = threading.Thread(target=events, daemon=True)
helper.start()
first = []
for _ in range(runs):
    master, slave = pty.openpty()
    t0 = time.monotonic()
    p = subprocess.Popen([ft, "--format", "json"], stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.DEVNULL)
    os.close(slave)
    buf, seen = b"", None
    while seen is None and time.monotonic() - t0 < 10:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            buf += os.read(master, 65536)
            if b'"event"' in buf:
                seen = (time.monotonic() - t0) * 1e3
    p.send_signal(signal.SIGINT)
    while True:  # drain so that its writer never blocks on a full terminal
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                if not os.read(master, 65536):
                    break
            except OSError:
                break
        elif p.poll() is not None:
            break
    p.wait()
    os.close(master)
    if seen is not None:
        first.append(seen)
stop.set()
helper.join()

load_after = loadavg()

def row(name, values, unit="ms"):
    if not values:
        return f"| {name} | - | - | - |"
    return f"| {name} | {med(values):.1f} | {min(values):.1f} | {max(values):.1f} |"

print(f"forktrace start-up, {runs} runs each; load average {load_before} before, {load_after} after; "
      f"{time.strftime('%Y-%m-%d %H:%M')}, {os.uname().release}\n")
print("| measure (ms) | median | min | max |")
print("| --- | ---: | ---: | ---: |")
print(row("`-q -o /dev/null -- /bin/true`: wall", walls))
print(row("  CPU (user + system)", cpus))
print(row("  user", users))
print(row("  system", syss))
print(row("start to the command's exec", to_exec))
print(row("whole machine: start to the first event line", first))
print(row("bpf(): system time (strace -T)", bpf_ms))
print(f"| bpf(): calls | {med(bpf_calls):.0f} | {min(bpf_calls)} | {max(bpf_calls)} |")
print()
print("Phases (`-v` start-up line), median ms:\n")
print("| phase | wall | CPU |")
print("| --- | ---: | ---: |")
for name, values in phases.items():
    print(f"| {name} | {med([w for w, _ in values]):.1f} | {med([c for _, c in values]):.1f} |")
print()
print("Programs, median ms: load and verification (the kernel's load_time stamps), "
      "bpf(BPF_PROG_LOAD) (strace), the verifier's own verification time (BPF_LOG_STATS); "
      "instructions it processed, states (total/peak):\n")
print("| program | load | BPF_PROG_LOAD | verification | insns | states |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for name in sorted(set(prog_ms) | set(load_ms)):
    st = states.get(name)
    print(f"| {name} | {med(prog_ms.get(name, [])):.1f} | {med(load_ms.get(name, [])):.1f} | "
          f"{med(verify_ms.get(name, [])):.1f} | {prog_insns.get(name, '-')} | "
          f"{f'{st[0]}/{st[1]}' if st else '-'} |")
print()
print("bpf() by command, median ms: " + ", ".join(f"{c} {med(v):.1f}" for c, v in sorted(by_cmd.items(), key=lambda kv: -med(kv[1]))))
print("Maps, BPF_MAP_CREATE median ms: " + ", ".join(f"{m} {med(v):.1f}" for m, v in sorted(map_ms.items(), key=lambda kv: -med(kv[1]))))
print("Syscalls of one run (strace -c, with children): " +
      ", ".join(f"{k} {v}" for k, v in sorted(syscalls.items(), key=lambda kv: -kv[1])[:8]))
PY
