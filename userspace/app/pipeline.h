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
#include "views/sink.h"

namespace ft {

class Pipeline {
 public:
  explicit Pipeline(bool show_threads) : show_threads_(show_threads) {}

  void add_sink(std::unique_ptr<Sink> sink) { sinks_.push_back(std::move(sink)); }
  // Only processes it accepts reach the views (--job, --cgroup).
  void set_filter(std::function<bool(const Event&, const Process&)> filter) { filter_ = std::move(filter); }
  Lineage& model() { return model_; }
  // Held while an event is applied and handed to the views, for a view read
  // from another thread (--tui).
  void set_lock(std::mutex* lock) { lock_ = lock; }

  void feed(const Event& event);
  void finish();

  uint64_t events() const { return events_; }
  uint64_t lost() const { return lost_; }

 private:
  Lineage model_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  std::function<bool(const Event&, const Process&)> filter_;
  bool show_threads_;
  std::mutex* lock_ = nullptr;
  uint64_t events_ = 0;
  uint64_t lost_ = 0;
};

}  // namespace ft
