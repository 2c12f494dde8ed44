#!/usr/bin/env bash
# Cross-compiles forktrace, ft-workload and the test binaries for arm64 into
# ./build-arm64 (or $BUILD_DIR), with Debian's g++-aarch64-linux-gnu and the
# arm64 libraries through multiarch (tools/install-deps.sh --matrix installs
# both). tools/qemu/run-matrix.sh -a aarch64 -B build-arm64 runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-arm64}
cmake -S . -B "$build" -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build "$build" -j"$(nproc)" --target forktrace ft-workload ft-fork-storm forktrace-unit-tests forktrace-kernel-tests \
  forktrace-integration-tests
