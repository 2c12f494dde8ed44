// The machine's processes as /proc shows them: the source beside probe/ that
// seeds the model at start, repairs it after lost events (model/reconcile.h)
// and checks the -p processes. The model itself reads no files; it takes
// SeedProcess values (model/seed.h) from here or from a recording's header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/seed.h"

namespace ft {

// Every process in /proc now. Threads are not listed; kernel threads are.
std::vector<SeedProcess> read_proc_processes();

// One process from /proc, or false when it does not exist.
bool read_proc_process(uint32_t pid, SeedProcess& out);

// A process's start time from /proc/PID/stat alone, or nothing when it does
// not exist: the cheap check, without exe, cmdline and cgroup.
std::optional<uint64_t> proc_start_ns(uint32_t pid);

// Where the cgroup v2 hierarchy is mounted (/proc/self/mounts), "" if nowhere.
std::string find_cgroup2_mount();

// Nanoseconds per /proc start-time tick (1e9 / CLK_TCK): the precision of a
// start time read from /proc, which the model and reconcile() are given.
uint64_t proc_tick_ns();

// The parsers of the /proc files' text the readers above use, apart from
// the reading so they can be tested and fuzzed (tests/fuzz/proc_fuzz.cpp).
// /proc/PID/stat: comm, ppid, zombie and start time into `out` (a fresh
// SeedProcess with `pid`), or false when the text is not a stat line.
bool parse_proc_stat(std::string_view stat, uint32_t pid, SeedProcess& out);
// /proc/PID/status: the real and effective uid and gid, when both lines are there.
void parse_proc_status_creds(std::string_view status, SeedProcess& out);
// /proc/PID/cgroup: the v2 paths ("0::PATH" lines), in order.
std::vector<std::string> parse_proc_cgroup_v2(std::string_view cgroup);
// /proc/PID/cmdline: the NUL-separated words.
std::vector<std::string> parse_proc_cmdline(std::string_view cmdline);
// /proc/self/mounts: where the first cgroup2 file system is mounted, "" if nowhere.
std::string parse_cgroup2_mount(std::string_view mounts);

}  // namespace ft
