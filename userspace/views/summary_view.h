// `--summary`: the build report at the end of the trace (analysis/build_report.h),
// as text or, with --format json, as one JSON object.
#pragma once

#include <cstdio>
#include <string>

#include "analysis/trace.h"
#include "views/view_options.h"

namespace ft {

class SummaryView : public Sink {
 public:
  SummaryView(std::FILE* out, ViewOptions options, bool json = false);
  void on_event(const Event& event, const Process& process) override;
  void on_lost(const Event& event) override;
  void finish() override;

 private:
  std::FILE* out_;
  ViewOptions options_;
  bool json_;
  analysis::TraceBuilder builder_;
};

// "/usr/bin/gcc" → "gcc"; the comm when the process never exec'd anything known.
std::string executable_name(const Process& process);

}  // namespace ft
