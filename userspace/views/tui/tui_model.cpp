#include "views/tui/tui_model.h"

#include "analysis/build_report.h"
#include "analysis/rollup.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <unordered_map>

#include "core/errno_label.h"
#include "core/exit_status.h"
#include "core/killed_by.h"
#include "views/view_options.h"
#include "format/text.h"
#include "views/tui/process_info.h"
#include "views/tui/text.h"

namespace ft::tui {
namespace {

constexpr size_t kMaxIndent = 32;  // levels of indentation drawn; deeper rows say their depth

std::string command_of(const Process& p) {
  return sanitize(p.argv.empty() ? "[" + p.comm + "]" : format_command(p.argv, p.argv_truncated));
}

// "12.3 MiB"
std::string format_kib(uint64_t kib) {
  if (kib < 1024) return fmt::format("{} KiB", kib);
  if (kib < 1024 * 1024) return fmt::format("{:.1f} MiB", kib / 1024.0);
  return fmt::format("{:.2f} GiB", kib / (1024.0 * 1024.0));
}

Style status_style(const Process& p) {
  if (!p.exited) return Style::running;
  ExitStatus s = decode_wait_status(p.wait_status);
  if (s.core_dumped) return Style::core;
  if (s.signal) return Style::signaled;
  return s.failed() ? Style::failed : Style::ok;
}

const char* glyph(Style s, bool unicode) {
  switch (s) {
    case Style::running: return unicode ? "●" : "*";
    case Style::ok: return unicode ? "✓" : "+";
    case Style::failed: return unicode ? "✗" : "x";
    case Style::signaled: return unicode ? "⚑" : "!";
    case Style::core: return unicode ? "☠" : "#";
    default: return " ";
  }
}

// Smart case, as in less and vim: case matters only when the query has capitals.
bool contains(const std::string& haystack, const std::string& needle) {
  if (needle.empty()) return false;
  bool exact = std::any_of(needle.begin(), needle.end(), [](unsigned char c) { return std::isupper(c); });
  auto eq = [exact](char a, char b) {
    return exact ? a == b : std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  };
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), eq) != haystack.end();
}

// Byte offsets of every occurrence, for highlighting.
std::vector<size_t> occurrences(const std::string& haystack, const std::string& needle) {
  std::vector<size_t> at;
  if (needle.empty()) return at;
  bool exact = std::any_of(needle.begin(), needle.end(), [](unsigned char c) { return std::isupper(c); });
  auto eq = [exact](char a, char b) {
    return exact ? a == b : std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  };
  auto it = haystack.begin();
  while ((it = std::search(it, haystack.end(), needle.begin(), needle.end(), eq)) != haystack.end()) {
    at.push_back(static_cast<size_t>(it - haystack.begin()));
    it += static_cast<std::ptrdiff_t>(needle.size());
  }
  return at;
}

std::string plural(size_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

void pad_to(std::vector<ScreenLine>& out, size_t rows) {
  while (out.size() < rows) out.emplace_back();
}

}  // namespace

TuiModel::TuiModel(TuiOptions options)
    : options_(std::move(options)), store_(options_.scope), follow_(options_.live) {}

void TuiModel::lost(const Event& event) {
  store_.on_lost(event);
  lost_ += event.lost_count;
}

void TuiModel::add(const Event& e, const Process& p) {
  store_.on_event(e, p);
  if (e.thread) return;
  size_t before = forest_.nodes().size();
  size_t index = forest_.add(p);
  if (index >= folds_.size()) {
    folds_.resize(index + 1, 0);
    cgroups_.resize(index + 1);
    states_.resize(index + 1, kRunning);
    cpu_ns_.resize(index + 1, 0);
    has_cpu_.resize(index + 1, 0);
  }
  // A new node with children adopted them: they come before it.
  if (forest_.nodes().size() > before && !forest_.nodes()[index].children.empty()) adopted_ = true;
  if (index < match_cache_.size()) match_cache_[index] = 0;  // an exec changes its command line
  states_[index] = !p.exited ? kRunning : decode_wait_status(p.wait_status).failed() ? kExitedFailed : kExitedOk;
  if (auto u = usage_of(p)) {
    cpu_ns_[index] = u->cpu_ns();
    has_cpu_[index] = 1;
  }
  if (!e.cgroup.empty() && cgroups_[index] != e.cgroup) cgroups_[index] = e.cgroup;
  last_ts_ns_ = std::max(last_ts_ns_, e.ts_ns);
  totals_dirty_ = true;
}

void TuiModel::finish(std::string how) {
  finished_ = true;
  how_ = std::move(how);
  const analysis::Trace& t = store_.trace();
  uint32_t root = analysis::find_root(t);
  analysis::FailureBlame blame(t);
  std::vector<analysis::Failure> failures = analysis::find_failures(t, root, blame);
  analysis::FailurePath path = analysis::failure_path(t, failures, analysis::cause_chain(t, root, blame));
  // Steps to nodes: a process is one (pid, start) in both.
  struct Key {
    uint32_t pid;
    uint64_t start_ns;
    bool operator==(const Key& o) const { return pid == o.pid && start_ns == o.start_ns; }
  };
  struct Hash {
    size_t operator()(const Key& k) const { return std::hash<uint64_t>()(k.start_ns * 0x9e3779b97f4a7c15ull ^ k.pid); }
  };
  const auto& nodes = forest_.nodes();
  std::unordered_map<Key, size_t, Hash> node_of;
  node_of.reserve(nodes.size());
  for (size_t n = 0; n < nodes.size(); ++n) node_of.emplace(Key{nodes[n].process->pid, nodes[n].process->start_ns}, n);
  auto find = [&](uint32_t step) {
    auto it = node_of.find(Key{t.steps[step].pid, t.steps[step].start_ns});
    return it == node_of.end() ? npos : it->second;
  };
  leads_.assign(nodes.size(), 0);
  for (uint32_t s = 0; s < path.leads.size(); ++s)
    if (path.leads[s])
      if (size_t n = find(s); n != npos) leads_[n] = 1;
  // The handled failures: every one the failure path does not run through
  // (the root's own failure is on it), grouped by the analysis.
  std::erase_if(failures, [&](const analysis::Failure& f) { return path.leads[f.step]; });
  groups_.clear();
  group_of_.assign(nodes.size(), 0);
  for (analysis::FailureGroup& g : analysis::by_executable(t, analysis::group_failures(t, failures).second)) {
    Group group{std::move(g.executable), std::move(g.status), Style::failed, {}, false};
    for (uint32_t s : g.steps)
      if (size_t n = find(s); n != npos && !group_of_[n]) {
        group.nodes.push_back(n);
        group_of_[n] = static_cast<uint32_t>(groups_.size() + 1);
      }
    if (group.nodes.empty()) continue;
    group.style = status_style(*nodes[group.nodes.front()].process);
    groups_.push_back(std::move(group));
  }
  analysed_ = true;
  cause_node_ = path.cause.empty() ? npos : find(path.cause.back());
  // Open on the cause, unless the user has taken the selection elsewhere.
  if (cause_node_ != npos && (cursor_ == npos || follow_)) {
    cursor_ = cause_node_;
    follow_ = false;
    update_totals();
    reveal(cursor_);
  }
}

bool TuiModel::failed(size_t node) const { return states_[node] == kExitedFailed; }

// O(processes), only when something changed since the last frame: cheaper
// than keeping every ancestor's counts current at each event, which costs the
// depth of the tree per event (a fork chain of 100,000 generations).
void TuiModel::update_totals() {
  if (!totals_dirty_ && totals_.size() == forest_.nodes().size()) return;
  const auto& nodes = forest_.nodes();
  // Parents before children: the order of arrival, unless a process adopted
  // children added before it (-p), then the depth-first order. Paused: the
  // nodes held back are left out.
  std::vector<size_t> order;
  if (adopted_) {
    for (auto [node, depth] : forest_.depth_first())
      if (node < node_limit()) order.push_back(node);
  } else {
    order.resize(std::min(node_limit(), nodes.size()));
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  }
  totals_ = analysis::roll_up<Totals>(
      nodes.size(), order, npos, [&nodes](size_t i) { return nodes[i].parent; },
      [this](size_t i, Totals& t) {
        t.processes++;
        if (states_[i] == kRunning) t.running++;
        if (states_[i] == kExitedFailed) t.failed++;
        if (has_cpu_[i]) {
          t.cpu_ns += cpu_ns_[i];
          t.any_cpu = true;
        }
      },
      [](Totals& up, const Totals& t) {
        up.processes += t.processes;
        up.running += t.running;
        up.failed += t.failed;
        up.cpu_ns += t.cpu_ns;
        up.any_cpu |= t.any_cpu;
      });
  totals_dirty_ = false;
}

TuiModel::Below TuiModel::below(size_t node) const {
  const Totals& t = totals_[node];
  Below b;
  b.descendants = t.processes ? t.processes - 1 : 0;
  b.running = t.running - (t.processes && states_[node] == kRunning ? 1 : 0);
  b.failed = t.failed - (t.processes && states_[node] == kExitedFailed ? 1 : 0);
  b.cpu_ns = t.cpu_ns;
  b.any_cpu = t.any_cpu;
  return b;
}

bool TuiModel::shown(size_t node) const {
  if (node >= node_limit()) return false;
  // Failures only, once analysed: the tree is the failure path; the handled
  // failures are in their groups' rows.
  if (grouped()) return node < leads_.size() && leads_[node];
  return !failures_only_ || totals_[node].failed > 0;
}

// A finished subtree that succeeded folds by itself; the user's choice wins.
bool TuiModel::collapsed(size_t node, size_t depth) const {
  if (folds_[node] != 0) return folds_[node] < 0;
  if (failures_only_ || depth == 0) return false;
  const Totals& t = totals_[node];
  if (states_[node] == kRunning || t.processes <= 1 || t.running != 0) return false;
  // Once the trace is analysed, only the failure path keeps a finished subtree
  // open; before, any failure does (whether it was handled is not known yet).
  if (analysed_ && node < leads_.size()) return !leads_[node];
  return t.failed == 0;
}

void TuiModel::build_rows() {
  update_totals();
  rows_.clear();
  const auto& nodes = forest_.nodes();
  row_index_.assign(nodes.size(), npos);
  struct Item {
    size_t node, depth;
    bool last;
  };
  std::vector<Item> stack;
  std::vector<size_t> kids;
  auto push_children = [&](const std::vector<size_t>& children, size_t depth) {
    kids.clear();
    for (size_t c : children)
      if (shown(c)) kids.push_back(c);
    for (size_t k = kids.size(); k-- > 0;) stack.push_back({kids[k], depth, k + 1 == kids.size()});
  };
  std::vector<size_t> roots;
  for (size_t r : forest_.roots())
    if (shown(r)) roots.push_back(r);
  // Paused, a root adopted later may still show as a root: fine, it is the frozen picture.
  for (size_t k = roots.size(); k-- > 0;) stack.push_back({roots[k], 0, k + 1 == roots.size()});
  while (!stack.empty()) {
    Item item = stack.back();
    stack.pop_back();
    row_index_[item.node] = rows_.size();
    rows_.push_back({item.node, item.depth, item.last});
    if (!collapsed(item.node, item.depth)) push_children(nodes[item.node].children, item.depth + 1);
  }
  // After the failure path, each group of handled failures: one row, and its
  // processes under it when open.
  group_row_.assign(groups_.size(), npos);
  if (!grouped()) return;
  for (size_t g = 0; g < groups_.size(); ++g) {
    group_row_[g] = rows_.size();
    rows_.push_back({npos, 0, g + 1 == groups_.size(), g});
    if (!groups_[g].open) continue;
    size_t first = rows_.size();
    for (size_t n : groups_[g].nodes)
      if (n < node_limit()) {
        row_index_[n] = rows_.size();
        rows_.push_back({n, 1, false, g});
      }
    if (rows_.size() > first) rows_.back().last = true;
  }
}

size_t TuiModel::row_of_cursor() const {
  if (rows_.empty()) return npos;
  if (cursor_group_ != npos && cursor_group_ < group_row_.size() && group_row_[cursor_group_] != npos)
    return group_row_[cursor_group_];
  if (cursor_ == npos) return 0;
  // A handled failure in a folded group: the group's row.
  if (grouped() && cursor_ < row_index_.size() && row_index_[cursor_] == npos)
    if (size_t g = group_of(cursor_); g != npos && group_row_[g] != npos) return group_row_[g];
  // The cursor's node, or the nearest ancestor shown (it was folded away or filtered out).
  for (size_t n = cursor_; n != npos; n = forest_.nodes()[n].parent)
    if (n < row_index_.size() && row_index_[n] != npos) return row_index_[n];
  return 0;
}

void TuiModel::move_to_row(size_t row) {
  if (rows_.empty()) return;
  row = std::min(row, rows_.size() - 1);
  cursor_ = rows_[row].node;
  cursor_group_ = cursor_ == npos ? rows_[row].group : npos;
}

void TuiModel::fold_group(size_t group, bool open) {
  groups_[group].open = open;
  cursor_ = npos;
  cursor_group_ = group;
}

bool TuiModel::matches(size_t node) const {
  if (match_query_ != query_) {
    match_query_ = query_;
    match_cache_.assign(forest_.nodes().size(), 0);
  }
  if (match_cache_.size() < forest_.nodes().size()) match_cache_.resize(forest_.nodes().size(), 0);
  if (match_cache_[node] == 0) match_cache_[node] = matches_now(node) ? 2 : 1;
  return match_cache_[node] == 2;
}

bool TuiModel::matches_now(size_t node) const {
  const Process& p = *forest_.nodes()[node].process;
  if (p.argv.empty()) return contains(p.comm, query_);
  // Without a space the query lies within one argument: no joined line to build.
  if (query_.find(' ') == std::string::npos) {
    bool exact = std::any_of(query_.begin(), query_.end(), [](unsigned char c) { return std::isupper(c); });
    for (const std::string& a : p.argv)
      if (exact ? a.find(query_) != std::string::npos : strcasestr(a.c_str(), query_.c_str()) != nullptr) return true;
    return false;
  }
  std::string line;
  for (const std::string& a : p.argv) {
    if (!line.empty()) line += ' ';
    line += a;
  }
  return contains(line, query_);
}

void TuiModel::reveal(size_t node) {
  if (grouped())
    if (size_t g = group_of(node); g != npos) groups_[g].open = true;
  for (size_t n = forest_.nodes()[node].parent; n != npos; n = forest_.nodes()[n].parent)
    if (folds_[n] < 0 || collapsed(n, 1)) folds_[n] = 1;
}

void TuiModel::search(bool forward, bool include_current) {
  note_.clear();
  if (query_.empty()) return;
  update_totals();
  std::vector<size_t> order;
  std::vector<size_t> hits;  // positions in order
  auto consider = [&](size_t node) {
    if (matches(node)) hits.push_back(order.size());
    order.push_back(node);
  };
  for (auto [node, depth] : forest_.depth_first())
    if (shown(node)) consider(node);
  // Then the handled failures, in their groups' order (a hit opens its group).
  if (grouped())
    for (const Group& g : groups_)
      for (size_t n : g.nodes)
        if (n < node_limit()) consider(n);
  size_t total = hits.size();
  if (total == 0) {
    note_ = "no command line contains \"" + sanitize(query_) + "\"";
    return;
  }
  size_t at = 0;
  if (cursor_ != npos) {
    auto it = std::find(order.begin(), order.end(), cursor_);
    if (it != order.end()) at = static_cast<size_t>(it - order.begin());
  }
  // The next hit after `at` (or at it), cyclically.
  size_t h;
  if (forward) {
    auto it = include_current ? std::lower_bound(hits.begin(), hits.end(), at)
                              : std::upper_bound(hits.begin(), hits.end(), at);
    h = it == hits.end() ? 0 : static_cast<size_t>(it - hits.begin());
  } else {
    auto it = std::lower_bound(hits.begin(), hits.end(), at);
    h = it == hits.begin() ? hits.size() - 1 : static_cast<size_t>(it - hits.begin()) - 1;
  }
  cursor_ = order[hits[h]];
  cursor_group_ = npos;
  follow_ = false;
  reveal(cursor_);
  note_ = fmt::format("match {} of {} for \"{}\" (n next, N previous)", h + 1, total, sanitize(query_));
}

Action TuiModel::key(int key, size_t page_rows) {
  page_rows_ = std::max<size_t>(page_rows, 1);
  if (typing_) {
    if (key == kEnter) {
      typing_ = false;
      query_ = typed_;
      search(true, true);
    } else if (key == kEscape || key == kCtrlC) {
      typing_ = false;
    } else if (key == kBackspace || key == 8) {
      if (!typed_.empty()) {
        // Remove one whole UTF-8 character.
        do typed_.pop_back();
        while (!typed_.empty() && (static_cast<unsigned char>(typed_.back()) & 0xc0) == 0x80);
      }
    } else if (key >= 0x20 && key < 0x100 && key != 0x7f) {
      typed_ += static_cast<char>(key);
    }
    return Action::none;
  }
  if (help_ && key != 'q' && key != kCtrlC) {
    help_ = false;
    return Action::none;
  }
  build_rows();
  size_t row = row_of_cursor();
  if (row == npos) row = 0;
  note_.clear();
  switch (key) {
    case 'q': return Action::quit;
    case kCtrlC: return options_.has_command && !finished_ ? Action::interrupt : Action::quit;
    case kUp: case 'k': follow_ = false; move_to_row(row ? row - 1 : 0); break;
    case kDown: case 'j': follow_ = false; move_to_row(row + 1); break;
    case kPageUp: follow_ = false; move_to_row(row > page_rows_ ? row - page_rows_ : 0); break;
    case kPageDown: follow_ = false; move_to_row(row + page_rows_); break;
    case kHome: case 'g': follow_ = false; move_to_row(0); break;
    case kEnd: case 'G': follow_ = false; move_to_row(rows_.empty() ? 0 : rows_.size() - 1); break;
    case kEnter: case ' ': {
      if (rows_.empty()) break;
      follow_ = false;
      const Row& r = rows_[row];
      if (r.node == npos) {
        fold_group(r.group, !groups_[r.group].open);
        break;
      }
      cursor_ = r.node;
      cursor_group_ = npos;
      if (r.group == npos && !forest_.nodes()[r.node].children.empty())
        folds_[r.node] = collapsed(r.node, r.depth) ? 1 : -1;
      break;
    }
    case kRight: case 'l': case '+':
      if (!rows_.empty()) {
        const Row& r = rows_[row];
        if (r.node == npos) {
          fold_group(r.group, true);
        } else {
          cursor_ = r.node;
          cursor_group_ = npos;
          if (r.group == npos) folds_[cursor_] = 1;
        }
      }
      break;
    case kLeft: case 'h': case '-':
      if (!rows_.empty()) {
        const Row& r = rows_[row];
        follow_ = false;
        // A group folds; one of its processes goes to the group's row.
        if (r.group != npos) {
          fold_group(r.group, r.node == npos ? false : groups_[r.group].open);
          break;
        }
        cursor_ = r.node;
        cursor_group_ = npos;
        bool has_children = !forest_.nodes()[r.node].children.empty();
        if (has_children && !collapsed(r.node, r.depth)) {
          folds_[r.node] = -1;
        } else if (size_t parent = forest_.nodes()[r.node].parent; parent != npos && shown(parent)) {
          cursor_ = parent;
        }
      }
      break;
    case '/': typing_ = true; typed_.clear(); break;
    case 'n': search(true, false); break;
    case 'N': search(false, false); break;
    case kEscape: query_.clear(); break;
    case 'f':
      failures_only_ = !failures_only_;
      if (!failures_only_ && cursor_group_ != npos) {  // on a group's row: its first process
        cursor_ = groups_[cursor_group_].nodes.front();
        cursor_group_ = npos;
      }
      note_ = !failures_only_ ? ""
              : analysed_     ? "the failure path, then handled failures by executable (f shows all)"
                              : "showing only failures and their ancestry (f shows all)";
      break;
    case 'p':
      paused_ = !paused_;
      totals_dirty_ = true;
      if (paused_) {
        frozen_nodes_ = forest_.nodes().size();
        frozen_now_ = 0;  // set by the next frame
      }
      break;
    case 'd': details_ = !details_; break;
    case 'o': output_ = !output_; break;
    case 'F': follow_ = !follow_; break;
    case '?': help_ = true; break;
    default: break;
  }
  return Action::none;
}

uint64_t TuiModel::now(const FrameContext& c) const {
  uint64_t now = c.now_ns ? std::max(c.now_ns, last_ts_ns_) : last_ts_ns_;
  if (paused_ && frozen_now_) return frozen_now_;
  return now;
}

ScreenLine TuiModel::header_line(const FrameContext& c, uint64_t now_ns) const {
  ScreenLine line;
  line.fill = Style::bar;
  size_t processes = 0, running = 0, failures = 0;
  for (size_t r : forest_.roots()) {
    if (r >= node_limit()) continue;
    const Totals& t = totals_[r];
    processes += t.processes;
    running += t.running;
    failures += t.failed;
  }
  (void)now_ns;
  (void)c;
  // The title goes last: it is what gives way on a narrow terminal.
  line.add(" forktrace  ");
  line.add(finished_ ? (how_.empty() ? "ended" : how_) : "tracing");
  line.add(fmt::format("  {}, {} running, ", plural(processes, "process", "processes"), running));
  line.add(fmt::format("{} failed", failures), failures ? Style::failed : Style::normal);
  if (lost_) line.add(fmt::format(", {} events lost", lost_), Style::warning);
  if (paused_) line.add("  PAUSED", Style::warning);
  if (failures_only_) line.add("  FAILURES");
  if (follow_) line.add("  FOLLOW");
  line.add("  " + (options_.unicode ? std::string("│ ") : std::string("| ")) + sanitize(options_.title));
  return line;
}

ScreenLine TuiModel::key_line(const FrameContext& c) const {
  ScreenLine line;
  line.fill = Style::bar;
  if (typing_) {
    line.add("/" + sanitize(typed_) + (options_.unicode ? "▏" : "_") + "   Enter search, Esc cancel");
  } else if (!c.message.empty()) {
    line.add(" " + sanitize(c.message), Style::warning);
  } else if (!note_.empty()) {
    line.add(" " + note_);
  } else {
    std::string keys = options_.unicode ? " q quit  ? keys  ↑↓ move  ⏎ fold  / search  f failures  p pause  d details"
                                        : " q quit  ? keys  arrows move  Enter fold  / search  f failures  p pause  d details";
    if (options_.has_command) keys += "  o output";
    keys += "  F follow";
    if (finished_) keys = " trace ended: q quits." + keys.substr(7);
    line.add(keys);
  }
  return line;
}

ScreenLine TuiModel::tree_line(const Row& row, const std::vector<bool>& rails, uint64_t now_ns,
                               size_t width) const {
  const LiveForest::Node& node = forest_.nodes()[row.node];
  const Process& p = *node.process;
  bool u = options_.unicode;
  ScreenLine line;
  std::string indent;
  size_t drawn = std::min(row.depth, kMaxIndent);
  for (size_t k = 0; k + 1 < drawn; ++k) indent += rails[k] ? (u ? "│ " : "| ") : "  ";
  if (row.depth > 0) indent += row.last ? (u ? "└─" : "`-") : (u ? "├─" : "|-");
  if (row.depth > kMaxIndent) indent += fmt::format("[depth {}]", row.depth);
  line.add(indent, Style::dim);
  bool has_children = false;
  for (size_t c : node.children)
    if (shown(c)) has_children = true;
  bool folded = has_children && collapsed(row.node, row.depth);
  line.add(has_children ? (folded ? (u ? "▸" : ">") : (u ? "▾" : "v")) : " ", Style::dim);
  Style style = status_style(p);
  line.add(glyph(style, u), style);
  line.add(fmt::format(" {} ", p.pid));

  // The status goes after the command, which gives way first when the row is too narrow.
  // Narrow, a signal is named without "killed by" and the duration goes first.
  bool narrow = width < 60;
  std::string status;
  if (!p.exited) {
    status = (narrow ? "" : "running ") + format_duration(now_ns > p.start_ns ? now_ns - p.start_ns : 0);
  } else {
    ExitStatus st = decode_wait_status(p.wait_status);
    std::string words = describe(st);
    if (narrow && st.signal) words = signal_name(*st.signal) + (st.core_dumped ? " core" : "");
    status = words + " " + format_duration(p.duration_ns());
  }
  std::string extra;
  if (auto usage = usage_of(p)) extra = fmt::format("  cpu {}  rss {}", format_duration(usage->cpu_ns()),
                                                     format_kib(usage->peak_rss_kb));
  std::string folded_counts;
  if (folded) {
    const Below t = below(row.node);
    folded_counts = fmt::format("  {} {}, {} failed", u ? "…" : "...", plural(t.descendants, "process", "processes"),
                                t.failed);
    if (t.running) folded_counts += fmt::format(", {} running", t.running);
    if (t.any_cpu) folded_counts += ", " + format_duration(t.cpu_ns) + " CPU";
  }
  std::string command = command_of(p);
  size_t used = display_width(line.text);
  size_t command_width = display_width(command);
  // What gives way, in order: usage, folded counts, then the command line
  // down to a few characters; the status stays.
  auto room_for = [&](size_t tail) { return width > used + 2 + tail ? width - used - 2 - tail : 0; };
  size_t want = std::min<size_t>(narrow ? 6 : 12, command_width);
  size_t status_width = display_width(status);
  if (room_for(status_width + display_width(extra) + display_width(folded_counts)) < want) extra.clear();
  if (room_for(status_width + display_width(folded_counts)) < want) folded_counts.clear();
  size_t room = std::max(room_for(status_width + display_width(extra) + display_width(folded_counts)), want);
  std::string shown_command = fit(command, room, u);
  size_t command_at = line.text.size();
  line.add(shown_command);
  if (!query_.empty() && matches(row.node)) {
    for (size_t at : occurrences(shown_command, query_))
      line.spans.push_back(Span{command_at + at, query_.size(), Style::match});
  }
  line.add("  ");
  line.add(status, style == Style::ok ? Style::normal : style);
  line.add(extra);
  line.add(folded_counts, Style::dim);
  if (p.reparented) line.add(fmt::format("  (reparented to {})", p.ppid), Style::dim);
  line.fit(width, u);
  return line;
}

// "▸✗ 40 handled failures: gcc  exit 1", a group folded as a process's children fold.
ScreenLine TuiModel::group_line(const Row& row, size_t width) const {
  const Group& g = groups_[row.group];
  bool u = options_.unicode;
  ScreenLine line;
  line.add(g.open ? (u ? "▾" : "v") : (u ? "▸" : ">"), Style::dim);
  line.add(glyph(g.style, u), g.style);
  line.add(" " + plural(g.nodes.size(), "handled failure: ", "handled failures: ") + sanitize(g.executable) + "  ");
  line.add(g.status, g.style);
  line.fit(width, u);
  return line;
}

void TuiModel::details_lines(std::vector<ScreenLine>& out, size_t rows, const FrameContext& c,
                             uint64_t now_ns) const {
  size_t start = out.size();
  bool u = options_.unicode;
  auto title = [&](const std::string& t) {
    ScreenLine l;
    std::string bar = u ? "─" : "-";
    std::string text = bar + bar + " " + t + " ";
    while (display_width(text) < c.width) text += bar;
    l.add(text, Style::dim);
    out.push_back(std::move(l));
  };
  auto field = [&](const std::string& name, const std::string& value, Style style = Style::normal) {
    // Long values wrap, indented under the value.
    std::string label = fmt::format(" {:<9}", name);
    if (name.size() >= 9) label += ' ';  // "container": one column further, never run together
    size_t room = c.width > label.size() + 1 ? c.width - label.size() : 1;
    std::string rest = value;
    bool first = true;
    do {
      size_t cut = prefix_bytes(rest, room);
      if (cut == 0) cut = rest.size();
      ScreenLine l;
      l.add(first ? label : std::string(label.size(), ' '), Style::dim);
      l.add(rest.substr(0, cut), style);
      out.push_back(std::move(l));
      rest.erase(0, cut);
      first = false;
    } while (!rest.empty());
  };
  if (cursor_ == npos && cursor_group_ != npos && cursor_group_ < groups_.size()) {
    const Group& g = groups_[cursor_group_];
    title("details of " + plural(g.nodes.size(), "handled failure", "handled failures") + " (d hides)");
    field("program", sanitize(g.executable));
    field("status", g.status, g.style);
    field("handled", "off the failure path: a parent went on after each (Enter lists them)");
  } else if (cursor_ == npos || cursor_ >= forest_.nodes().size()) {
    title("details");
    ScreenLine l;
    l.add(" no process selected");
    out.push_back(std::move(l));
  } else {
    const Process& p = *forest_.nodes()[cursor_].process;
    title(fmt::format("details of {} (d hides)", p.pid));
    std::string parent = fmt::format("{}", p.ppid);
    if (p.forked_by && p.forked_by != p.ppid) parent += fmt::format(", forked by {}", p.forked_by);
    field("process", fmt::format("{}  parent {}  comm {}", p.pid, parent, sanitize(p.comm)));
    std::string argv = command_of(p);
    field("argv", argv);
    if (!p.filename.empty()) field("program", sanitize(p.filename));
    ExecInfo info = exec_info_of(p);
    if (!info.exe.empty() && info.exe != p.filename) field("exe", sanitize(info.exe));
    if (!info.interpreter.empty()) field("script", "run by " + sanitize(info.interpreter));
    if (!info.cwd.empty()) field("cwd", sanitize(info.cwd));
    if (info.uid) {
      auto user = [&](uint32_t id) {
        std::string name = c.user_name ? c.user_name(id) : "";
        return name.empty() ? std::to_string(id) : fmt::format("{} ({})", sanitize(name), id);
      };
      auto group = [&](uint32_t id) {
        std::string name = c.group_name ? c.group_name(id) : "";
        return name.empty() ? std::to_string(id) : fmt::format("{} ({})", sanitize(name), id);
      };
      std::string who = "user " + user(*info.uid) + "  group " + group(*info.gid);
      if (*info.euid != *info.uid) who += "  effective user " + user(*info.euid);
      if (*info.egid != *info.gid) who += "  effective group " + group(*info.egid);
      field("user", who);
    }
    Style style = status_style(p);
    if (p.exited) {
      field("status", describe(decode_wait_status(p.wait_status), p.killed_by.get()) +
                          fmt::format("  (wait status 0x{:04x})", p.wait_status), style);
    } else {
      field("status", "running", style);
    }
    std::string times = "started " + format_clock(options_.clock.wall_ns(p.start_ns));
    if (p.seeded) times += " (before tracing began)";
    if (p.exited) {
      times += "  ended " + format_clock(options_.clock.wall_ns(p.exit_ns)) + "  took " +
               format_duration(p.duration_ns());
    } else {
      times += "  running for " + format_duration(now_ns > p.start_ns ? now_ns - p.start_ns : 0);
    }
    field("times", times);
    // Who collected its status, or how long it has been a zombie (where the trace reports reaps).
    if (p.reaped && p.autoreaped)
      field("reaped", fmt::format("by the kernel for {}({}), which ignores SIGCHLD", sanitize(p.reaper_comm), p.reaper_pid));
    else if (p.reaped)
      field("reaped", fmt::format("by {}({}) after {} as a zombie", sanitize(p.reaper_comm), p.reaper_pid,
                                  format_duration(p.zombie_ns)),
            p.zombie_ns >= kLongZombieNs ? Style::failed : Style::normal);
    else if (p.exited && !p.status_unknown && options_.scope.knows_reaps)
      field("reaped", fmt::format("not yet: a zombie for {}", format_duration(now_ns > p.exit_ns ? now_ns - p.exit_ns : 0)),
            Style::failed);
    if (auto usage = usage_of(p)) {
      field("usage", fmt::format("cpu {} (user {}, system {})  peak rss {}", format_duration(usage->cpu_ns()),
                                 format_duration(usage->cpu_user_ns), format_duration(usage->cpu_sys_ns),
                                 format_kib(usage->peak_rss_kb)));
    }
    const Below t = below(cursor_);
    if (t.descendants)
      field("below", fmt::format("{}, {} running, {} failed{}", plural(t.descendants, "process", "processes"), t.running, t.failed,
                                 t.any_cpu ? ", " + format_duration(t.cpu_ns) + " CPU in all" : ""));
    if (!p.job.empty()) field("job", sanitize(p.job));
    if (!cgroups_[cursor_].empty()) field("cgroup", sanitize(cgroups_[cursor_]));
    if (p.container) field("container", sanitize(container_text(*p.container)));
    if (p.nspid && p.nspid != p.pid) field("nspid", fmt::format("{} (its pid inside the container's PID namespace)", p.nspid));
    if (p.execs > 1) field("execs", std::to_string(p.execs));
    // Exec attempts nothing satisfied (the exit 127 case) in the failure's style;
    // PATH-search misses a later exec satisfied only counted.
    for (const Process::FailedExec& f : p.unsatisfied_execs) {
      field("exec err", sanitize(f.filename) + ": " + errno_label(f.error), Style::failed);
    }
    if (p.folded_exec_misses) field("misses", std::to_string(p.folded_exec_misses) + " PATH-search misses before the exec that ran");
  }
  if (out.size() > start + rows) out.resize(start + rows);
  pad_to(out, start + rows);
}

void TuiModel::output_lines(std::vector<ScreenLine>& out, size_t rows, const FrameContext& c) const {
  bool u = options_.unicode;
  std::string bar = u ? "─" : "-";
  ScreenLine title;
  std::string text = bar + bar + " " + (c.output_name.empty() ? "output" : c.output_name) + " (o hides) ";
  while (display_width(text) < c.width) text += bar;
  title.add(fit(text, c.width, u), Style::dim);
  out.push_back(std::move(title));
  size_t body = rows ? rows - 1 : 0;
  size_t have = c.output ? c.output->size() : 0;
  size_t first = have > body ? have - body : 0;
  for (size_t i = first; i < have; ++i) {
    ScreenLine l;
    l.add(fit((*c.output)[i], c.width, u));
    out.push_back(std::move(l));
  }
  for (size_t i = have - first; i < body; ++i) out.emplace_back();
}

void TuiModel::help_lines(std::vector<ScreenLine>& out, size_t rows) const {
  static const char* const kHelp[][2] = {
      {"Up/Down, k/j", "move the selection"},
      {"PgUp/PgDn, g/G", "a page up or down, the first or last row"},
      {"Enter, space", "fold or unfold the selected process's children, or a group"},
      {"Right/Left, l/h", "unfold; fold, or go to the parent"},
      {"/", "search command lines (smart case); n next, N previous, Esc clears"},
      {"f", "only failures: the failure path first, handled ones grouped; or all again"},
      {"p", "pause the display (tracing goes on), or resume"},
      {"d", "details of the selected process: argv, cwd, user, status, job, cgroup, times"},
      {"o", "the traced command's output (it runs on its own pseudo-terminal)"},
      {"F", "follow: keep the newest process selected (any move stops it)"},
      {"Ctrl-C", "interrupt the traced command (as Ctrl-C in its terminal); without one, quit"},
      {"q", "quit: a command forktrace started is ended (SIGHUP, as when its terminal closes)"},
      {"?", "this help; any key closes it"},
  };
  out.push_back(ScreenLine{}.add(" Keys", Style::bar));
  for (const auto& k : kHelp) {
    ScreenLine l;
    l.add(fmt::format("  {:<18}", k[0]), Style::match);
    l.add(k[1]);
    out.push_back(std::move(l));
  }
  ScreenLine legend;
  bool u = options_.unicode;
  legend.add("  ");
  for (Style s : {Style::running, Style::ok, Style::failed, Style::signaled, Style::core}) {
    legend.add(glyph(s, u), s);
    legend.add(std::string(" ") + (s == Style::running ? "running" : s == Style::ok ? "exit 0" :
                                   s == Style::failed ? "exit non-zero" : s == Style::signaled ? "killed by a signal" :
                                   "core dumped") + "   ");
  }
  out.push_back(ScreenLine{});
  out.push_back(std::move(legend));
  if (out.size() > rows) out.resize(rows);
  pad_to(out, rows);
}

Screen TuiModel::frame(const FrameContext& c) {
  Screen screen;
  screen.width = c.width;
  screen.height = c.height;
  if (paused_ && frozen_now_ == 0) frozen_now_ = c.now_ns ? std::max(c.now_ns, last_ts_ns_) : last_ts_ns_;
  uint64_t now_ns = now(c);
  update_totals();
  if (follow_ && !paused_) {
    for (size_t n = node_limit(); n-- > 0;)
      if (shown(n)) {
        cursor_ = n;
        cursor_group_ = npos;
        break;
      }
  }
  build_rows();
  size_t height = std::max<size_t>(c.height, 3);
  size_t middle = height - 2;
  std::vector<ScreenLine>& out = screen.lines;
  out.push_back(header_line(c, now_ns));
  if (help_) {
    std::vector<ScreenLine> help;
    help_lines(help, middle);
    for (auto& l : help) out.push_back(std::move(l));
  } else {
    size_t details_rows = details_ ? std::max<size_t>(middle / 2, std::min<size_t>(middle, 6)) : 0;
    size_t output_rows = output_ ? std::max<size_t>(middle / 3, std::min<size_t>(middle - details_rows, 4)) : 0;
    if (details_rows + output_rows + 2 > middle) output_rows = middle > details_rows + 2 ? middle - details_rows - 2 : 0;
    size_t tree_rows = middle - details_rows - output_rows;
    size_t cursor_row = row_of_cursor();
    if (cursor_row != npos) {
      move_to_row(cursor_row);
      if (cursor_row < top_) top_ = cursor_row;
      if (cursor_row >= top_ + tree_rows) top_ = cursor_row + 1 - tree_rows;
    }
    top_ = std::min(top_, rows_.size() > tree_rows ? rows_.size() - tree_rows : 0);
    // The rails of the first row shown need the rows above it.
    std::vector<bool> rails;
    size_t end = std::min(rows_.size(), top_ + tree_rows);
    for (size_t r = 0; r < end; ++r) {
      const Row& row = rows_[r];
      if (row.depth > 0) {
        rails.resize(std::min(row.depth - 1, kMaxIndent));
        if (row.depth <= kMaxIndent) rails.push_back(!row.last);
      }
      if (r < top_) continue;
      ScreenLine line = row.node == npos ? group_line(row, c.width) : tree_line(row, rails, now_ns, c.width);
      if (r == cursor_row) {
        line.fill = Style::cursor;
        screen.cursor_row = static_cast<int>(out.size());
      }
      out.push_back(std::move(line));
    }
    if (rows_.empty()) out.push_back(ScreenLine{}.add(finished_ ? " (no processes)" : " waiting for processes...",
                                                      Style::dim));
    pad_to(out, 1 + tree_rows);
    if (output_rows) output_lines(out, output_rows, c);
    if (details_rows) details_lines(out, details_rows, c, now_ns);
  }
  out.resize(height - 1);
  out.push_back(key_line(c));
  for (ScreenLine& l : out) l.fit(c.width, options_.unicode);
  return screen;
}

}  // namespace ft::tui
