// Events → model → views: the one path that live tracing and replay share,
// which is what makes a replay print exactly what the live run printed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/event.h"
#include "model/lineage.h"
#include "pipeline/sink.h"

namespace ft {

class Pipeline {
 public:
  explicit Pipeline(bool show_threads) : show_threads_(show_threads) {}

  // A sink that sees every event (metrics, an exporter).
  void add_sink(std::unique_ptr<Sink> sink) { sinks_.push_back({std::move(sink), false}); }
  // A view: without set_view_room() the same as add_sink().
  void add_view(std::unique_ptr<Sink> sink) { sinks_.push_back({std::move(sink), true}); }
  // Live: whether the views' output has room for another event (the output
  // queue's bound). Without room an event is dropped for the views alone,
  // whole, and counted; once there is room again the views get one `lost`
  // event with the count (lost_output) before the next event. The model and
  // the other sinks get everything.
  void set_view_room(std::function<bool()> room) { view_room_ = std::move(room); }
  // Only processes it accepts reach the views (--job, --cgroup).
  void set_filter(std::function<bool(const Event&, const Process&)> filter) { filter_ = std::move(filter); }
  Lineage& model() { return model_; }
  // Held while an event is applied and handed to the views, for a view read
  // from another thread (--tui).
  void set_lock(std::mutex* lock) { lock_ = lock; }

  void feed(const Event& event);
  void finish();

  uint64_t events() const { return events_; }
  uint64_t lost() const { return lost_; }  // in the kernel
  uint64_t lost_fork() const { return lost_fork_; }
  uint64_t lost_exec() const { return lost_exec_; }
  uint64_t lost_exit() const { return lost_exit_; }
  uint64_t lost_exec_failed() const { return lost_exec_failed_; }
  uint64_t not_shown() const { return not_shown_; }  // dropped for the views (no room)

 private:
  struct Entry {
    std::unique_ptr<Sink> sink;
    bool view;
  };
  void to_views_held_back(const Event& e);
  bool room_for_views();
  void feed_applied(const Event& event);  // lock held, not `lost`

  Lineage model_;
  std::vector<Entry> sinks_;
  std::function<bool()> view_room_;
  Event held_back_;  // the `lost` event the views have not been given yet
  bool holding_ = false;
  std::function<bool(const Event&, const Process&)> filter_;
  bool show_threads_;
  std::mutex* lock_ = nullptr;
  uint64_t events_ = 0;
  uint64_t lost_ = 0;
  uint64_t lost_fork_ = 0, lost_exec_ = 0, lost_exit_ = 0, lost_exec_failed_ = 0;
  uint64_t not_shown_ = 0;
};

}  // namespace ft
