#include "views/tree_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/errno_label.h"
#include "core/exit_status.h"
#include "views/view_options.h"
#include "format/text.h"
#include "views/report_text.h"

namespace ft {
namespace {

using namespace analysis;

constexpr const char* kGreen = "\033[32m";
constexpr const char* kRed = "\033[1;31m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kDim = "\033[2m";

// One line to print: a process, a fold of siblings, or what --max-depth hides.
struct Item {
  enum Kind { step, fold, hidden } kind = step;
  uint32_t index = kNone;          // step: the process; fold: the first of them
  std::vector<uint32_t> members;   // fold: every folded sibling; hidden: what is not shown
  size_t depth = 0;
  bool last = false;
};

std::string totals_text(const Totals& t, bool with_usage) {
  std::string s = fmt::format("{} process{}", t.processes, t.processes == 1 ? "" : "es");
  if (t.failed) s += fmt::format(", {} failed", t.failed);
  if (with_usage && t.with_usage) s += ", cpu " + format_duration(t.cpu_ns) + ", peak rss " + format_kib(t.max_rss_kb);
  return s;
}

}  // namespace

TreeView::TreeView(std::FILE* out, ViewOptions options, const TraceStore* store)
    : EndOfTraceView(store, options.scope), out_(out), options_(options) {}

std::string TreeView::paint(const std::string& text, const char* color) const {
  return options_.color ? std::string(color) + text + "\033[0m" : text;
}

// Iterative, so a chain of a million generations neither overflows the stack
// nor prints lines of megabytes: past kMaxIndent levels the indentation stops
// growing and each line says its depth.
void TreeView::print(const Trace& t, uint32_t root, const std::vector<Totals>& totals) {
  std::vector<Item> stack{{Item::step, root, {}, 0, true}};
  std::vector<bool> rails;  // rails[k]: the ancestor at depth k+1 has later siblings
  std::vector<Item> shown;
  while (!stack.empty()) {
    Item item = std::move(stack.back());
    stack.pop_back();

    if (item.depth > 0) {
      rails.resize(std::min(item.depth - 1, kMaxIndent));
      if (item.depth <= kMaxIndent) rails.push_back(!item.last);
    }
    std::string indent;
    size_t drawn = std::min(item.depth, kMaxIndent);
    for (size_t k = 0; k + 1 < drawn; ++k) indent += rails[k] ? "│  " : "   ";
    if (item.depth > 0) indent += item.last ? "└─ " : "├─ ";
    if (item.depth > kMaxIndent) indent += fmt::format("[depth {}] ", item.depth);

    if (item.kind == Item::hidden) {
      Totals sum;
      for (uint32_t s : item.members) {
        sum.max_rss_kb = std::max(sum.max_rss_kb, totals[s].max_rss_kb);
        sum.processes += totals[s].processes;
        sum.cpu_ns += totals[s].cpu_ns;
        sum.with_usage += totals[s].with_usage;
      }
      fmt::print(out_, "{}{}\n", indent,
                 paint(fmt::format("… {} below --max-depth, all exit 0", totals_text(sum, t.has_usage)), kDim));
      continue;
    }
    const Step& s = t.steps[item.index];
    if (item.kind == Item::fold) {
      Totals sum;
      uint64_t wall = 0;
      for (uint32_t m : item.members) {
        sum.max_rss_kb = std::max(sum.max_rss_kb, totals[m].max_rss_kb);
        sum.processes += totals[m].processes;
        sum.cpu_ns += totals[m].cpu_ns;
        sum.with_usage += totals[m].with_usage;
        wall += t.steps[m].duration_ns();
      }
      std::string below = sum.processes > item.members.size() ? fmt::format("  {} processes", sum.processes) : "";
      std::string cpu = t.has_usage && sum.with_usage ? "  " + format_duration(sum.cpu_ns) + " CPU" : "";
      fmt::print(out_, "{}{} × {} …  {}  {} in all{}{}\n", indent, item.members.size(), printable(std::string(executable_of(t, s))),
                 paint("all exit 0", kGreen), format_duration(wall), cpu, below);
      continue;
    }

    std::string status;
    if (!s.exited)
      status = paint("running", kYellow);
    else if (s.status_unknown)
      status = paint("ended ?", kYellow) + "  (status unknown: its exit was lost)";
    else
      status = paint(step_status(s), s.failed() ? kRed : kGreen) + "  " + format_duration(s.duration_ns());
    std::string extra = s.reparented ? fmt::format("  (reparented to {})", s.ppid) : "";
    // Where a container begins (or is left), as the text view marks it.
    extra += container_mark(s.container, s.parent != kNone ? t.steps[s.parent].container : nullptr, s.pid, s.nspid);
    if (s.usage) status += "  " + format_usage_brief(s.usage->cpu_ns(), s.usage->peak_rss_kb());
    // A long zombie time, or none at all yet (where the trace reports reaps).
    if (t.scope.knows_reaps && s.exited && !s.status_unknown && !s.reaped)
      status += "  " + paint(fmt::format("[zombie: never reaped, parent {}]", s.ppid), kYellow);
    else if (s.reaped && s.zombie_ns >= kLongZombieNs)
      status += "  " + paint(fmt::format("[zombie {} until reaped by {}({})]", format_duration(s.zombie_ns),
                                         printable(std::string(t.str(s.reaper_comm))), s.reaper_pid),
                             kYellow);
    if (!s.children.empty()) extra += "  [" + totals_text(totals[item.index], t.has_usage) + "]";
    // Exec attempts nothing satisfied (exit 127); PATH-search misses only with -v.
    constexpr size_t kShownAttempts = 8;
    for (size_t i = 0; i < s.unsatisfied_execs.count && i < kShownAttempts; ++i) {
      const FailedExecStep& f = t.failed_execs_begin(s)[i];
      extra += paint(fmt::format("  [exec {} failed: {}]", printable(std::string(t.str(f.filename))), errno_label(f.error)),
                     kRed);
    }
    size_t listed = std::min<size_t>(s.unsatisfied_execs.count, kShownAttempts);
    if (s.unsatisfied_exec_count > listed)
      extra += paint(fmt::format("  [+{} more failed execs]", s.unsatisfied_exec_count - listed), kRed);
    if (options_.verbose && s.folded_exec_misses)
      extra += fmt::format("  ({} PATH-search misses)", s.folded_exec_misses);
    // What forktrace did not see is marked, never passed off as seen.
    if (s.recovered)
      extra += "  " + paint("? recovered from /proc after lost events", kYellow);
    else if (s.forker_unknown)
      extra += "  " + paint("? its fork was not seen: parent uncertain", kYellow);
    // The cause path (the traced command down to the deepest failure its own came from) is marked.
    const char* mark = item.index < cause_.size() && cause_[item.index] ? "▶ " : "";
    fmt::print(out_, "{}{}{} {}  {}{}\n", indent, mark, s.pid, shorten(step_command(t, s), options_.max_command_bytes), status, extra);

    // Its children: only failed subtrees with --failed, and below --max-depth;
    // successful runs of one executable folded.
    bool deep = options_.max_depth && item.depth + 1 > options_.max_depth;
    shown.clear();
    std::vector<uint32_t> hidden;
    std::map<std::string_view, std::vector<uint32_t>> foldable;
    for (uint32_t c : s.children) {
      const Step& child = t.steps[c];
      bool clean = child.exited && totals[c].failed == 0;
      if (options_.failed_only && totals[c].failed == 0) continue;
      if (deep && totals[c].failed == 0) {
        hidden.push_back(c);
        continue;
      }
      if (clean) foldable[executable_of(t, child)].push_back(c);
    }
    std::map<uint32_t, const std::vector<uint32_t>*> fold_at;  // first member → the group
    std::unordered_map<uint32_t, bool> skip;
    for (const auto& [name, members] : foldable) {
      if (members.size() < kFoldAt) continue;
      fold_at[members.front()] = &members;
      for (size_t i = 1; i < members.size(); ++i) skip[members[i]] = true;
    }
    for (uint32_t c : s.children) {
      if (options_.failed_only && totals[c].failed == 0) continue;
      if (deep && totals[c].failed == 0) continue;
      if (skip.count(c)) continue;
      if (auto it = fold_at.find(c); it != fold_at.end())
        shown.push_back(Item{Item::fold, c, *it->second, item.depth + 1, false});
      else
        shown.push_back(Item{Item::step, c, {}, item.depth + 1, false});
    }
    // --failed: the failure path first, then the handled failures.
    if (options_.failed_only)
      std::stable_partition(shown.begin(), shown.end(),
                            [this](const Item& i) { return i.index < leads_.size() && leads_[i.index]; });
    if (!hidden.empty()) shown.push_back(Item{Item::hidden, kNone, hidden, item.depth + 1, false});
    if (!shown.empty()) shown.back().last = true;
    for (size_t i = shown.size(); i-- > 0;) stack.push_back(std::move(shown[i]));
  }
}

void TreeView::finish() {
  const Trace& t = trace();
  std::vector<Totals> totals = subtree_totals(t);
  FailurePath path = failure_path(t, find_root(t));
  cause_.assign(t.steps.size(), false);
  for (uint32_t c : path.cause) cause_[c] = true;
  leads_ = std::move(path.leads);
  for (uint32_t root : t.roots) {
    // A whole-machine trace knows the ancestors of what it saw; the tree
    // begins where it branches or where a traced process is.
    while (t.steps[root].context) {
      uint32_t only = kNone, shown = 0;
      for (uint32_t c : t.steps[root].children)
        if (!options_.failed_only || totals[c].failed) shown++, only = c;
      if (shown != 1) break;
      root = only;
    }
    if (!options_.failed_only || totals[root].failed) print(t, root, totals);
  }
  if (t.lost) fmt::print(out_, "({} events lost in the kernel: the tree may be incomplete)\n", t.lost);
  std::fflush(out_);
}

}  // namespace ft
