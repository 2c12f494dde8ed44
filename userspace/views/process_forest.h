// The processes of a trace arranged by who forked whom, for views that print
// the whole lineage at the end (tree, chrome). It keeps every process it is
// given alive, so it grows with the trace.
#pragma once

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <vector>

#include "model/lineage.h"

namespace ft {

class ProcessForest {
 public:
  static constexpr size_t npos = static_cast<size_t>(-1);

  struct Node {
    std::shared_ptr<const Process> process;
    size_t parent = npos;
    std::vector<size_t> children;  // in the order they were first seen
  };

  // The node of this process, added under its forker's node if that is known.
  // A process added after its children (one that existed before tracing
  // began, followed with -p) adopts the ones that were roots for want of it.
  size_t add(const Process& process);

  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<size_t>& roots() const { return roots_; }

  // For each node: whether it or a descendant exited non-zero or by a signal.
  std::vector<bool> failed_subtrees() const;

  // What a node and all its descendants cost together.
  struct SubtreeUsage {
    uint64_t processes = 0;   // nodes in the subtree, itself included
    uint64_t with_usage = 0;  // of them, those whose usage is known
    uint64_t cpu_ns = 0;      // summed
    uint64_t max_rss_kb = 0;  // the largest peak: the processes may not have run at once
  };
  std::vector<SubtreeUsage> subtree_usage() const;

  // Node indices in depth-first order, each with its depth.
  std::vector<std::pair<size_t, size_t>> depth_first() const;

 private:
  std::vector<Node> nodes_;
  std::vector<size_t> roots_;
  std::unordered_map<const Process*, size_t> index_;
  // Roots whose forker is known to the model but not yet in the forest, by
  // forker. The child's node holds the forker alive, so the key stays unique.
  std::unordered_multimap<const Process*, size_t> waiting_;
};

}  // namespace ft
