// `--format html`: the self-contained HTML report (views/html_report.h),
// written when the trace ends, live or on replay, byte for byte the same.
#pragma once

#include <cstdio>

#include "views/process_forest.h"
#include "views/view_options.h"

// The build report comes from the analysis layer (userspace/analysis/) where
// it exists, or else from interim_build_report (views/html_report.h).
#if __has_include("analysis/build_report.h") && __has_include("views/report_json.h")
#define FORKTRACE_HTML_ANALYSIS 1
#include "analysis/trace.h"
#endif

namespace ft {

class HtmlView : public Sink {
 public:
  HtmlView(std::FILE* out, ViewOptions options);
  void on_event(const Event& event, const Process& process) override;
  void on_lost(const Event& event) override;
  void finish() override;

 private:
  std::FILE* out_;
  ViewOptions options_;
  ProcessForest forest_;
#ifdef FORKTRACE_HTML_ANALYSIS
  analysis::TraceBuilder builder_;
#endif
  uint64_t first_ns_ = 0, last_ns_ = 0, lost_ = 0;
};

}  // namespace ft
