// The lineage model: who forked whom, what each process ran, how it ended.
// Pure C++ fed with Events; no kernel, no I/O.
//
// Live processes are indexed by pid. An exited process is kept only while
// something refers to it (a live descendant's `parent`, a view), so memory is
// bounded by the live processes and their ancestry.
#pragma once

#include <array>
#include <deque>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/container.h"
#include "core/event.h"
#include "model/exec_folding.h"
#include "model/seed.h"

namespace ft {

// Views may keep a process past its exit with shared_from_this().
struct Process : std::enable_shared_from_this<Process> {
  uint32_t pid = 0;
  uint64_t start_ns = 0;          // boot time; (pid, start_ns) is the identity
  uint64_t start_precision_ns = 1;  // /proc's tick for seeded processes
  uint32_t ppid = 0;              // the current parent (changes on reparenting)
  uint32_t forked_by = 0;         // the process that forked it (0 when unknown)
  std::shared_ptr<const Process> parent;  // the forker, kept for ancestry
  bool seeded = false;            // existed before tracing began
  bool reparented = false;        // ppid is no longer the forker
  // After lost events (model/reconcile.h): what forktrace did not see is marked.
  bool recovered = false;         // its fork was lost: found alive in /proc, details from there
  bool forker_unknown = false;    // its fork was lost: first known from a later event, so
                                  // `parent` is its parent then, not necessarily its forker
  bool status_unknown = false;    // its exit was lost: found gone from /proc, no status
  std::string comm;
  std::string filename;           // the program it runs: the parent's until it execs
  std::vector<std::string> argv;
  bool argv_truncated = false;
  uint64_t cgroup_id = 0;
  std::shared_ptr<const Container> container;  // from its cgroup; null outside containers
  uint32_t nspid = 0;             // its pid inside its container's PID namespace, 0 outside
  std::string job;                // job ID (service mode): set by an exec whose env holds the
                                  // marker, inherited at fork; empty when none
  uint32_t execs = 0;
  // Where and as whom, from its last exec (a forked child starts with its
  // parent's); empty/has_creds false when unknown.
  std::string cwd, exe, interpreter;
  bool has_creds = false;
  uint32_t uid = 0, gid = 0, euid = 0, egid = 0;
  // Whether the last exec changed them from what the process had before it
  // (its parent's, for a first exec): what the text view points out.
  bool cwd_changed = false, creds_changed = false;
  uint32_t failed_execs = 0;      // exec attempts that returned an error
  uint32_t folded_exec_misses = 0;  // of those, PATH-search misses a later exec satisfied
  // Attempts no later exec of the same name satisfied (exit 127): all
  // counted, the first kMaxUnsatisfiedExecs kept.
  struct FailedExec {
    std::string command;            // argv[0] as the caller passed it, else the filename
    std::string filename;
    int32_t error = 0;
    uint64_t ts_ns = 0;             // boot time of the attempt
  };
  static constexpr size_t kMaxUnsatisfiedExecs = 16;
  std::vector<FailedExec> unsatisfied_execs;
  uint32_t unsatisfied_exec_count = 0;
  uint32_t live_threads = 1;      // counted only when thread events are traced
  bool exited = false;
  uint32_t wait_status = 0;       // raw, as wait() sees it
  uint64_t exit_ns = 0;           // boot time
  std::optional<ResourceUsage> usage;  // from its exit, when the trace has it
  std::shared_ptr<const KilledBy> killed_by;  // from its exit: who or what sent the signal that killed it
  // From its reap: who collected its status, and how long it was a zombie.
  bool reaped = false;
  bool autoreaped = false;        // no wait(): the kernel reaped it for a parent ignoring SIGCHLD
  uint32_t reaper_pid = 0;
  std::string reaper_comm;
  uint64_t zombie_ns = 0;

  uint64_t duration_ns() const { return exit_ns > start_ns ? exit_ns - start_ns : 0; }

  // Frees a long chain of exited ancestors iteratively (see lineage.cpp).
  ~Process();
};

using ProcessPtr = std::shared_ptr<Process>;

class Lineage {
 public:
  // USER_HZ is 100 wherever forktrace runs; the live and replay paths set the
  // machine's own (host/proc.h proc_tick_ns()), as the model reads no files.
  static constexpr uint64_t kDefaultProcTickNs = 10'000'000;
  // The precision of a start time read from /proc: what a seeded or
  // recovered process's start is matched at.
  void set_proc_tick_ns(uint64_t ns) { proc_tick_ns_ = ns; }
  uint64_t proc_tick_ns() const { return proc_tick_ns_; }

  // Processes alive when tracing began; replaces what the model knew.
  void seed(const std::vector<SeedProcess>& processes);
  // Adds the ones it does not know (a later file of a rotated series).
  void add_seeds(const std::vector<SeedProcess>& processes);
  // The live processes, as seeds for a recording that starts now.
  std::vector<SeedProcess> snapshot() const;

  // Applies one event and returns the process it is about; null for `lost`,
  // for the reap of a process whose exit was not seen (or was let go),
  // for a repeated exit of a process that already ended from the same thread,
  // and for the real fork of a process already recovered from /proc, which
  // views skip. The pointer stays valid, with the final state, after the
  // process exits.
  ProcessPtr apply(const Event& event);

  // Kernels whose sched_process_exit passes no group_dead (5.10, 6.1) can
  // report a process's end twice, when its last threads exit at once and both
  // read signal->live as zero: a joined thread's exit and the main thread's,
  // for one. The second, from another thread, is a thread's own exit: this
  // gives it as a thread exit (to feed instead), or nothing for any other event.
  // Where the second is the main thread's, the first was the other thread's
  // (newer kernels end a process with its last thread, here the main one), so
  // the thread exit is the first one's: each non-main thread gets its line.
  std::optional<Event> as_thread_exit(const Event& event) const;

  // The live process with this pid, or null.
  ProcessPtr find(uint32_t pid) const;

  // Keep ended processes until their reap event (the trace reports reaps),
  // at most kMaxUnreaped of them: the oldest is let go first.
  void keep_until_reaped(bool keep) { keep_unreaped_ = keep; }
  static constexpr size_t kMaxUnreaped = 16384;  // as the kernel side's `zombies` map

  size_t live_count() const { return live_.size(); }
  // Processes the model holds: the live ones and those ended but not yet reaped.
  size_t held_count() const { return live_.size() + unreaped_.size(); }
  // The live processes by pid (reconciliation reads them).
  const std::unordered_map<uint32_t, ProcessPtr>& live() const { return live_; }

  // Ancestors from the oldest known down to the process's parent.
  static std::vector<std::shared_ptr<const Process>> ancestry(const Process& process);

 private:
  ProcessPtr lookup(uint32_t pid, uint64_t start_ns, uint32_t ppid, const Event& event);
  ProcessPtr on_fork(const Event& event);
  ProcessPtr on_exec(const Event& event);
  ProcessPtr on_exit(const Event& event);
  ProcessPtr on_exec_failed(const Event& event);
  ProcessPtr on_reap(const Event& event);
  ProcessPtr on_event(const Event& event);
  std::unordered_map<uint32_t, ProcessPtr>::iterator held_unreaped(uint32_t pid, uint64_t start_ns);

  struct RecentExit {
    uint32_t pid = 0;
    uint64_t start_ns = 0;
    uint32_t tid = 0;  // the thread whose exit ended the process
    uint64_t thread_start_ns = 0;  // and its start
    // Kept only where another thread was still counted at the end (the only
    // case that repeats): ended processes are otherwise freed at once.
    ProcessPtr multithreaded;
  };
  const RecentExit* exited_recently(uint32_t pid, uint64_t start_ns) const;

  uint64_t proc_tick_ns_ = kDefaultProcTickNs;
  std::unordered_map<uint32_t, ProcessPtr> live_;
  ContainerCache containers_;
  ExecMissFolder<Process::FailedExec> exec_misses_;
  // The last process exits, to recognise a repeated one: it follows within
  // microseconds, so a short ring is enough.
  std::array<RecentExit, 64> recent_exits_{};
  size_t next_recent_exit_ = 0;
  // Ended processes not yet reaped, by pid, and their order of exit.
  bool keep_unreaped_ = false;
  std::unordered_map<uint32_t, ProcessPtr> unreaped_;
  std::deque<std::pair<uint32_t, uint64_t>> unreaped_order_;  // (pid, start_ns)
};

}  // namespace ft
