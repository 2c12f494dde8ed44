// The OpenTelemetry export's wiring into the live and replay paths: which
// environment entries an exec keeps, the span configuration from the
// recording's header, and the --otlp exporter's life.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/options.h"
#include "export/otel/otlp_http_exporter.h"
#include "export/otel/span_builder.h"
#include "service/metrics.h"
#include "recording/trace_header.h"
#include "pipeline/sink.h"

namespace ft {

// Whether exec records must carry TRACEPARENT/TRACESTATE (--format otlp, --otlp).
bool wants_trace_context(const Options& options);

// What of an exec's environment is kept, in this order: the job marker
// (--job-env), then a valid TRACEPARENT and its TRACESTATE (when wanted).
void reduce_exec_env(std::vector<std::string>& env, const Options& options);

// The span model's configuration: from the header a recording has (or a live
// run would write), so that live and replay derive the same IDs.
otel::SpanConfig span_config(const TraceHeader& header);

// --otlp URL: the exporter and the sink that feeds it.
class OtlpExport {
 public:
  // Null without `error` when --otlp is not given; null with it on a bad URL.
  static std::unique_ptr<OtlpExport> start(const Options& options, const otel::SpanConfig& config,
                                           std::string& error);
  std::unique_ptr<Sink> make_sink();
  void update(Metrics& metrics) const;
  // After the pipeline finished: a line on stderr when spans were dropped,
  // and the numbers for the summary line.
  std::string summary() const;

 private:
  otel::SpanConfig config_;
  std::unique_ptr<otel::OtlpHttpExporter> exporter_;
};

}  // namespace ft
