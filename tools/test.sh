#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install, build from scratch, run
# every test. As root the tests that load the real BPF programs must run:
# FORKTRACE_REQUIRE_ROOT_TESTS makes them fail rather than skip.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
export BUILD_DIR=${BUILD_DIR:-build-test}
rm -rf "$BUILD_DIR" "$BUILD_DIR-fuzz"
tools/build.sh
if [ "$(id -u)" -eq 0 ]; then
  export FORKTRACE_REQUIRE_ROOT_TESTS=1
fi
# A bounded libFuzzer run over the byte parsers (the reader, the decoder).
FUZZ_SECONDS=${FUZZ_SECONDS:-20} FUZZ_BUILD_DIR="$BUILD_DIR-fuzz" tools/fuzz.sh
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 600 -j1
