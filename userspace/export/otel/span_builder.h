// From events and the lineage model to OpenTelemetry spans: one span per
// process, from its start to its exit, under the span of the process that
// forked it (not a reaper it was reparented to). Pure: no I/O, no clock; the
// IDs come from (boot ID, pid, start time), so live and replay agree.
//
// Traces:
//  - a traced command (`-- CMD`) is one trace; so is each `-p` process;
//  - a whole-machine trace has one trace per top-level tree: a process
//    whose forker has no span (it was running before tracing began) starts one;
//  - a job (`--job-env`) is one trace, whose ID is derived from the job ID
//    alone, so every node's spans of that job land in the same trace;
//  - a TRACEPARENT in the environment of a trace's root process, or of a
//    job's root, at its exec puts the spans in that trace under that span.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/event.h"
#include "export/otel/span.h"
#include "model/lineage.h"

namespace ft::otel {

// Which kind of trace it was, as the recording's header says.
enum class TraceScope { machine, command, pids };

struct SpanConfig {
  std::string boot_id;
  std::string host_name;
  std::string version;  // forktrace's
  int64_t realtime_offset_ns = 0;
  TraceScope scope = TraceScope::machine;
};

// host.name, service.name, service.version, os.type, and forktrace's boot ID.
Resource make_resource(const SpanConfig& config);
Scope make_scope(const SpanConfig& config);

// The environment entries the span model reads at exec ("NAME=value").
inline constexpr const char* kTraceParentEnv = "TRACEPARENT";
inline constexpr const char* kTraceStateEnv = "TRACESTATE";
inline constexpr size_t kMaxTraceStateBytes = 512;  // W3C trace context's limit

// Valid UTF-8: invalid bytes become U+FFFD.
std::string to_utf8(const std::string& bytes);

class SpanBuilder {
 public:
  static constexpr size_t kMaxExecEvents = 128;  // exec and exec_failed events per span; more are counted as dropped

  // `root_ended` is true when the span is the root of its trace in this
  // trace (no parent span of forktrace's), which is when a batch is worth sending.
  using Emit = std::function<void(Span&& span, bool root_ended)>;

  SpanBuilder(SpanConfig config, Emit emit);

  void on_event(const Event& event, const Process& process);
  void on_lost(const Event& event);
  // Ends every open span at the trace's last timestamp, marked
  // `forktrace.process.running`, in start order.
  void finish();

  size_t open_spans() const { return open_.size(); }

 private:
  struct Open {
    std::shared_ptr<const Process> process;
    SpanId span{};
    TraceId trace{};
    SpanId parent{};
    std::string trace_state;
    std::string job;         // the job whose trace it is in, "" when none
    std::string cgroup;
    bool root = false;       // no parent span of forktrace's
    bool context_adopted = false;  // its trace came from a TRACEPARENT
    std::vector<SpanEvent> events;
    uint32_t dropped_events = 0;
  };

  Open& open_for(const Process& process);
  void on_exec(Open& open, const Event& event, const Process& process);
  void on_exec_failed(Open& open, const Event& event);
  void add_event(Open& open, SpanEvent event);
  void end(Open& open, const Process& process, bool running);
  int64_t wall(uint64_t boot_ns) const { return static_cast<int64_t>(boot_ns) + config_.realtime_offset_ns; }

  SpanConfig config_;
  Emit emit_;
  std::unordered_map<const Process*, Open> open_;
  uint64_t last_ts_ns_ = 0;
};

}  // namespace ft::otel
