// The answers a build's owner wants from a finished trace: why it failed,
// which failures were handled and which propagated, what could not be run,
// where the wall time went, what each executable cost. Pure functions over a
// Trace (analysis/trace.h); views only render their results.
//
// Steps are named by their index in Trace::steps, so a report is read together
// with the trace it was made from.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/containers.h"
#include "analysis/trace.h"

namespace ft::analysis {

// Over a process and all its descendants.
struct Totals {
  uint64_t processes = 0;
  uint64_t failed = 0;
  uint64_t cpu_ns = 0;       // user + system, of those with usage
  uint64_t max_rss_kb = 0;   // the largest of them
  uint64_t with_usage = 0;   // how many had resource usage
  void add(const Totals& other);  // the two subtrees together
};

struct Failure {
  uint32_t step = kNone;
  bool propagated = false;       // on the failure path: see FailureBlame
  std::vector<uint32_t> chain;   // from the root (or the oldest known ancestor) down to its parent
};

// Failures of one executable with one status, handled or propagated.
struct FailureGroup {
  std::string executable;        // basename
  std::string status;            // "exit 1", "killed by SIGKILL"
  bool propagated = false;
  std::vector<uint32_t> steps;   // every one, in the order they ended
};

// A command that could not be executed at all.
struct NotFound {
  std::string command;           // as the caller named it ("gtar", "./configure")
  std::string error;             // "ENOENT"; "exit 127" when known only from the shell's status
  uint64_t count = 0;            // processes that tried it
  std::vector<uint32_t> steps;   // those processes
  bool propagated = false;       // one of them is on the failure path (mark_failure_path)
};

struct ExecutableStats {
  std::string name;              // basename
  uint64_t runs = 0;
  uint64_t failed = 0;
  uint64_t cpu_ns = 0;           // of the runs with usage
  uint64_t max_rss_kb = 0;
  uint64_t with_usage = 0;       // runs with resource usage
  uint64_t wall_ns = 0;          // time at least one of its runs was running (not a sum)
  uint64_t max_ns = 0;           // its longest run
};

struct Subtree {
  uint32_t step = kNone;
  std::string job;               // set for a job's root (--job-env)
  Totals totals;
};

// A process that was a zombie: ended, its status not yet collected.
struct Zombie {
  uint32_t step = kNone;
  uint64_t zombie_ns = 0;        // from its exit to its reap, or to the trace's end when never reaped
  bool reaped = false;
};

struct BuildReport {
  uint32_t root = kNone;               // the traced command's process; kNone for a whole-machine trace
  Totals totals;                       // over the root's subtree, or the whole trace
  uint64_t wall_ns = 0;                // the root's duration, or the trace's
  std::vector<uint32_t> cause;         // root → … → the deepest failure it came from; empty when it succeeded
  std::vector<Failure> failures;       // every failed process, in the order they ended
  std::vector<FailureGroup> propagated;  // grouped, most frequent first
  std::vector<FailureGroup> handled;
  std::vector<NotFound> not_found;     // most frequent first
  std::vector<uint32_t> killed;        // every process a signal killed, in the order they ended
                                       // (only where the trace knows killers: TraceScope::knows_killers)
  std::vector<Zombie> zombies;         // never reaped by the trace's end (in the order they ended), then
                                       // the longest reaped ones, longest first (only where the trace
                                       // knows reaps: TraceScope::knows_reaps)
  std::vector<uint32_t> critical_path; // in time order
  std::vector<uint32_t> slowest;       // the longest processes that ran no children, longest first
  std::vector<ExecutableStats> executables;  // by CPU (or wall time without usage), largest first
  std::vector<Subtree> subtrees;       // the root's, then each job's
  std::vector<ContainerStats> containers;  // per container, in the order they started (analysis/containers.h);
                                           // empty without containers
  bool has_usage = false;              // the trace has CPU and memory figures
  uint64_t lost = 0;                   // events lost: figures may be incomplete
};

struct ReportOptions {
  size_t slowest = 10;
  size_t longest_zombies = 10;
};

BuildReport analyze_build(const Trace& trace, const ReportOptions& options = {});

// Whether a failed process failed because of a failed child of it, or went
// on after it. A process failed because of a failed child when it started
// nothing after the child ended; when it is a make or ninja in which other
// jobs were running when the child failed (`make -j` lets them finish, the
// later lines of their recipes too, and starts no new target); when it is a
// build driver told to keep going
// (`make -k`, or below one; `ninja -k 0`) and fails because of every failed
// job, or when that child was its last failure and it passed the child's
// status on (a shell cleaning up, then `exit $?`). Otherwise it went on:
// configure after a probe, make after a `$(shell ...)` at parse time,
// `cmd || true; next; exit 9`. Built once per trace, linear in its processes.
class FailureBlame {
 public:
  explicit FailureBlame(const Trace& trace);
  bool failed_because_of(uint32_t parent, uint32_t child) const;
  // The whole trace in depth-first order, as it was walked here: the report's
  // other walks reuse it (on a million events each walk costs ~20 ms).
  const std::vector<uint32_t>& order() const { return order_; }

 private:
  bool others_running_at(uint32_t driver, uint32_t child) const;  // when `child` ended

  const Trace& t_;
  std::vector<uint32_t> order_;
  std::vector<uint64_t> last_start_;   // per step: its last own child's start
  std::vector<uint32_t> last_failed_;  // per step: its failed child that ended last before it
  std::vector<bool> keeps_going_;      // per step: under (or itself) a make -k / ninja -k 0
  // Per build driver with a failed child: its children's (start, latest end
  // of those started so far), by start.
  std::unordered_map<uint32_t, std::vector<std::pair<uint64_t, uint64_t>>> driver_jobs_;
};

// Where a step ran and, for a compiler, assembler or linker, on what: its
// input files and its -o file as its argv names them (analysis/compiler_step.h).
struct StepPlace {
  // "" where unknown. A make or ninja run with -C DIR works in DIR: its cwd
  // is that (where make chdirs before anything else), not where it was run.
  std::string cwd;
  bool toolchain = false;                // a compiler driver, compiler, assembler or linker
  std::vector<std::string_view> inputs;  // views into the trace's strings
  std::string_view output;               // "" where not named
};
StepPlace step_place(const Trace& trace, uint32_t step);
// `dir` as a person reads it from `base`: "" when the same, "src/" below it,
// else `dir` itself.
std::string relative_dir(std::string_view dir, std::string_view base);

// The parts, each usable alone.
uint32_t find_root(const Trace& trace);
// Steps from the top of its tree (stopping at `root` when it is an ancestor) down to its parent.
std::vector<uint32_t> chain_to(const Trace& trace, uint32_t step, uint32_t root = kNone);
// Down through the failures each step failed because of, the last of them at each level.
std::vector<uint32_t> cause_chain(const Trace& trace, uint32_t root);
std::vector<uint32_t> cause_chain(const Trace& trace, uint32_t root, const FailureBlame& blame);
// Propagated: on a failure path from the root (or, without one, from each
// failed process whose parent is not in the trace, and each job's root), each
// step failing because of the next.
std::vector<Failure> find_failures(const Trace& trace, uint32_t root);
std::vector<Failure> find_failures(const Trace& trace, uint32_t root, const FailureBlame& blame);
// What a view leads with when the trace failed: the cause chain, and per step
// whether the failure path runs through it or below it (it is on the cause
// chain or a propagated failure, or an ancestor of one). A view opens those
// and lets everything else fold, handled failures included. Linear.
struct FailurePath {
  std::vector<uint32_t> cause;   // cause_chain: the root down to the deepest step
  std::vector<bool> leads;       // indexed like Trace::steps
};
FailurePath failure_path(const Trace& trace, uint32_t root);
// From answers already made (the report's failures and cause).
FailurePath failure_path(const Trace& trace, const std::vector<Failure>& failures, std::vector<uint32_t> cause);
// The failure path first (the propagated failures and `root`, where it failed),
// then the handled failures, each in the order given (the order they ended).
std::vector<Failure> propagated_first(std::vector<Failure> failures, uint32_t root);
// Split into {propagated, handled}, each most frequent first.
std::pair<std::vector<FailureGroup>, std::vector<FailureGroup>> group_failures(const Trace& trace,
                                                                               const std::vector<Failure>& failures);
// One group per executable (and per propagated or not), whatever the status:
// groups of one executable merge into its most frequent one, `status` lists
// theirs, most frequent first ("exit 3, exit 255, killed by SIGTERM"), and
// `steps` keeps the order they ended. Most frequent first. What the TUI's
// failures-only view folds handled failures into.
std::vector<FailureGroup> by_executable(const Trace& trace, std::vector<FailureGroup> groups);
std::vector<NotFound> find_not_found(const Trace& trace);
// Marks the commands some process on the failure path (the root or a
// propagated failure) could not run, and moves them first, keeping the order.
void mark_failure_path(std::vector<NotFound>& not_found, const std::vector<Failure>& failures, uint32_t root);
// Processes never reaped by the trace's end, in the order they ended, then
// the `longest` reaped ones that were zombies longest, longest first.
std::vector<Zombie> find_zombies(const Trace& trace, size_t longest);

// Every process a signal killed, in the order they ended (each Step's killed_by says who or what).
std::vector<uint32_t> find_killed(const Trace& trace);
// The same over `order`, the trace's depth-first order (FailureBlame::order).
std::vector<uint32_t> find_killed(const Trace& trace, const std::vector<uint32_t>& order);
// Under `root`, or over the whole trace when kNone.
std::vector<uint32_t> critical_path(const Trace& trace, uint32_t root);
// The critical path as a person reads it: each step at its depth below the
// path's first, and a step shorter than `fold_under` of the whole path
// (with everything on the path beneath it) folded, with the shorter steps
// next to it at its depth, into one row. So a build's long chain is not
// lost among its configure probes.
constexpr double kCriticalPathFoldShare = 0.02;  // what --summary folds: steps under 2% of the whole
struct CriticalPathRow {
  uint32_t step = kNone;  // the step, or the first of the folded ones
  size_t depth = 0;       // 0 for the path's top steps
  uint64_t at_ns = 0;     // its start, boot time
  uint64_t took_ns = 0;   // its duration (to the trace's end while running), or the folded steps' sum
  size_t folded = 0;      // 0 for one step shown; else how many shorter steps the row stands for
};
std::vector<CriticalPathRow> critical_path_rows(const Trace& trace, const std::vector<uint32_t>& path,
                                                double fold_under = kCriticalPathFoldShare);
std::vector<uint32_t> slowest_steps(const Trace& trace, size_t n);
std::vector<ExecutableStats> per_executable(const Trace& trace);
// Totals of every step's subtree, indexed like Trace::steps (analysis/rollup.h's roll_up).
std::vector<Totals> subtree_totals(const Trace& trace);
std::vector<Totals> subtree_totals(const Trace& trace, const std::vector<uint32_t>& order);
// Steps of the subtree under `top` in depth-first order (each before its children).
std::vector<uint32_t> depth_first(const Trace& trace, uint32_t top);

}  // namespace ft::analysis
