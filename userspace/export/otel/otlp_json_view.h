// --format otlp: the trace's spans as OTLP/JSON lines. A line is written when
// a trace's root span ends, when 512 spans are waiting, and at the end, so
// the lines depend on the events alone and a replay writes the same bytes.
#pragma once

#include <cstdio>
#include <vector>

#include "export/otel/span_builder.h"
#include "pipeline/sink.h"

namespace ft::otel {

class OtlpJsonView : public Sink {
 public:
  static constexpr size_t kMaxSpansPerLine = 512;

  OtlpJsonView(std::FILE* out, const SpanConfig& config);
  void on_event(const Event& event, const Process& process) override { builder_.on_event(event, process); }
  void on_lost(const Event& event) override { builder_.on_lost(event); }
  void finish() override;

 private:
  void write_batch();

  std::FILE* out_;
  Resource resource_;
  Scope scope_;
  std::vector<Span> batch_;
  SpanBuilder builder_;
};

}  // namespace ft::otel
