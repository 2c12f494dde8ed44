#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time
# (FUZZ_SECONDS, 20 by default) from a seed corpus of real recordings.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
build=${FUZZ_BUILD_DIR:-build-fuzz}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DFORKTRACE_FUZZ=ON -DFORKTRACE_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target trace_reader_fuzz decode_fuzz
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
mkdir "$corpus/reader" "$corpus/decode"
cp tests/golden/basic.ftrace "$corpus/reader/"
head -c 4096 tests/golden/basic.ftrace >"$corpus/reader/cut.ftrace"
"$build/tests/fuzz/trace_reader_fuzz" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=1024 \
  "$corpus/reader" 2>&1 | tail -3
"$build/tests/fuzz/decode_fuzz" -max_total_time="$seconds" -max_len=8192 "$corpus/decode" 2>&1 | tail -3
echo "fuzz: no crash in ${seconds}s per target"
