// `--format html`: the self-contained HTML report (views/html_report.h),
// written when the trace ends, live or on replay, byte for byte the same.
#pragma once

#include <cstdio>

#include "analysis/trace.h"
#include "views/trace_store.h"
#include "views/view_options.h"

namespace ft {

class HtmlView : public EndOfTraceView {
 public:
  // `store`: the run's shared store (views/trace_store.h); null: its own.
  HtmlView(std::FILE* out, ViewOptions options, const TraceStore* store = nullptr);
  void finish() override;

 private:
  std::FILE* out_;
  ViewOptions options_;
};

}  // namespace ft
