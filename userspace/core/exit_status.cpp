#include "core/exit_status.h"

#include <sys/wait.h>

#include <csignal>
#include <cstring>

namespace ft {

ExitStatus decode_wait_status(uint32_t raw) {
  int status = static_cast<int>(raw);
  ExitStatus out;
  if (WIFEXITED(status)) {
    out.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    out.signal = WTERMSIG(status);
    out.core_dumped = WCOREDUMP(status);
  } else {
    // Stopped/continued statuses never end a process; keep the raw low byte.
    out.signal = status & 0x7f;
  }
  return out;
}

std::string signal_name(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  if (abbrev) return std::string("SIG") + abbrev;
  return "SIG" + std::to_string(signal);
}

std::string describe(const ExitStatus& status) {
  if (status.exit_code) return "exit " + std::to_string(*status.exit_code);
  std::string name = signal_name(status.signal.value_or(0));
  if (status.core_dumped) return name + " (core dumped)";
  return "killed by " + name;
}

int shell_status(const ExitStatus& status) {
  if (status.exit_code) return *status.exit_code;
  return 128 + status.signal.value_or(0);
}

}  // namespace ft
