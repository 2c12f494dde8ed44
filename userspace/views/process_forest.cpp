#include "views/process_forest.h"

#include "core/exit_status.h"

namespace ft {

size_t ProcessForest::add(const Process& process) {
  if (auto it = index_.find(&process); it != index_.end()) return it->second;
  size_t parent = npos;
  if (process.parent) {
    if (auto it = index_.find(process.parent.get()); it != index_.end()) parent = it->second;
  }
  size_t index = nodes_.size();
  nodes_.push_back(Node{process.shared_from_this(), parent, {}});
  index_[&process] = index;
  if (parent == npos)
    roots_.push_back(index);
  else
    nodes_[parent].children.push_back(index);
  return index;
}

std::vector<bool> ProcessForest::failed_subtrees() const {
  std::vector<bool> failed(nodes_.size(), false);
  // Children come after their parents, so one backward pass carries failures up.
  for (size_t i = nodes_.size(); i-- > 0;) {
    const Process& p = *nodes_[i].process;
    if (p.exited && decode_wait_status(p.wait_status).failed()) failed[i] = true;
    if (failed[i] && nodes_[i].parent != npos) failed[nodes_[i].parent] = true;
  }
  return failed;
}

std::vector<std::pair<size_t, size_t>> ProcessForest::depth_first() const {
  std::vector<std::pair<size_t, size_t>> order;
  std::vector<std::pair<size_t, size_t>> stack;
  for (auto it = roots_.rbegin(); it != roots_.rend(); ++it) stack.emplace_back(*it, 0);
  while (!stack.empty()) {
    auto [index, depth] = stack.back();
    stack.pop_back();
    order.emplace_back(index, depth);
    const auto& children = nodes_[index].children;
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.emplace_back(*it, depth + 1);
  }
  return order;
}

}  // namespace ft
