#include "app/wire.h"

#include "app/filters.h"
#include "host/proc.h"

namespace ft {

std::unique_ptr<Wiring> wire(const Options& o, Output& output, const TraceClock& clock,
                             const analysis::TraceScope& scope, const otel::SpanConfig& otel,
                             const std::vector<SeedProcess>& seeds, std::string& error) {
  auto w = std::make_unique<Wiring>(o.threads);
  Pipeline& pipeline = w->pipeline;
  pipeline.model().set_proc_tick_ns(proc_tick_ns());
  pipeline.model().keep_until_reaped(scope.knows_reaps);
  for (auto& view : make_views(o, output.file(), clock, scope, otel)) pipeline.add_view(std::move(view));
  if (OutputQueue* queue = output.queue()) pipeline.set_view_room([queue] { return queue->has_room(); });
  w->otlp = OtlpExport::start(o, otel, error);
  if (!w->otlp && !o.otlp_url.empty()) return nullptr;
  if (w->otlp) pipeline.add_sink(w->otlp->make_sink());
  install_filters(o, pipeline);
  pipeline.model().seed(seeds);
  if (o.tui) {
    if (!(w->tui = TuiSession::open(o, clock, scope, error))) return nullptr;
    pipeline.add_sink(w->tui->view());
    pipeline.set_lock(w->tui->lock());
  }
  if (!o.metrics_address.empty()) {
    auto sink = std::make_unique<Metrics>(scope.knows_reaps);
    w->metrics = sink.get();
    pipeline.add_sink(std::move(sink));
  }
  return w;
}

}  // namespace ft
