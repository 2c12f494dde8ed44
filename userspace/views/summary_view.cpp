#include "views/summary_view.h"

#include <fmt/format.h>

#include "analysis/build_report.h"
#include "format/text.h"
#include "views/report_json.h"
#include "views/report_text.h"

namespace ft {

SummaryView::SummaryView(std::FILE* out, ViewOptions options, bool json, const TraceStore* store)
    : EndOfTraceView(store, options.scope), out_(out), options_(options), json_(json) {}

void SummaryView::finish() {
  const analysis::Trace& t = trace();
  analysis::BuildReport report = analysis::analyze_build(t);
  if (json_)
    fmt::print(out_, "{}\n", dump_json(report_to_json(t, report)));
  else
    print_report(out_, t, report);
  std::fflush(out_);
}

}  // namespace ft
