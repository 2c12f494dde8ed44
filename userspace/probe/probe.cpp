#include "probe/probe.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <malloc.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <new>
#include <system_error>
#include <thread>
#include <utility>

extern "C" {
#include "forktrace.h"
}

#include "forktrace.h"
#include "forktrace_bpf.skel.h"

namespace ft {
namespace {

bool g_verbose = false;

int print_libbpf(enum libbpf_print_level level, const char* format, va_list args) {
  // Failures reach the user as one line; libbpf's detail (the verifier log) with -v.
  if (!g_verbose) return 0;
  (void)level;
  return std::vfprintf(stderr, format, args);
}

std::string errno_text(int err) { return std::strerror(err < 0 ? -err : err); }

// signal->maxrss counts pages; the record carries KiB, as ru_maxrss does.
uint32_t page_kb_shift() {
  uint32_t shift = 0;
  for (long kb = sysconf(_SC_PAGESIZE) / 1024; kb > 1; kb >>= 1) shift++;
  return shift;
}

constexpr const char* kKernelBtfPath = "/sys/kernel/btf/vmlinux";

// The kernel's BTF (5 MB), parsed once for every question asked of it before
// load: each parse costs tens of milliseconds of CPU, mostly in faulting in
// fresh pages (tools/bench/startup.sh). libbpf parses its own copy at load.
btf*& kernel_btf_slot() {
  static btf* parsed = nullptr;
  return parsed;
}

// A parse reads the 5 MB into one fresh buffer and copies it into another.
// Fresh pages cost a fault each (about 25 µs on the VM of docs/benchmarks.md:
// 50 ms of CPU for one parse). While the BTF is read, large blocks come from
// the heap and stay there when freed, so libbpf's parse at load reuses the
// pages of forktrace's (the faults of one parse saved); after the load the
// defaults come back and the heap is trimmed (reuse_heap_for_btf(false)).
//
// The heap is also grown at once by what both parses need and advised to use
// transparent huge pages, where the kernel offers them ("madvise" or
// "always"): one fault per 2 MiB instead of 512.
void reuse_heap_for_btf(bool reuse) {
  constexpr int kDefaultThreshold = 128 * 1024;  // glibc's M_MMAP_THRESHOLD and M_TRIM_THRESHOLD
  mallopt(M_MMAP_THRESHOLD, reuse ? 32 << 20 : kDefaultThreshold);  // 32 MiB: glibc's largest
  mallopt(M_TRIM_THRESHOLD, reuse ? 128 << 20 : kDefaultThreshold);
  if (!reuse) {
    malloc_trim(0);
    return;
  }
  constexpr size_t kBtfHeap = 30 << 20;  // both copies of a parse (5-7 MB each), libbpf's indexes
  constexpr uintptr_t kHugePage = 2 << 20;
  void* block = malloc(kBtfHeap);  // grows the heap by that much: address space only
  if (!block) return;
  auto start = (reinterpret_cast<uintptr_t>(block) + kHugePage - 1) & ~(kHugePage - 1);
  auto end = reinterpret_cast<uintptr_t>(block) + kBtfHeap;
  free(block);  // back to the heap's top, kept there by M_TRIM_THRESHOLD
  if (end > start) madvise(reinterpret_cast<void*>(start), (end - start) & ~(kHugePage - 1), MADV_HUGEPAGE);
}

const btf* kernel_btf() {
  btf*& parsed = kernel_btf_slot();
  if (!parsed) {
    reuse_heap_for_btf(true);
    parsed = btf__parse(kKernelBtfPath, nullptr);
  }
  return parsed;
}

void release_kernel_btf() {
  btf*& parsed = kernel_btf_slot();
  btf__free(parsed);
  parsed = nullptr;
}

}  // namespace

// btf_trace_sched_process_exit takes a third argument; see forktrace.bpf.c.
bool exit_tracepoint_passes_group_dead() {
  const btf* vmlinux = kernel_btf();
  if (!vmlinux) return false;
  bool passes = false;
  int id = btf__find_by_name_kind(vmlinux, "btf_trace_sched_process_exit", BTF_KIND_TYPEDEF);
  if (id > 0) {
    const btf_type* pointer = btf__type_by_id(vmlinux, btf__type_by_id(vmlinux, id)->type);
    if (pointer && btf_is_ptr(pointer)) {
      const btf_type* proto = btf__type_by_id(vmlinux, pointer->type);
      passes = proto && btf_is_func_proto(proto) && btf_vlen(proto) >= 3;
    }
  }
  return passes;
}

// btf_trace_mark_victim takes (task, uid) since Linux 6.8 (and in stable
// kernels that took the change, Debian's 6.1 among them); before, a pid.
bool mark_victim_passes_task() {
  const btf* vmlinux = kernel_btf();
  if (!vmlinux) return false;
  int id = btf__find_by_name_kind(vmlinux, "btf_trace_mark_victim", BTF_KIND_TYPEDEF);
  if (id <= 0) return false;
  const btf_type* pointer = btf__type_by_id(vmlinux, btf__type_by_id(vmlinux, id)->type);
  if (!pointer || !btf_is_ptr(pointer)) return false;
  const btf_type* proto = btf__type_by_id(vmlinux, pointer->type);
  if (!proto || !btf_is_func_proto(proto) || btf_vlen(proto) < 2) return false;
  // The first parameter is the tracepoint's context; the second the victim.
  const btf_type* victim = btf__type_by_id(vmlinux, btf_params(proto)[1].type);
  return victim && btf_is_ptr(victim);
}

namespace {

// bpf_rdonly_cast came in Linux 6.2 (every program type may call it).
bool kernel_has_rdonly_cast() {
  const btf* vmlinux = kernel_btf();
  return vmlinux && btf__find_by_name_kind(vmlinux, "bpf_rdonly_cast", BTF_KIND_FUNC) > 0;
}

long read_number(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[32] = {};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  return n > 0 ? std::strtol(buf, nullptr, 10) : -1;
}

// tracefs events' ids, 0 where absent. Where tracefs is not mounted, a
// thread mounts it in a mount namespace of its own (unshare(CLONE_NEWNS)
// takes only the calling thread's file system view), so the machine's mounts
// stay as they were and no process is forked: one look for all events.
std::vector<long> tracepoint_ids(const std::vector<std::string>& events) {
  auto read_all = [&](const char* dir) {
    std::vector<long> ids;
    for (const std::string& event : events) ids.push_back(std::max(0L, read_number((std::string(dir) + "/events/" + event + "/id").c_str())));
    return ids;
  };
  auto found = [](const std::vector<long>& ids) { return std::any_of(ids.begin(), ids.end(), [](long id) { return id > 0; }); };
  for (const char* dir : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"})
    if (std::vector<long> ids = read_all(dir); found(ids)) return ids;
  std::vector<long> ids(events.size(), 0);
  std::thread mounter([&] {
    if (unshare(CLONE_NEWNS) == 0 && mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
        mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) == 0)
      ids = read_all("/sys/kernel/tracing");
  });
  mounter.join();
  return ids;
}

bpf_link* attach_tracepoint_by_id(bpf_program* prog, const char* event, long id, std::string& error) {
  if (id <= 0) {
    error = std::string("cannot find the tracepoint ") + event + " in tracefs";
    return nullptr;
  }
  perf_event_attr attr = {};
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.size = sizeof attr;
  attr.config = static_cast<uint64_t>(id);
  attr.sample_period = 1;
  attr.wakeup_events = 1;
  // A tracepoint's BPF program runs for the event on every CPU.
  int fd = static_cast<int>(syscall(SYS_perf_event_open, &attr, -1 /* pid */, 0 /* cpu */, -1, PERF_FLAG_FD_CLOEXEC));
  if (fd < 0) {
    error = std::string("cannot open the tracepoint ") + event + ": " + errno_text(errno);
    return nullptr;
  }
  bpf_link* link = bpf_program__attach_perf_event(prog, fd);
  if (!link) {
    error = std::string("cannot attach to the tracepoint ") + event + ": " + errno_text(errno);
    close(fd);
  }
  return link;
}

// The per-syscall tracepoints forktrace attaches through tracefs, looked up
// at once (one mount where tracefs is not mounted), with their programs.
constexpr const char* kSyscallEvents[] = {
    "syscalls/sys_exit_execve", "syscalls/sys_exit_execveat",  // sys_exit_execve (failed execs)
    "syscalls/sys_exit_wait4", "syscalls/sys_enter_waitid", "syscalls/sys_exit_waitid",  // reaps
};
enum SyscallEvent { exit_execve, exit_execveat, exit_wait4, enter_waitid, exit_waitid };

// kSyscallEvents' tracefs ids, looked up once per run.
const std::vector<long>& syscall_tracepoint_ids() {
  static const std::vector<long> ids = tracepoint_ids({std::begin(kSyscallEvents), std::end(kSyscallEvents)});
  return ids;
}

// What this run needs of the kernel side, decided before load.
struct Needs {
  bool bpf_loop = true;        // the kernel has bpf_loop (5.17)
  bool group_dead = false;     // ExitProgram::group_dead
  bool filter_by_pid = false;  // -- CMD, -p
  bool mark_victim_task = true;  // oom:mark_victim passes the victim's task (6.8), not its pid
  ExecFailureHook exec_failures = ExecFailureHook::off;  // off, sys_exit or tracepoint: the one chosen
  bool reaps = false;          // the wait syscalls' tracepoints are in tracefs
};

// Every program in the BPF object, and when a run needs it: only those load
// (each one costs start-up time to verify, and run time where it is
// attached). A new program is one line here; load() refuses a program that
// has none, so none is loaded by accident.
struct ProgramRule {
  const char* name;
  bool (*needed)(const Needs&);
};
constexpr ProgramRule kPrograms[] = {
    {"sched_proc_fork", [](const Needs&) { return true; }},
    // argv past FT_ARGS_MAX, path walks verified once: bpf_loop; else the plain-loop twin
    {"sched_proc_exec", [](const Needs& n) { return n.bpf_loop; }},
    {"sched_proc_exec_plain", [](const Needs& n) { return !n.bpf_loop; }},
    {"sys_exit_exec", [](const Needs& n) { return n.exec_failures == ExecFailureHook::sys_exit; }},
    // one program, attached to both sys_exit_execve and sys_exit_execveat
    {"sys_exit_execve", [](const Needs& n) { return n.exec_failures == ExecFailureHook::tracepoint; }},
    {"sched_proc_exit", [](const Needs& n) { return n.group_dead; }},
    {"sched_proc_exit_live_count", [](const Needs& n) { return !n.group_dead; }},
    // only ends a process's pid-filter entry: without a filter it would run
    // (~0.2 µs) on every task's free for nothing
    {"sched_proc_free", [](const Needs& n) { return n.filter_by_pid; }},
    // who or what sent the signal that ends a process (signal.bpf.h)
    {"signal_generate", [](const Needs&) { return true; }},
    // the OOM killer's victim: one of two forms of mark_victim, as the kernel's BTF has it
    {"oom_mark_victim", [](const Needs& n) { return n.mark_victim_task; }},
    {"oom_victim_pid", [](const Needs& n) { return !n.mark_victim_task; }},
    // who collected a dead process's status, and when (reap.bpf.h)
    {"sys_exit_wait4", [](const Needs& n) { return n.reaps; }},
    {"sys_enter_waitid", [](const Needs& n) { return n.reaps; }},
    {"sys_exit_waitid", [](const Needs& n) { return n.reaps; }},
};


// Sets each program's autoload from kPrograms; false (with `error`) for a
// program that has no line there.
bool select_programs(bpf_object* obj, const Needs& needs, std::string& error) {
  bpf_program* prog;
  bpf_object__for_each_program(prog, obj) {
    const char* name = bpf_program__name(prog);
    auto rule = std::find_if(std::begin(kPrograms), std::end(kPrograms),
                             [&](const ProgramRule& r) { return std::strcmp(r.name, name) == 0; });
    if (rule == std::end(kPrograms)) {
      error = std::string("the BPF program ") + name + " has no line in probe.cpp's kPrograms";
      return false;
    }
    bpf_program__set_autoload(prog, rule->needed(needs));
  }
  return true;
}

// The largest pid, so that a table keyed by tgid needs no more entries.
uint32_t pid_max() {
  long max = read_number("/proc/sys/kernel/pid_max");
  return max > 0 ? static_cast<uint32_t>(max) : 4u << 20;  /* PID_MAX_LIMIT on 64-bit */
}

// The programs of `obj` that were loaded, in load order, with the kernel's
// load_time stamps turned into each one's share of the load.
std::vector<LoadedProgram> loaded_programs_of(bpf_object* obj) {
  std::vector<std::pair<uint64_t, LoadedProgram>> stamped;
  bpf_program* prog;
  bpf_object__for_each_program(prog, obj) {
    int fd = bpf_program__fd(prog);
    if (fd < 0) continue;
    bpf_prog_info info = {};
    uint32_t len = sizeof info;
    LoadedProgram loaded;
    loaded.name = bpf_program__name(prog);
    uint64_t load_time = 0;
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
      loaded.verified_insns = info.verified_insns;
      load_time = info.load_time;
    }
    stamped.emplace_back(load_time, std::move(loaded));
  }
  std::stable_sort(stamped.begin(), stamped.end(), [](auto& a, auto& b) { return a.first < b.first; });
  timespec now;
  clock_gettime(CLOCK_BOOTTIME, &now);
  uint64_t end = static_cast<uint64_t>(now.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(now.tv_nsec);
  std::vector<LoadedProgram> out;
  for (size_t i = 0; i < stamped.size(); ++i) {
    uint64_t next = i + 1 < stamped.size() ? stamped[i + 1].first : end;
    if (stamped[i].first && next > stamped[i].first) stamped[i].second.load_ns = next - stamped[i].first;
    out.push_back(std::move(stamped[i].second));
  }
  return out;
}

}  // namespace

std::unique_ptr<Probe> Probe::load(const ProbeOptions& options, RecordHandler handler,
                                   std::string& error) {
  g_verbose = options.verbose;
  libbpf_set_print(print_libbpf);

  std::unique_ptr<Probe> probe(new Probe());
  probe->handler_ = std::move(handler);
  // With -v, the verifier's statistics for each program (its own verification
  // time, instructions processed, states): libbpf prints them at debug level.
  LIBBPF_OPTS(bpf_object_open_opts, open_opts, .kernel_log_level = options.verbose ? 4u /* BPF_LOG_STATS */ : 0u);
  probe->skel_ = forktrace_bpf::open(&open_opts);
  if (!probe->skel_) {
    error = "cannot open the BPF object: " + errno_text(errno);
    return nullptr;
  }
  forktrace_bpf* skel = probe->skel_;
  skel->rodata->filter_by_pid = options.filter_by_pid;
  skel->rodata->emit_threads = options.threads;
  skel->rodata->capture_env = options.capture_env;
  skel->rodata->wakeup_bytes = options.wakeup_bytes;
  skel->rodata->args_max = std::min<uint32_t>(options.args_max, FT_ARGS_BOUND_MAX);
  probe->exec_failures_ = options.exec_failures;
  // bpf_loop (5.17): a kernel without it refuses any program that names a
  // loop callback, so the exec program has a plain-loop twin for it (argv
  // then stops at FT_ARGS_MAX bytes, flagged), and failed execs are not caught.
  // FORKTRACE_TEST_NO_BPF_LOOP=1: the older kernels' programs on this one (tests).
  const char* no_loop = std::getenv("FORKTRACE_TEST_NO_BPF_LOOP");
  probe->has_bpf_loop_ = !(no_loop && std::strcmp(no_loop, "1") == 0) &&
                         libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_loop, nullptr) > 0;
  if (!probe->has_bpf_loop_ && probe->exec_failures_ != ExecFailureHook::off) {
    if (probe->exec_failures_ != ExecFailureHook::automatic) {
      error = "failed exec attempts need bpf_loop (Linux 5.17), which this kernel lacks: use --no-exec-failures";
      return nullptr;
    }
    probe->exec_failures_ = ExecFailureHook::off;
  }
  probe->tracepoint_ids_ = syscall_tracepoint_ids();
  auto found = [&](SyscallEvent event) { return probe->tracepoint_ids_[event] > 0; };
  probe->tracks_reaps_ = kernel_reports_reaps();
  skel->rodata->track_reaps = probe->tracks_reaps_;
  if (probe->exec_failures_ == ExecFailureHook::automatic)
    probe->exec_failures_ = found(exit_execve) && found(exit_execveat) &&
                                    libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_pt_regs, nullptr) > 0
                                ? ExecFailureHook::tracepoint
                                : ExecFailureHook::sys_exit;
  // by hand: tracefs may be unmounted
  for (bpf_program* prog : {skel->progs.sys_exit_execve, skel->progs.sys_exit_wait4, skel->progs.sys_enter_waitid,
                            skel->progs.sys_exit_waitid})
    bpf_program__set_autoattach(prog, false);
  skel->rodata->page_kb_shift = page_kb_shift();
  probe->ring_bytes_ = options.ring_bytes;
  bpf_map__set_max_entries(skel->maps.events, options.ring_bytes);
  // Keys are tgids, below pid_max: a larger table is only start-up time
  // (every entry is preallocated: 1M of them took 0.1 s of CPU to set up,
  // pid_max's 32,768 here 6 ms). Unused without a filter: one entry.
  bpf_map__set_max_entries(skel->maps.traced_pids,
                           options.filter_by_pid ? std::min(options.max_traced_pids, pid_max()) : 1);
  probe->exit_program_ = options.exit_program;
  if (probe->exit_program_ == ExitProgram::automatic)
    probe->exit_program_ = exit_tracepoint_passes_group_dead() ? ExitProgram::group_dead : ExitProgram::live_count;
  // FORKTRACE_TEST_OOM_BY_PID=1: the older kernels' OOM program on this one (tests).
  const char* oom_by_pid = std::getenv("FORKTRACE_TEST_OOM_BY_PID");
  bool victim_task = !(oom_by_pid && std::strcmp(oom_by_pid, "1") == 0) && mark_victim_passes_task();
  skel->rodata->oom_victim_by_pid = !victim_task;
  skel->rodata->has_rdonly_cast = kernel_has_rdonly_cast();
  release_kernel_btf();  // libbpf reads its own

  Needs needs;
  needs.bpf_loop = probe->has_bpf_loop_;
  needs.group_dead = probe->exit_program_ == ExitProgram::group_dead;
  needs.filter_by_pid = options.filter_by_pid;
  needs.mark_victim_task = victim_task;
  needs.exec_failures = probe->exec_failures_;
  needs.reaps = probe->tracks_reaps_;
  if (!select_programs(skel->obj, needs, error)) return nullptr;

  auto phase_done = [&](const char* phase) {
    if (options.on_phase) options.on_phase(phase);
  };
  phase_done("probe choices");
  int load_err = forktrace_bpf::load(skel);
  reuse_heap_for_btf(false);
  if (int err = load_err) {
    error = "cannot load the BPF programs: " + errno_text(err) +
            " (rerun with -v for the verifier's log)";
    return nullptr;
  }
  probe->loaded_ = loaded_programs_of(skel->obj);
  probe->ring_ = ring_buffer__new(bpf_map__fd(skel->maps.events), &Probe::on_record, probe.get(), nullptr);
  if (!probe->ring_) {
    error = "cannot set up the ring buffer: " + errno_text(errno);
    return nullptr;
  }
  phase_done("BPF load");
  return probe;
}

namespace {

// Closing a tracefs tracepoint's perf event waits for an RCU grace period
// (about 25 ms each here): closed side by side, they wait for about one.
void destroy_together(std::vector<bpf_link*>& links) {
  std::vector<std::thread> closers;
  try {
    closers.reserve(links.size());  // so that emplace_back below cannot throw bad_alloc
  } catch (const std::bad_alloc&) {
    for (bpf_link* link : links) bpf_link__destroy(link);
    links.clear();
    return;
  }
  for (bpf_link* link : links) {
    try {
      closers.emplace_back([link] { bpf_link__destroy(link); });
    } catch (const std::system_error&) {
      bpf_link__destroy(link);  // no thread to spare: one after the other
    }
  }
  for (std::thread& closer : closers) closer.join();
  links.clear();
}

}  // namespace

Probe::~Probe() {
  destroy_together(links_);
  if (wake_epoll_ >= 0) close(wake_epoll_);
  if (ring_) ring_buffer__free(ring_);
  if (skel_) forktrace_bpf::destroy(skel_);
}

bool Probe::trace_pid(uint32_t pid, std::string& error) {
  uint64_t any_start = 0;
  if (bpf_map__update_elem(skel_->maps.traced_pids, &pid, sizeof pid, &any_start, sizeof any_start, BPF_ANY)) {
    error = "cannot follow pid " + std::to_string(pid) + ": " + errno_text(errno);
    return false;
  }
  return true;
}

void Probe::untrace_pid(uint32_t pid) {
  bpf_map__delete_elem(skel_->maps.traced_pids, &pid, sizeof pid, 0);
}

bool Probe::any_traced() const {
  uint32_t key;
  return bpf_map__get_next_key(skel_->maps.traced_pids, nullptr, &key, sizeof key) == 0;
}

bool Probe::attach(std::string& error) {
  if (int err = forktrace_bpf::attach(skel_)) {
    error = "cannot attach to the sched_process_* tracepoints: " + errno_text(err);
    return false;
  }
  if (!links_.empty()) return true;
  std::vector<std::pair<bpf_program*, SyscallEvent>> wanted;
  if (exec_failures_ == ExecFailureHook::tracepoint) {
    // One program for both: it reads the syscall's number from the registers.
    wanted.emplace_back(skel_->progs.sys_exit_execve, exit_execve);
    wanted.emplace_back(skel_->progs.sys_exit_execve, exit_execveat);
  }
  if (tracks_reaps_) {
    wanted.emplace_back(skel_->progs.sys_exit_wait4, exit_wait4);
    wanted.emplace_back(skel_->progs.sys_enter_waitid, enter_waitid);
    wanted.emplace_back(skel_->progs.sys_exit_waitid, exit_waitid);
  }
  for (auto [prog, event] : wanted) {
    bpf_link* link = attach_tracepoint_by_id(prog, kSyscallEvents[event], tracepoint_ids_[event], error);
    if (!link) return false;
    links_.push_back(link);
  }
  return true;
}

void Probe::detach() {
  forktrace_bpf::detach(skel_);
  destroy_together(links_);
}

int Probe::on_record(void* ctx, void* data, size_t size) {
  auto* self = static_cast<Probe*>(ctx);
  self->handler_(data, size);
  self->handled_++;
  return 0;
}

bool Probe::wake_on(int fd, std::string& error) {
  auto add = [&](int watched) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = watched;
    return epoll_ctl(wake_epoll_, EPOLL_CTL_ADD, watched, &event) == 0;
  };
  if (wake_epoll_ < 0) {
    wake_epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (wake_epoll_ < 0 || !add(ring_buffer__epoll_fd(ring_))) {
      error = "cannot watch the ring buffer: " + errno_text(errno);
      return false;
    }
  }
  if (!add(fd)) {
    error = "cannot watch the traced command: " + errno_text(errno);
    return false;
  }
  return true;
}

int Probe::poll(int timeout_ms) {
  handled_ = 0;
  int err;
  if (wake_epoll_ >= 0) {
    epoll_event events[2];
    err = epoll_wait(wake_epoll_, events, 2, timeout_ms) < 0 ? -errno : 0;
  } else {
    err = ring_buffer__poll(ring_, timeout_ms);
  }
  if (err < 0 && err != -EINTR) return err;
  // Wake-ups are batched in the kernel, so a timeout can leave records waiting.
  err = ring_buffer__consume(ring_);
  if (err < 0 && err != -EINTR) return err;
  return handled_;
}

std::vector<std::string> Probe::limitations() const {
  if (has_bpf_loop_) return {};
  return {"this kernel lacks bpf_loop (Linux 5.17): failed exec attempts are not reported, and command lines "
          "are recorded up to 4 KiB (marked truncated beyond)"};
}

LostCounts Probe::lost_by_kind() const {
  auto at = [&](int kind) { return __atomic_load_n(&skel_->bss->lost_records[kind], __ATOMIC_RELAXED); };
  return LostCounts{at(FT_RECORD_FORK), at(FT_RECORD_EXEC), at(FT_RECORD_EXIT), at(FT_RECORD_EXEC_FAILED),
                    at(FT_RECORD_REAP)};
}

bool kernel_reports_reaps() {
  const std::vector<long>& ids = syscall_tracepoint_ids();
  return ids[exit_wait4] > 0 && ids[enter_waitid] > 0 && ids[exit_waitid] > 0;
}

std::string check_tracing_privileges() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return "cannot read this process's capabilities";
  auto has = [&](int cap) { return (data[cap / 32].effective >> (cap % 32)) & 1; };
  constexpr int cap_perfmon = 38, cap_bpf = 39;
  if (has(CAP_SYS_ADMIN) || (has(cap_bpf) && has(cap_perfmon))) return "";
  return "live tracing needs root (or CAP_BPF and CAP_PERFMON): run it with sudo, "
         "or replay a recording with -r FILE, which needs no privileges";
}

std::string check_kernel_support(const std::string& btf_path) {
  constexpr const char* needs_btf = "forktrace needs Linux 5.8 or later built with CONFIG_DEBUG_INFO_BTF=y";
  if (access(btf_path.c_str(), F_OK) != 0)
    return "this kernel has no BTF (" + btf_path + " is missing): " + needs_btf;
  bool own = btf_path != kKernelBtfPath;  // a test's file: parsed here, freed here
  const btf* vmlinux = own ? btf__parse(btf_path.c_str(), nullptr) : kernel_btf();
  if (!vmlinux) return "cannot read this kernel's BTF (" + btf_path + "): " + errno_text(errno) + ": " + needs_btf;
  // The BPF ring buffer came with Linux 5.8 (commit 457f44363a88 "bpf: Implement BPF
  // ring buffer and verifier support for it"); BTF alone goes back to 5.4. The kernel's
  // own enum says which map types it has, with no map to create (and no memlock to charge).
  bool ringbuf = false;
  int id = btf__find_by_name_kind(vmlinux, "bpf_map_type", BTF_KIND_ENUM);
  if (id > 0) {
    const btf_type* type = btf__type_by_id(vmlinux, id);
    const struct btf_enum* values = btf_enum(type);
    for (int i = 0; i < btf_vlen(type) && !ringbuf; i++)
      ringbuf = std::strcmp(btf__name_by_offset(vmlinux, values[i].name_off), "BPF_MAP_TYPE_RINGBUF") == 0;
  }
  if (own) btf__free(const_cast<btf*>(vmlinux));
  if (!ringbuf)
    return "this kernel has no BPF ring buffer (its BTF, " + btf_path +
           ", has no BPF_MAP_TYPE_RINGBUF): forktrace needs Linux 5.8 or later";
  return "";
}

}  // namespace ft
