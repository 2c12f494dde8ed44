#include "views/tree_view.h"

#include <fmt/format.h>

#include "core/exit_status.h"
#include "views/format.h"

namespace ft {

TreeView::TreeView(std::FILE* out, ViewOptions options) : out_(out), options_(options) {}

void TreeView::on_event(const Event& e, const Process& p) {
  if (e.thread) return;
  forest_.add(p);
}

void TreeView::on_lost(const Event& e) { lost_ += e.lost_count; }

void TreeView::print(size_t index, const std::string& prefix, bool last, bool root,
                     const std::vector<bool>& failed) {
  const ProcessForest::Node& node = forest_.nodes()[index];
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
    if (!options_.failed_only || failed[child]) shown.push_back(child);
  std::string child_prefix = root ? prefix : prefix + (last ? "   " : "│  ");
  for (size_t i = 0; i < shown.size(); ++i) print(shown[i], child_prefix, i + 1 == shown.size(), false, failed);
}

void TreeView::finish() {
  std::vector<bool> failed = forest_.failed_subtrees();
  for (size_t root : forest_.roots())
    if (!options_.failed_only || failed[root]) print(root, "", true, true, failed);
  if (lost_) fmt::print(out_, "({} events lost in the kernel: the tree may be incomplete)\n", lost_);
  std::fflush(out_);
}

}  // namespace ft
