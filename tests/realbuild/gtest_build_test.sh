#!/usr/bin/env bash
# The build report on a real build, as root:
#   gtest_build_test.sh FORKTRACE
# GoogleTest's library target (gtest only, make -j2) is built twice from a copy
# of /usr/src/googletest, traced with -w: once clean, once with a compile error
# injected into src/gtest-all.cc. The broken build's `--summary --format json`
# must end its cause chain at the compile of gtest-all.cc, every chain must
# start at `make` (the traced command), cc1plus must have CPU in the
# per-executable table when the trace carries resource usage, and
# `-r broken --diff clean` must name the new failure. Its `--format perfetto`
# export, decoded by protoc against the project's schema, must nest the
# failed cc1plus's track under make's through every process between them and
# mark the same cause path.
set -euo pipefail
forktrace=$(realpath "$1")
. "$(dirname "$0")/../common/require.sh"
require_root
src=/usr/src/googletest
[ -f "$src/CMakeLists.txt" ] || { echo "FAIL: $src missing (Debian package googletest)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*"
  exit 1
}

# -O0 and -Wfatal-errors keep it quick: the broken compile stops at its error.
configure() {
  cp -r "$src" "$tmp/$1-src"
  cmake -S "$tmp/$1-src" -B "$tmp/$1" -DBUILD_GMOCK=OFF -DCMAKE_BUILD_TYPE= \
    -DCMAKE_CXX_FLAGS="-O0 -Wfatal-errors" -DCMAKE_CXX_COMPILER_LAUNCHER= >"$tmp/$1.configure.log" 2>&1 ||
    fail "cmake $1: $(tail -5 "$tmp/$1.configure.log")"
}
configure clean
configure broken
all=$(find "$tmp/broken-src" -name gtest-all.cc | head -1)
[ -n "$all" ] || fail "no gtest-all.cc in $src"
sed -i '1i int forktrace_injected_error = ;  // injected by gtest_build_test.sh' "$all"

start=$(date +%s)
set +e
"$forktrace" -q -w "$tmp/clean.ftrace" -o /dev/null -- make -C "$tmp/clean" -j2 gtest >"$tmp/clean.log" 2>&1
clean_status=$?
"$forktrace" -q -w "$tmp/broken.ftrace" -o /dev/null -- make -C "$tmp/broken" -j2 gtest >"$tmp/broken.log" 2>&1
broken_status=$?
set -e
echo "builds took $(($(date +%s) - start))s"
[ "$clean_status" -eq 0 ] || fail "the clean build failed ($clean_status): $(tail -5 "$tmp/clean.log")"
[ "$broken_status" -ne 0 ] || fail "the broken build succeeded"

"$forktrace" -r "$tmp/broken.ftrace" --summary --format json >"$tmp/report.json"
"$forktrace" -r "$tmp/broken.ftrace" --summary >"$tmp/report.txt"
"$forktrace" -r "$tmp/broken.ftrace" --diff "$tmp/clean.ftrace" --format json >"$tmp/diff.json"
"$forktrace" -r "$tmp/broken.ftrace" --diff "$tmp/clean.ftrace" >"$tmp/diff.txt"
sed -n '1,12p' "$tmp/report.txt"

python3 - "$tmp/report.json" "$tmp/diff.json" <<'PY' || fail "see above"
import json, os, sys
report = json.load(open(sys.argv[1]))
diff = json.load(open(sys.argv[2]))
problems = []
def check(ok, what):
    if not ok:
        problems.append(what)
def name(p):
    return os.path.basename(p["argv"][0]) if p["argv"] else ""

root = report["root"]
check(root is not None and name(root) == "make", f"the root is make: {root and root['argv']}")
check(root["exit_code"] != 0, "the root failed")
check(root["subtree"]["processes"] > 5 and root["subtree"]["failed"] >= 3, f"subtree {root['subtree']}")
cause = report["cause"]
check(len(cause) >= 3, f"a cause chain: {[c['argv'][:2] for c in cause]}")
check(cause and cause[0]["pid"] == root["pid"], "the cause starts at the root")
last = cause[-1] if cause else {"argv": [], "pid": 0}
check(name(last) == "cc1plus", f"the cause ends at cc1plus: {last['argv'][:3]}")
check(any(a.endswith("gtest-all.cc") for a in last["argv"]), f"... compiling gtest-all.cc: {last['argv']}")
check(last.get("exit_code", 0) != 0, "... which failed")
for f in report["failures"]:
    if f["pid"] != root["pid"]:
        check(f["chain"] and f["chain"][0] == root["pid"], f"failure {f['pid']} chain starts at make: {f['chain']}")
check(any(f["pid"] == last["pid"] and f["propagated"] for f in report["failures"]), "the compile failure propagated")
# Where and on what (issue 24): the compile's directory and file, short.
check(last.get("cwd", "").startswith("/"), f"the compile's cwd: {last.get('cwd')}")
check(any(i.endswith("gtest-all.cc") for i in last.get("inputs", [])), f"its inputs: {last.get('inputs')}")
check("output" in last, f"its output: {last.get('output')}")
# The failure path only: what propagated is the chain itself or beside it under make -j.
on_path = {c["pid"] for c in cause}
propagated = [f for f in report["failures"] if f["propagated"]]
check(all(f["chain"][-1] in on_path or f["pid"] in on_path for f in propagated),
      f"propagated failures hang off the cause chain: {[(f['pid'], f['argv'][:2]) for f in propagated]}")
exes = {x["name"]: x for x in report["executables"]}
check("cc1plus" in exes and exes["cc1plus"]["runs"] >= 1 and exes["cc1plus"]["failed"] >= 1, f"cc1plus row {exes.get('cc1plus')}")
if report["has_usage"]:
    check((exes["cc1plus"]["cpu_ns"] or 0) > 0, f"cc1plus has CPU: {exes['cc1plus']}")
else:
    print("note: this forktrace records no resource usage; the CPU check is skipped")
    check(exes["cc1plus"]["cpu_ns"] is None, "no usage is said, not guessed")
check(report["critical_path"] and report["critical_path"][0]["pid"] == root["pid"], "the critical path starts at make")
news = [p["new"] for p in diff["new_failures"]]
check(any(name(n) == "cc1plus" and any(a.endswith("gtest-all.cc") for a in n["argv"]) for n in news),
      f"the diff names the new failure: {[n['argv'][:2] for n in news]}")
for k in ("added", "removed", "changed", "new_failures", "fixed", "slower"):
    check(k in diff, f"diff has {k}")
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
PY
# The Perfetto export of the same build: the process tree as nested tracks,
# the cause path marked on the same processes as the report's chain.
proto_dir=$(dirname "$0")/../../userspace/export/perfetto
"$forktrace" -r "$tmp/broken.ftrace" --format perfetto -o "$tmp/broken.pftrace"
protoc --decode=perfetto.protos.Trace -I "$proto_dir" "$proto_dir/perfetto_trace.proto" <"$tmp/broken.pftrace" \
  >"$tmp/broken.pftrace.txt" || fail "protoc cannot decode the Perfetto export"
python3 - "$tmp/report.json" "$tmp/broken.pftrace.txt" <<'PY' || fail "see above"
import json, re, sys
cause = [c["pid"] for c in json.load(open(sys.argv[1]))["cause"]]
text = open(sys.argv[2]).read()
packets = text.split("\npacket {")
tracks, pid_of = {}, {}
strings = dict((int(i), s) for i, s in re.findall(r'debug_annotation_string_values \{\s*iid: (\d+)\s*str: "(.*?)"', text))
arg = dict((n, i) for i, n in re.findall(r'debug_annotation_names \{\s*iid: (\d+)\s*name: "(.*?)"', text))
marked = {}
for p in packets:
    m = re.search(r'track_descriptor \{\s*uuid: (\d+)\s*name: "(\d+) (.*?)"\n(?:\s*parent_uuid: (\d+))?', p)
    if m:
        tracks[int(m.group(1))] = int(m.group(4) or 0)
        pid_of[int(m.group(1))] = int(m.group(2))
    e = re.search(r'track_uuid: (\d+)', p)
    for iid in re.findall(r'name_iid: ' + arg["cause_path"] + r'\s*string_value_iid: (\d+)', p):
        marked[pid_of[int(e.group(1))]] = strings[int(iid)]
problems = []
uuid_of = {pid: uuid for uuid, pid in pid_of.items()}
if cause:
    chain, u = [], uuid_of.get(cause[-1], 0)
    while u:
        chain.append(pid_of[u])
        u = tracks[u]
    chain.reverse()
    if chain != cause:
        problems.append(f"the cause's track nests under {chain}, the report's chain is {cause}")
if list(marked) and sorted(marked) != sorted(cause):
    problems.append(f"cause_path on {sorted(marked)}, the report's chain is {cause}")
if not cause or marked.get(cause[-1]) != "the cause":
    problems.append(f"the cause is marked: {marked}")
if sum(1 for p in packets if "flow_ids" in p) != len(cause):
    problems.append("one flow step per process of the cause path")
for p in problems:
    print("FAIL:", p)
print(f"perfetto: {len(tracks)} tracks, cause path {cause} marked" if not problems else "")
sys.exit(1 if problems else 0)
PY

grep -q "^Why it failed: make → " "$tmp/report.txt" || fail "the text report opens with the cause: $(head -8 "$tmp/report.txt")"
grep -q "cc1plus" "$tmp/diff.txt" || fail "the text diff names cc1plus: $(head "$tmp/diff.txt")"
grep -q "^ *→ cc1plus .*gtest-all.cc → " "$tmp/report.txt" ||
  fail "the cause shows the compile by its file: $(sed -n '/^Why/,/^$/p' "$tmp/report.txt")"

# A build that fails in a subdirectory's make with no failed child (make's own
# "No rule to make target"): the cause ends at that make and names the directory.
mkdir -p "$tmp/subdir/doc"
printf 'all:
	$(MAKE) -C doc
' >"$tmp/subdir/Makefile"
printf 'all: manual.info
manual.info: manual.texi
	cp manual.texi $@
' >"$tmp/subdir/doc/Makefile"
set +e
"$forktrace" -q -w "$tmp/subdir.ftrace" -o /dev/null -- make -C "$tmp/subdir" >"$tmp/subdir.log" 2>&1
subdir_status=$?
set -e
[ "$subdir_status" -ne 0 ] || fail "the subdirectory build succeeded"
"$forktrace" -r "$tmp/subdir.ftrace" --summary --format json >"$tmp/subdir.json"
"$forktrace" -r "$tmp/subdir.ftrace" --summary >"$tmp/subdir.txt"
python3 - "$tmp/subdir.json" <<'PY' || fail "see above"
import json, sys
cause = json.load(open(sys.argv[1]))["cause"]
last = cause[-1] if cause else {}
ok = len(cause) == 2 and last.get("argv", [""])[0].endswith("make") and last.get("cwd", "").endswith("/subdir/doc")
print("" if ok else f"FAIL: the cause ends at doc/'s make: {[(c['argv'], c.get('cwd')) for c in cause]}")
sys.exit(0 if ok else 1)
PY
grep -q "^Why it failed: make → make (exit 2)  in doc/$" "$tmp/subdir.txt" ||
  fail "the text cause names doc/: $(sed -n '/^Why/,/^$/p' "$tmp/subdir.txt")"
echo "PASS"
