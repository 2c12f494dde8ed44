// `--summary`: the build report at the end of the trace (analysis/build_report.h),
// as text or, with --format json, as one JSON object.
#pragma once

#include <cstdio>
#include <string>

#include "analysis/trace.h"
#include "views/trace_store.h"
#include "views/view_options.h"

namespace ft {

class SummaryView : public EndOfTraceView {
 public:
  // `store`: the run's shared store (views/trace_store.h); null: its own.
  SummaryView(std::FILE* out, ViewOptions options, bool json = false, const TraceStore* store = nullptr);
  void finish() override;

 private:
  std::FILE* out_;
  ViewOptions options_;
  bool json_;
};

}  // namespace ft
