#include "views/html_view.h"

#include "analysis/build_report.h"
#include "views/html_report.h"
#include "views/report_json.h"

namespace ft {

HtmlView::HtmlView(std::FILE* out, ViewOptions options) : out_(out), options_(options), builder_(options.scope) {}

void HtmlView::on_event(const Event& e, const Process& p) {
  builder_.on_event(e, p);
  if (!first_ns_) first_ns_ = e.ts_ns;
  last_ns_ = e.ts_ns;
  if (e.thread) return;
  forest_.add(p);
}

void HtmlView::on_lost(const Event& e) {
  builder_.on_lost(e);
  if (!first_ns_) first_ns_ = e.ts_ns;
  last_ns_ = e.ts_ns;
  lost_ += e.lost_count;
}

void HtmlView::finish() {
  HtmlTraceInfo info{options_.clock, first_ns_, last_ns_, lost_, options_.failed_only};
  analysis::Trace trace = builder_.take();
  OrderedJson report = report_to_json(trace, analysis::analyze_build(trace));
  std::string page = render_html_page(html_report_json(forest_, info, report));
  std::fwrite(page.data(), 1, page.size(), out_);
  std::fflush(out_);
}

}  // namespace ft
