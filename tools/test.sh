#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install, build from scratch, run
# every test. As root the tests that load the real BPF programs must run:
# FORKTRACE_REQUIRE_ROOT_TESTS makes them fail rather than skip.
#
# As root it then runs the kernel matrix (docs/kernel-matrix.md): the same
# build's root test tiers inside Debian's 5.10 and 6.1 kernels under qemu.
# FORKTRACE_KERNEL_MATRIX=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
# The kernel matrix (tools/qemu/run-matrix.sh) is opt-in until its guests boot the
# current test set again: FORKTRACE_KERNEL_MATRIX=1 runs it.
matrix=${FORKTRACE_KERNEL_MATRIX:-0}
[ "$(id -u)" -eq 0 ] || matrix=0
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
(cd "$BUILD_DIR" && ctest --output-on-failure --timeout 600 -j1) || status=1
[ "$matrix" != 0 ] || exit $status

phase() {  # NAME COMMAND...: runs it, says how long it took, and remembers a failure
  local name=$1 start=$SECONDS
  shift
  "$@" || { status=1; echo "test.sh: $name failed" >&2; }
  timings+=("$name $((SECONDS - start))s")
}
timings=()
phase "x86-64 kernel matrix" tools/qemu/run-matrix.sh -B "$BUILD_DIR"
printf 'test.sh: %s\n' "${timings[@]}"
exit $status
