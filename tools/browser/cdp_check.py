#!/usr/bin/env python3
"""Opens a forktrace HTML report in a real headless Chromium and checks it.

Talks to Chromium over the DevTools protocol on a pipe
(--remote-debugging-pipe), so it needs only Python's standard library and
Debian's `chromium`. It loads the page from a file:// URL, waits until the
report says it is ready, and fails (exit 1) on any console error, uncaught
exception, or network request, or when an expected text is missing from the
page or from the tree rows drawn on screen. It can keep a screenshot and
prints the page's own timings as one JSON line.

  cdp_check.py REPORT.html [--expect TEXT]... [--expect-row TEXT]...
               [--screenshot OUT.png] [--search TEXT] [--timeout S]
"""
import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
    "--remote-debugging-pipe",
]


class Browser:
    def __init__(self, binary, width, height):
        self.profile = tempfile.mkdtemp(prefix="ft-chromium-")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def setup():  # Chromium reads commands on fd 3 and answers on fd 4
            # Via fds above 10: a pipe may itself be fd 3 or 4, and dup2 onto
            # itself would leave it close-on-exec.
            high_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"],
            # Not close_fds: it would close 3 and 4 after setup(); the pipes'
            # own descriptors are close-on-exec.
            preexec_fn=setup, close_fds=False, stdout=subprocess.DEVNULL,
            stderr=None if os.environ.get("CDP_DEBUG") else subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self.from_child], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                continue
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe (did it crash?)")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def pump(self, seconds):
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._read_message(deadline))
        except TimeoutError:
            pass


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report")
    ap.add_argument("--expect", action="append", default=[], help="text the page must show")
    ap.add_argument("--expect-row", action="append", default=[], help="text a tree row on screen must show")
    ap.add_argument("--expect-order", action="append", default=[],
                    help="texts the open tab (#tab-body) must show in this order (repeat, first first)")
    ap.add_argument("--search", help="type this into the search box and press Enter first")
    ap.add_argument("--screenshot")
    # Debian's /usr/bin/chromium is a shell wrapper that loses fds 3 and 4.
    default = "/usr/lib/chromium/chromium" if os.path.exists("/usr/lib/chromium/chromium") else "chromium"
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", default))
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--hash", default="", help="append #HASH to the page's URL")
    ap.add_argument("--other-page", action="store_true",
                    help="a page that is not a forktrace report (a viewer): wait --settle seconds, check errors only")
    ap.add_argument("--settle", type=float, default=5)
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=900)
    args = ap.parse_args()

    binary = shutil.which(args.chromium) or args.chromium
    url = "file://" + os.path.abspath(args.report) + ("#" + args.hash if args.hash else "")
    browser = Browser(binary, args.width, args.height)
    problems = []
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            browser.send(domain + ".enable", session=session)
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": args.width, "height": args.height, "deviceScaleFactor": 1, "mobile": False},
                     session=session)
        t0 = time.monotonic()
        browser.send("Page.navigate", {"url": url}, session=session)
        deadline = t0 + args.timeout
        state = None
        if args.other_page:
            browser.pump(args.settle)
            state = {"ready": True}
        while not args.other_page and time.monotonic() < deadline:
            value = browser.send("Runtime.evaluate", {
                "expression": "window.ftReport ? JSON.stringify({ready: window.ftReport.ready, processes: "
                              "window.ftReport.processes, rows: window.ftReport.rows, scriptMs: "
                              "window.ftReport.scriptMs, parseMs: window.ftReport.parseMs, readyMs: window.ftReport.readyMs, stages: window.ftReport.stages}) : ''",
                "returnByValue": True}, session=session)["result"].get("value")
            if value:
                state = json.loads(value)
                if state.get("ready"):
                    break
            if any(e.get("method") == "Runtime.exceptionThrown" for e in browser.events):
                break
            browser.pump(0.05)
        wall_ms = (time.monotonic() - t0) * 1000
        if not state or not state.get("ready"):
            problems.append("the report never became ready")
        if args.search and state and state.get("ready"):
            browser.send("Runtime.evaluate", {"expression": (
                "(() => { const s = document.getElementById('search'); s.value = %s; "
                "s.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'})); })()") % json.dumps(args.search)},
                session=session)
        browser.pump(0.5)  # let late errors, requests and frames arrive

        text = browser.send("Runtime.evaluate", {"expression": "document.body.innerText", "returnByValue": True},
                            session=session)["result"].get("value", "")
        rows = browser.send("Runtime.evaluate", {
            "expression": "window.ftReport && window.ftReport.rowsOnScreen ? window.ftReport.rowsOnScreen() : []",
            "returnByValue": True}, session=session)["result"].get("value", [])
        for want in args.expect:  # innerText follows CSS text-transform: compare case-blind
            if want.lower() not in text.lower():
                problems.append(f"the page does not show {want!r}")
        if args.expect_order:
            tab = browser.send("Runtime.evaluate", {
                "expression": "(document.getElementById('tab-body') || {}).innerText || ''", "returnByValue": True},
                session=session)["result"].get("value", "")
            at = 0
            for want in args.expect_order:
                found = tab.find(want, at)
                if found < 0:
                    problems.append(f"the open tab does not show {want!r} after the texts before it (tab: {tab[:400]!r})")
                    break
                at = found + len(want)
        for want in args.expect_row:
            if not any(want in r for r in rows):
                problems.append(f"no tree row on screen shows {want!r} (rows: {rows[:8]})")

        for e in browser.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                d = params.get("exceptionDetails", {})
                problems.append("uncaught exception: " + (d.get("exception", {}).get("description") or d.get("text", "")))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                problems.append("console " + params["type"] + ": " +
                                " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                problems.append("browser log: " + params["entry"].get("text", ""))
            elif method == "Network.requestWillBeSent":
                request_url = params.get("request", {}).get("url", "")
                if request_url != url and not (args.other_page and request_url.startswith("file://")):
                    problems.append("network request: " + request_url[:200])

        if args.screenshot:
            shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
            os.makedirs(os.path.dirname(os.path.abspath(args.screenshot)), exist_ok=True)
            with open(args.screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        result = {"report": args.report, "bytes": os.path.getsize(args.report), "wall_ms": round(wall_ms, 1),
                  **(state or {}), "rows_on_screen": len(rows), "problems": problems}
        print(json.dumps(result))
    finally:
        browser.close()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
