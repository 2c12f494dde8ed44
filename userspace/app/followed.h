// -p PID: the processes followed, so the run ends once all of them have
// exited. The kernel filter cannot tell: its entries go when a task is freed,
// which can lag by minutes. Events keep this set; once a second it forgets any
// process whose exit was lost (gone from /proc, or its pid taken by another).
#pragma once

#include <cstdint>
#include <unordered_map>

#include "core/event.h"

namespace ft {

class FollowedProcesses {
 public:
  void add(uint32_t pid, uint64_t start_ns);
  // A process fork adds the child; a process exit removes it.
  void on_event(const Event& event);
  void forget_vanished();
  bool empty() const { return live_.empty(); }

 private:
  std::unordered_map<uint32_t, uint64_t> live_;  // pid → start, boot time
};

}  // namespace ft
