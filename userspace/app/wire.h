// The one pipeline a run feeds, built alike for live tracing and replay: the
// model (given /proc's tick and the processes alive at the start), the views
// --format and --summary ask for (app/view_table.h) behind the output queue's
// bound, the --otlp exporter, the --job/--cgroup filter, the TUI and the
// metrics. Each path then feeds it from its own source: the probe's ring
// buffer (app/live.cpp) or the recordings (app/replay.cpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analysis/trace.h"
#include "app/options.h"
#include "app/otel_export.h"
#include "app/output.h"
#include "app/tui_session.h"
#include "model/seed.h"
#include "pipeline/pipeline.h"
#include "service/metrics.h"

namespace ft {

struct Wiring {
  explicit Wiring(bool threads) : pipeline(threads) {}
  Pipeline pipeline;
  std::unique_ptr<OtlpExport> otlp;  // --otlp URL
  std::unique_ptr<TuiSession> tui;   // --tui: restores the terminal when destroyed (before the pipeline)
  Metrics* metrics = nullptr;        // --metrics: one of the pipeline's sinks
};

// Null with `error` for a bad --otlp URL or a --tui that cannot start.
// `scope` says what was traced (live: the options; replay: the header).
std::unique_ptr<Wiring> wire(const Options& options, Output& output, const TraceClock& clock,
                             const analysis::TraceScope& scope, const otel::SpanConfig& otel,
                             const std::vector<SeedProcess>& seeds, std::string& error);

}  // namespace ft
