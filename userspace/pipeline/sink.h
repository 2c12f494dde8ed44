// What every view implements. The live path and the replay path feed the same
// views through pipeline/pipeline.h, which is how replay reproduces live output.
#pragma once

#include <cstdint>

#include "core/event.h"
#include "model/lineage.h"

namespace ft {

// What views need to know about the trace as a whole.
struct TraceClock {
  int64_t realtime_offset_ns = 0;  // add to a CLOCK_BOOTTIME ts for Unix epoch ns
  int64_t wall_ns(uint64_t boot_ns) const { return static_cast<int64_t>(boot_ns) + realtime_offset_ns; }
};

class Sink {
 public:
  virtual ~Sink() = default;
  // `process` is the event's subject after the event was applied to the model.
  virtual void on_event(const Event& event, const Process& process) = 0;
  virtual void on_lost(const Event& event) = 0;
  // End of the trace: print what is printed at the end, flush.
  virtual void finish() {}
};

}  // namespace ft
