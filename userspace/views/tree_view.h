// `--format tree`: the process tree with exit statuses and durations,
// printed when the trace ends. It keeps every process of the trace, so it is
// meant for one command or a bounded replay rather than for weeks of a machine.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "views/process_forest.h"
#include "views/view_options.h"

namespace ft {

class TreeView : public Sink {
 public:
  TreeView(std::FILE* out, ViewOptions options);
  void on_event(const Event& event, const Process& process) override;
  void on_lost(const Event& event) override;
  void finish() override;

 private:
  static constexpr size_t kMaxIndent = 64;  // levels of indentation drawn
  void print(size_t root, const std::vector<bool>& failed, const std::vector<ProcessForest::SubtreeUsage>& usage);

  std::FILE* out_;
  ViewOptions options_;
  ProcessForest forest_;
  uint64_t lost_ = 0;
};

}  // namespace ft
