// For root tests that start forktrace without a command (-p, whole machine):
// waits until it is tracing, instead of sleeping for a time that a slow
// machine (an emulated guest, a loaded CI host) outlasts, or guessing from
// its file descriptors (a pause of a second between two attaches under load
// once looked like the end of attaching).
//
// forktrace says READY=1 to $NOTIFY_SOCKET (sd_notify) once its programs are
// attached and it reads the ring buffer: the fact the tests wait for.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ft::test {

// A datagram socket named in NOTIFY_SOCKET for as long as it lives, so every
// forktrace this test starts meanwhile reports to it.
class ReadyNotice {
 public:
  ReadyNotice() {
    static std::atomic<int> serial{0};
    path_ = "/tmp/ft-notify." + std::to_string(getpid()) + "." + std::to_string(serial++);
    unlink(path_.c_str());
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
    setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  }
  ~ReadyNotice() {
    unsetenv("NOTIFY_SOCKET");
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  ReadyNotice(const ReadyNotice&) = delete;
  ReadyNotice& operator=(const ReadyNotice&) = delete;

  // True once `tracer` said READY=1; false if it exited first (left for the
  // caller to reap) or `timeout` passed.
  bool wait(pid_t tracer, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      siginfo_t exited{};
      if (waitid(P_PID, static_cast<id_t>(tracer), &exited, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          exited.si_pid == tracer)
        return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char message[512];
      ssize_t n = recv(fd_, message, sizeof message - 1, 0);
      if (n <= 0) continue;
      message[n] = '\0';
      // One message may hold several assignments, a line each.
      std::string text = "\n" + std::string(message) + "\n";
      if (text.find("\nREADY=1\n") != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace ft::test
