#include "app/live/periodic.h"

#include <algorithm>

namespace ft {

void PeriodicWork::every(uint64_t interval_ns, Task task) {
  tasks_.push_back(Entry{interval_ns, start_ns_, std::move(task)});
}

void PeriodicWork::run_due(uint64_t now_ns) {
  for (Entry& e : tasks_) {
    if (e.interval_ns && now_ns - e.last_ns < e.interval_ns) continue;
    e.last_ns = now_ns;
    e.task(now_ns);
  }
}

bool SpikeTrim::due(size_t live) {
  peak_ = std::max(peak_, live);
  if (peak_ >= kMinPeak && live * 2 < peak_) {
    peak_ = live;
    return true;
  }
  return false;
}

void RecordingWatch::tick(uint64_t now_ns, const std::function<void(const std::string&)>& report) {
  recorder_.tick(now_ns);  // a crash loses at most about a second of recording
  if (recorder_.failed() && !reported_) {
    report(recorder_.error() + "; tracing goes on, recording stopped");
    reported_ = true;
  }
  reported_ &= recorder_.failed();
}

}  // namespace ft
