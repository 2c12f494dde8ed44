#include "app/otel_export.h"

#include "export/otel/ids.h"
#include "export/otel/otlp_sink.h"
#include "service/job_marker.h"

namespace ft {

bool wants_trace_context(const Options& o) { return o.format == Format::otlp || !o.otlp_url.empty(); }

void reduce_exec_env(std::vector<std::string>& env, const Options& o) {
  std::vector<std::string> context;
  if (wants_trace_context(o)) {
    for (const std::string& entry : env) {
      if (entry.rfind("TRACEPARENT=", 0) == 0 && otel::parse_traceparent(std::string_view(entry).substr(12)))
        context.insert(context.begin(), entry);
      else if (entry.rfind("TRACESTATE=", 0) == 0 && entry.size() <= 11 + otel::kMaxTraceStateBytes)
        context.push_back(entry);
    }
    // TRACESTATE means nothing without a TRACEPARENT.
    if (context.empty() || context.front().rfind("TRACEPARENT=", 0) != 0) context.clear();
    if (context.size() > 2) context.resize(2);
  }
  if (!o.job_env.empty())
    keep_job_marker(env, o.job_env);
  else
    env.clear();
  env.insert(env.end(), context.begin(), context.end());
}

otel::SpanConfig span_config(const TraceHeader& h) {
  otel::SpanConfig c;
  c.boot_id = h.boot_id;
  // Recordings before version 3 have no boot ID: the host and the boot's
  // wall-clock time stand in, the same on every replay.
  if (c.boot_id.empty()) c.boot_id = h.hostname + "@" + std::to_string(h.realtime_offset_ns);
  c.host_name = h.hostname;
  c.version = FORKTRACE_VERSION;
  c.realtime_offset_ns = h.realtime_offset_ns;
  if (!h.traced_command.empty())
    c.scope = otel::TraceScope::command;
  else if (h.flags & kTraceFiltered)
    c.scope = otel::TraceScope::pids;
  return c;
}

std::unique_ptr<OtlpExport> OtlpExport::start(const Options& o, const otel::SpanConfig& config, std::string& error) {
  if (o.otlp_url.empty()) return nullptr;
  otel::OtlpHttpOptions options;
  options.url = o.otlp_url;
  if (!o.read_path.empty()) {
    // A replay waits for the endpoint rather than dropping what it reads.
    options.block_when_full = true;
    options.shutdown_timeout = std::chrono::minutes(2);
  }
  for (const std::string& h : o.otlp_headers) {
    size_t eq = h.find('=');
    options.headers.emplace_back(h.substr(0, eq), h.substr(eq + 1));
  }
  std::unique_ptr<OtlpExport> e(new OtlpExport());
  e->config_ = config;
  e->exporter_ = otel::OtlpHttpExporter::start(options, otel::make_resource(config), otel::make_scope(config), error);
  if (!e->exporter_) return nullptr;
  return e;
}

std::unique_ptr<Sink> OtlpExport::make_sink() { return std::make_unique<otel::OtlpSink>(config_, *exporter_); }

void OtlpExport::update(Metrics& metrics) const {
  otel::OtlpHttpStats s = exporter_->stats();
  metrics.set_otlp(s.exported, s.dropped, s.queued);
}

std::string OtlpExport::summary() const {
  otel::OtlpHttpStats s = exporter_->stats();
  std::string line = std::to_string(s.exported) + " spans sent over OTLP, " + std::to_string(s.dropped) + " dropped";
  if (s.dropped && !exporter_->last_error().empty()) line += " (last error: " + exporter_->last_error() + ")";
  return line;
}

}  // namespace ft
