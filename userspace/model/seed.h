// Processes that existed before tracing began, so that the ancestry of
// anything that forks later is complete up to pid 1. Read from /proc live
// (host/proc.h), from the trace file's header on replay: plain data here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ft {

struct SeedProcess {
  uint32_t pid = 0;
  uint32_t ppid = 0;
  uint64_t start_ns = 0;  // boot time, at /proc's clock-tick precision
  uint64_t cgroup_id = 0; // cgroup v2 id, 0 when unknown
  std::string comm;
  std::string filename;  // /proc/PID/exe target, empty when unreadable
  std::vector<std::string> argv;
  std::string job;  // the job it belongs to (service mode), "" when none
  bool zombie = false;  // state Z: it has exited, not yet reaped (live /proc only, not recorded)
  // Where and as whom it runs (live /proc only, not recorded in the header:
  // a process recovered after a loss gets them on its exec event).
  std::string cwd;       // /proc/PID/cwd target, empty when unreadable
  bool has_creds = false;
  uint32_t uid = 0, gid = 0, euid = 0, egid = 0;
};

}  // namespace ft
