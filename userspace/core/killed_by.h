// Who or what ended a process by a signal: the kernel side's raw facts about
// the last fatal signal it saw delivered (bpf/signal.bpf.h) read against the
// status the parent's wait() gets, and the one description every view uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/exit_status.h"

namespace ft {

// struct ft_kill, decoded (bpf/forktrace.h).
struct RawKill {
  int signal = 0;
  int si_code = 0;       // the siginfo's si_code; 0 where the kernel sent none
  uint32_t flags = 0;    // enum ft_kill_flags
  uint32_t sender_pid = 0;
  std::string sender_comm;
  std::string oom_cgroup;  // path, "" none
};

// killed_by for a process `pid` that ended with `status`: none where no
// signal killed it (it handled the signal and exited), or where the signal
// that killed it is not the one the kernel side saw last (it was sent before
// tracing began; a killed_by is better absent than wrong).
std::optional<KilledBy> classify_kill(const RawKill& raw, uint32_t pid, const ExitStatus& status);

// The contract's names: "process", "oom", "fault", "cpu_limit",
// "file_size_limit", "pipe", "other" (also the metrics' `by` label).
std::string_view kill_source_name(KillSource source);

// What follows "killed by SIGNAL": " from timeout(4312)", ": out of memory in
// /ci/job-42", " (fault)". The core-dump note merges into the parentheses.
// "exit 1"; "killed by SIGKILL from timeout(4312)"; "killed by SIGKILL: out of
// memory in /ci/job-42"; "killed by SIGSEGV (fault)"; "SIGABRT (core dumped)
// from prog(42)"; "SIGSEGV (fault, core dumped)". Without killed_by, as
// describe(status).
std::string describe(const ExitStatus& status, const KilledBy* killed_by);

// Only who or what: "timeout(4312)", "out of memory in /ci/job-42", "fault",
// "CPU time limit", "file size limit", "broken pipe", "the kernel".
std::string describe_killer(const KilledBy& killed_by);

}  // namespace ft
