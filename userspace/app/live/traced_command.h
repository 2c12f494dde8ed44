// The traced command (`forktrace -- CMD ...`): started paused while forktrace
// itself is followed, so the kernel records the command's fork and adds its
// pid to the filter before it runs anything; then released to exec. Its exit
// ends the trace, and forktrace exits with its status.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/child_command.h"

namespace ft {

class TracedCommand {
 public:
  // How the probe follows a pid (Probe::trace_pid / untrace_pid).
  struct Follow {
    std::function<bool(uint32_t pid, std::string& error)> trace;
    std::function<void(uint32_t pid)> untrace;
  };

  // Null with `error` and the exit status to end with (1, or 127 when the
  // command could not be executed) on failure.
  // With a `terminal` (--tui), the command runs on that pseudo-terminal (ChildCommand).
  static std::unique_ptr<TracedCommand> start(const std::vector<std::string>& argv, const Follow& follow,
                                              std::string& error, int& fail_status, int terminal = -1);

  // The command's status as a shell reports it, once it has exited; never blocks.
  std::optional<int> poll_exit();
  // SIGTERM to forktrace is passed on to the command, once. (Ctrl-C reaches
  // it through the terminal.)
  void forward_stop(int signal);
  int pid() const { return child_->pid(); }
  // Readable once the command has exited (ChildCommand::exit_fd); -1 if none.
  int exit_fd() const { return child_->exit_fd(); }

 private:
  explicit TracedCommand(std::unique_ptr<ChildCommand> child) : child_(std::move(child)) {}
  std::unique_ptr<ChildCommand> child_;
  bool forwarded_ = false;
};

}  // namespace ft
