// For root tests that start forktrace without a command (-p, whole machine):
// waits until it has attached its BPF programs, instead of sleeping for a
// time that a slow machine (an emulated guest, a loaded CI host) outlasts.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

namespace ft::test {

// True once `tracer` holds a BPF link for each BPF program it holds (every
// loaded program attached), or its links stopped growing for a second (a
// program that is loaded but never attached, such as a tail call's); false
// if it exited (left for the caller to reap) or `timeout` passed first.
inline bool wait_until_attached(pid_t tracer, std::chrono::milliseconds timeout) {
  using namespace std::chrono_literals;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string fds = "/proc/" + std::to_string(tracer) + "/fd";
  int last_links = 0;
  auto last_change = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    siginfo_t exited{};
    if (waitid(P_PID, static_cast<id_t>(tracer), &exited, WEXITED | WNOHANG | WNOWAIT) == 0 && exited.si_pid == tracer)
      return false;  // it gave up (still to be reaped by the caller)
    int links = 0, programs = 0;
    std::error_code ec;
    for (const auto& fd : std::filesystem::directory_iterator(fds, ec)) {
      std::string target = std::filesystem::read_symlink(fd.path(), ec).string();
      if (target == "anon_inode:bpf_link") links++;
      if (target == "anon_inode:bpf-prog") programs++;
    }
    auto now = std::chrono::steady_clock::now();
    if (links != last_links) {
      last_links = links;
      last_change = now;
    }
    if (links > 0 && (links >= programs || now - last_change >= 1s)) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

}  // namespace ft::test
