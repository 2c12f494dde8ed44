#include "export/otel/otlp_json_view.h"

#include "export/otel/otlp_json.h"

namespace ft::otel {

OtlpJsonView::OtlpJsonView(std::FILE* out, const SpanConfig& config)
    : out_(out),
      resource_(make_resource(config)),
      scope_(make_scope(config)),
      builder_(config, [this](Span&& span, bool root_ended) {
        batch_.push_back(std::move(span));
        if (root_ended || batch_.size() >= kMaxSpansPerLine) write_batch();
      }) {}

void OtlpJsonView::write_batch() {
  if (batch_.empty()) return;
  std::string line = encode_otlp_json(resource_, scope_, batch_);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), out_);
  batch_.clear();
}

void OtlpJsonView::finish() {
  builder_.finish();
  write_batch();
  std::fflush(out_);
}

}  // namespace ft::otel
