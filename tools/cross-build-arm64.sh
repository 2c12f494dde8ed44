#!/usr/bin/env bash
# Cross-compiles forktrace, ft-workload and the test binaries for arm64 into
# ./build-arm64 (or $BUILD_DIR), with Debian's g++-aarch64-linux-gnu and the
# arm64 libraries through multiarch (tools/install-deps.sh --matrix installs
# both). tools/qemu/run-matrix.sh -a aarch64 -B build-arm64 runs the tests.
#
# Only what the guest runs is built, at -O2 with NDEBUG as the x86-64 build
# (RelWithDebInfo) but without debug info: the guest has no debugger, and
# debug info is most of the compile time. JOBS (default: the CPU count) sets
# the parallelism; tools/test.sh builds at -j1 beside the x86-64 guests.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-arm64}
jobs=${JOBS:-$(nproc)}
cmake -S . -B "$build" -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" "$@"
cmake --build "$build" -j"$jobs" --target forktrace ft-workload ft-fork-storm forktrace-unit-tests forktrace-kernel-tests \
  forktrace-integration-tests
