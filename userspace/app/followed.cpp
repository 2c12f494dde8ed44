#include "app/followed.h"

#include "model/seed.h"

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
    SeedProcess now;
    bool same = read_proc_process(it->first, now) && now.start_ns + slack >= it->second &&
                it->second + slack >= now.start_ns;
    it = same ? std::next(it) : live_.erase(it);
  }
}

}  // namespace ft
