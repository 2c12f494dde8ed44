#include "views/html_view.h"

#include "analysis/build_report.h"
#include "views/html_report.h"
#include "views/report_json.h"

namespace ft {

HtmlView::HtmlView(std::FILE* out, ViewOptions options, const TraceStore* store)
    : EndOfTraceView(store, options.scope), out_(out), options_(options) {}

void HtmlView::finish() {
  const analysis::Trace& t = trace();
  HtmlTraceInfo info{options_.clock, t.first_ns, t.last_ns, t.lost, options_.failed_only};
  JsonPieces data;
  {
    OrderedJson report = report_to_json(t, analysis::analyze_build(t));
    data = html_report_pieces(t, info, report);
  }
  // Written piece by piece, each compressed and freed as it goes.
  write_html_page(std::move(data), [this](std::string_view text) { std::fwrite(text.data(), 1, text.size(), out_); });
  std::fflush(out_);
}

}  // namespace ft
