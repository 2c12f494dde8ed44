// The only layer that touches libbpf: loads the BPF programs, attaches them,
// and hands raw records to a callback. Everything above it is plain C++.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

struct forktrace_bpf;
struct ring_buffer;
struct bpf_link;

namespace ft {

// How the exit program tells the process's end from one thread's (forktrace.bpf.c).
enum class ExitProgram {
  automatic,   // group_dead where the kernel passes it, else live_count
  group_dead,  // the tracepoint's group_dead argument (newer kernels)
  live_count,  // signal->live read at the tracepoint (every kernel from 5.8)
};

// Where failed execs are caught (docs/benchmarks.md compares the two).
enum class ExecFailureHook {
  off,
  automatic,   // tracepoint where tracefs has it (cheaper: docs/benchmarks.md), else sys_exit
  sys_exit,    // tp_btf/sys_exit: runs at every syscall's exit, returns at once unless it failed
  tracepoint,  // syscalls/sys_exit_execve{,at} through tracefs: runs only for those two
};

struct ProbeOptions {
  bool filter_by_pid = false;       // only traced pids and their descendants
  bool threads = false;             // thread fork/exit records
  bool capture_env = false;         // environment on exec
  uint32_t wakeup_bytes = 256 * 1024;  // batch wake-ups; 0 wakes per record
  uint32_t ring_bytes = 16 * 1024 * 1024;  // power of two
  uint32_t max_traced_pids = 1 << 20;
  bool verbose = false;             // libbpf's debug messages
  ExitProgram exit_program = ExitProgram::automatic;
  ExecFailureHook exec_failures = ExecFailureHook::automatic;
  uint32_t args_max = 128 * 1024;   // argv bytes per exec (--max-args-size)
  // Called as each phase of load() ends ("probe choices", "BPF load"): the
  // start-up report (-v) times them.
  std::function<void(const char* phase)> on_phase;
};

// One program the probe loaded, as the kernel reports it.
struct LoadedProgram {
  std::string name;
  uint32_t verified_insns = 0;  // instructions the verifier processed (0: the kernel, before 5.16, does not say)
  uint64_t load_ns = 0;         // its load and verification: from its load_time to the next program's
};

// Ring-buffer reservations that failed in the kernel, per record kind.
struct LostCounts {
  uint64_t fork = 0, exec = 0, exit = 0, exec_failed = 0, reap = 0;
  uint64_t total() const { return fork + exec + exit + exec_failed + reap; }
};

class Probe {
 public:
  using RecordHandler = std::function<void(const void* data, size_t size)>;

  // Opens and loads (not yet attached). Null with a one-line `error` on failure.
  static std::unique_ptr<Probe> load(const ProbeOptions& options, RecordHandler handler,
                                     std::string& error);
  ~Probe();
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

  // Follow this process and its descendants (filter_by_pid).
  bool trace_pid(uint32_t pid, std::string& error);
  void untrace_pid(uint32_t pid);
  // Whether the kernel filter holds any process (filter_by_pid). Entries go
  // when a task is freed, which can lag well behind its exit.
  bool any_traced() const;
  bool attach(std::string& error);
  void detach();

  // Waits up to timeout_ms for records, then consumes all that are ready.
  // Returns records handled, or -errno (EINTR is reported as 0).
  int poll(int timeout_ms);
  // poll() also returns as soon as `fd` is readable (the traced command's
  // exit): the kernel batches wake-ups, so records alone may not wake it.
  // A closed fd leaves the set by itself.
  bool wake_on(int fd, std::string& error);

  // Ring-buffer reservations that failed in the kernel, summed over kinds.
  // What this kernel cannot give (empty when nothing): one line each.
  std::vector<std::string> limitations() const;
  LostCounts lost_by_kind() const;
  uint64_t ring_size_bytes() const { return ring_bytes_; }
  ExitProgram exit_program() const { return exit_program_; }  // the one loaded
  // Whether reaps are reported: the wait4/waitid tracepoints were found in tracefs.
  bool tracks_reaps() const { return tracks_reaps_; }
  // Every program loaded into the kernel, in load order: only those this run needs.
  const std::vector<LoadedProgram>& loaded_programs() const { return loaded_; }

 private:
  Probe() = default;
  static int on_record(void* ctx, void* data, size_t size);

  forktrace_bpf* skel_ = nullptr;
  ring_buffer* ring_ = nullptr;
  std::vector<bpf_link*> links_;  // tracefs tracepoints, attached by hand
  std::vector<long> tracepoint_ids_;  // tracefs ids of kSyscallEvents (probe.cpp), 0 where absent
  bool tracks_reaps_ = false;
  bool has_bpf_loop_ = true;
  ExecFailureHook exec_failures_ = ExecFailureHook::off;
  RecordHandler handler_;
  uint64_t ring_bytes_ = 0;
  ExitProgram exit_program_ = ExitProgram::automatic;
  int handled_ = 0;
  int wake_epoll_ = -1;  // the ring buffer's epoll fd and wake_on's fds
  std::vector<LoadedProgram> loaded_;
};

// One line saying what is missing when this process cannot trace live, or "".
std::string check_tracing_privileges();
// One line saying what this kernel lacks for forktrace (BTF, the BPF ring
// buffer), or "". btf_path is the kernel's BTF; tests name other files.
std::string check_kernel_support(const std::string& btf_path = "/sys/kernel/btf/vmlinux");
// Whether this kernel's sched_process_exit tracepoint passes group_dead (its
// BTF says so), so that ExitProgram::group_dead can load.
bool exit_tracepoint_passes_group_dead();
// Whether reaps can be reported: tracefs (mounted for the lookup where it is
// not) has the wait4 and waitid syscalls' tracepoints. Looked up once.
bool kernel_reports_reaps();
// Whether this kernel's oom:mark_victim passes the victim's task (Linux 6.8,
// stable kernels that took the change), not only its pid: which of the two
// OOM programs loads.
bool mark_victim_passes_task();

}  // namespace ft
