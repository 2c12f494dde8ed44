#!/usr/bin/env python3
# Whole-machine start to the first event line on a terminal, for two forktrace
# binaries run in turn (A, B, A, B...), so that both see the same machine:
#   sudo tools/bench/first_event.py BASELINE CANDIDATE [RUNS]   (default 10)
# The method is startup.sh's part 5: a helper runs /bin/true every 20 ms, so
# there is always an event to print; each run is stopped with SIGINT.
import os, pty, select, signal, subprocess, sys, threading, time, statistics
bins = sys.argv[1:3]; runs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
stop = threading.Event()
def events():
    while not stop.is_set():
        subprocess.run(["/bin/true"]); time.sleep(0.02)
threading.Thread(target=events, daemon=True).start()
res = {b: [] for b in bins}
for i in range(runs):
    for ft in bins:
        master, slave = pty.openpty()
        t0 = time.monotonic()
        p = subprocess.Popen([ft, "--format", "json"], stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.DEVNULL)
        os.close(slave)
        buf, seen = b"", None
        while seen is None and time.monotonic() - t0 < 10:
            r, _, _ = select.select([master], [], [], 0.5)
            if r:
                buf += os.read(master, 65536)
                if b'"event"' in buf: seen = (time.monotonic() - t0) * 1e3
        p.send_signal(signal.SIGINT)
        while True:
            r, _, _ = select.select([master], [], [], 0.2)
            if r:
                try:
                    if not os.read(master, 65536): break
                except OSError: break
            elif p.poll() is not None: break
        p.wait(); os.close(master)
        if seen is not None: res[ft].append(seen)
stop.set()
for b in bins:
    v = res[b]; print(b, "median %.1f min %.1f max %.1f n=%d" % (statistics.median(v), min(v), max(v), len(v)))
