// A process's resource usage from the kernel's raw counters (bpf/usage.bpf.h),
// computed the way wait4() computes it. Pure functions, unit-tested.
#pragma once

#include <cstdint>
#include <optional>

#include "core/event.h"

struct ft_usage;

namespace ft {

struct CpuSplit {
  uint64_t user_ns = 0;
  uint64_t sys_ns = 0;
};

// The kernel's cputime_adjust() (kernel/sched/cputime.c), which is what
// wait4(), getrusage() and /proc/PID/stat report: the scheduler's exact
// runtime split in the ratio of the tick-sampled user and system times, and
// never below what was last reported (`prev_*`, signal->prev_cputime), so the
// figures a process saw of itself do not go backwards.
CpuSplit adjust_cputime(uint64_t utime_ns, uint64_t stime_ns, uint64_t runtime_ns, uint64_t prev_utime_ns,
                        uint64_t prev_stime_ns);

// The usage a record carries; nullopt when the kernel could not read it whole.
std::optional<ResourceUsage> usage_from_record(const ft_usage& raw);

}  // namespace ft
