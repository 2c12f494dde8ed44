// A finished trace as the analyses read it: every traced process as a compact
// step with its place in the tree, what it ran, how it ended and what it used.
// Built from the events and the model (TraceBuilder), or by hand in tests.
// Plain data; no kernel, no I/O.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/event.h"
#include "model/lineage.h"

namespace ft::analysis {

constexpr uint32_t kNone = UINT32_MAX;

// What was traced, from the options (live) or the recording's header.
struct TraceScope {
  bool filtered = false;                      // `-- CMD` or `-p PID`: only those and their descendants
  std::vector<std::string> traced_command;    // the command after `--`, if any
  std::vector<uint32_t> followed_pids;        // -p's PIDs, if any
  int64_t realtime_offset_ns = 0;             // add to a boot-time ns for Unix epoch ns
};

// The -p PIDs named in forktrace's own command line (a recording's header).
std::vector<uint32_t> followed_pids_in(const std::vector<std::string>& forktrace_argv);

struct Step {
  uint32_t pid = 0;
  uint32_t parent = kNone;          // index in Trace::steps
  std::vector<uint32_t> children;   // in the order they were first seen
  uint64_t start_ns = 0;            // boot time
  uint64_t exit_ns = 0;             // boot time; 0 while running
  bool exited = false;
  bool status_unknown = false;      // its exit was lost: no status
  bool recovered = false;           // its fork was lost: found alive in /proc, details from there
  bool forker_unknown = false;      // its fork was lost: first known from a later event, so its
                                    // parent is its parent then, not necessarily its forker
  bool seeded = false;              // existed before tracing began
  bool context = false;             // known only as an ancestor: no event of its own
  bool reparented = false;          // its parent is no longer its forker
  uint32_t ppid = 0;                // its parent at its last event
  uint32_t wait_status = 0;         // raw, as wait() sees it
  std::string comm;
  std::string filename;             // the program it ran last, as the caller named it
  std::string exe;                  // the file that ran (symlinks resolved), where known
  std::vector<std::string> argv;
  bool argv_truncated = false;
  std::string job;
  std::optional<ResourceUsage> usage;
  // Exec attempts no later exec of the same name satisfied (the model's
  // folding: PATH-search misses before a hit are only counted).
  std::vector<Process::FailedExec> unsatisfied_execs;  // the first Process::kMaxUnsatisfiedExecs
  uint32_t unsatisfied_exec_count = 0;                  // all of them
  uint32_t folded_exec_misses = 0;

  bool failed() const;              // exited non-zero or by a signal
  uint64_t duration_ns() const { return exited && exit_ns > start_ns ? exit_ns - start_ns : 0; }
  // Its end, or `trace_end` while still running.
  uint64_t end_ns(uint64_t trace_end) const { return exited ? exit_ns : std::max(trace_end, start_ns); }
};

// Where events were lost (a `lost` event).
struct Gap {
  uint64_t ts_ns = 0;               // boot time
  uint64_t lost = 0;                // events lost there
};

struct Trace {
  TraceScope scope;
  std::vector<Step> steps;
  std::vector<uint32_t> roots;      // steps without a known parent, in the order first seen
  uint64_t first_ns = 0, last_ns = 0;  // boot time of the first and last event
  uint64_t lost = 0;                // events the kernel could not deliver
  std::vector<Gap> gaps;            // the first kMaxGaps of them
  uint64_t gap_count = 0;           // all of them
  static constexpr size_t kMaxGaps = 10;
  uint64_t forks = 0, execs = 0, exits = 0;
  bool has_usage = false;           // some exit carried resource usage
  bool has_exec_failures = false;   // the trace reports failed exec attempts

  uint32_t add(Step step);          // appends, links to step.parent, returns its index
  uint64_t wall_ns() const { return last_ns > first_ns ? last_ns - first_ns : 0; }
};

// After lost events: the processes whose story is partly unknown.
struct Uncertain {
  uint64_t recovered = 0;           // recovered from /proc
  uint64_t status_unknown = 0;      // ended with status unknown
  uint64_t forker_unknown = 0;      // first seen after their fork was lost
  uint64_t total() const { return recovered + status_unknown + forker_unknown; }
};
Uncertain uncertain_in(const Trace& trace);

// "/usr/bin/gcc" → "gcc" (the real file for an fexecve); the comm when it
// never exec'd anything known.
std::string executable_of(const Step& step);

// Of a process's ancestry (oldest first, as Lineage::ancestry gives it), the
// index where a chain shown to the user begins: for a filtered trace, the
// first traced process (never the tracer or its ancestors); else 0.
size_t chain_start(const std::vector<std::shared_ptr<const Process>>& ancestry, const TraceScope& scope);

// Collects a Trace from the pipeline's events. It keeps the model's process
// only while it runs; an exited one is a compact Step.
class TraceBuilder {
 public:
  explicit TraceBuilder(TraceScope scope);
  void on_event(const Event& event, const Process& process);
  void on_lost(const Event& event);
  const Trace& trace() const { return trace_; }
  Trace take() { return std::move(trace_); }

 private:
  uint32_t step_of(const Process& process, bool own_event);
  void copy(const Process& process, Step& step);

  Trace trace_;
  struct Held {
    uint32_t step;
    std::shared_ptr<const Process> process;  // keeps the address unique while indexed
  };
  std::unordered_map<const Process*, Held> index_;
};

}  // namespace ft::analysis
