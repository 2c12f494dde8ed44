#include "views/tree_view.h"

#include <fmt/format.h>

#include "core/exit_status.h"
#include "views/format.h"

namespace ft {

TreeView::TreeView(std::FILE* out, ViewOptions options) : out_(out), options_(options) {}

size_t TreeView::node_for(const Process& process) {
  if (auto it = index_.find(&process); it != index_.end()) return it->second;
  size_t parent = SIZE_MAX;
  if (process.parent) {
    if (auto it = index_.find(process.parent.get()); it != index_.end()) parent = it->second;
  }
  size_t index = nodes_.size();
  nodes_.push_back(Node{process.shared_from_this(), {}, false});
  index_[&process] = index;
  if (parent == SIZE_MAX)
    roots_.push_back(index);
  else
    nodes_[parent].children.push_back(index);
  return index;
}

void TreeView::on_event(const Event& e, const Process& p) {
  if (e.kind == EventKind::fork && e.thread) return;
  node_for(p);
}

void TreeView::on_lost(const Event& e) { lost_ += e.lost_count; }

void TreeView::print(size_t index, const std::string& prefix, bool last, bool root) {
  const Node& node = nodes_[index];
  const Process& p = *node.process;
  std::string command = p.argv.empty() ? "[" + printable(p.comm) + "]" : format_command(p.argv, p.argv_truncated);
  std::string status = p.exited ? describe(decode_wait_status(p.wait_status)) + "  " + format_duration(p.duration_ns())
                                : "running";
  std::string extra;
  if (p.reparented) extra = fmt::format("  (reparented to {})", p.ppid);
  std::string branch = root ? "" : (last ? "└─ " : "├─ ");
  fmt::print(out_, "{}{}{} {}  {}{}\n", prefix, branch, p.pid, command, status, extra);
  std::vector<size_t> shown;
  for (size_t child : node.children)
    if (!options_.failed_only || nodes_[child].has_failure) shown.push_back(child);
  std::string child_prefix = root ? prefix : prefix + (last ? "   " : "│  ");
  for (size_t i = 0; i < shown.size(); ++i) print(shown[i], child_prefix, i + 1 == shown.size(), false);
}

void TreeView::finish() {
  // Children come after their parents in nodes_, so one backward pass marks failures upward.
  std::vector<size_t> parent_of(nodes_.size(), SIZE_MAX);
  for (size_t i = 0; i < nodes_.size(); ++i)
    for (size_t c : nodes_[i].children) parent_of[c] = i;
  for (size_t i = nodes_.size(); i-- > 0;) {
    const Process& p = *nodes_[i].process;
    if (p.exited && decode_wait_status(p.wait_status).failed()) nodes_[i].has_failure = true;
    if (nodes_[i].has_failure && parent_of[i] != SIZE_MAX) nodes_[parent_of[i]].has_failure = true;
  }
  for (size_t root : roots_)
    if (!options_.failed_only || nodes_[root].has_failure) print(root, "", true, true);
  if (lost_) fmt::print(out_, "({} events lost in the kernel: the tree may be incomplete)\n", lost_);
  std::fflush(out_);
}

}  // namespace ft
