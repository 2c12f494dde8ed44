// Intake: what happens to each record from the kernel, in order, on the one
// thread that reads the ring buffer: decode → timestamps that never go back →
// cgroup path and job marker → recording (-w) → the followed set (-p) → the
// pipeline (model, metrics, views). Nothing here waits for a view's output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "app/followed.h"
#include "pipeline/pipeline.h"
#include "core/argv_assembly.h"
#include "core/event.h"
#include "probe/probe.h"
#include "host/cgroup_resolver.h"
#include "recording/recorder.h"

namespace ft {

class Intake {
 public:
  // Every pointer may be null: no cgroup paths, no recording, no -p.
  Intake(Pipeline& pipeline, CgroupResolver* cgroups, Recorder* recorder, FollowedProcesses* followed,
         std::string job_env)
      : pipeline_(pipeline), cgroups_(cgroups), recorder_(recorder), followed_(followed), job_env_(std::move(job_env)) {}

  // The probe's record handler: a malformed record is counted and skipped.
  void on_record(const void* data, size_t size);
  // An event from anywhere else (a loss, a reconciliation): the same path.
  void deliver(Event& event);
  // The probe's cumulative counts of lost records: the increase since the
  // last call, if any, becomes one `lost` event at `now_ns` (boot time).
  // Returns whether there was one.
  bool report_lost(const LostCounts& lost, uint64_t now_ns);

  uint64_t decode_errors() const { return decode_errors_; }
  // Runs on each event before the recording sees it (env reduction,
  // --redact); without it, an exec keeps only the job marker.
  void set_prepare(std::function<void(Event&)> prepare) { prepare_ = std::move(prepare); }
  // While set, each process exit delivered is noted there as (pid, start).
  void watch_exits(std::vector<std::pair<uint32_t, uint64_t>>* exits) { exits_ = exits; }

 private:
  Pipeline& pipeline_;
  CgroupResolver* cgroups_;
  Recorder* recorder_;
  FollowedProcesses* followed_;
  std::string job_env_;
  std::function<void(Event&)> prepare_;
  Event event_;  // reused: its strings and vectors keep their capacity
  RecordAssembler assembler_;  // joins an argv sent in several records
  uint64_t last_ts_ns_ = 0;
  LostCounts lost_reported_;
  uint64_t decode_errors_ = 0;
  std::vector<std::pair<uint32_t, uint64_t>>* exits_ = nullptr;
};

}  // namespace ft
