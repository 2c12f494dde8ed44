#include "views/summary_view.h"

#include <fmt/format.h>

#include "analysis/build_report.h"
#include "format/text.h"
#include "views/report_json.h"
#include "views/report_text.h"

namespace ft {

SummaryView::SummaryView(std::FILE* out, ViewOptions options, bool json, const TraceStore* store)
    : out_(out), options_(options), json_(json), store_(store, options.scope) {}

void SummaryView::on_event(const Event& e, const Process& p) { store_.on_event(e, p); }

void SummaryView::on_lost(const Event& e) { store_.on_lost(e); }

void SummaryView::finish() {
  const analysis::Trace& trace = store_.trace();
  analysis::BuildReport report = analysis::analyze_build(trace);
  if (json_)
    fmt::print(out_, "{}\n", dump_json(report_to_json(trace, report)));
  else
    print_report(out_, trace, report);
  std::fflush(out_);
}

}  // namespace ft
