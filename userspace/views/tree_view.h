// `--format tree`: the process tree with exit statuses and durations, printed
// when the trace ends, from the traced command down (analysis/trace.h).
// Repeated successful siblings fold into one line, --max-depth summarises
// what lies deeper, failures and their path always stay visible, inner nodes
// show their subtree's totals, and outcomes are coloured on a terminal. It
// keeps every process of the trace, so it is meant for one command or a
// bounded replay rather than for weeks of a machine.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "analysis/build_report.h"
#include "analysis/trace.h"
#include "views/trace_store.h"
#include "views/view_options.h"

namespace ft {

class TreeView : public EndOfTraceView {
 public:
  // Siblings of one executable, all succeeded with no failure below, fold
  // into one line when there are at least this many.
  static constexpr size_t kFoldAt = 5;

  // `store`: the run's shared store (views/trace_store.h); null: its own.
  TreeView(std::FILE* out, ViewOptions options, const TraceStore* store = nullptr);
  void finish() override;

 private:
  static constexpr size_t kMaxIndent = 64;  // levels of indentation drawn
  void print(const analysis::Trace& trace, uint32_t root, const std::vector<analysis::Totals>& totals);
  std::string paint(const std::string& text, const char* color) const;

  std::FILE* out_;
  ViewOptions options_;
  std::vector<bool> leads_;  // per step: the failure path runs through it (--failed lists those first)
  std::vector<bool> cause_;  // per step: on the cause chain (analysis::failure_path), marked ▶
};

}  // namespace ft
