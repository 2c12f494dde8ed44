#!/usr/bin/env bash
# A podman container traced live, as root:  podman_test.sh FORKTRACE
# The image is built here, with no registry: Debian's busybox-static as the
# whole root file system, imported with `podman import`. podman runs it with
# runc (crun refuses this machine kind's v1/v2 cgroup hybrid) and explicit
# limits (root here lacks CAP_SYS_RESOURCE for podman's defaults).
# Checked: every event of the container's processes carries `container`
# with the ID podman wrote to --cidfile and runtime "podman", and `cgroup`
# on its fork and exec too (not only on its exit); the container's first
# process has nspid 1 and its child another nspid; podman's own processes
# carry no container; the text view marks the container where it begins;
# the replay of the recording prints the same JSON bytes.
set -euo pipefail
forktrace=$(realpath "$1")
. "$(dirname "$0")/../common/require.sh"
require_root
command -v podman >/dev/null || cannot_run "podman is not installed (tools/install-deps.sh installs Debian's podman)"
command -v runc >/dev/null || cannot_run "runc is not installed (tools/install-deps.sh installs it)"
busybox=/bin/busybox
[ -x "$busybox" ] && file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
  busybox=$(command -v busybox.static 2>/dev/null || true)
[ -n "$busybox" ] || cannot_run "no static busybox (Debian's busybox-static)"
tmp=$(mktemp -d)
image=localhost/forktrace-test-busybox:$$
trap 'podman rmi -f "$image" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*"
  exit 1
}

mkdir -p "$tmp/root/bin"
cp "$busybox" "$tmp/root/bin/busybox"
for applet in sh sleep true cat; do ln -s busybox "$tmp/root/bin/$applet"; done
tar -C "$tmp/root" -cf "$tmp/root.tar" .
podman import "$tmp/root.tar" "$image" > "$tmp/import" 2>&1 || { cat "$tmp/import"; fail "podman import"; }

"$forktrace" --format json -o "$tmp/live.json" -w "$tmp/trace.ftrace" -- \
  podman run --rm --runtime runc --network none --ulimit nofile=1024:1024 --ulimit nproc=8192:8192 \
  --cidfile "$tmp/cid" "$image" /bin/sh -c '/bin/sleep 0.1; exit 3' 2> "$tmp/err" && status=0 || status=$?
[ "$status" = 3 ] || { cat "$tmp/err"; fail "forktrace -- podman run exited $status, not the container's 3"; }
[ -s "$tmp/cid" ] || fail "podman wrote no --cidfile"
"$forktrace" -r "$tmp/trace.ftrace" --format json -o "$tmp/replay.json"
cmp -s "$tmp/live.json" "$tmp/replay.json" || fail "the replay's JSON differs from the live run's"
"$forktrace" -r "$tmp/trace.ftrace" -o "$tmp/text"

python3 - "$tmp/live.json" "$(cat "$tmp/cid")" "$tmp/text" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
cid, text = sys.argv[2], open(sys.argv[3]).read()
def fail(why):
    print("FAIL:", why)
    sys.exit(1)
shells = [e for e in events if e["event"] == "exec" and e.get("argv", [])[:2] == ["/bin/sh", "-c"]]
if len(shells) != 1:
    fail(f"{len(shells)} execs of the container's /bin/sh -c")
sh = shells[0]["pid"]
children = {e["pid"] for e in events if e["event"] == "fork" and e.get("parent_pid") == sh}
if len(children) != 1:
    fail(f"the container's sh forked {len(children)} children, not 1 (sleep)")
inside = {sh} | children
for e in events:
    if e["pid"] not in inside or e["event"] not in ("fork", "exec", "exit", "reap"):
        continue
    where = f'{e["event"]} of {e["pid"]} ({e.get("comm")})'
    if e.get("container") != {"id": cid, "runtime": "podman"}:
        fail(f'{where}: container {e.get("container")}, not {{"id": "{cid}", "runtime": "podman"}}')
    if e["event"] != "reap" and "/libpod-" + cid not in e.get("cgroup", ""):
        fail(f'{where}: cgroup {e.get("cgroup")!r} is not the container\'s')
    want = 1 if e["pid"] == sh else None
    if want and e.get("nspid") != 1:
        fail(f'{where}: nspid {e.get("nspid")}, not 1 (the container\'s first process)')
    if e["pid"] != sh and not (isinstance(e.get("nspid"), int) and 1 < e["nspid"] != e["pid"]):
        fail(f'{where}: nspid {e.get("nspid")}: not a pid inside the container')
for e in events:
    if e.get("comm") in ("podman", "conmon") and e["event"] in ("fork", "exec", "exit") and "container" in e:
        fail(f'{e["event"]} of {e["pid"]} ({e["comm"]}): podman\'s own process carries a container')
exits = [e for e in events if e["event"] == "exit" and e["pid"] == sh]
if not exits or exits[0].get("exit_code") != 3:
    fail("the container's sh did not exit 3")
marks = [line for line in text.splitlines() if "container=" + cid[:12] in line]
if len(marks) != 1:
    fail(f"the text view marks the container {len(marks)} times, not once where it begins")
if not any("nspid=1" in line and " sh " in line for line in text.splitlines()):
    fail("the text view does not show nspid=1 on the container's sh")
print(f"ok: container {cid[:12]}: {len(inside)} processes, every event tagged; nspid 1 for sh")
PY

# The other views of the same recording: the tree marks the container once,
# --summary's JSON rolls it up with sh as its init, OTLP spans name it.
"$forktrace" -r "$tmp/trace.ftrace" --format tree > "$tmp/tree"
"$forktrace" -r "$tmp/trace.ftrace" --summary --format json > "$tmp/summary.json"
"$forktrace" -r "$tmp/trace.ftrace" --format otlp > "$tmp/otlp.json"
python3 - "$tmp/live.json" "$(cat "$tmp/cid")" "$tmp/tree" "$tmp/summary.json" "$tmp/otlp.json" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
cid, tree, summary = sys.argv[2], open(sys.argv[3]).read(), json.load(open(sys.argv[4]))
def fail(why):
    print("FAIL:", why)
    sys.exit(1)
sh = next(e["pid"] for e in events if e["event"] == "exec" and e.get("argv", [])[:2] == ["/bin/sh", "-c"])
marks = [line for line in tree.splitlines() if "container=" + cid[:12] in line]
if len(marks) != 1:
    fail(f"the tree marks the container {len(marks)} times, not once where it begins")
if not any(f" {sh} /bin/sh" in line and "nspid=1" in line for line in tree.splitlines()):
    fail("the tree does not show nspid=1 on the container's sh")
rows = summary.get("containers", [])
if len(rows) != 1 or rows[0]["id"] != cid or rows[0]["runtime"] != "podman":
    fail(f"--summary's containers: {rows}")
if rows[0]["init_pid"] != sh or rows[0]["failed"] < 1 or rows[0]["processes"] < 2:
    fail(f"--summary's container row: {rows[0]} (sh {sh} exit 3 and its sleep)")
spans = []
for line in open(sys.argv[5]):
    for rs in json.loads(line)["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            spans += ss["spans"]
def attrs(span):
    return {a["key"]: next(iter(a["value"].values())) for a in span["attributes"]}
sh_span = [attrs(s) for s in spans if attrs(s).get("process.pid") in (sh, str(sh))]
if not sh_span or sh_span[0].get("container.id") != cid or str(sh_span[0].get("process.vpid")) != "1":
    fail(f"the OTLP span of sh: {sh_span}")
print(f"ok: tree, --summary and OTLP name container {cid[:12]}")
PY
