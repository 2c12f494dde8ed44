// After the kernel lost records, the model is reconciled with /proc
// (model/reconcile.h): snapshot /proc, drain the ring buffer, compare, and
// feed the resulting recovered/status_unknown events through intake, so the
// views, the metrics and the recording all get them.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "app/live/intake.h"
#include "pipeline/pipeline.h"
#include "model/seed.h"

namespace ft {

class GapRepair {
 public:
  struct Sources {
    std::function<std::vector<SeedProcess>()> read_proc;  // read_proc_processes()
    std::function<void()> drain;                          // read the ring until it is empty
    std::function<uint64_t()> now_ns;                     // boot time
  };
  static constexpr uint64_t kMinInterval_ns = 1'000'000'000;

  // `traced`: which processes the trace covers (-- CMD, -p); null for all.
  GapRepair(Pipeline& pipeline, Intake& intake, Sources sources, std::function<bool(const Process&)> traced)
      : pipeline_(pipeline), intake_(intake), sources_(std::move(sources)), traced_(std::move(traced)) {}

  // New losses were reported: a repair is due.
  void on_loss() { pending_ = true; }
  // Repairs when due, at most once per kMinInterval_ns while losses go on
  // (each repair reads all of /proc); `force` at the end of the trace.
  // Returns the number of events it added.
  size_t run(bool force = false);

 private:
  Pipeline& pipeline_;
  Intake& intake_;
  Sources sources_;
  std::function<bool(const Process&)> traced_;
  bool pending_ = false;
  bool ran_ = false;
  uint64_t last_ns_ = 0;
};

}  // namespace ft
