#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time
# (FUZZ_SECONDS, 20 by default) from a seed corpus: real recordings for the
# reader, this machine's own /proc files for the /proc parsers, a few command
# lines, cgroup paths and argv pieces written here for the others.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
build=${FUZZ_BUILD_DIR:-build-fuzz}
# FUZZ_TARGETS: some of them only (space-separated), all by default.
read -r -a targets <<<"${FUZZ_TARGETS:-trace_reader decode argv_assembly proc cgroup_job options}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DFORKTRACE_FUZZ=ON -DFORKTRACE_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/%/_fuzz}"
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
for t in trace_reader decode argv_assembly proc cgroup_job options; do mkdir "$corpus/$t"; done
cp tests/golden/basic.ftrace "$corpus/trace_reader/"
head -c 4096 tests/golden/basic.ftrace >"$corpus/trace_reader/cut.ftrace"
# argv_assembly: byte 0 picks the level (even: the assembler, odd: records);
# then pieces (op odd: tid, key, offset, length, bytes) and execs (op even:
# tid, key, total, flags, length, first bytes).
for level in '\x00' '\x01'; do
  printf "$level"'\x01\x01\x04\x00\x03abc\x00\x01\x07\x00\x00\x04gcc\x00' >"$corpus/argv_assembly/join$level"
done
# proc: byte 0 picks the file (0 stat, 1 status, 2 cgroup, 3 cmdline, 4 mounts).
i=0
for f in stat status cgroup cmdline mounts; do
  { printf "\\x0$i"; cat "/proc/self/$f"; } >"$corpus/proc/$f"
  i=$((i + 1))
done
# cgroup_job: byte 0 picks --cgroup against a path (0), against /proc/PID/cgroup
# lines (1), or --job-env over an environment (2).
printf '\x00\x0d/system.slice/system.slice/x.service' >"$corpus/cgroup_job/within"
{ printf '\x01\x0d/system.slice'; cat /proc/self/cgroup; } >"$corpus/cgroup_job/lines"
printf '\x02\x06CI_JOB\x0cCI_JOB=12 34\x08HOME=/ro' >"$corpus/cgroup_job/job"
# options: argv's words, NUL-separated.
words() { printf '%s\0' "$@"; }
words -w t.ftrace --format json -o out.json -- make -j8 >"$corpus/options/record"
words -r t.ftrace --diff base.ftrace --format tree --max-depth 3 >"$corpus/options/replay"
words --cgroup /system.slice --job-env CI_JOB -w /var/lib/forktrace --rotate-size 8 --file-mode 0640 \
  --otlp http://localhost:4318 --otlp-header 'Authorization=Bearer x' >"$corpus/options/service"
for t in "${targets[@]}"; do
  case $t in decode) max_len=8192 ;; options) max_len=4096 ;; *) max_len=65536 ;; esac
  echo "fuzz: $t"
  # A crash leaves its input as ./crash-* (libFuzzer's artifact) and the stack in the log's end.
  if ! "$build/tests/fuzz/${t}_fuzz" -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=1024 \
    "$corpus/$t" >"$corpus/$t.log" 2>&1; then
    tail -40 "$corpus/$t.log"
    echo "fuzz: $t failed" >&2
    exit 1
  fi
  tail -2 "$corpus/$t.log"
done
echo "fuzz: no crash in ${seconds}s per target (${#targets[@]} targets)"
