// `--format tree`: the process tree with exit statuses and durations,
// printed when the trace ends. It keeps every process of the trace, so it is
// meant for one command or a bounded replay rather than for weeks of a machine.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "views/view_options.h"

namespace ft {

class TreeView : public Sink {
 public:
  TreeView(std::FILE* out, ViewOptions options);
  void on_event(const Event& event, const Process& process) override;
  void on_lost(const Event& event) override;
  void finish() override;

 private:
  struct Node {
    std::shared_ptr<const Process> process;
    std::vector<size_t> children;
    bool has_failure = false;  // itself or a descendant failed
  };

  size_t node_for(const Process& process);
  void print(size_t index, const std::string& prefix, bool last, bool root);

  std::FILE* out_;
  ViewOptions options_;
  std::vector<Node> nodes_;
  std::vector<size_t> roots_;
  std::unordered_map<const Process*, size_t> index_;
  uint64_t lost_ = 0;
};

}  // namespace ft
