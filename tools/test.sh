#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install, build from scratch, run
# every test. As root the tests that load the real BPF programs must run:
# FORKTRACE_REQUIRE_ROOT_TESTS makes them fail rather than skip.
#
# As root it then runs the kernel matrix (docs/kernel-matrix.md): the same
# build's root test tiers inside Debian's x86-64 5.10, 6.1 and 6.12 kernels under
# qemu, and an arm64 cross build's inside Debian's arm64 6.1; a failure there,
# or of the cross build, fails the run. FORKTRACE_KERNEL_MATRIX=0 skips the
# matrix, FORKTRACE_ARM64=0 only its arm64 part.
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
rm -rf "$BUILD_DIR" "$BUILD_DIR-fuzz" "$BUILD_DIR-arm64"
tools/build.sh
if [ "$(id -u)" -eq 0 ]; then
  export FORKTRACE_REQUIRE_ROOT_TESTS=1
fi
# A bounded libFuzzer run over the parsers of untrusted bytes (tools/fuzz.sh lists them).
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
  arm64=${FORKTRACE_ARM64:-1}
  arm64_build="$BUILD_DIR-arm64"
  if [ "$arm64" != 0 ]; then
    # The arm64 cross build from scratch runs at -j1 beside the x86-64 guests
    # (each runs on one host thread), not after them: it is the matrix's
    # biggest cost. Its output goes to a log, printed if it fails.
    rm -rf "$arm64_build"
    arm64_log=$(mktemp /tmp/forktrace-arm64-build.XXXXXX)
    arm64_start=$SECONDS
    (BUILD_DIR="$arm64_build" JOBS=1 nice -n 10 tools/cross-build-arm64.sh > "$arm64_log" 2>&1; echo $? > "$arm64_log.rc";
     echo $((SECONDS - arm64_start)) > "$arm64_log.time") &
    arm64_pid=$!
  fi
  # Each kernel's wall time is in run-matrix.sh's own summary above this.
  phase "x86-64 kernel matrix" tools/qemu/run-matrix.sh -B "$BUILD_DIR"
  if [ "$arm64" != 0 ]; then
    wait_start=$SECONDS
    wait "$arm64_pid" || true
    rc=$(cat "$arm64_log.rc" 2>/dev/null || echo 1)
    line="arm64 cross build $(cat "$arm64_log.time" 2>/dev/null || echo ?)s at -j1 (beside the x86-64 guests; waited $((SECONDS - wait_start))s after them)"
    echo "test.sh: $line"
    timings+=("$line")
    if [ "$rc" = 0 ]; then
      phase "arm64 kernel matrix" tools/qemu/run-matrix.sh -a aarch64 -B "$arm64_build"
    else
      echo "test.sh: the arm64 cross build failed (status $rc); its output:" >&2
      cat "$arm64_log" >&2
      status=1
      timings+=("arm64 kernel matrix not run (the cross build failed)")
    fi
    rm -f "$arm64_log" "$arm64_log.rc" "$arm64_log.time"
  fi
fi
printf 'test.sh: %s\n' "${timings[@]}" "total $((SECONDS - start_all))s"
exit $status
