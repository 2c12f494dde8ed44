#include "core/killed_by.h"

#include <csignal>

extern "C" {
#include "forktrace.h"
}

namespace ft {
namespace {

// include/uapi/asm-generic/siginfo.h
constexpr int kSiUser = 0, kSiKernel = 0x80, kSiQueue = -1, kSiTkill = -6;

// Signals a fault in the process raises (force_sig_fault, or force_sig's
// SI_KERNEL for an x86 general protection fault).
bool fault_signal(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP;
}

KilledBy kernel(KillSource source) { return KilledBy{source, 0, "", ""}; }

}  // namespace

std::optional<KilledBy> classify_kill(const RawKill& raw, uint32_t pid, const ExitStatus& status) {
  if (!status.signal || *status.signal != raw.signal) return std::nullopt;
  if (raw.flags & FT_KILL_OOM) return KilledBy{KillSource::oom, 0, "", raw.oom_cgroup};
  // send_sig(sig, current, 0): the kernel on the process's own behalf.
  if (raw.flags & FT_KILL_NOINFO) {
    if (raw.signal == SIGPIPE) return kernel(KillSource::pipe);
    if (raw.signal == SIGXFSZ) return kernel(KillSource::file_size_limit);
    return kernel(KillSource::other);
  }
  bool by_kernel = (raw.flags & FT_KILL_PRIV) || raw.si_code == kSiKernel;
  if (fault_signal(raw.signal) && (by_kernel || raw.si_code > 0)) return kernel(KillSource::fault);
  if (by_kernel) {
    // check_rlimit() (kernel/time/posix-cpu-timers.c): SIGXCPU at the soft
    // limit, SIGKILL at the hard one, both sent to the process by itself.
    if (raw.signal == SIGXCPU || (raw.signal == SIGKILL && raw.sender_pid == pid))
      return kernel(KillSource::cpu_limit);
    return kernel(KillSource::other);
  }
  if (raw.si_code == kSiUser || raw.si_code == kSiQueue || raw.si_code == kSiTkill)
    return KilledBy{KillSource::process, raw.sender_pid, raw.sender_comm, ""};
  return kernel(KillSource::other);  // a timer, SIGIO, a seccomp SIGSYS...
}

std::string_view kill_source_name(KillSource source) {
  switch (source) {
    case KillSource::process: return "process";
    case KillSource::oom: return "oom";
    case KillSource::fault: return "fault";
    case KillSource::cpu_limit: return "cpu_limit";
    case KillSource::file_size_limit: return "file_size_limit";
    case KillSource::pipe: return "pipe";
    case KillSource::other: return "other";
  }
  return "other";
}

std::string describe_killer(const KilledBy& k) {
  switch (k.source) {
    case KillSource::process: return k.comm + "(" + std::to_string(k.pid) + ")";
    case KillSource::oom: return k.oom_cgroup.empty() ? "out of memory" : "out of memory in " + k.oom_cgroup;
    case KillSource::fault: return "fault";
    case KillSource::cpu_limit: return "CPU time limit";
    case KillSource::file_size_limit: return "file size limit";
    case KillSource::pipe: return "broken pipe";
    case KillSource::other: return "the kernel";
  }
  return "the kernel";
}

std::string describe(const ExitStatus& status, const KilledBy* killed_by) {
  if (status.exit_code || !killed_by) return describe(status);
  std::string name = signal_name(status.signal.value_or(0));
  std::string out = status.core_dumped ? name : "killed by " + name;
  const KilledBy& k = *killed_by;
  bool reason_in_note = k.source != KillSource::process && k.source != KillSource::oom;
  if (reason_in_note || status.core_dumped) {
    out += " (";
    if (reason_in_note) out += describe_killer(k) + (status.core_dumped ? ", " : "");
    if (status.core_dumped) out += "core dumped";
    out += ")";
  }
  if (k.source == KillSource::process) out += " from " + describe_killer(k);
  if (k.source == KillSource::oom) out += ": " + describe_killer(k);
  return out;
}

}  // namespace ft
