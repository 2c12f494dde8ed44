#include "app/followed.h"

#include "host/proc.h"

namespace ft {

void FollowedProcesses::add(uint32_t pid, uint64_t start_ns) { live_[pid] = start_ns; }

void FollowedProcesses::on_event(const Event& e) {
  if (e.thread) return;
  if (e.kind == EventKind::fork) live_[e.pid] = e.start_ns;
  if (e.kind == EventKind::exit) live_.erase(e.pid);
}

void FollowedProcesses::forget_vanished() {
  // /proc gives start times in clock ticks: allow for the rounding.
  const uint64_t slack = 2 * proc_tick_ns();
  for (auto it = live_.begin(); it != live_.end();) {
    std::optional<uint64_t> now = proc_start_ns(it->first);
    bool same = now && *now + slack >= it->second && it->second + slack >= *now;
    it = same ? std::next(it) : live_.erase(it);
  }
}

}  // namespace ft
