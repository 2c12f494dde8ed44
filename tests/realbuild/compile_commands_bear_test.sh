#!/usr/bin/env bash
# --format compile-commands against Debian's Bear on real builds, as root:
#   compile_commands_bear_test.sh FORKTRACE
# Two builds, each run twice from scratch at the same path, once under
# `bear --` and once under `forktrace --format compile-commands -o F -w T --`:
#   1. GoogleTest from /usr/src/googletest (Debian's googletest source package),
#      CMake's configure (its compiler checks) and `make gtest gtest_main`;
#   2. a small C project whose Makefile runs what the helper must tell apart:
#      a multi-source compile and link, a triplet/versioned driver name, -E,
#      -c -M, -S, -fsyntax-only, a response file, a link-only step,
#      configure-style conftest.c probes, and where ccache is installed a
#      compile under `ccache cc` and one through ccache's `gcc` symlink
#      (/usr/lib/ccache), whose own compiler runs must not count again.
# The two databases must hold the same entries, by (directory, file as an
# absolute path), except for the differences written down below, each one
# asserted: anything else fails. Also: the -r replay writes the same bytes as
# the live run, and the file is created 0600.
#
# Differences (Bear 3.1.1 with its default configuration):
#  D1 arguments[0]: Bear writes the executable it resolved ("/usr/bin/cc" for
#     `cc`); forktrace writes argv[0] as the build ran it. Bear is wrong for a
#     build that relies on PATH (another PATH gives another compiler); both
#     name the same program here.
#  D2 dependency-file options (-MD, -MMD, -MP, -MF F, -MT T, -MQ T): Bear
#     drops them, forktrace keeps the argv as executed. Bear's is what
#     clang tooling would rather rerun (no .d files written); forktrace's is
#     exact.
#  D3 the order and the other sources: Bear rebuilds every entry's arguments
#     as program, flags, -c, -o OUT, the source (-c first where there is no
#     -o), adding -c where the driver also linked and dropping the other
#     sources of a multi-source run; forktrace keeps the argv as it ran, the
#     same for each of its sources. The flags must be equal, in order.
#  D4 `file` and `output`: Bear makes them absolute; forktrace keeps them as
#     written (relative to `directory`, as the format allows). Compared
#     after joining with `directory`.
#  D5 the same (file, output) compiled twice: Bear keeps the first;
#     forktrace lists each run.
#  D6 sources gone by the end of the build (CMake's try_compile checks of
#     a src.c it writes and deletes): Bear keeps only files that exist when
#     it writes the database; forktrace lists every compile that ran. Both
#     keep the checks of CMake's own files (CMakeCCompilerABI.c).
# CMake's try_compile directories and targets have random names
# (TryCompile-XXXXXX, cmTC_xxxxx), so they are compared with those masked.
set -euo pipefail
forktrace=$(realpath "$1")
. "$(dirname "$0")/../common/require.sh"
require_root
command -v bear >/dev/null || cannot_run "bear is not installed (tools/install-deps.sh installs Debian's bear)"
src=/usr/src/googletest
[ -f "$src/CMakeLists.txt" ] || { echo "FAIL: $src missing (Debian package googletest)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*"
  exit 1
}

# The small C project: every kind of driver run the export must tell apart.
make_project() {
  local d=$1
  mkdir -p "$d/lib"
  printf 'int f(void);\nint g(void);\nint main(void) { return f() + g(); }\n' >"$d/main.c"
  printf 'int f(void) { return 0; }\n' >"$d/lib/f.c"
  printf 'int g(void) { return 0; }\n' >"$d/g.c"
  printf 'int h(void) { return 0; }\n' >"$d/h.c"
  printf -- '-O1 -DFROM_RSP=1\n' >"$d/flags.rsp"
  # A triplet/versioned name where Debian's gcc provides one.
  local tcc=cc wrapped=
  command -v x86_64-linux-gnu-gcc-12 >/dev/null && tcc=x86_64-linux-gnu-gcc-12
  [ -x /usr/bin/ccache ] && [ -e /usr/lib/ccache/gcc ] && wrapped=wrapped
  cat >"$d/Makefile" <<EOF
all: prog both syntax asm pre deps rsp probe $wrapped
wrapped:
	CCACHE_DIR=\$(CURDIR)/.ccache ccache cc -O0 -c h.c -o h-ccache.o
	CCACHE_DIR=\$(CURDIR)/.ccache PATH=/usr/lib/ccache:\$\$PATH gcc -O0 -c g.c -o g-symlink.o
prog: main.o lib/f.o g.o
	cc main.o lib/f.o g.o -o prog
main.o: main.c
	cc -O0 -MMD -MP -MF main.d -c -o main.o main.c
lib/f.o: lib/f.c
	cd lib && $tcc -O0 -c f.c
g.o: g.c
	cc -O0 -Wall -DX=1 -Ilib -c g.c -o g.o
both:
	cc -O0 main.c lib/f.c g.c -o both
syntax:
	cc -fsyntax-only h.c
asm:
	cc -O0 -S h.c -o h.s
pre:
	cc -E h.c -o h.i
deps:
	cc -c -M h.c -o h.dep
rsp:
	cc @flags.rsp -c h.c -o h-rsp.o
probe:
	printf 'int main(void) { return 0; }\n' > conftest.c
	cc -c conftest.c -o conftest.o
	rm -f conftest.c conftest.o
EOF
}

configure_gtest() {
  rm -rf "$tmp/g"
  cp -r "$src" "$tmp/g"
}
gtest_build() {  # run under a tool: configure and build
  cmake -S "$tmp/g" -B "$tmp/g/build" -DBUILD_GMOCK=OFF -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS=-O0 \
    -DCMAKE_CXX_COMPILER_LAUNCHER= -DCMAKE_C_COMPILER_LAUNCHER= >"$tmp/g.configure.log" 2>&1 &&
    make -C "$tmp/g/build" -j2 gtest gtest_main >"$tmp/g.build.log" 2>&1
}
export -f gtest_build
export tmp

start=$(date +%s)
# Bear first, then forktrace, each from a fresh copy at the same paths.
configure_gtest
rm -rf "$tmp/c" && make_project "$tmp/c"
(cd "$tmp" && bear --output "$tmp/bear-g.json" -- bash -c gtest_build) || fail "bear's gtest build: $(tail -5 "$tmp/g.build.log")"
(cd "$tmp/c" && bear --output "$tmp/bear-c.json" -- make -s >"$tmp/c.log" 2>&1) || fail "bear's C build: $(tail -5 "$tmp/c.log")"
configure_gtest
rm -rf "$tmp/c" && make_project "$tmp/c"
(cd "$tmp" && "$forktrace" -q --format compile-commands -o "$tmp/ft-g.json" -w "$tmp/g.ftrace" -- bash -c gtest_build) ||
  fail "forktrace's gtest build: $(tail -5 "$tmp/g.build.log")"
(cd "$tmp/c" && "$forktrace" -q --format compile-commands -o "$tmp/ft-c.json" -w "$tmp/c.ftrace" -- make -s >"$tmp/c.log" 2>&1) ||
  fail "forktrace's C build: $(tail -5 "$tmp/c.log")"
echo "builds took $(($(date +%s) - start))s"

for b in g c; do
  [ "$(stat -c %a "$tmp/ft-$b.json")" = 600 ] || fail "ft-$b.json has mode $(stat -c %a "$tmp/ft-$b.json"), not 0600"
  "$forktrace" -r "$tmp/$b.ftrace" --format compile-commands -o "$tmp/replay-$b.json"
  cmp "$tmp/ft-$b.json" "$tmp/replay-$b.json" || fail "the replay of $b differs from the live run"
done
"$forktrace" -r "$tmp/c.ftrace" --format compile-commands --compile-commands-all -o "$tmp/all-c.json"

python3 - "$tmp" <<'PY' || fail "see above"
import json, os, re, sys
from collections import Counter
tmp = sys.argv[1]
problems = []
def check(ok, what):
    if not ok:
        problems.append(what)
DEP1 = {"-MD", "-MMD", "-MP"}
DEP2 = {"-MF", "-MT", "-MQ"}
SOURCE = (".c", ".cc", ".cpp")
def flags(args, dep_options):
    """The options other than -c and -o, in order, without the sources (and the dependency options)."""
    out, skip = [], False
    for a in args[1:]:
        if skip:
            skip = False
        elif a == "-o" or (dep_options and a in DEP2):
            skip = True
        elif a == "-c" or (dep_options and a in DEP1) or os.path.splitext(a)[1] in SOURCE:
            pass
        else:
            out.append(a)
    return out
def absolute(d, f):
    return os.path.normpath(os.path.join(d, f))
def masked(x):
    x = re.sub(r"TryCompile-[A-Za-z0-9]+", "TryCompile-X", x)
    return re.sub(r"cmTC_[0-9a-f]+", "cmTC_X", x)
def key(e):
    output = absolute(e["directory"], e["output"]) if "output" in e else ""
    return (masked(e["directory"]), masked(absolute(e["directory"], e["file"])), masked(output))
differences = Counter()
examples = {}
def note(d, example):
    differences[d] += 1
    examples.setdefault(d, example)

def compare(name, expect_sources):
    bear = json.load(open(f"{tmp}/bear-{name}.json"))
    ft = json.load(open(f"{tmp}/ft-{name}.json"))
    print(f"{name}: bear {len(bear)} entries, forktrace {len(ft)}")
    check(len(ft) >= expect_sources, f"{name}: at least {expect_sources} entries: {len(ft)}")
    for e in ft:
        check(os.path.isabs(e["directory"]), f"{name}: directory absolute: {e}")
        check(e["file"] in e["arguments"], f"{name}: file as written in argv: {e}")
        check(os.path.basename(e["arguments"][0]).rstrip("0123456789-.").split("-")[-1] in ("cc", "gcc", "c++", "g++"),
              f"{name}: a driver's argv, never cc1/as/collect2: {e['arguments'][:2]}")
    bear_by, ft_by = {}, {}
    for e in bear:
        bear_by.setdefault(key(e), []).append(e)
    for e in ft:
        ft_by.setdefault(key(e), []).append(e)
    for k, es in bear_by.items():
        check(k in ft_by, f"{name}: Bear has an entry forktrace lacks: {k} {es[0]['arguments']}")
    for k, fes in ft_by.items():
        f = fes[0]
        if k not in bear_by:
            if not os.path.exists(absolute(f["directory"], f["file"])):
                note("D6 source gone by the end, listed", f["file"])
            else:
                check(False, f"{name}: only forktrace has {k}: {f['arguments']}")
            continue
        b = bear_by[k][0]
        if len(fes) > len(bear_by[k]):
            check(all(masked(" ".join(x["arguments"])) == masked(" ".join(f["arguments"])) for x in fes),
                  f"{name}: repeated runs differ: {k}")
            note("D5 repeated compile listed each time", f["arguments"])
        fa, ba = [masked(a) for a in f["arguments"]], [masked(a) for a in b["arguments"]]
        # D1: the program as run vs the program Bear resolved.
        if fa[0] != ba[0]:  # the same file, or the same name found elsewhere in PATH (/usr/lib/ccache/gcc)
            check(os.path.isabs(ba[0]) and (os.path.basename(ba[0]) == os.path.basename(fa[0]) or
                  os.path.realpath(ba[0]) == os.path.realpath(fa[0] if "/" in fa[0] else os.path.join("/usr/bin", fa[0]))),
                  f"{name}: D1 {fa[0]} vs {ba[0]}")
            note("D1 argv[0] as run", (fa[0], ba[0]))
        # D4: file and output as written vs absolute.
        if "output" in f:
            check(masked(absolute(f["directory"], f["output"])) == masked(b["output"]),
                  f"{name}: D4 output {f.get('output')} vs {b.get('output')}")
            if f["output"] != b["output"]:
                note("D4 output as written", (f["output"], b["output"]))
        if f["file"] != b["file"]:
            note("D4 file as written", (f["file"], b["file"]))
        # D2 and D3: the same flags in the same order, the source, -c.
        check(flags(fa, True) == flags(ba, False), f"{name}: flags differ: {fa} vs {ba}")
        check(masked(absolute(b["directory"], b["arguments"][-1])) == masked(b["file"]) and ("-c" in ba or "-S" in ba),
              f"{name}: Bear's form: {ba}")
        if flags(fa, True) != flags(fa, False):
            note("D2 dependency options kept", [a for a in fa if a in DEP1 or a in DEP2])
        if fa[1:] != ba[1:]:
            note("D3 argv kept in its own order", (" ".join(fa[1:]), " ".join(ba[1:])))
    return ft

g = compare("g", 2)
check(any(e["file"].endswith("gtest-all.cc") for e in g), "gtest-all.cc is in the database")
check(any(e["file"].endswith("gtest_main.cc") for e in g), "gtest_main.cc is in the database")
c = compare("c", 8)
files = Counter(os.path.normpath(os.path.join(e["directory"], e["file"])).split("/c/", 1)[1] for e in c)
want = Counter({"main.c": 2, "lib/f.c": 2, "g.c": 2, "h.c": 3})  # h.c: -fsyntax-only, -S, @flags.rsp
if os.path.exists("/usr/lib/ccache/gcc") and os.access("/usr/bin/ccache", os.X_OK):
    want.update({"g.c": 1, "h.c": 1})
    wrapped = [e for e in c if e.get("output") in ("h-ccache.o", "g-symlink.o")]
    check(sorted(e["arguments"][0] for e in wrapped) == ["cc", "gcc"] and
          not any("-fdiagnostics-color" in e["arguments"] for e in c),
          f"ccache: the build's command, not ccache's own compiler runs: {wrapped}")
check(files == want, f"the C project's entries: {dict(files)}, want {dict(want)}")
rsp = [e for e in c if "@flags.rsp" in e["arguments"]]
check(len(rsp) == 1 and rsp[0]["output"] == "h-rsp.o", f"the response file is kept as written: {rsp}")
sub = [e for e in c if e["file"] == "f.c"]
check(len(sub) == 1 and sub[0]["directory"].endswith("/c/lib"), f"directory is the driver's cwd: {sub}")
check(not any("conftest" in e["file"] for e in c), "configure probes left out")
check(not any("-E" in e["arguments"] or "-M" in e["arguments"] for e in c), "preprocess-only runs left out")
every = json.load(open(f"{tmp}/all-c.json"))
extra = sorted(os.path.basename(e["file"]) + " " + " ".join(e["arguments"][1:]) for e in every if e not in c)
check(len(every) == len(c) + 3 and sum("conftest.c" == e["file"] for e in every) == 1 and
      sum("-E" in e["arguments"] for e in every) == 1 and sum("-M" in e["arguments"] for e in every) == 1,
      f"--compile-commands-all adds the probe, -E and -M: {extra}")
for d, n in sorted(differences.items()):
    print(f"  {d}: {n} entries, such as {examples[d]}")
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
PY
echo "PASS"
