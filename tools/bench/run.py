#!/usr/bin/env python3
"""forktrace's overhead and loss against its peers (docs/benchmarks.md).

For each tracer and workload, runs the fork_storm workload in interleaved pairs
(untraced, traced, untraced, traced, ...) and reports:

  - the median traced/untraced ratio of the workload's own wall time, and the
    spread (min-max) over the pairs;
  - events seen against the events the workload produced, counted in the
    tracer's own output below the workload's pid (loss), and the loss the
    tracer itself reported;
  - the tracer's CPU time per 10,000 of those events (start-up and idle
    polling subtracted), and its peak resident memory.

Tracers: forktrace in each view beside the workload (whole-machine mode) and
around it (`forktrace -- ft-fork-storm ...`), bpftrace (tools/bench/peers.bt),
forkstat and `strace -f -e trace=process`. Run as root from the repository:

  tools/bench/run.py                 the default run (~15 minutes on 2 cores)
  tools/bench/run.py --quick         3 pairs, a third of the iterations
  tools/bench/run.py --modes exec --only 'forktrace json' --pairs 11
"""
import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "tools", "bench")

# Iterations that take about two seconds each untraced on the 2-core machine
# of docs/benchmarks.md; P defaults to the number of CPUs (the maximum rate).
DEFAULT_ITERATIONS = {"exec": 6000, "fork": 30000, "thread": 100000}
DEFAULT_PAIRS = {"exec": 7, "fork": 5, "thread": 5}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- counting


class Seen:
    """What a tracer saw of the workload: events of the storm's descendants.

    Fed in the tracer's output order. Most outputs are in time order: there an
    exec or exit of a pid that is not the workload's is someone else's and is
    ignored. Where a tracer's output is not in time order (in_order=False), an
    exec or exit that arrives before the fork of its process waits for that
    fork, but only for the next PENDING_WINDOW events: a storm wraps pid_max,
    and an old event of an unrelated process with the same pid must not be
    taken for the new one's (that misread once counted an exec as missing,
    issue 26). An exit removes the pid, so reused pids are not mistaken for
    the workload's.
    """

    PENDING_WINDOW = 1000

    def __init__(self, root, in_order=True):
        self.root = root
        self.in_order = in_order
        self.live = {root}
        self.pending = {}  # pid -> [(event number, "exec" | "exit"), ...] seen before its fork
        self.event_number = 0
        self.forks = self.execs = self.exits = 0
        self.threads = self.thread_exits = 0
        self.reported_lost = 0

    def _wait_for_fork(self, pid, kind):
        if not self.in_order:
            self.pending.setdefault(pid, []).append((self.event_number, kind))

    def fork(self, pid, ppid):
        self.event_number += 1
        if ppid not in self.live:
            return
        self.forks += 1
        self.live.add(pid)
        for number, kind in self.pending.pop(pid, ()):
            if self.event_number - number > self.PENDING_WINDOW:
                continue
            if kind == "exec":
                self.execs += 1
            else:
                self.exits += 1
                self.live.discard(pid)

    def thread(self, pid):
        if pid in self.live:
            self.threads += 1

    def exec(self, pid):
        self.event_number += 1
        if pid == self.root:
            return
        if pid in self.live:
            self.execs += 1
        else:
            self._wait_for_fork(pid, "exec")

    def exit(self, pid):
        self.event_number += 1
        if pid == self.root:
            return
        if pid in self.live:
            self.exits += 1
            self.live.discard(pid)
        else:
            self._wait_for_fork(pid, "exit")

    def thread_exit(self, pid):
        if pid in self.live:
            self.thread_exits += 1

    def counts(self, with_threads):
        c = {"forks": self.forks, "execs": self.execs, "exits": self.exits}
        if with_threads:
            c["threads"], c["thread_exits"] = self.threads, self.thread_exits
        return c


def count_forktrace_json(path, root, stderr_path=None):
    seen = Seen(root)
    with open(path, "rb") as f:
        for line in f:
            e = json.loads(line)
            kind = e["event"]
            if kind == "lost":
                seen.reported_lost += e["count"]
            elif kind == "fork":
                if e.get("thread"):
                    seen.thread(e["pid"])
                else:
                    seen.fork(e["pid"], e["ppid"])
            elif kind == "exec":
                seen.exec(e["pid"])
            elif kind == "exit":
                if e.get("thread"):
                    seen.thread_exit(e["pid"])
                else:
                    seen.exit(e["pid"])
    return seen


TEXT_LINE = re.compile(rb"^\S+ (fork|exec|exit|lost) +(\d+|-) +(\d+|-) (.*)$")
TEXT_LOST = re.compile(rb"(\d+) events lost")


def count_forktrace_text(path, root):
    seen = Seen(root)
    with open(path, "rb") as f:
        for line in f:
            m = TEXT_LINE.match(line.rstrip(b"\n"))
            if not m:
                continue
            kind, rest = m.group(1), m.group(4)
            if kind == b"lost":
                seen.reported_lost += int(TEXT_LOST.search(rest).group(1))
                continue
            pid, ppid = int(m.group(2)), int(m.group(3))
            is_thread = re.search(rb" thread \d+ (started by \d+|ended)$", rest) is not None
            if kind == b"fork":
                seen.thread(pid) if is_thread else seen.fork(pid, ppid)
            elif kind == b"exec":
                seen.exec(pid)
            else:
                seen.thread_exit(pid) if is_thread else seen.exit(pid)
    return seen


TREE_LINE = re.compile(r"^((?:│  |   )*)(├─ |└─ )?(\d+) (.*)$")
# Repeated runs of one program that all exited 0, folded into one line:
# "├─ 280 × cc1plus …  all exit 0  1.2s in all  3.4s CPU  560 processes".
TREE_FOLD = re.compile(r"^((?:│  |   )*)(├─ |└─ )?(\d+) × (.*?) …  .*?(?:  (\d+) processes)?$")


def count_forktrace_tree(path, root):
    """Tree: the storm's subtree; every node a fork, an exec where the node runs
    something other than the storm, an exit where it is not still running. A
    folded line of N runs (K processes with their descendants) counts K forks
    and exits, and N execs where the runs' program is not the storm's."""
    seen = Seen(root)
    depth_of_root, root_command = None, None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            fold = TREE_FOLD.match(line)
            m = fold or TREE_LINE.match(line)
            if not m:
                lost = re.match(r"^\((\d+) events lost", line)
                if lost:
                    seen.reported_lost += int(lost.group(1))
                continue
            depth = len(m.group(1)) // 3 + (1 if m.group(2) else 0)
            if depth_of_root is not None and depth <= depth_of_root:
                depth_of_root = None
            if fold:
                if depth_of_root is not None:
                    runs = int(fold.group(3))
                    processes = int(fold.group(5) or runs)
                    seen.forks += processes
                    seen.exits += processes
                    if fold.group(4) != os.path.basename(root_command.split(" ", 1)[0]):
                        seen.execs += runs
                continue
            pid, rest = int(m.group(3)), m.group(4)
            command = rest.split("  ", 1)[0]  # argv, then two spaces and the status
            if depth_of_root is None:
                if pid == root:  # the root, or a second subtree with its pid (reused)
                    depth_of_root, root_command = depth, command
                continue
            seen.forks += 1
            if command != root_command:
                seen.execs += 1
            if not rest.endswith("running"):
                seen.exits += 1
    return seen


def count_forktrace_recording(path, root, forktrace):
    replay = path + ".replay.json"
    subprocess.run([forktrace, "-q", "-r", path, "--threads", "--format", "json", "-o", replay], check=True)
    seen = count_forktrace_json(replay, root)
    os.unlink(replay)
    return seen


def count_bpftrace(path, root):
    """peers.bt: "NS fork PARENT_PID CHILD_TID", "NS exec PID FILE",
    "NS exit PID TID COMM"; put back in time order first (per-CPU buffers)."""
    events = []
    lost = 0
    with open(path, "rb") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1] in (b"fork", b"exec", b"exit") and parts[0].isdigit():
                events.append(parts)
            else:
                m = re.search(rb"Lost (\d+) events", line)
                if m:
                    lost += int(m.group(1))
    events.sort(key=lambda p: int(p[0]))
    # A fork's child is a thread when it later exits as a thread (pid != tid).
    thread_tids = {int(p[3]) for p in events if p[1] == b"exit" and p[2] != p[3]}
    seen = Seen(root)
    seen.reported_lost = lost
    for p in events:
        kind = p[1]
        if kind == b"fork":
            parent, child = int(p[2]), int(p[3])
            seen.thread(parent) if child in thread_tids else seen.fork(child, parent)
        elif kind == b"exec":
            seen.exec(int(p[2]))
        else:
            pid, tid = int(p[2]), int(p[3])
            seen.thread_exit(pid) if pid != tid else seen.exit(pid)
    return seen


FORKSTAT_LINE = re.compile(rb"^\S+ (fork|exec|exit|clone) +(\d+) (\S*)")


def count_forkstat(path, root):
    """forkstat prints a fork as "fork PARENT parent" then "fork CHILD child"
    (a thread: "clone PARENT parent", "clone TID thread"). The proc connector
    can report a child's exec or exit before its fork: not in time order."""
    seen = Seen(root, in_order=False)
    parent = None
    threads = set()
    with open(path, "rb") as f:
        for line in f:
            m = FORKSTAT_LINE.match(line)
            if not m:
                continue
            kind, pid, info = m.group(1), int(m.group(2)), m.group(3)
            if kind in (b"fork", b"clone") and info == b"parent":
                parent = pid
            elif kind == b"fork" and info == b"child" and parent is not None:
                seen.fork(pid, parent)
            elif kind == b"clone" and info == b"thread" and parent is not None:
                if parent in seen.live:
                    seen.thread(parent)
                    threads.add(pid)
            elif kind == b"exec":
                seen.exec(pid)
            elif kind == b"exit":
                if pid in threads:
                    threads.discard(pid)
                    seen.thread_exits += 1
                else:
                    seen.exit(pid)
    return seen


STRACE_CALL = re.compile(rb"^(\d+) +(clone3?|v?fork|execve)\((.*)")
STRACE_RESUMED = re.compile(rb"^(\d+) +<\.\.\. (clone3?|v?fork) resumed>.*= (\d+)")
STRACE_EXITED = re.compile(rb"^(\d+) +\+\+\+ (exited with|killed by)")


def count_strace(path, root):
    """strace -f follows only the workload: every line is below the root."""
    seen = Seen(root)
    kinds = {}  # tid -> "thread" for tids created with CLONE_THREAD
    open_clone = {}  # tid -> thread? for a clone <unfinished ...>
    with open(path, "rb") as f:
        for line in f:
            m = STRACE_CALL.match(line)
            if m:
                tid, call, rest = int(m.group(1)), m.group(2), m.group(3)
                if call == b"execve":
                    if tid != root:
                        seen.execs += 1
                    continue
                is_thread = b"CLONE_THREAD" in rest
                if is_thread:
                    seen.threads += 1
                else:
                    seen.forks += 1
                r = re.search(rb"= (\d+)$", rest.rstrip())
                if r:
                    if is_thread:
                        kinds[int(r.group(1))] = "thread"
                else:
                    open_clone[tid] = is_thread
                continue
            m = STRACE_RESUMED.match(line)
            if m:
                if open_clone.pop(int(m.group(1)), False):
                    kinds[int(m.group(3))] = "thread"
                continue
            m = STRACE_EXITED.match(line)
            if m:
                tid = int(m.group(1))
                if kinds.get(tid) == "thread":
                    seen.thread_exits += 1
                elif tid != root:
                    seen.exits += 1
    return seen


# ---------------------------------------------------------------- processes


def task_cpu_s(pid):
    """CPU time of every live thread of pid so far (schedstat: ns, not ticks)."""
    total = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total / 1e9


def bpf_links(pid):
    n = 0
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return 0
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == "anon_inode:bpf_link":
                n += 1
        except OSError:
            pass
    return n


def file_has(path, pattern):
    try:
        with open(path, "rb") as f:
            return re.search(pattern, f.read()) is not None
    except OSError:
        return False


def wait_exit(proc, timeout):
    """wait4 with a deadline; SIGKILL after it. Returns (status, rusage, killed)."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = status
            return status, usage, False
        if time.monotonic() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = status
            return status, usage, True
        time.sleep(0.01)


def busy_s():
    """CPU seconds the whole machine has spent not idle, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def wait_quiet(limit_s=600):
    """Waits until something else using the machine (a build) has stopped:
    less than 5% of the CPUs busy over half a second."""
    start = time.monotonic()
    while True:
        b0, t0 = busy_s(), time.monotonic()
        time.sleep(0.5)
        share = (busy_s() - b0) / (time.monotonic() - t0) / os.cpu_count()
        if share < 0.05 or time.monotonic() - start > limit_s:
            if time.monotonic() - start > 1:
                log(f"  (waited {time.monotonic() - start:.0f} s for the machine to be quiet)")
            return
        time.sleep(1)


# ---------------------------------------------------------------- tracers


class Tracer:
    """One tracer configuration.

    kind "beside": started before the workload, stopped (SIGINT) after it.
    kind "wrap": runs the workload itself (forktrace -- CMD, strace -f CMD).
    """

    def __init__(self, name, kind, argv, count, ready=None, threads=False):
        self.name, self.kind, self.argv, self.count = name, kind, argv, count
        self.ready = ready
        self.threads = threads  # whether thread events are expected in its output


def forktrace_tracers(ft):
    def beside(name, extra, out_ext, counter, threads=False):
        def argv(out, storm_argv):
            args = [ft] + extra
            if out_ext == "ftrace":
                return args + ["-o", "/dev/null", "-w", out]
            return args + ["-o", out]

        def count(out, root):
            if out_ext == "ftrace":
                return count_forktrace_recording(out, root, ft)
            return counter(out, root)

        return Tracer(name, "beside", argv, count, ready=lambda proc, out: bpf_links(proc.pid) >= 3,
                      threads=threads)

    def wrap(name, extra, out_ext, counter, threads=False):
        t = beside(name, extra, out_ext, counter, threads)
        inner = t.argv
        t.kind = "wrap"
        t.argv = lambda out, storm_argv: inner(out, storm_argv) + ["--"] + storm_argv
        return t

    json_ = lambda out, root: count_forktrace_json(out, root)
    text = lambda out, root: count_forktrace_text(out, root)
    tree = lambda out, root: count_forktrace_tree(out, root)
    return [
        beside("forktrace text -o FILE", ["--format", "text"], "txt", text),
        beside("forktrace json -o FILE", ["--format", "json"], "json", json_),
        beside("forktrace -w FILE -o /dev/null", [], "ftrace", None),
        beside("forktrace tree -o FILE", ["--format", "tree"], "tree", tree),
        wrap("forktrace json -o FILE -- storm", ["--format", "json"], "json", json_),
        wrap("forktrace -w FILE -o /dev/null -- storm", [], "ftrace", None),
        wrap("forktrace text -o FILE -- storm", ["--format", "text"], "txt", text),
        wrap("forktrace tree -o FILE -- storm", ["--format", "tree"], "tree", tree),
        beside("forktrace --threads json -o FILE", ["--threads", "--format", "json"], "json", json_, True),
        beside("forktrace --threads -w FILE -o /dev/null", ["--threads"], "ftrace", None, True),
    ]


def peer_tracers():
    def bpftrace_argv(out, storm_argv):
        return ["bpftrace", "-o", out, os.path.join(HERE, "peers.bt")]

    def bpftrace_ready(proc, out):
        # Output is written per event: once a probe exec shows, it is attached.
        if file_has(out, rb"exec \d+ /bin/true"):
            return True
        subprocess.run(["/bin/true"])
        return False

    def forkstat_argv(out, storm_argv):
        return ["forkstat", "-e", "fork,exec,exit,clone"]  # stdout goes to out

    def strace_argv(out, storm_argv):
        return ["strace", "-f", "-e", "trace=process", "-o", out] + storm_argv

    return [
        Tracer("bpftrace (3 tracepoints, printf)", "beside", bpftrace_argv, count_bpftrace, ready=bpftrace_ready,
               threads=True),
        Tracer("forkstat -e fork,exec,exit,clone", "beside", forkstat_argv, count_forkstat,
               ready=lambda proc, out: time.monotonic() - proc.started > 1.0, threads=True),
        Tracer("strace -f -e trace=process", "wrap", strace_argv, count_strace, threads=True),
    ]


# Which tracers run on which workload by default (--only overrides).
DEFAULT_SETS = {
    "exec": ["forktrace text -o FILE", "forktrace json -o FILE", "forktrace -w FILE -o /dev/null",
             "forktrace tree -o FILE", "forktrace json -o FILE -- storm", "forktrace -w FILE -o /dev/null -- storm",
             "bpftrace", "forkstat", "strace"],
    "fork": ["forktrace json -o FILE", "forktrace -w FILE -o /dev/null", "forktrace json -o FILE -- storm",
             "bpftrace", "forkstat", "strace"],
    "thread": ["forktrace json -o FILE", "forktrace --threads json -o FILE",
               "forktrace --threads -w FILE -o /dev/null", "bpftrace", "forkstat"],
}


# ---------------------------------------------------------------- measuring


class Storm:
    def __init__(self, path, tmp):
        self.path = path

    def argv(self, mode, n, workers):
        return [self.path, mode, str(n), str(workers)]

    @staticmethod
    def parse(stdout):
        for line in reversed(stdout.strip().splitlines()):
            if line.startswith("{"):
                report = json.loads(line)
                if report["failed"]:
                    raise RuntimeError(f"the workload failed: {report}")
                return report
        raise RuntimeError(f"no report from the workload: {stdout!r}")

    def run(self, mode, n, workers):
        out = subprocess.run(self.argv(mode, n, workers), check=True, stdout=subprocess.PIPE, text=True).stdout
        return self.parse(out)


def expected_events(report, tracer):
    c = {"forks": report["forks"], "execs": report["execs"], "exits": report["exits"]}
    if tracer.threads:
        c["threads"] = c["thread_exits"] = report["threads"]
    return c


def run_beside(tracer, storm, mode, n, workers, out):
    for path in (out, out + ".stderr"):
        if os.path.exists(path):
            os.unlink(path)
    stdout = open(out, "wb") if tracer.name.startswith("forkstat") else subprocess.DEVNULL
    stderr = open(out + ".stderr", "wb")
    proc = subprocess.Popen(tracer.argv(out, None), stdout=stdout, stderr=stderr)
    proc.started = time.monotonic()
    try:
        deadline = time.monotonic() + 60
        while not tracer.ready(proc, out):
            if proc.poll() is not None:
                raise RuntimeError(f"{tracer.name} exited at start: {open(out + '.stderr').read()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{tracer.name} did not become ready")
            time.sleep(0.05)
        # Idle CPU (polling) over half a second, then the workload.
        c0, t0 = task_cpu_s(proc.pid), time.monotonic()
        time.sleep(0.5)
        c1, t1 = task_cpu_s(proc.pid), time.monotonic()
        b0 = busy_s()
        report = storm.run(mode, n, workers)
        time.sleep(0.3)  # the last, not yet woken-up records
        t2 = time.monotonic()
        busy = busy_s() - b0
        proc.send_signal(signal.SIGINT)
        status, usage, killed = wait_exit(proc, 120)
        t3 = time.monotonic()
    finally:
        if proc.returncode is None:
            proc.kill()
            proc.wait()
        if stdout is not subprocess.DEVNULL:
            stdout.close()
        stderr.close()
    idle_rate = (c1 - c0) / (t1 - t0)
    total = usage.ru_utime + usage.ru_stime
    # Everything after the idle sample, less what idling would have cost.
    cpu = max(0.0, total - c1 - idle_rate * (t3 - t1))
    # CPU that neither the workload nor the tracer used: someone else's.
    foreign = busy - report["cpu_seconds"] - cpu
    return {"report": report, "cpu": cpu, "rss": usage.ru_maxrss * 1024, "killed": killed, "idle": idle_rate,
            "foreign": foreign, "wall": t2 - t1 - 0.5}


def run_wrap(tracer, storm, mode, n, workers, out):
    for path in (out, out + ".stderr"):
        if os.path.exists(path):
            os.unlink(path)
    with open(out + ".stderr", "wb") as stderr:
        b0, t0 = busy_s(), time.monotonic()
        proc = subprocess.Popen(tracer.argv(out, storm.argv(mode, n, workers)), stdout=subprocess.PIPE,
                                stderr=stderr)
        stdout = proc.stdout.read().decode()
        status, usage, killed = wait_exit(proc, 3600)
        busy, wall = busy_s() - b0, time.monotonic() - t0
    report = Storm.parse(stdout)
    # The tracer's rusage includes the workload (its child): take that out.
    total = usage.ru_utime + usage.ru_stime
    cpu = total - report["cpu_seconds"]
    return {"report": report, "cpu": cpu, "rss": usage.ru_maxrss * 1024, "killed": killed, "idle": 0.0,
            "foreign": busy - total, "wall": wall}


def stderr_lost(out):
    """forktrace's closing line: "forktrace: N events, M lost"."""
    try:
        text = open(out + ".stderr", "rb").read()
    except OSError:
        return None
    m = re.search(rb"forktrace: \d+ events, (\d+) lost", text)
    return int(m.group(1)) if m else None


def measure(tracer, storm, mode, n, workers, pairs, tmp):
    out = os.path.join(tmp, re.sub(r"[^a-z0-9]+", "-", tracer.name.lower()).strip("-"))
    fixed_cpu = 0.0
    if tracer.kind == "wrap":
        # Start-up and shutdown alone: the same tracer around an empty storm.
        wait_quiet()
        fixed_cpu = statistics.median(run_wrap(tracer, storm, mode, 0, workers, out)["cpu"] for _ in range(3))
    rows = []
    redone = 0
    while len(rows) < pairs:
        wait_quiet()
        b0 = busy_s()
        base = storm.run(mode, n, workers)
        base_foreign = busy_s() - b0 - base["cpu_seconds"]
        run = (run_wrap if tracer.kind == "wrap" else run_beside)(tracer, storm, mode, n, workers, out)
        report = run["report"]
        cpu = max(0.0, run["cpu"] - fixed_cpu)
        # Another user of the machine during either run spoils the pair: redo it.
        noisy = max(base_foreign / base["seconds"], run["foreign"] / max(run["wall"], 0.1)) > 0.15
        if noisy and redone < 3 * pairs:
            redone += 1
            log(f"  {tracer.name} [{mode}]: pair redone, the machine was busy (untraced {base_foreign:.2f} s, "
                f"traced {run['foreign']:.2f} s of foreign CPU)")
            continue
        seen = tracer.count(out, report["pid"])
        made = expected_events(report, tracer)
        got = seen.counts(tracer.threads)
        rows.append({
            "base_s": base["seconds"], "traced_s": report["seconds"], "ratio": report["seconds"] / base["seconds"],
            "base_rate": base["per_second"], "traced_rate": report["per_second"],
            "made": made, "seen": got, "reported_lost": seen.reported_lost, "stderr_lost": stderr_lost(out),
            "cpu_s": cpu, "rss_bytes": run["rss"], "killed": run["killed"], "idle_cpu_per_s": run["idle"],
            "foreign_s": (base_foreign, run["foreign"]), "noisy": noisy,
        })
        log(f"  {tracer.name} [{mode}] pair {len(rows)}/{pairs}: untraced {base['seconds']:.3f}s, "
            f"traced {report['seconds']:.3f}s, ratio {rows[-1]['ratio']:.3f}, seen {got} of {made}, "
            f"cpu {cpu * 1000:.0f} ms, rss {run['rss'] / 2**20:.1f} MiB, foreign cpu {base_foreign:.2f}/"
            f"{run['foreign']:.2f} s" + (" KILLED" if run["killed"] else ""))
    result = summarize(tracer, mode, n, workers, rows, fixed_cpu)
    result["redone"] = redone
    return result


def summarize(tracer, mode, n, workers, rows, fixed_cpu):
    ratios = [r["ratio"] for r in rows]
    made = {k: sum(r["made"][k] for r in rows) for k in rows[0]["made"]}
    seen = {k: sum(r["seen"][k] for r in rows) for k in rows[0]["made"]}
    events = [sum(r["made"].values()) for r in rows]
    # Per event only where the tracer had events to show (not, say, threads it filters out).
    cpu_per_10k = [r["cpu_s"] / e * 10000 if e >= 1000 else None for r, e in zip(rows, events)]
    cpu_per_10k = [c for c in cpu_per_10k if c is not None]
    stderr_losses = [r["stderr_lost"] for r in rows if r["stderr_lost"] is not None]
    return {
        "tracer": tracer.name, "mode": mode, "iterations": n, "workers": workers, "pairs": len(rows),
        "median_ratio": statistics.median(ratios), "min_ratio": min(ratios), "max_ratio": max(ratios),
        "made": made, "seen": seen, "missed": sum(made.values()) - sum(min(seen[k], made[k]) for k in made),
        "extra": sum(max(0, seen[k] - made[k]) for k in made),
        "reported_lost": sum(r["reported_lost"] for r in rows),
        "stderr_lost": sum(stderr_losses) if stderr_losses else None,
        "cpu_ms_per_10k": statistics.median(cpu_per_10k) * 1000 if cpu_per_10k else None,
        "cpu_ms_per_10k_spread": (min(cpu_per_10k) * 1000, max(cpu_per_10k) * 1000) if cpu_per_10k else None,
        "cpu_ms_median": statistics.median(r["cpu_s"] for r in rows) * 1000,
        "fixed_cpu_ms": fixed_cpu * 1000,
        "peak_rss_mib": max(r["rss_bytes"] for r in rows) / 2**20,
        "untraced_rate": statistics.median(r["base_rate"] for r in rows),
        "killed": any(r["killed"] for r in rows),
        "rows": rows,
    }


def table(results):
    lines = ["| tracer | median ratio | spread | events seen / made | lost | CPU ms per 10k events | peak RSS MiB |",
             "| --- | ---: | --- | ---: | ---: | ---: | ---: |"]
    for r in results:
        seen, made = sum(r["seen"].values()), sum(r["made"].values())
        lost = str(r["missed"])
        notes = []
        if r["reported_lost"]:
            notes.append(f"{r['reported_lost']} reported")
        if r["extra"]:
            notes.append(f"{r['extra']} extra")
        if r["killed"]:
            notes.append("had to be killed")
        if notes:
            lost += " (" + ", ".join(notes) + ")"
        if r["missed"]:
            lost += " — " + ", ".join(f"{k} {r['seen'][k]}/{r['made'][k]}" for k in r["made"]
                                      if r["seen"][k] < r["made"][k])
        cpu = f"n/a ({r['cpu_ms_median']:.0f} ms in all)" if r["cpu_ms_per_10k"] is None else (
            f"{r['cpu_ms_per_10k']:.1f} ({r['cpu_ms_per_10k_spread'][0]:.1f}–{r['cpu_ms_per_10k_spread'][1]:.1f})")
        lines.append(f"| {r['tracer']} | {r['median_ratio']:.3f} | {r['min_ratio']:.3f}–{r['max_ratio']:.3f} | "
                     f"{seen} / {made} | {lost} | {cpu} | {r['peak_rss_mib']:.1f} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- setup


def ensure_peers():
    need = {"bpftrace": "bpftrace", "forkstat": "forkstat", "strace": "strace"}
    missing = [pkg for cmd, pkg in need.items() if not shutil.which(cmd)]
    if missing:
        log(f"installing {' '.join(missing)} from Debian")
        if subprocess.run(["apt-get", "install", "-y", "-qq"] + missing, stdout=subprocess.DEVNULL).returncode:
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-qq"] + missing, check=True, stdout=subprocess.DEVNULL)
    # bpftrace attaches tracepoints through tracefs.
    if not os.path.exists("/sys/kernel/tracing/events/sched"):
        subprocess.run(["mount", "-t", "tracefs", "tracefs", "/sys/kernel/tracing"], check=True)


def find_storm(tmp):
    built = os.path.join(ROOT, "build", "tools", "bench", "ft-fork-storm")
    src = os.path.join(HERE, "fork_storm.c")
    if os.path.exists(built) and os.path.getmtime(built) >= os.path.getmtime(src):
        return built
    out = os.path.join(tmp, "ft-fork-storm")
    subprocess.run(["cc", "-O2", "-o", out, src, "-lpthread"], check=True)
    return out


def version(argv):
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
        return out.strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // 1024
    return (f"{platform.node()}: {cpu}, {os.cpu_count()} CPUs, {mem} MiB, Linux {platform.release()}, "
            f"pid_max {open('/proc/sys/kernel/pid_max').read().strip()}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 pairs and a third of the iterations")
    ap.add_argument("--pairs", type=int, help="pairs per tracer (default: exec 7, fork 5, thread 5)")
    ap.add_argument("--iterations", type=int, help="workload iterations (default: exec 6000, fork 30000, "
                    "thread 100000)")
    ap.add_argument("--workers", type=int, default=os.cpu_count(), help="workload processes (default: CPUs)")
    ap.add_argument("--modes", default="exec,fork,thread", help="workloads to run: exec,fork,thread")
    ap.add_argument("--only", action="append", help="only tracers whose name contains this (repeatable)")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--forktrace", default=os.path.join(ROOT, "build", "forktrace"))
    ap.add_argument("--json", help="also write every measurement to this file")
    ap.add_argument("--keep", action="store_true", help="keep the tracers' output files")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run.py: live tracing needs root")
    if not os.access(args.forktrace, os.X_OK):
        sys.exit(f"run.py: no {args.forktrace}: build first (cmake -S . -B build && cmake --build build)")
    modes = args.modes.split(",")
    tmp = tempfile.mkdtemp(prefix="forktrace-bench-")
    storm = Storm(find_storm(tmp), tmp)
    if not args.no_peers:
        ensure_peers()

    has_w = "-w," in subprocess.run([args.forktrace, "--help"], stdout=subprocess.PIPE, text=True).stdout
    tracers = forktrace_tracers(args.forktrace)
    if not has_w:
        tracers = [t for t in tracers if "-w" not in t.name]
    if not args.no_peers:
        tracers += peer_tracers()

    print(f"Machine: {machine()}")
    print(f"Load before: {open('/proc/loadavg').read().strip()}")
    print(f"Tracers: forktrace {version([args.forktrace, '--version'])}; {version(['bpftrace', '--version'])}; "
          f"{version(['forkstat', '-h'])}; {version(['strace', '-V'])}")
    print(f"Workload: {storm.path} MODE ITERATIONS {args.workers}\n", flush=True)

    started = time.monotonic()
    everything = []
    for mode in modes:
        n = args.iterations or DEFAULT_ITERATIONS[mode] // (3 if args.quick else 1)
        pairs = args.pairs or (3 if args.quick else DEFAULT_PAIRS[mode])
        if args.only:
            chosen = [t for t in tracers if any(o in t.name for o in args.only)]
        else:
            chosen = [t for t in tracers if any(t.name == s or (t.name.startswith(s) and not s.startswith("forktrace"))
                                                for s in DEFAULT_SETS[mode])]
        if not chosen:
            continue
        base = storm.run(mode, n, args.workers)
        print(f"### {mode}: {n} iterations over {args.workers} workers, {pairs} interleaved pairs "
              f"(untraced: {base['per_second']:.0f} iterations/s)\n", flush=True)
        results = []
        for t in chosen:
            try:
                results.append(measure(t, storm, mode, n, args.workers, pairs, tmp))
            except (RuntimeError, subprocess.CalledProcessError) as e:
                log(f"{t.name}: {e}")
        everything += results
        print(table(results) + "\n", flush=True)
    print(f"Load after: {open('/proc/loadavg').read().strip()}; took {time.monotonic() - started:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine(), "results": everything}, f, indent=1)
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"outputs kept in {tmp}")


if __name__ == "__main__":
    main()
