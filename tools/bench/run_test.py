#!/usr/bin/env python3
"""Tests of run.py's counters: what a tracer saw must be read exactly (issue 26)."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402

ROOT = 1000


def write(lines):
    f = tempfile.NamedTemporaryFile("w", delete=False, encoding="utf-8")
    f.write("".join(line + "\n" for line in lines))
    f.close()
    return f.name


def json_event(kind, pid, ppid=ROOT, **extra):
    return json.dumps(dict(event=kind, pid=pid, ppid=ppid, **extra))


class ForktraceJson(unittest.TestCase):
    def test_an_unrelated_exit_of_a_reused_pid_does_not_hide_the_next_exec(self):
        # What happened in issue 26's pair 4: a process outside the storm
        # (pid 5000) ended while the storm ran; after pid_max wrapped, the
        # storm forked its own 5000, which then exec'd and exited.
        path = write([
            json_event("exit", 5000, ppid=1),
            json_event("fork", 5000),
            json_event("exec", 5000),
            json_event("exit", 5000),
        ])
        seen = run.count_forktrace_json(path, ROOT)
        os.unlink(path)
        self.assertEqual(seen.counts(False), {"forks": 1, "execs": 1, "exits": 1})

    def test_threads_and_lost_lines(self):
        path = write([
            json_event("fork", 1001),
            json_event("fork", 1001, tid=1002, thread=True),
            json_event("exit", 1001, tid=1002, thread=True),
            json.dumps({"event": "lost", "count": 7}),
            json_event("exit", 1001),
        ])
        seen = run.count_forktrace_json(path, ROOT)
        os.unlink(path)
        self.assertEqual(seen.counts(True), {"forks": 1, "execs": 0, "exits": 1, "threads": 1, "thread_exits": 1})
        self.assertEqual(seen.reported_lost, 7)


class OutOfOrder(unittest.TestCase):
    def test_an_exec_before_its_fork_waits_for_it(self):
        seen = run.Seen(ROOT, in_order=False)
        seen.exec(1001)
        seen.exit(1001)
        seen.fork(1001, ROOT)
        self.assertEqual(seen.counts(False), {"forks": 1, "execs": 1, "exits": 1})

    def test_a_stale_event_of_the_same_pid_is_not_taken_for_the_new_process(self):
        seen = run.Seen(ROOT, in_order=False)
        seen.exit(1001)  # someone else's 1001, long before
        for pid in range(2000, 2000 + run.Seen.PENDING_WINDOW):
            seen.fork(pid, 1)  # the rest of the machine
        seen.fork(1001, ROOT)
        seen.exec(1001)
        seen.exit(1001)
        self.assertEqual(seen.counts(False), {"forks": 1, "execs": 1, "exits": 1})

    def test_in_order_outputs_ignore_strangers(self):
        seen = run.Seen(ROOT)
        seen.exec(1001)
        seen.fork(1001, ROOT)
        self.assertEqual(seen.counts(False), {"forks": 1, "execs": 0, "exits": 0})


class ForktraceTree(unittest.TestCase):
    def test_folded_runs_count_every_process(self):
        path = write([
            "1 init  running",
            "└─ 1000 ft-fork-storm exec 6000  exit 0  2.0s  [6,003 processes]",
            "   ├─ 1001 /bin/true  exit 0  1ms",
            "   ├─ 5998 × true …  all exit 0  2.0s in all",
            "   ├─ 3 × sh …  all exit 0  5ms in all  6 processes",
            "   └─ 7002 /bin/true  running",
            "1 other-root  running",
            "└─ 9 true  exit 0  1ms",
        ])
        seen = run.count_forktrace_tree(path, ROOT)
        os.unlink(path)
        self.assertEqual(seen.counts(False), {"forks": 1 + 5998 + 6 + 1, "execs": 1 + 5998 + 3 + 1,
                                              "exits": 1 + 5998 + 6})

    def test_workers_running_the_storms_program_did_not_exec(self):
        # What `forktrace -r FILE --format tree` printed for ft-fork-storm exec 3000 2.
        path = write([
            "1000 ./ft-fork-storm exec 3000 2  exit 0  36.91s  cpu 8.6ms  rss 35.7MiB  [3003 processes, cpu 9.98s]",
            "├─ 1001 ./ft-fork-storm exec 3000 2  exit 0  36.89s  cpu 907.6ms  rss 416KiB  [1501 processes]",
            "│  └─ 1500 × true …  all exit 0  25.51s in all  4.14s CPU",
            "└─ 1002 ./ft-fork-storm exec 3000 2  exit 0  36.50s  cpu 905.9ms  rss 416KiB  [1501 processes]",
            "   └─ 1500 × true …  all exit 0  25.13s in all  4.02s CPU",
        ])
        seen = run.count_forktrace_tree(path, ROOT)
        os.unlink(path)
        self.assertEqual(seen.counts(False), {"forks": 3002, "execs": 3000, "exits": 3002})

    def test_a_fold_of_the_storm_itself_has_no_exec(self):
        path = write([
            "1000 ft-fork-storm fork 100  exit 0  1.0s",
            "├─ 100 × ft-fork-storm …  all exit 0  1.0s in all",
        ])
        seen = run.count_forktrace_tree(path, ROOT)
        os.unlink(path)
        self.assertEqual(seen.counts(False), {"forks": 100, "execs": 0, "exits": 100})


if __name__ == "__main__":
    unittest.main()
