#include "app/child_command.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace ft {
namespace {

// Parse SUDO_UID/SUDO_GID; false when absent or malformed.
bool sudo_ids(uid_t& uid, gid_t& gid) {
  const char* u = std::getenv("SUDO_UID");
  const char* g = std::getenv("SUDO_GID");
  if (!u || !g || !*u || !*g) return false;
  char* end = nullptr;
  unsigned long uv = std::strtoul(u, &end, 10);
  if (*end) return false;
  unsigned long gv = std::strtoul(g, &end, 10);
  if (*end) return false;
  uid = static_cast<uid_t>(uv);
  gid = static_cast<gid_t>(gv);
  return true;
}

// In the child: drop to the sudo caller, returning errno on failure.
int drop_to_sudo_caller() {
  uid_t uid;
  gid_t gid;
  if (geteuid() != 0 || !sudo_ids(uid, gid)) return 0;
  const char* user = std::getenv("SUDO_USER");
  if (user && *user) {
    if (initgroups(user, gid) != 0) return errno;
  } else if (setgroups(0, nullptr) != 0) {
    return errno;
  }
  if (setgid(gid) != 0 || setuid(uid) != 0) return errno;
  return 0;
}

// In the child: make `terminal` the controlling terminal and fds 0-2, owned
// by the user the command will run as (as login(1) does), so programs that
// reopen it by name, such as tty or ssh's password prompt, can.
int attach_terminal(int terminal) {
  if (setsid() < 0 || ioctl(terminal, TIOCSCTTY, 0) != 0) return errno;
  uid_t uid;
  gid_t gid;
  if (geteuid() == 0 && sudo_ids(uid, gid)) (void)!fchown(terminal, uid, gid);
  for (int fd = 0; fd <= 2; ++fd)
    if (dup2(terminal, fd) < 0) return errno;
  if (terminal > 2) close(terminal);
  return 0;
}

[[noreturn]] void child_main(int release_read, int error_write, const std::vector<std::string>& argv,
                             int terminal) {
  char go;
  while (read(release_read, &go, 1) < 0 && errno == EINTR) {
  }
  // The tracer's signal dispositions must not leak into the command.
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  int err = terminal >= 0 ? attach_terminal(terminal) : 0;
  if (err == 0) err = drop_to_sudo_caller();
  if (err == 0) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    err = errno;
  }
  (void)!write(error_write, &err, sizeof err);
  _exit(127);
}

}  // namespace

std::unique_ptr<ChildCommand> ChildCommand::start_paused(const std::vector<std::string>& argv,
                                                         std::string& error, int terminal) {
  int release[2], errors[2];
  if (pipe2(release, O_CLOEXEC) != 0 || pipe2(errors, O_CLOEXEC) != 0) {
    error = std::string("cannot create a pipe: ") + std::strerror(errno);
    return nullptr;
  }
  pid_t pid = fork();
  if (pid < 0) {
    error = std::string("cannot fork: ") + std::strerror(errno);
    return nullptr;
  }
  if (pid == 0) {
    close(release[1]);
    close(errors[0]);
    child_main(release[0], errors[1], argv, terminal);
  }
  close(release[0]);
  close(errors[1]);
  std::unique_ptr<ChildCommand> child(new ChildCommand());
  child->pid_ = pid;
  child->release_fd_ = release[1];
  child->error_fd_ = errors[0];
  child->exit_fd_ = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  return child;
}

ChildCommand::~ChildCommand() {
  if (release_fd_ >= 0) close(release_fd_);
  if (error_fd_ >= 0) close(error_fd_);
  if (exit_fd_ >= 0) close(exit_fd_);
  if (!status_ && pid_ > 0) {
    // Never leave a paused child behind: it would wait forever.
    kill(pid_, SIGKILL);
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

bool ChildCommand::release(std::string& error) {
  char go = 1;
  (void)!write(release_fd_, &go, 1);
  close(release_fd_);
  release_fd_ = -1;
  int err = 0;
  ssize_t n;
  while ((n = read(error_fd_, &err, sizeof err)) < 0 && errno == EINTR) {
  }
  close(error_fd_);
  error_fd_ = -1;
  if (n == sizeof err) {
    error = std::strerror(err);
    return false;
  }
  return true;
}

std::optional<int> ChildCommand::poll_exit() {
  if (status_) return status_;
  int status;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = status;
    if (exit_fd_ >= 0) close(exit_fd_);  // stays readable: a poll loop would spin on it
    exit_fd_ = -1;
  }
  return status_;
}

void ChildCommand::signal(int sig) {
  if (!status_) kill(pid_, sig);
}

}  // namespace ft
