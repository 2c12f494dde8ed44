#include "views/html_view.h"

#include "views/html_report.h"

namespace ft {

HtmlView::HtmlView(std::FILE* out, ViewOptions options) : out_(out), options_(options) {}

void HtmlView::on_event(const Event& e, const Process& p) {
  if (!first_ns_) first_ns_ = e.ts_ns;
  last_ns_ = e.ts_ns;
  if (e.thread) return;
  forest_.add(p);
}

void HtmlView::on_lost(const Event& e) {
  if (!first_ns_) first_ns_ = e.ts_ns;
  last_ns_ = e.ts_ns;
  lost_ += e.lost_count;
}

void HtmlView::finish() {
  HtmlTraceInfo info{options_.clock, first_ns_, last_ns_, lost_, options_.failed_only};
  std::string page = render_html_page(html_report_json(forest_, info, interim_build_report(forest_)));
  std::fwrite(page.data(), 1, page.size(), out_);
  std::fflush(out_);
}

}  // namespace ft
