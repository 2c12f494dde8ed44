// What a recording says about where and how it was made: all a replay on
// another machine needs to print exactly what the live run printed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/seed.h"

namespace ft {

// The version this forktrace writes; it reads every version from 1 up to it.
//   1: the first format.
//   2: a cleanly closed recording ends with an `end` frame, so a file cut off
//      between two records (a killed writer, a crash) is told from a whole one.
//   3: new event fields (bits 21 and up); version 1 and 2 files never set them:
//      the marks of a gap after a loss (recovered, status_unknown, lost kinds:
//      bits 21..23), exec detail (cwd, exe, interpreter, credentials: bits
//      24..39), exec_failed events (kind 5), resource usage at exit (bits
//      40..52). The header ends with the machine's boot ID (span and trace IDs
//      of the OpenTelemetry export are derived from it).
//   4: why a process died: killed_by on an exit (bit 53). Files of versions 1
//      to 3 never set it.
//   5: the last program's own peak RSS on an exit (bit 54). Files of versions
//      1 to 4 never set it.
//   6: reap events (kind 6: bits 55..57) and lost reaps (bit 58); the header
//      flag kTraceReaps says the run saw reaps. Older files have neither.
//   7: a process's pid inside its container's PID namespace on fork and exec
//      (bit 59). Files of versions 1 to 6 never set it.
constexpr uint32_t kTraceFormatVersion = 7;

enum TraceFlags : uint32_t {
  kTraceThreads = 1u << 0,     // thread forks and exits were recorded
  kTraceEnv = 1u << 1,         // exec records carry the environment
  kTraceFiltered = 1u << 2,    // only a command or -p PIDs and their descendants
  kTraceReaps = 1u << 3,       // reaps were recorded (the wait hooks were attached): an exit without one is a zombie
};

struct TraceHeader {
  uint32_t version = kTraceFormatVersion;
  std::string hostname;
  std::string kernel_release;
  uint64_t started_ns = 0;          // CLOCK_BOOTTIME when tracing began
  int64_t realtime_offset_ns = 0;   // CLOCK_REALTIME - CLOCK_BOOTTIME
  uint32_t flags = 0;               // TraceFlags
  std::vector<std::string> command;         // forktrace's own command line
  std::vector<std::string> traced_command;  // the command after --, if any
  std::vector<SeedProcess> seeds;           // processes alive when it began
  std::string boot_id;                      // /proc/sys/kernel/random/boot_id (version 3 on)

  // Wall-clock nanoseconds of the boot, for a person reading the header.
  int64_t boot_time_ns() const { return realtime_offset_ns; }
};

}  // namespace ft
