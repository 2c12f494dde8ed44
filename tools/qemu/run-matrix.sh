#!/usr/bin/env bash
# The kernel matrix: boots Debian's kernels under qemu (software emulation,
# -accel tcg) with a minimal initramfs holding an existing build's forktrace
# and its test binaries, runs the root test tiers inside each guest, and
# reports every test's result here. Exits non-zero if any test failed, timed
# out or did not run.
#
#   tools/qemu/run-matrix.sh [-B BUILD_DIR] [-a x86_64|aarch64] [-f GTEST_FILTER] [KERNEL]...
#
# KERNEL is SUITE-ARCH (Debian's linux-image-ARCH of that suite): by default
# bullseye-amd64 (5.10), bookworm-amd64 (6.1) and trixie-amd64 (6.12) for an x86-64 build, and
# bookworm-arm64 (6.1) for an arm64 one (tools/cross-build-arm64.sh).
# Kernels are fetched with apt into $FORKTRACE_KERNEL_CACHE (default
# /var/cache/forktrace-kernels); see fetch-kernel.sh.
#
# Environment: FT_MATRIX_TEST_TIMEOUT (seconds per test in the guest, 300),
# FT_MATRIX_OUT (where console logs and results are kept; a temporary
# directory), and boot.sh's FT_MATRIX_TIMEOUT, FT_MATRIX_SMP, FT_MATRIX_MEM.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-build}
arch=x86_64
filter='*'
extra_dirs=()
while getopts "B:a:f:" opt; do
  case $opt in
    B) build=$OPTARG ;;
    a) arch=$OPTARG ;;
    f) filter=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
kernels=("$@")
case $arch in
  x86_64) ((${#kernels[@]})) || kernels=(bullseye-amd64 bookworm-amd64 trixie-amd64) ;;
  aarch64) ((${#kernels[@]})) || kernels=(bookworm-arm64) ;;
  *) echo "run-matrix: unknown architecture $arch" >&2; exit 2 ;;
esac
# A relative BUILD_DIR is the repository's, as for tools/build.sh; -P: the
# paths the build compiled in are the physical ones.
build=$(cd "$repo" && cd "$build" 2>/dev/null && pwd -P) ||
  { echo "run-matrix: no build directory ${build} (in $repo): build first (tools/build.sh)" >&2; exit 1; }
# The tests name data files by the path of the source tree they were built
# from (tests/unit/tui_golden): that tree, which need not be this one.
src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt" 2>/dev/null)
[ -n "$src" ] && [ -d "$src/tests" ] ||
  { echo "run-matrix: $build has no CMakeCache.txt naming its source tree: build first (tools/build.sh)" >&2; exit 1; }
test_timeout=${FT_MATRIX_TEST_TIMEOUT:-300}
out=${FT_MATRIX_OUT:-}
if [ -z "$out" ]; then
  out=$(mktemp -d /tmp/forktrace-matrix.XXXXXX)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

programs=("$build/forktrace" "$build/tests/workload/ft-workload" "$build/tools/bench/ft-fork-storm")
unit=("$build/tests/unit/forktrace-unit-tests")
tests=("$build/tests/kernel/forktrace-kernel-tests" "$build/tests/integration/forktrace-integration-tests")
for f in "${programs[@]}" "${unit[@]}" "${tests[@]}"; do
  [ -x "$f" ] || { echo "run-matrix: $f is missing: build first (tools/build.sh)" >&2; exit 1; }
done

# Tests the guests leave out, each with its reason; the only such list.
# Printed on every run, so nothing is left out silently.
excluded=(
  "Privileges.Tui*: the TUI test's forktrace exits at its start in the guests, whose initramfs holds no terminfo database (the likely cause, not yet proven); the test runs on the host, and the other Privileges tests run here"
  "StalledReader.*: a throughput test (20,000 forks against a reader stalled 12 s); under software emulation the storm alone takes far longer than its budget, and what it proves (the views' queue) is user space, run on the host"
)
# busybox-static and openssl (the unit tests' TLS test makes its certificate
# with the openssl program) of the guest's architecture: the machine's own, or
# arm64's packages unpacked into the cache (their libraries come through
# multiarch, tools/install-deps.sh --matrix).
busybox=/bin/busybox
placed=()
if [ "$arch" != "$(uname -m)" ]; then
  busybox=$("$here/fetch-package.sh" busybox-static bookworm arm64)/bin/busybox
  placed+=(-p "/usr/bin/openssl=$("$here/fetch-package.sh" openssl bookworm arm64)/usr/bin/openssl")
else
  openssl=$(command -v openssl) || { echo "run-matrix: no openssl program (tools/install-deps.sh installs it)" >&2; exit 1; }
  programs+=("$openssl")
fi
extra_dirs+=(/etc/ssl)
negative=""
for e in "${excluded[@]}"; do
  echo "run-matrix: left out of the guests: ${e%%: *} (${e#*: })"
  negative+="${negative:+:}${e%%: *}"
done
# A gtest filter is POSITIVE[-NEGATIVE]; add to the negative part.
case $filter in
  *-*) filter="$filter:$negative" ;;
  *) filter="$filter-$negative" ;;
esac

# One initramfs for every kernel (boot.sh adds a kernel's modules).
targs=()
for t in "${unit[@]}"; do targs+=(-u "$t"); done
for t in "${tests[@]}"; do targs+=(-t "$t"); done
# The tests' source folder too: some name data files by their source path.
for d in "$src/tests" "${extra_dirs[@]}"; do targs+=(-d "$d"); done
"$here/make-initramfs.sh" -o "$out/base.cpio.gz" -a "$arch" -b "$busybox" "${targs[@]}" "${placed[@]}" \
  "${programs[@]}"

failed_kernels=()
summary=()
for kernel in "${kernels[@]}"; do
  suite=${kernel%-*} karch=${kernel##*-}
  kdir=$("$here/fetch-kernel.sh" "$suite" "$karch")
  prefix="$out/$kernel"
  echo "== $kernel: $(cut -d" " -f1,2 "$kdir/package"), $arch under qemu (tcg), -smp ${FT_MATRIX_SMP:-2}"
  "$here/boot.sh" -a "$arch" -k "$kdir" -i "$out/base.cpio.gz" -o "$prefix" \
    "ft_timeout=$test_timeout" "ft_filter=$filter"
  read -r boot wall qemu_rc cpu < "$prefix.times"
  results="$prefix.results"
  # Each test's result, and the output of each that did not pass.
  awk '/^FT-NOTE / { sub(/^FT-NOTE /, "  note: "); print; next }
       /^FT-TEST / { printf "  %-7s %7ss  %s  %s\n", $2, $3, $4, $5; next }
       /^\| /      { print "      " $0 }' "$results"
  counts=$(awk '/^FT-TEST / { n[$2]++ } END { printf "%d passed, %d failed, %d skipped", n["PASS"], n["FAIL"] + n["TIMEOUT"], n["SKIP"] }' "$results")
  bad=$(awk '/^FT-TEST (FAIL|TIMEOUT) / { n++ } END { print n + 0 }' "$results")
  if ! grep -q '^FT-END ' "$results"; then
    echo "run-matrix: $kernel: the guest did not finish (qemu status $qemu_rc after ${wall}s); the console's end:" >&2
    tail -n 40 "$prefix.console.log" >&2
    bad=$((bad + 1))
  elif ! grep -q '^FT-TEST PASS' "$results"; then
    echo "run-matrix: $kernel: no test passed" >&2
    bad=$((bad + 1))
  fi
  tests_s=-
  [ "$boot" = - ] || tests_s=$((wall - boot))
  line="$kernel ($(cut -d' ' -f2 "$kdir/package")): $counts; boot ${boot}s, tests ${tests_s}s, wall ${wall}s, qemu CPU ${cpu}s"
  echo "== $line"
  summary+=("$line")
  ((bad == 0)) || failed_kernels+=("$kernel")
done

echo "== kernel matrix ($arch)"
printf '   %s\n' "${summary[@]}"
if ((${#failed_kernels[@]})); then
  echo "run-matrix: failed on ${failed_kernels[*]}" >&2
  exit 1
fi
