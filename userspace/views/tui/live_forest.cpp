#include "views/tui/live_forest.h"

#include <algorithm>

#include "analysis/rollup.h"

namespace ft::tui {

size_t LiveForest::add(const Process& process) {
  if (auto it = index_.find(&process); it != index_.end()) return it->second;
  size_t parent = npos;
  if (process.parent) {
    if (auto it = index_.find(process.parent.get()); it != index_.end()) parent = it->second;
  }
  size_t index = nodes_.size();
  nodes_.push_back(Node{process.shared_from_this(), parent, {}});
  index_[&process] = index;
  if (parent == npos) {
    roots_.push_back(index);
    if (process.parent) waiting_.emplace(process.parent.get(), index);
  } else {
    nodes_[parent].children.push_back(index);
  }
  auto [first, last] = waiting_.equal_range(&process);
  if (first != last) {
    std::vector<size_t> adopted;
    for (auto it = first; it != last; ++it) adopted.push_back(it->second);
    waiting_.erase(first, last);
    std::sort(adopted.begin(), adopted.end());  // in the order they were first seen
    for (size_t child : adopted) {
      nodes_[child].parent = index;
      nodes_[index].children.push_back(child);
    }
    std::erase_if(roots_, [this](size_t root) { return nodes_[root].parent != npos; });
  }
  return index;
}

std::vector<std::pair<size_t, size_t>> LiveForest::depth_first() const {
  return analysis::depth_first<size_t>(roots_, [this](size_t node) -> const std::vector<size_t>& { return nodes_[node].children; });
}

}  // namespace ft::tui
