#!/usr/bin/env python3
"""forktrace's overhead benchmark against its peers (docs/benchmarks.md).

For each tracer, runs the fork_storm workload in interleaved pairs (untraced,
traced, untraced, traced, ...) and reports the median traced/untraced wall
time ratio with its spread, the events the tracer saw against what the
workload made (loss), the tracer's CPU time per 10,000 events and its peak
memory. Run as root from the repository: tools/bench/run.py [--quick].
"""
import argparse
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "tools", "bench")


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def build_storm(tmp):
    out = os.path.join(tmp, "fork_storm")
    sh(["cc", "-O2", "-o", out, os.path.join(HERE, "fork_storm.c"), "-lpthread"])
    return out


def ensure_peers():
    missing = [p for p in ("bpftrace", "forkstat", "strace") if not shutil.which(p)]
    if missing:
        sh(["apt-get", "install", "-y", "-qq"] + missing, stdout=subprocess.DEVNULL)
    if not os.path.exists("/sys/kernel/tracing/events"):
        sh(["mount", "-t", "tracefs", "tracefs", "/sys/kernel/tracing"])


def run_storm(storm, mode, n, workers, wrapper=()):
    start = time.monotonic()
    out = subprocess.run(list(wrapper) + [storm, mode, str(n), str(workers)], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    wall = time.monotonic() - start
    report = json.loads(out.strip().splitlines()[-1])
    assert report["failed"] == 0, report
    return wall


def cpu_ns(pid):
    """CPU time of every thread of pid so far, in ns (schedstat: exact, unlike ticks)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total


def count_matches(path, patterns):
    counts = [0] * len(patterns)
    with open(path, "rb") as f:
        for line in f:
            for i, p in enumerate(patterns):
                if p.search(line):
                    counts[i] += 1
    return sum(counts)


class Tracer:
    """A tracer that runs beside the workload (started before, stopped after)."""

    def __init__(self, name, argv, out, ready_s, count, stop=signal.SIGINT, wraps=False):
        self.name, self.argv, self.out, self.ready_s = name, argv, out, ready_s
        self.count, self.stop_signal, self.wraps = count, stop, wraps

    def start(self):
        self.log = open(self.out + ".stdout", "wb")
        self.proc = subprocess.Popen(self.argv, stdout=self.log, stderr=subprocess.DEVNULL)
        time.sleep(self.ready_s)

    def stop(self):
        time.sleep(0.3)  # let the last events arrive
        self.proc.send_signal(self.stop_signal)
        _, status, usage = os.wait4(self.proc.pid, 0)
        self.proc.returncode = status
        self.log.close()
        return usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def forktrace_tracers(bin_, tmp):
    out = os.path.join(tmp, "ft")
    exec_json = [re.compile(rb'"event":"exec".*"filename":"/bin/true"'), re.compile(rb'"event":"exit".*"comm":"true"')]
    exec_text = [re.compile(rb" exec .*/bin/true  true"), re.compile(rb" exit +\d+ +\d+ true +exit")]

    def replay_count(path):
        replayed = path + ".replay"
        with open(replayed, "wb") as f:
            sh([bin_, "-r", path, "--format", "json"], stdout=f)
        return count_matches(replayed, exec_json)

    return [
        Tracer("forktrace json -o FILE", [bin_, "-q", "--format", "json", "-o", out + ".json"], out + ".json", 1.0,
               lambda: count_matches(out + ".json", exec_json)),
        Tracer("forktrace -w FILE", [bin_, "-q", "-o", "/dev/null", "-w", out + ".ftrace"], out + ".ftrace", 1.0,
               lambda: replay_count(out + ".ftrace")),
        Tracer("forktrace text -o FILE", [bin_, "-q", "-o", out + ".txt"], out + ".txt", 1.0,
               lambda: count_matches(out + ".txt", exec_text)),
        Tracer("forktrace tree -o FILE", [bin_, "-q", "--format", "tree", "-o", out + ".tree"], out + ".tree", 1.0,
               lambda: 2 * count_matches(out + ".tree", [re.compile(rb"\d+ true  exit 0")])),
    ]


def peer_tracers(storm_args, tmp):
    bt = os.path.join(tmp, "bt.txt")
    fs = os.path.join(tmp, "forkstat.txt")
    st = os.path.join(tmp, "strace.txt")
    return [
        Tracer("bpftrace (3 tracepoints, printf)", ["bpftrace", "-o", bt, os.path.join(HERE, "peers.bt")], bt, 4.0,
               lambda: count_matches(bt, [re.compile(rb"^exec \d+ /bin/true"), re.compile(rb"^exit \d+ true$")])),
        Tracer("forkstat", ["forkstat", "-e", "fork,exec,exit"], fs, 1.5,
               # forkstat reads names from /proc after the fact, so short-lived processes
               # show as <unknown>: every exec and exit line counts (the machine is idle).
               lambda: count_matches(fs + ".stdout", [re.compile(rb"^\S+ exec "), re.compile(rb"^\S+ exit ")])),
        Tracer("strace -f -e trace=process", None, st, 0, None, wraps=True),
    ]


def measure(tracer, storm, mode, n, workers, pairs, expected, tmp):
    ratios, cpus, rss, idle = [], [], 0, []
    seen = None
    for _ in range(pairs):
        base = run_storm(storm, mode, n, workers)
        if tracer.wraps:  # strace runs the workload itself
            st = tracer.out
            start = time.monotonic()
            sh(["strace", "-f", "-qq", "-e", "trace=process", "-o", st, storm, mode, str(n), str(workers)],
               stdout=subprocess.DEVNULL)
            traced = time.monotonic() - start
            # Each /bin/true: one execve and one exit_group; the workers and the
            # storm's main process exit too.
            seen = count_matches(st, [re.compile(rb'execve\("/bin/true"'), re.compile(rb"exit_group\(")]) - (workers + 1)
            cpu = None
        else:
            tracer.start()
            # Idle polling for as long as the workload will take, then the workload:
            # the tracer's CPU for the events alone, without start-up.
            before = cpu_ns(tracer.proc.pid)
            time.sleep(base)
            during_idle = cpu_ns(tracer.proc.pid)
            traced = run_storm(storm, mode, n, workers)
            time.sleep(0.3)  # the last batch of events
            after = cpu_ns(tracer.proc.pid)
            idle.append((during_idle - before) / 1e9)
            cpu = max(0, (after - during_idle) - (during_idle - before)) / 1e9
            _, peak = tracer.stop()
            rss = max(rss, peak)
            seen = tracer.count()
        ratios.append(traced / base)
        if cpu is not None:
            cpus.append(cpu)
    return {
        "tracer": tracer.name,
        "median": statistics.median(ratios),
        "min": min(ratios),
        "max": max(ratios),
        "seen": seen,
        "expected": expected,
        "cpu_per_10k": (statistics.median(cpus) / (3 * n) * 10000) if cpus else None,
        "idle_cpu": statistics.median(idle) if idle else 0.0,
        "rss_mib": rss / 2**20 if rss else None,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 pairs, fewer iterations")
    ap.add_argument("--pairs", type=int, default=7)
    ap.add_argument("--iterations", type=int, default=6000)
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--forktrace", default=os.path.join(ROOT, "build", "forktrace"))
    ap.add_argument("--no-peers", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.pairs, args.iterations = 3, 2000
    if os.geteuid() != 0:
        sys.exit("run.py: tracing needs root")
    tmp = tempfile.mkdtemp(prefix="forktrace-bench-")
    storm = build_storm(tmp)
    if not args.no_peers:
        ensure_peers()
    n, p = args.iterations, args.workers
    tracers = forktrace_tracers(args.forktrace, tmp)
    if not args.no_peers:
        tracers += peer_tracers((n, p), tmp)
    print(f"fork+exec+exit: {n} iterations over {p} workers, {args.pairs} interleaved pairs\n")
    print("| tracer | median ratio | spread | events seen / made | CPU ms per 10k events | idle CPU ms over the run | peak RSS MiB |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for t in tracers:
        r = measure(t, storm, "exec", n, p, args.pairs, 2 * n, tmp)
        cpu = f"{1000 * r['cpu_per_10k']:.1f}" if r["cpu_per_10k"] is not None else "n/a (wraps the workload)"
        rss = f"{r['rss_mib']:.1f}" if r["rss_mib"] else "n/a"
        expected = r["expected"] if t.name != "strace -f -e trace=process" else 2 * n
        print(f"| {r['tracer']} | {r['median']:.3f} | {r['min']:.2f}–{r['max']:.2f} | "
              f"{r['seen']} / {expected} | {cpu} | {1000 * r['idle_cpu']:.1f} | {rss} |", flush=True)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
