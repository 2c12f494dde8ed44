// `--format html`: the self-contained HTML report (views/html_report.h),
// written when the trace ends, live or on replay, byte for byte the same.
#pragma once

#include <cstdio>

#include "analysis/trace.h"
#include "views/process_forest.h"
#include "views/view_options.h"

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
  analysis::TraceBuilder builder_;  // the build report, from the analysis layer
  uint64_t first_ns_ = 0, last_ns_ = 0, lost_ = 0;
};

}  // namespace ft
