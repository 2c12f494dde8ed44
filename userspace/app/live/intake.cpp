#include "app/live/intake.h"

#include <algorithm>

#include "core/decode.h"
#include "service/job_marker.h"

namespace ft {

void Intake::on_record(const void* data, size_t size) {
  bool complete = false;
  if (assembler_.feed(data, size, event_, complete) != DecodeError::none) {
    decode_errors_++;
    return;
  }
  if (complete) deliver(event_);
}

// Recorded exactly as fed to the views, so a replay prints the same.
void Intake::deliver(Event& e) {
  // Records from two CPUs a few hundred nanoseconds apart can reach the ring
  // in an order their clocks disagree with. The ring's order respects
  // causality (a fork is committed before its child runs), so it is kept, and
  // such a timestamp is raised to its predecessor's: ts_ns never goes back.
  e.ts_ns = std::max(e.ts_ns, last_ts_ns_);
  last_ts_ns_ = e.ts_ns;
  if (e.cgroup_id && cgroups_) e.cgroup = cgroups_->path(e.cgroup_id, e.ts_ns);
  if (prepare_)
    prepare_(e);
  else if (e.kind == EventKind::exec && !job_env_.empty())
    keep_job_marker(e.env, job_env_);
  if (recorder_) recorder_->write(e);
  if (followed_) followed_->on_event(e);
  if (exits_ && e.kind == EventKind::exit && !e.thread) exits_->emplace_back(e.pid, e.start_ns);
  pipeline_.feed(e);
}

bool Intake::report_lost(const LostCounts& lost, uint64_t now_ns) {
  if (lost.total() <= lost_reported_.total()) return false;
  Event e;
  e.kind = EventKind::lost;
  e.ts_ns = now_ns;
  e.lost_fork = lost.fork - lost_reported_.fork;
  e.lost_exec = lost.exec - lost_reported_.exec;
  e.lost_exit = lost.exit - lost_reported_.exit;
  e.lost_exec_failed = lost.exec_failed - lost_reported_.exec_failed;
  e.lost_reap = lost.reap - lost_reported_.reap;
  e.lost_count = e.lost_fork + e.lost_exec + e.lost_exit + e.lost_exec_failed + e.lost_reap;
  lost_reported_ = lost;
  deliver(e);
  return true;
}

}  // namespace ft
