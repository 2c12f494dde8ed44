#include "app/live/gap_repair.h"

#include "model/reconcile.h"

namespace ft {

size_t GapRepair::run(bool force) {
  if (!pending_) return 0;
  uint64_t now = sources_.now_ns();
  if (!force && ran_ && now - last_ns_ < kMinInterval_ns) return 0;
  pending_ = false;
  ran_ = true;
  last_ns_ = now;

  ReconcileInput input;
  input.snapshot_ns = now;
  input.tick_ns = pipeline_.model().proc_tick_ns();
  input.traced = traced_;
  // /proc first, then the ring: what was in flight at the snapshot is then
  // in the model, and is not taken for lost.
  input.proc = sources_.read_proc();
  intake_.watch_exits(&input.exited_since);
  sources_.drain();
  intake_.watch_exits(nullptr);
  std::vector<Event> events = reconcile(pipeline_.model(), input);
  for (Event& e : events) intake_.deliver(e);
  return events.size();
}

}  // namespace ft
