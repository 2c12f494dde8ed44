#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install, build from scratch, run
# every test. As root the tests that load the real BPF programs must run:
# FORKTRACE_REQUIRE_ROOT_TESTS makes them fail rather than skip.
#
# As root it then runs the kernel matrix (docs/kernel-matrix.md): the same
# build's root test tiers inside Debian's 5.10 and 6.1 kernels under qemu; a
# failure there fails the run. FORKTRACE_KERNEL_MATRIX=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
start_all=$SECONDS
matrix=${FORKTRACE_KERNEL_MATRIX:-1}
if [ "$matrix" != 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "test.sh: the kernel matrix needs root (it installs qemu and fetches kernels): skipped" >&2
  matrix=0
fi
if [ "$matrix" != 0 ]; then tools/install-deps.sh --matrix; else tools/install-deps.sh; fi
export BUILD_DIR=${BUILD_DIR:-build-test}
rm -rf "$BUILD_DIR" "$BUILD_DIR-fuzz"
tools/build.sh
if [ "$(id -u)" -eq 0 ]; then
  export FORKTRACE_REQUIRE_ROOT_TESTS=1
fi
# A bounded libFuzzer run over the byte parsers (the reader, the decoder).
FUZZ_SECONDS=${FUZZ_SECONDS:-20} FUZZ_BUILD_DIR="$BUILD_DIR-fuzz" tools/fuzz.sh
status=0
timings=("install, build and fuzz $((SECONDS - start_all))s")
phase() {  # NAME COMMAND...: runs it, says how long it took, and remembers a failure
  local name=$1 start=$SECONDS
  shift
  "$@" || { status=1; echo "test.sh: $name failed" >&2; }
  timings+=("$name $((SECONDS - start))s")
}
phase "host tests (ctest)" bash -c 'cd "$1" && ctest --output-on-failure --timeout 600 -j1' _ "$BUILD_DIR"
if [ "$matrix" != 0 ]; then
  # Each kernel's wall time is in run-matrix.sh's own summary above this.
  phase "x86-64 kernel matrix" tools/qemu/run-matrix.sh -B "$BUILD_DIR"
fi
printf 'test.sh: %s\n' "${timings[@]}" "total $((SECONDS - start_all))s"
exit $status
