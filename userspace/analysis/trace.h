// The whole-trace store: every traced process of a finished (or finishing)
// trace as one compact step, with its place in the tree, what it ran, how it
// ended and what it used. Built once per run by the pipeline (TraceBuilder,
// fed the same events as the views) and read, never written, by every
// end-of-trace reader: the tree view, the build report, the diff, the HTML
// report and the Chrome trace. As Perfetto's trace_processor keeps one
// columnar store with a string pool, steps link by index, not pointer, and
// every string (comm, paths, argv elements, jobs) is interned once in the
// trace's StringPool: a build's thousand `-I` flags cost one copy each.
// Plain data; no kernel, no I/O.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/event.h"
#include "model/lineage.h"

namespace ft::analysis {

constexpr uint32_t kNone = UINT32_MAX;

// Every distinct string once, named by a small index. Id 0 is "". The
// characters live in blocks that never move, so a view stays valid for the
// pool's life, however many strings are added (and across a move of the pool).
using StrId = uint32_t;
class StringPool {
 public:
  StringPool();
  StringPool(StringPool&&) noexcept = default;
  StringPool& operator=(StringPool&&) noexcept = default;
  StrId intern(std::string_view s);
  std::string_view operator[](StrId id) const { return views_[id]; }
  size_t size() const { return views_.size(); }

 private:
  static constexpr size_t kBlock = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* block_ = nullptr;  // the block being filled
  size_t used_ = 0;        // of it
  std::vector<std::string_view> views_;
  std::unordered_map<std::string_view, StrId> ids_;
};

// A run of interned strings in Trace::items (an argv).
struct StrSpan {
  uint32_t first = 0, count = 0;
};

// What was traced, from the options (live) or the recording's header.
struct TraceScope {
  bool filtered = false;                      // `-- CMD` or `-p PID`: only those and their descendants
  std::vector<std::string> traced_command;    // the command after `--`, if any
  std::vector<uint32_t> followed_pids;        // -p's PIDs, if any
  int64_t realtime_offset_ns = 0;             // add to a boot-time ns for Unix epoch ns
  bool knows_killers = true;  // exits say who killed them: live, or recording format version 4 on
  // Reaps were seen (live: the kernel reports them; recordings: version 6 made
  // where it did), so an ended process without one is still a zombie.
  bool knows_reaps = false;
};

// The -p PIDs named in forktrace's own command line (a recording's header).
std::vector<uint32_t> followed_pids_in(const std::vector<std::string>& forktrace_argv);

// An exec attempt no later exec of the same name satisfied (exit 127).
struct FailedExecStep {
  StrId command = 0;                // argv[0] as the caller passed it, else the filename
  StrId filename = 0;
  int32_t error = 0;
  uint64_t ts_ns = 0;               // boot time of the attempt
};

// One program a process ran, from when it started running it (kept only when
// the builder is asked for history: the Chrome trace draws a slice per program).
struct Image {
  enum Kind : uint8_t {
    forked,   // from its fork until its first exec: its parent's program
    first,    // what it ran when first seen (it predates the trace, or its fork was not seen)
    exec,     // from an exec
  };
  uint64_t start_ns = 0;            // boot time
  StrId filename = 0;               // as the caller named it ("" for `forked`/`first` without one)
  StrId comm = 0;                   // its comm then
  StrSpan argv;                     // empty for `forked` and for a `first` seen at its exec
  Kind kind = exec;
  uint32_t next = kNone;            // the next image of the same step, in Trace::images
};

struct Step {
  uint32_t pid = 0;
  uint32_t parent = kNone;          // index in Trace::steps
  std::vector<uint32_t> children;   // in the order they were first seen
  // For views of the processes that had events of their own (HTML, Chrome):
  // the step of the process that forked it, if that ever was a step, even one
  // that had exited (the analyses' `parent` then is none), and the order of
  // its first own event (kNone for a context step).
  uint32_t forker = kNone;
  uint32_t seen = kNone;
  uint64_t start_ns = 0;            // boot time
  uint64_t exit_ns = 0;             // boot time; 0 while running
  uint32_t ppid = 0;                // its parent at its last event
  uint32_t forked_by = 0;           // the process that forked it (0 when unknown)
  uint32_t wait_status = 0;         // raw, as wait() sees it
  bool exited = false;
  bool status_unknown = false;      // its exit was lost: no status
  bool recovered = false;           // its fork was lost: found alive in /proc, details from there
  bool forker_unknown = false;      // its fork was lost: first known from a later event, so its
                                    // parent is its parent then, not necessarily its forker
  bool seeded = false;              // existed before tracing began
  bool context = false;             // known only as an ancestor: no event of its own
  bool reparented = false;          // its parent is no longer its forker
  bool argv_truncated = false;
  bool has_creds = false;           // uid..egid known
  StrId comm = 0;
  StrId filename = 0;               // the program it ran last, as the caller named it
  StrId exe = 0;                    // the file that ran (symlinks resolved), where known
  StrId cwd = 0;                    // where its last exec ran, where known
  StrId job = 0;
  const Container* container = nullptr;  // in Trace::containers: where it ran last; null outside containers
  uint32_t nspid = 0;               // its pid inside its container's PID namespace, 0 outside
  StrSpan argv;
  uint32_t uid = 0, gid = 0, euid = 0, egid = 0;
  uint32_t first_image = kNone, last_image = kNone;  // in Trace::images
  // Exec attempts no later exec of the same name satisfied (the model's
  // folding: PATH-search misses before a hit are only counted).
  StrSpan unsatisfied_execs;        // in Trace::failed_execs: the first Process::kMaxUnsatisfiedExecs
  uint32_t unsatisfied_exec_count = 0;  // all of them
  uint32_t folded_exec_misses = 0;
  std::optional<ResourceUsage> usage;
  const KilledBy* killed_by = nullptr;  // in Trace::kills: who or what sent the signal that killed it
  // Its reap (where the trace reports reaps: TraceScope::knows_reaps).
  bool reaped = false;
  bool autoreaped = false;          // the kernel reaped it: its parent ignores SIGCHLD
  uint32_t reaper_pid = 0;
  StrId reaper_comm = 0;
  uint64_t zombie_ns = 0;           // from its exit to its reap

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

// An argv read from the store: a range of string_views.
class ArgvView {
 public:
  class iterator {
   public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string_view*;
    using reference = std::string_view;
    iterator(const StringPool* pool, const StrId* at) : pool_(pool), at_(at) {}
    std::string_view operator*() const { return (*pool_)[*at_]; }
    iterator& operator++() { ++at_; return *this; }
    iterator& operator--() { --at_; return *this; }
    iterator operator++(int) { iterator was = *this; ++at_; return was; }
    iterator operator--(int) { iterator was = *this; --at_; return was; }
    bool operator==(const iterator& o) const { return at_ == o.at_; }
    bool operator!=(const iterator& o) const { return at_ != o.at_; }

   private:
    const StringPool* pool_;
    const StrId* at_;
  };
  ArgvView() = default;
  ArgvView(const StringPool* pool, const StrId* first, size_t count) : pool_(pool), first_(first), count_(count) {}
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::string_view operator[](size_t i) const { return (*pool_)[first_[i]]; }
  std::string_view front() const { return (*this)[0]; }
  iterator begin() const { return {pool_, first_}; }
  iterator end() const { return {pool_, first_ + count_}; }
  std::reverse_iterator<iterator> rbegin() const { return std::reverse_iterator<iterator>(end()); }
  std::reverse_iterator<iterator> rend() const { return std::reverse_iterator<iterator>(begin()); }
  std::vector<std::string> strings() const { return {begin(), end()}; }
  bool operator==(const ArgvView& o) const { return std::equal(begin(), end(), o.begin(), o.end()); }

 private:
  const StringPool* pool_ = nullptr;
  const StrId* first_ = nullptr;
  size_t count_ = 0;
};

struct Trace {
  TraceScope scope;
  StringPool strings;
  std::deque<Step> steps;                   // in blocks: growing never copies the steps made
  std::deque<KilledBy> kills;               // Step::killed_by points here (a deque: never moves)
  std::deque<Container> containers;         // Step::container points here: each container once, as first seen
  std::vector<StrId> items;                 // the argvs, StrSpan-addressed
  std::vector<FailedExecStep> failed_execs; // StrSpan-addressed (Step::unsatisfied_execs)
  std::vector<Image> images;                // with history (TraceBuilder's)
  std::vector<Gap> every_gap;               // with history: all gaps, not only the first kMaxGaps
  std::vector<uint32_t> roots;      // steps without a known parent, in the order first seen
  uint64_t first_ns = 0, last_ns = 0;  // boot time of the first and last event
  uint64_t lost = 0;                // events the kernel could not deliver
  std::vector<Gap> gaps;            // the first kMaxGaps of them
  uint64_t gap_count = 0;           // all of them
  static constexpr size_t kMaxGaps = 10;
  uint64_t forks = 0, execs = 0, exits = 0;
  bool has_usage = false;           // some exit carried resource usage
  bool has_exec_failures = false;   // the trace reports failed exec attempts

  Trace() = default;
  Trace(Trace&&) noexcept = default;
  Trace& operator=(Trace&&) noexcept = default;

  uint32_t add(Step step);          // appends, links to step.parent, returns its index
  uint64_t wall_ns() const { return last_ns > first_ns ? last_ns - first_ns : 0; }

  // Reading: the strings of a step.
  std::string_view str(StrId id) const { return strings[id]; }
  ArgvView argv(StrSpan span) const { return {&strings, items.data() + span.first, span.count}; }
  ArgvView argv(const Step& s) const { return argv(s.argv); }
  const FailedExecStep* failed_execs_begin(const Step& s) const { return failed_execs.data() + s.unsatisfied_execs.first; }
  const FailedExecStep* failed_execs_end(const Step& s) const {
    return failed_execs.data() + s.unsatisfied_execs.first + s.unsatisfied_execs.count;
  }

  // Writing (the builder, tests): interned copies.
  StrId intern(std::string_view s) { return strings.intern(s); }
  StrSpan intern_argv(const std::vector<std::string>& argv);
};

// The one place that names what a process ran: the basename of the program
// as the caller named it ("/usr/bin/gcc" → "gcc", not the compiler its
// symlinks lead to), its comm when it never exec'd anything known. An
// fexecve's `/dev/fd/N` names nothing, so with `real_file_for_fd` the real
// file (`exe`) names it; without, "N", as the Chrome trace and the HTML
// report always wrote it.
std::string_view executable_name(std::string_view filename, std::string_view exe, std::string_view comm,
                                 bool real_file_for_fd = true);
std::string_view executable_of(const Trace& trace, const Step& step);  // real_file_for_fd
std::string executable_of(const Process& process);                     // the same for a live process

// After lost events: the processes whose story is partly unknown.
struct Uncertain {
  uint64_t recovered = 0;           // recovered from /proc
  uint64_t status_unknown = 0;      // ended with status unknown
  uint64_t forker_unknown = 0;      // first seen after their fork was lost
  uint64_t total() const { return recovered + status_unknown + forker_unknown; }
};
Uncertain uncertain_in(const Trace& trace);

// Of a process's ancestry (oldest first, as Lineage::ancestry gives it), the
// index where a chain shown to the user begins: for a filtered trace, the
// first traced process (never the tracer or its ancestors); else 0.
size_t chain_start(const std::vector<std::shared_ptr<const Process>>& ancestry, const TraceScope& scope);

// The processes that had events of their own, each under its forker where
// that had events too, as the HTML report and the Chrome trace draw them:
// context steps are left out, and a process whose forker is left out is a
// root. Roots and children in the order of their first own event.
struct OwnForest {
  std::vector<uint32_t> roots;
  std::vector<uint32_t> parent;             // per step; kNone for a root or a left-out step
  std::vector<uint32_t> child_begin;        // per step + 1: its children in `child_items`
  std::vector<uint32_t> child_items;
  struct Children {
    const uint32_t* first;
    const uint32_t* last;
    const uint32_t* begin() const { return first; }
    const uint32_t* end() const { return last; }
    std::reverse_iterator<const uint32_t*> rbegin() const { return std::reverse_iterator<const uint32_t*>(last); }
    std::reverse_iterator<const uint32_t*> rend() const { return std::reverse_iterator<const uint32_t*>(first); }
  };
  Children children(uint32_t step) const {
    return {child_items.data() + child_begin[step], child_items.data() + child_begin[step + 1]};
  }
  // Steps in depth-first order, each with its depth.
  std::vector<std::pair<uint32_t, size_t>> depth_first() const;
  // Per step: whether it or a shown descendant exited non-zero or by a signal.
  std::vector<bool> failed_subtrees(const Trace& trace) const;
};
OwnForest own_forest(const Trace& trace);

// Collects the store from the pipeline's events. It keeps no Process: each is
// copied into its step at its events.
class TraceBuilder {
 public:
  // `history`: also each process's programs in turn (Trace::images) and
  // every gap (Trace::every_gap), which the Chrome trace draws.
  explicit TraceBuilder(TraceScope scope, bool history = false);
  void on_event(const Event& event, const Process& process);
  void on_lost(const Event& event);
  const Trace& trace() const { return trace_; }
  Trace take() { return std::move(trace_); }

 private:
  uint32_t step_of(const Process& process, bool own_event);
  // The step indexed for this process object, if it is the same process.
  uint32_t indexed(const Process* process) const;
  void copy(const Process& process, Step& step);
  const Container* container_of(const Process& process);  // its copy in Trace::containers

  Trace trace_;
  bool history_;
  uint32_t seen_ = 0;
  // Every step by the address of its process, never erased: an entry whose
  // step names another (pid, start) is a freed process's, stale.
  std::unordered_map<const Process*, uint32_t> index_;
  std::unordered_map<std::string_view, const Container*> containers_;  // by ID (views into Trace::containers)
};

}  // namespace ft::analysis
