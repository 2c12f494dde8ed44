#include "views/html_view.h"

#include "analysis/build_report.h"
#include "views/html_report.h"
#include "views/report_json.h"

namespace ft {

HtmlView::HtmlView(std::FILE* out, ViewOptions options, const TraceStore* store)
    : out_(out), options_(options), store_(store, options.scope) {}

void HtmlView::on_event(const Event& e, const Process& p) { store_.on_event(e, p); }

void HtmlView::on_lost(const Event& e) { store_.on_lost(e); }

void HtmlView::finish() {
  const analysis::Trace& trace = store_.trace();
  HtmlTraceInfo info{options_.clock, trace.first_ns, trace.last_ns, trace.lost, options_.failed_only};
  JsonPieces data;
  {
    OrderedJson report = report_to_json(trace, analysis::analyze_build(trace));
    data = html_report_pieces(trace, info, report);
  }
  // Written piece by piece, each compressed and freed as it goes.
  write_html_page(std::move(data), [this](std::string_view text) { std::fwrite(text.data(), 1, text.size(), out_); });
  std::fflush(out_);
}

}  // namespace ft
