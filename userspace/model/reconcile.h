// After lost events, the model is compared with the machine: what /proc shows
// alive that the model does not know gets a `fork` (and an `exec` where it
// runs another program than its parent) marked `recovered`; what the model
// thinks alive that /proc no longer has gets an `exit` marked
// `status_unknown`. Processes that started and ended inside the gap left no
// trace and are not guessed.
//
// A pure function over the model and a /proc snapshot (read by host/proc.h), so a
// fake /proc tests every case. Its events go through the normal intake path,
// so the recording carries them and a replay shows the same.
//
// Order matters to be right: snapshot /proc first, then drain the ring
// buffer, then reconcile. Records still in flight at the snapshot are then in
// the model, and a process missing from a snapshot taken after it started has
// ended for sure (its exit record was committed before it left /proc).
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "core/event.h"
#include "model/lineage.h"
#include "model/seed.h"

namespace ft {

struct ReconcileInput {
  std::vector<SeedProcess> proc;  // /proc, read at snapshot_ns
  uint64_t snapshot_ns = 0;       // boot time just before /proc was read
  // Processes (pid, start) whose exit the drain after the snapshot delivered:
  // /proc may still list them (zombies, or read before they ended).
  std::vector<std::pair<uint32_t, uint64_t>> exited_since;
  uint64_t tick_ns = Lineage::kDefaultProcTickNs;  // /proc's start-time precision (host/proc.h proc_tick_ns())
  // Which processes forktrace traces (-- CMD, -p): null for all of them.
  std::function<bool(const Process&)> traced;
};

// The events that bring `model` in line with /proc, in the order to apply
// them: exits of vanished processes first, then forks (parents before
// children), each followed by its exec. Every event is timed `snapshot_ns`.
std::vector<Event> reconcile(const Lineage& model, const ReconcileInput& input);

}  // namespace ft
