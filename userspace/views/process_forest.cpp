#include "views/process_forest.h"

#include <algorithm>

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

std::vector<bool> ProcessForest::failed_subtrees() const {
  std::vector<bool> failed(nodes_.size(), false);
  // An adopted child precedes its parent in nodes_, so walk the depth-first
  // order backwards: every child before its parent, and carry failures up.
  std::vector<std::pair<size_t, size_t>> order = depth_first();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    size_t i = it->first;
    const Process& p = *nodes_[i].process;
    if (p.exited && decode_wait_status(p.wait_status).failed()) failed[i] = true;
    if (failed[i] && nodes_[i].parent != npos) failed[nodes_[i].parent] = true;
  }
  return failed;
}

std::vector<ProcessForest::SubtreeUsage> ProcessForest::subtree_usage() const {
  std::vector<SubtreeUsage> totals(nodes_.size());
  // Children before parents, as in failed_subtrees().
  std::vector<std::pair<size_t, size_t>> order = depth_first();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    size_t i = it->first;
    SubtreeUsage& t = totals[i];
    t.processes++;
    if (const auto& usage = nodes_[i].process->usage) {
      t.with_usage++;
      t.cpu_ns += usage->cpu_ns();
      t.max_rss_kb = std::max(t.max_rss_kb, usage->max_rss_kb);
    }
    if (size_t parent = nodes_[i].parent; parent != npos) {
      SubtreeUsage& up = totals[parent];
      up.processes += t.processes;
      up.with_usage += t.with_usage;
      up.cpu_ns += t.cpu_ns;
      up.max_rss_kb = std::max(up.max_rss_kb, t.max_rss_kb);
    }
  }
  return totals;
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
