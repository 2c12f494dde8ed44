#include "app/pipeline.h"

namespace ft {

void Pipeline::feed(const Event& e) {
  std::unique_lock<std::mutex> guard;
  if (lock_) guard = std::unique_lock<std::mutex>(*lock_);
  if (e.kind == EventKind::lost) {
    lost_ += e.lost_count;
    for (auto& sink : sinks_) sink->on_lost(e);
    return;
  }
  ProcessPtr process = model_.apply(e);
  if (!process) return;  // a repeated exit
  events_++;
  if (e.thread && !show_threads_) return;
  if (filter_ && !filter_(e, *process)) return;
  for (auto& sink : sinks_) sink->on_event(e, *process);
}

void Pipeline::finish() {
  for (auto& sink : sinks_) sink->finish();
}

}  // namespace ft
