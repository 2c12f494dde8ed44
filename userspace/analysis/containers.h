// Per-container roll-up of a finished trace (--summary's "Containers"): which
// containers ran, and what their processes did and cost. A pure function over
// the trace store (analysis/trace.h); views render it.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/trace.h"

namespace ft::analysis {

struct ContainerStats {
  const Container* container = nullptr;  // in Trace::containers
  uint64_t processes = 0;   // processes that ran in it (their last known cgroup), context steps left out
  uint64_t failed = 0;      // of them, exited non-zero or by a signal
  uint64_t running = 0;     // of them, still running at the trace's end
  uint64_t cpu_ns = 0;      // user + system, of those with usage
  uint64_t with_usage = 0;  // how many had resource usage
  uint64_t first_ns = 0;    // boot time: its first process's start
  uint64_t last_ns = 0;     // boot time: its last process's end (the trace's end for one still running)
  // Its init: the first process with nspid 1 (the command the container
  // runs, after the runtime's own `runc init`), else its first process.
  uint32_t init_step = kNone;
  uint64_t wall_ns() const { return last_ns > first_ns ? last_ns - first_ns : 0; }
};

// One per container with a process in the trace, in the order each was first
// started; empty for a trace without containers.
std::vector<ContainerStats> per_container(const Trace& trace);

}  // namespace ft::analysis
