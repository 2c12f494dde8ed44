#include "pipeline/pipeline.h"

namespace ft {

// The views' share of an event they could not take: counted, per kind, into
// the `lost` event they will get once there is room.
void Pipeline::to_views_held_back(const Event& e) {
  if (!holding_) {
    held_back_ = Event{};
    held_back_.kind = EventKind::lost;
    holding_ = true;
  }
  held_back_.ts_ns = e.ts_ns;
  if (e.kind == EventKind::lost) {
    held_back_.lost_count += e.lost_count;
    held_back_.lost_fork += e.lost_fork;
    held_back_.lost_exec += e.lost_exec;
    held_back_.lost_exit += e.lost_exit;
    held_back_.lost_exec_failed += e.lost_exec_failed;
    held_back_.lost_reap += e.lost_reap;
    held_back_.lost_output += e.lost_output;
    return;
  }
  not_shown_++;
  held_back_.lost_count++;
  held_back_.lost_output++;
  if (e.kind == EventKind::fork) held_back_.lost_fork++;
  if (e.kind == EventKind::exec) held_back_.lost_exec++;
  if (e.kind == EventKind::exit) held_back_.lost_exit++;
  if (e.kind == EventKind::exec_failed) held_back_.lost_exec_failed++;
  if (e.kind == EventKind::reap) held_back_.lost_reap++;
}

// Whether the views may have this event; first gives them what was held back.
bool Pipeline::room_for_views() {
  if (!view_room_) return true;
  if (!view_room_()) return false;
  if (holding_) {
    holding_ = false;
    for (auto& entry : sinks_)
      if (entry.view) entry.sink->on_lost(held_back_);
  }
  return true;
}

void Pipeline::feed(const Event& e) {
  std::unique_lock<std::mutex> guard;
  if (lock_) guard = std::unique_lock<std::mutex>(*lock_);
  if (e.kind == EventKind::lost) {
    lost_ += e.lost_count - e.lost_output;
    lost_fork_ += e.lost_fork;
    lost_exec_ += e.lost_exec;
    lost_exit_ += e.lost_exit;
    lost_exec_failed_ += e.lost_exec_failed;
    bool views = room_for_views();
    if (!views) to_views_held_back(e);
    for (auto& entry : sinks_)
      if (views || !entry.view) entry.sink->on_lost(e);
    return;
  }
  if (std::optional<Event> thread_exit = model_.as_thread_exit(e)) return feed_applied(*thread_exit);
  feed_applied(e);
}

void Pipeline::feed_applied(const Event& e) {
  ProcessPtr process = model_.apply(e);
  if (!process) return;  // a repeated exit, or the reap of a process whose exit was not seen
  events_++;
  if (e.thread && !show_threads_) return;
  if (filter_ && !filter_(e, *process)) return;
  bool views = room_for_views();
  if (!views) to_views_held_back(e);
  for (auto& entry : sinks_)
    if (views || !entry.view) entry.sink->on_event(e, *process);
}

void Pipeline::finish() {
  // The output drains at the end whatever it takes, so what was held back is said.
  if (holding_) {
    holding_ = false;
    for (auto& entry : sinks_)
      if (entry.view) entry.sink->on_lost(held_back_);
  }
  for (auto& entry : sinks_) entry.sink->finish();
}

}  // namespace ft
