// The decoded form of every record, live or replayed: what the model and the
// views consume. Plain data; decoding from kernel bytes is in core/decode.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ft {

// A whole process's own resource usage over its life (all its threads, not
// its children), as wait4()'s rusage and /proc/PID/io report it.
struct ResourceUsage {
  uint64_t cpu_user_ns = 0, cpu_sys_ns = 0, max_rss_kb = 0, minor_faults = 0, major_faults = 0,
           voluntary_switches = 0, involuntary_switches = 0, read_bytes = 0, write_bytes = 0;
  // The peak of the program it ran last, since that exec; max_rss_kb (wait4's
  // ru_maxrss) also counts the image before it, such as the forking parent's.
  // Unknown on kernels whose exit tracepoint comes after exit_mm().
  std::optional<uint64_t> program_max_rss_kb;
  uint64_t cpu_ns() const { return cpu_user_ns + cpu_sys_ns; }
  // What a view shows as the process's peak: its program's own where known.
  uint64_t peak_rss_kb() const { return program_max_rss_kb.value_or(max_rss_kb); }
};

// Who or what sent the signal that ended a process (core/killed_by.h
// classifies the kernel's facts). The JSON names are the contract's.
enum class KillSource : uint8_t {
  process = 1,          // a process sent it: pid, comm
  oom = 2,              // the OOM killer: oom_cgroup
  fault = 3,            // a fault in the process itself
  cpu_limit = 4,        // RLIMIT_CPU: SIGXCPU, or SIGKILL at the hard limit
  file_size_limit = 5,  // RLIMIT_FSIZE: SIGXFSZ
  pipe = 6,             // SIGPIPE: a write with no reader
  other = 7,            // any other signal the kernel raised itself
};

struct KilledBy {
  KillSource source = KillSource::other;
  uint32_t pid = 0;        // process: the sender's pid (its own for abort())
  std::string comm;        // process: the sender's comm at the time
  std::string oom_cgroup;  // oom: the memory cgroup whose limit was hit, "" machine-wide
  bool operator==(const KilledBy&) const = default;
};

// exec_failed: an execve/execveat that returned an error; the process runs on.
// reap: a dead process's status was collected; it is no longer a zombie.
enum class EventKind : uint8_t { fork = 1, exec = 2, exit = 3, lost = 4, exec_failed = 5, reap = 6 };

struct Event {
  EventKind kind = EventKind::fork;
  bool thread = false;  // fork: a new thread; exit: one thread, not the process
  uint64_t ts_ns = 0;   // CLOCK_BOOTTIME
  uint32_t pid = 0;     // process (kernel tgid)
  uint32_t tid = 0;     // thread (kernel pid)
  uint32_t ppid = 0;    // the process's parent at the time of the event
  uint64_t start_ns = 0;         // the process's start, boot time: with pid, its identity
  uint64_t thread_start_ns = 0;  // the thread's start (fork, exit)
  uint64_t cgroup_id = 0;        // cgroup v2 id, 0 when unknown
  std::string comm;
  std::string cgroup;  // cgroup v2 path, resolved from cgroup_id in user space ("" unknown)
  // fork, exec: the process's pid in its own PID namespace where that is not
  // the first (a container's), else 0
  uint32_t nspid = 0;
  // fork, exec: made from /proc after a loss (model/reconcile.h), not seen
  bool recovered = false;

  // fork
  uint32_t parent_pid = 0;  // the forking process (ppid can differ: CLONE_PARENT)
  uint32_t parent_tid = 0;
  uint64_t parent_start_ns = 0;

  // exec
  uint32_t old_tid = 0;  // caller's former tid when a non-leader thread called exec, else 0
  std::string filename;
  bool filename_truncated = false;  // longer than the kernel side's bound (1023 bytes): cut there
  std::vector<std::string> argv;
  bool argv_truncated = false;
  std::vector<std::string> env;  // --job-env: just the marker "NAME=value", when present
  bool env_truncated = false;

  // exec and exec_failed: where and as whom (exec_failed has no creds, exe, interpreter)
  std::string cwd;          // absolute; "" when unknown (recordings before version 3)
  std::string exe;          // the file now running (mm->exe_file)
  std::string interpreter;  // a #! script's interpreter, as its #! line names it
  bool cwd_truncated = false;  // the kernel's path walk stopped at its bound
  bool exe_truncated = false;
  bool has_creds = false;      // uid..egid are known
  uint32_t uid = 0, gid = 0, euid = 0, egid = 0;  // after the exec
  // exec_failed
  int32_t exec_errno = 0;  // positive

  // exit
  uint32_t wait_status = 0;  // raw status as the parent's wait() sees it
  bool status_unknown = false;  // its real exit was lost: found gone from /proc, no status
  std::optional<ResourceUsage> usage;  // whole-process exits, when the kernel gave it
  // A whole process that a signal killed, where forktrace saw the signal sent
  std::optional<KilledBy> killed_by;

  // reap: pid and start_ns name the process reaped
  uint32_t reaper_pid = 0;   // who collected its status (the parent it ignored SIGCHLD for, when autoreaped)
  std::string reaper_comm;   // the reaper's comm then
  uint64_t zombie_ns = 0;    // from its exit to this reap
  bool autoreaped = false;   // no wait(): the kernel reaped it at its exit

  // lost
  uint64_t lost_count = 0;  // the total, whatever the kind
  uint64_t lost_fork = 0, lost_exec = 0, lost_exit = 0, lost_exec_failed = 0, lost_reap = 0;  // per kind, where known
  uint64_t lost_output = 0;  // of lost_count: dropped for the views because their
                             // output could not keep up (the recording has them)
};

}  // namespace ft
