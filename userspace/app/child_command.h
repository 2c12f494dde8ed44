// The traced command (`forktrace -- CMD ...`): forked paused, so the probe can
// follow its pid before it runs anything, then released to exec.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ft {

class ChildCommand {
 public:
  // Forks a child that waits for release(). Under sudo it will run as the
  // invoking user (SUDO_UID/SUDO_GID). With a `terminal` (a pseudo-terminal's
  // slave, --tui), the command runs in a session of its own with it as its
  // controlling terminal and standard input, output and error.
  static std::unique_ptr<ChildCommand> start_paused(const std::vector<std::string>& argv,
                                                    std::string& error, int terminal = -1);
  ~ChildCommand();
  ChildCommand(const ChildCommand&) = delete;
  ChildCommand& operator=(const ChildCommand&) = delete;

  pid_t pid() const { return pid_; }

  // Lets the child exec. False with `error` when the exec failed; then the
  // child has already been reaped (wait_status() holds its status).
  bool release(std::string& error);

  // The raw wait status once the child has exited; never blocks.
  std::optional<int> poll_exit();
  // Readable once the child has exited (a pidfd, Linux 5.3), so a poll loop
  // can wake at once instead of at its next timeout; -1 where the kernel has
  // none, or once the child is reaped.
  int exit_fd() const { return exit_fd_; }
  void signal(int sig);

 private:
  ChildCommand() = default;

  pid_t pid_ = -1;
  int release_fd_ = -1;  // write end: closing it lets the child go
  int error_fd_ = -1;    // read end: the child's errno if exec failed, EOF on success
  int exit_fd_ = -1;     // pidfd: readable when the child has exited
  std::optional<int> status_;
};

}  // namespace ft
