#!/usr/bin/env bash
# Replays the checked-in recordings through every view and compares with the
# expected output: a format or view change that breaks old files fails here.
#   check.sh FORKTRACE DIR [--update [basic|exec]]
# basic.ftrace is version 1, exec.ftrace version 3, killed.ftrace version 4,
# program.ftrace version 5, reap.ftrace version 6 (see make-golden.sh).
set -euo pipefail
bin=$1
dir=$2
update=${3:-}
only=${4:-}
export TZ=UTC  # the text view prints local time
status=0
# --format perfetto is protobuf: compared as protoc decodes it against the
# project's schema, every field of every packet as text.
proto_dir="$dir/../../userspace/export/perfetto"
decode() {
  if [ "${decoding:-}" = perfetto ]; then
    protoc --decode=perfetto.protos.Trace -I "$proto_dir" "$proto_dir/perfetto_trace.proto"
  else
    cat
  fi
}
check() {
  local name=$1
  shift
  local got
  got=$(mktemp)
  "$bin" -r "$dir/$recording.ftrace" "$@" | decode >"$got"
  if [ "$update" = --update ] && { [ -z "$only" ] || [ "$only" = "$recording" ]; }; then
    cp "$got" "$dir/expected/$name"
  elif ! diff -u "$dir/expected/$name" "$got"; then
    echo "golden: $name differs" >&2
    status=1
  fi
  rm -f "$got"
}
mkdir -p "$dir/expected"
for recording in basic exec killed program reap; do
  [ -f "$dir/$recording.ftrace" ] || continue
  check $recording.txt --format text
  check $recording.threads.txt --format text --threads
  check $recording.tree --format tree
  check $recording.json --format json
  check $recording.threads.json --format json --threads
  check $recording.failed.json --format json --failed
  check $recording.failed.tree --format tree --failed
  check $recording.chrome.json --format chrome
  decoding=perfetto check $recording.perfetto.txt --format perfetto
  check $recording.summary --summary
  if [ $recording = exec ]; then
    check exec.verbose.txt --format text -v
    check exec.failed.txt --format text --failed
  fi
done
[ $status -eq 0 ] && echo "golden: all views match"
exit $status
