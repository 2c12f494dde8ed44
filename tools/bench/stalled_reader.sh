#!/usr/bin/env bash
# How long forktrace survives a reader that does not read (docs/benchmarks.md).
#
#   sudo tools/bench/stalled_reader.sh [FORKS] [OUTPUT_BUFFER_MIB] [BUILD_DIR]
#
# A fork storm (ft-fork-storm fork FORKS: as fast as this machine forks) is
# traced with --format json into a pipe whose reader reads nothing until the
# storm has ended. Everything the view wrote meanwhile sits in forktrace's
# output queue. Prints the storm's event rate, the bytes per JSON event, the
# queue's peak (as forktrace's peak RSS above an idle run's), what the view
# dropped (not shown), and how long a reader could stall at this rate before
# --output-buffer fills: bound / (events per second * bytes per event).
set -euo pipefail
forks=${1:-100000}
mib=${2:-256}
build=${3:-build}
ft=$build/forktrace
storm=$build/tools/bench/ft-fork-storm
[ -x "$ft" ] && [ -x "$storm" ] || { echo "build $ft and $storm first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The baseline: the same forktrace with a reader that keeps up.
/usr/bin/time -f %M -o "$tmp/idle.rss" "$ft" -q --format json -- /bin/true >/dev/null 2>&1 || true

counts=$tmp/counts.json
/usr/bin/time -f %M -o "$tmp/rss" "$ft" --format json --output-buffer "$mib" -- \
  sh -c "exec '$storm' fork $forks > '$counts'" 2>"$tmp/err" |
  (while [ ! -s "$counts" ]; do sleep 0.1; done; wc -c >"$tmp/bytes")
python3 - "$tmp" "$mib" <<'PY'
import json, re, sys
tmp, mib = sys.argv[1], int(sys.argv[2])
storm = json.load(open(tmp + "/counts.json"))
err = open(tmp + "/err").read()
m = re.search(r"forktrace: (\d+) events, (\d+) lost", err)
events, lost = int(m.group(1)), int(m.group(2))
shown = re.search(r"(\d+) events were not shown", err)
not_shown = int(shown.group(1)) if shown else 0
total = int(open(tmp + "/bytes").read())
rss_kb = int(open(tmp + "/rss").read().split()[-1])
idle_kb = int(open(tmp + "/idle.rss").read().split()[-1] or 0)
rate = (storm["forks"] + storm["exits"]) / storm["seconds"]
per_event = total / max(events - not_shown, 1)
survive = mib * 2**20 / (rate * per_event)
print(json.dumps({
    "forks": storm["forks"], "storm_seconds": round(storm["seconds"], 2), "events_per_second": round(rate),
    "events": events, "lost_in_kernel": lost, "not_shown": not_shown, "bytes": total,
    "bytes_per_event": round(per_event, 1), "peak_rss_mib": round(rss_kb / 1024, 1),
    "idle_rss_mib": round(idle_kb / 1024, 1),
    "queue_mib_per_million_events": round(per_event * 1e6 / 2**20, 1),
    "output_buffer_mib": mib, "survivable_stall_seconds_at_this_rate": round(survive, 1)}))
PY
