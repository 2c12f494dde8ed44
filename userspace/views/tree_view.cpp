#include "views/tree_view.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/exit_status.h"
#include "views/format.h"

namespace ft {

TreeView::TreeView(std::FILE* out, ViewOptions options) : out_(out), options_(options) {}

void TreeView::on_event(const Event& e, const Process& p) {
  if (e.thread) return;
  forest_.add(p);
}

void TreeView::on_lost(const Event& e) { lost_ += e.lost_count; }

// Iterative, so a chain of a million generations neither overflows the stack
// nor prints lines of megabytes: past kMaxIndent levels the indentation stops
// growing and each line says its depth.
void TreeView::print(size_t root, const std::vector<bool>& failed,
                     const std::vector<ProcessForest::SubtreeUsage>& usage) {
  struct Item {
    size_t index;
    size_t depth;
    bool last;
  };
  std::vector<Item> stack{{root, 0, true}};
  std::vector<bool> rails;  // rails[k]: the ancestor at depth k+1 has later siblings
  std::vector<size_t> shown;
  while (!stack.empty()) {
    Item item = stack.back();
    stack.pop_back();
    const ProcessForest::Node& node = forest_.nodes()[item.index];
    const Process& p = *node.process;

    if (item.depth > 0) {
      rails.resize(std::min(item.depth - 1, kMaxIndent));
      if (item.depth <= kMaxIndent) rails.push_back(!item.last);
    }
    std::string indent;
    size_t drawn = std::min(item.depth, kMaxIndent);
    for (size_t k = 0; k + 1 < drawn; ++k) indent += rails[k] ? "│  " : "   ";
    if (item.depth > 0) indent += item.last ? "└─ " : "├─ ";
    if (item.depth > kMaxIndent) indent += fmt::format("[depth {}] ", item.depth);

    std::string command = p.argv.empty() ? "[" + printable(p.comm) + "]" : format_command(p.argv, p.argv_truncated);
    std::string status = p.status_unknown ? "ended ?  (status unknown: its exit was lost)"
                         : p.exited ? describe(decode_wait_status(p.wait_status)) + "  " + format_duration(p.duration_ns())
                                    : "running";
    if (p.usage) status += "  " + format_usage_brief(p.usage->cpu_ns(), p.usage->max_rss_kb);
    std::string extra = p.reparented ? fmt::format("  (reparented to {})", p.ppid) : "";
    if (const auto& sub = usage[item.index]; !node.children.empty() && sub.with_usage)
      extra += fmt::format("  [subtree: {} processes, cpu {}, peak rss {}]", sub.processes,
                           format_duration(sub.cpu_ns), format_kib(sub.max_rss_kb));
    // What forktrace did not see is marked, never passed off as seen.
    if (p.recovered) extra += "  ? recovered from /proc after lost events";
    else if (p.forker_unknown && !p.seeded) extra += "  ? its fork was not seen: parent uncertain";
    fmt::print(out_, "{}{} {}  {}{}\n", indent, p.pid, command, status, extra);

    shown.clear();
    for (size_t child : node.children)
      if (!options_.failed_only || failed[child]) shown.push_back(child);
    for (size_t i = shown.size(); i-- > 0;) stack.push_back({shown[i], item.depth + 1, i + 1 == shown.size()});
  }
}

void TreeView::finish() {
  std::vector<bool> failed = forest_.failed_subtrees();
  std::vector<ProcessForest::SubtreeUsage> usage = forest_.subtree_usage();
  for (size_t root : forest_.roots())
    if (!options_.failed_only || failed[root]) print(root, failed, usage);
  if (lost_) fmt::print(out_, "({} events lost in the kernel: the tree may be incomplete)\n", lost_);
  std::fflush(out_);
}

}  // namespace ft
