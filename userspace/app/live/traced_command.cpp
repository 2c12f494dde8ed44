#include "app/live/traced_command.h"

#include <signal.h>
#include <unistd.h>

#include "core/exit_status.h"

namespace ft {

std::unique_ptr<TracedCommand> TracedCommand::start(const std::vector<std::string>& argv, const Follow& follow,
                                                    std::string& error, int& fail_status, int terminal) {
  fail_status = 1;
  uint32_t self = static_cast<uint32_t>(getpid());
  if (follow.trace && !follow.trace(self, error)) return nullptr;
  auto child = ChildCommand::start_paused(argv, error, terminal);
  if (follow.untrace) follow.untrace(self);
  if (!child) return nullptr;
  if (!child->release(error)) {
    child->poll_exit();
    error = "cannot run " + argv[0] + ": " + error;
    fail_status = 127;
    return nullptr;
  }
  return std::unique_ptr<TracedCommand>(new TracedCommand(std::move(child)));
}

std::optional<int> TracedCommand::poll_exit() {
  auto raw = child_->poll_exit();
  if (!raw) return std::nullopt;
  return shell_status(decode_wait_status(static_cast<uint32_t>(*raw)));
}

void TracedCommand::forward_stop(int signal) {
  if (signal != SIGTERM || forwarded_) return;
  child_->signal(SIGTERM);
  forwarded_ = true;
}

}  // namespace ft
