// The TUI's live tree: the processes it was shown, arranged by who forked
// whom, each node holding the model's own Process (so a running process shows
// its state as of now, and there is no second copy of it). The end-of-trace
// views read the whole-trace store instead (analysis/trace.h); this is the
// TUI's room, fed by the same events, and it walks and rolls up with the same
// functions (analysis/rollup.h). It keeps every process it is given alive, so
// it grows with the trace.
#pragma once

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <vector>

#include "model/lineage.h"

namespace ft::tui {

class LiveForest {
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

}  // namespace ft::tui
