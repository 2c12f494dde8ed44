// --otlp URL: the span builder's spans, as processes end, into the exporter's
// queue. At the end the processes still running are ended and marked, and
// the exporter sends what is left.
#pragma once

#include <memory>

#include "export/otel/otlp_http_exporter.h"
#include "export/otel/span_builder.h"
#include "pipeline/sink.h"

namespace ft::otel {

class OtlpSink : public Sink {
 public:
  OtlpSink(const SpanConfig& config, OtlpHttpExporter& exporter)
      : exporter_(exporter), builder_(config, [this](Span&& span, bool) { exporter_.enqueue(std::move(span)); }) {}
  void on_event(const Event& event, const Process& process) override { builder_.on_event(event, process); }
  void on_lost(const Event& event) override { builder_.on_lost(event); }
  void finish() override {
    builder_.finish();
    exporter_.shutdown();
  }

 private:
  OtlpHttpExporter& exporter_;
  SpanBuilder builder_;
};

}  // namespace ft::otel
