// Processes that existed before tracing began, so that the ancestry of
// anything that forks later is complete up to pid 1. Read from /proc live,
// from the trace file's header on replay.
#pragma once

#include <cstdint>
#include <optional>
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
};

// Every process in /proc now. Threads are not listed; kernel threads are.
std::vector<SeedProcess> read_proc_processes();

// One process from /proc, or false when it does not exist.
bool read_proc_process(uint32_t pid, SeedProcess& out);

// A process's start time from /proc/PID/stat alone, or nothing when it does
// not exist: the cheap check, without exe, cmdline and cgroup.
std::optional<uint64_t> proc_start_ns(uint32_t pid);

// Where the cgroup v2 hierarchy is mounted (/proc/self/mounts), "" if nowhere.
std::string find_cgroup2_mount();

// Nanoseconds per /proc start-time tick (1e9 / CLK_TCK).
uint64_t proc_tick_ns();

}  // namespace ft
