#include "views/summary_view.h"

#include <fmt/format.h>

#include "analysis/build_report.h"
#include "format/text.h"
#include "views/report_json.h"
#include "views/report_text.h"

namespace ft {

std::string executable_name(const Process& p) {
  return printable(p.filename.empty() ? p.comm : basename_of(p.filename));
}

SummaryView::SummaryView(std::FILE* out, ViewOptions options, bool json)
    : out_(out), options_(options), json_(json), builder_(options.scope) {}

void SummaryView::on_event(const Event& e, const Process& p) { builder_.on_event(e, p); }

void SummaryView::on_lost(const Event& e) { builder_.on_lost(e); }

void SummaryView::finish() {
  analysis::Trace trace = builder_.take();
  analysis::BuildReport report = analysis::analyze_build(trace);
  if (json_)
    fmt::print(out_, "{}\n", dump_json(report_to_json(trace, report)));
  else
    print_report(out_, trace, report);
  std::fflush(out_);
}

}  // namespace ft
