// Decoding of raw wait statuses, exactly as wait(2)'s W* macros read them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ft {

struct ExitStatus {
  std::optional<int> exit_code;  // set when the process exited normally
  std::optional<int> signal;     // set when a signal killed it
  bool core_dumped = false;

  bool failed() const { return signal.has_value() || exit_code.value_or(0) != 0; }
};

ExitStatus decode_wait_status(uint32_t raw);

// "exit 0", "exit 3", "killed by SIGKILL", "SIGSEGV (core dumped)".
std::string describe(const ExitStatus& status);

// "SIGKILL"; "SIG42" for numbers without a name.
std::string signal_name(int signal);

// The status a shell reports: the exit code, or 128 + signal.
int shell_status(const ExitStatus& status);

}  // namespace ft
