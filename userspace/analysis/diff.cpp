#include "analysis/diff.h"

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "analysis/build_report.h"

namespace ft::analysis {
namespace {

std::string command_key(const Step& s) {
  std::string key = s.argv.empty() ? s.filename : std::string();
  for (const std::string& a : s.argv) {
    key += a;
    key += '\0';
  }
  return key;
}

// Arguments two commands share: to pair a changed step with the one it most resembles.
size_t shared_arguments(const Step& a, const Step& b) {
  std::unordered_set<std::string_view> args(a.argv.begin(), a.argv.end());
  size_t n = 0;
  for (const std::string& x : b.argv) n += args.count(x);
  return n;
}

struct Matcher {
  const Trace& base;
  const Trace& next;
  std::vector<uint32_t> to_base;  // per next step
  std::vector<uint32_t> to_next;  // per base step
  std::vector<std::pair<uint32_t, uint32_t>> queue;

  void pair(uint32_t b, uint32_t n) {
    to_base[n] = b;
    to_next[b] = n;
    queue.emplace_back(b, n);
  }

  // Siblings: the same command first (the k-th run of a command with the k-th
  // run of it), then what is left of one executable with the most similar.
  void match(const std::vector<uint32_t>& base_kids, const std::vector<uint32_t>& next_kids) {
    std::unordered_map<std::string, std::deque<uint32_t>> by_command;
    for (uint32_t b : base_kids) by_command[command_key(base.steps[b])].push_back(b);
    std::vector<uint32_t> next_left;
    for (uint32_t n : next_kids) {
      auto it = by_command.find(command_key(next.steps[n]));
      if (it != by_command.end() && !it->second.empty()) {
        pair(it->second.front(), n);
        it->second.pop_front();
      } else {
        next_left.push_back(n);
      }
    }
    if (next_left.empty()) return;
    std::map<std::string, std::vector<uint32_t>> base_left;
    for (uint32_t b : base_kids)
      if (to_next[b] == kNone) base_left[executable_of(base.steps[b])].push_back(b);
    std::map<std::string, std::vector<uint32_t>> next_by_exe;
    for (uint32_t n : next_left) next_by_exe[executable_of(next.steps[n])].push_back(n);
    for (auto& [exe, ns] : next_by_exe) {
      auto it = base_left.find(exe);
      if (it == base_left.end()) continue;
      std::vector<uint32_t>& bs = it->second;
      std::vector<bool> used(bs.size(), false);
      bool similar = bs.size() * ns.size() <= 250'000;  // else in order, to stay fast
      size_t in_order = 0;
      for (uint32_t n : ns) {
        size_t best = bs.size();
        if (similar) {
          size_t best_score = 0;
          for (size_t i = 0; i < bs.size(); ++i) {
            if (used[i]) continue;
            size_t score = shared_arguments(base.steps[bs[i]], next.steps[n]);
            if (best == bs.size() || score > best_score) {
              best = i;
              best_score = score;
            }
          }
        } else {
          while (in_order < bs.size() && used[in_order]) in_order++;
          best = in_order;
        }
        if (best == bs.size()) break;
        used[best] = true;
        pair(bs[best], n);
      }
    }
  }
};

void add_failures_below(const Trace& t, uint32_t top, std::vector<StepPair>& out) {
  for (uint32_t s : depth_first(t, top))
    if (!t.steps[s].context && t.steps[s].failed()) out.push_back(StepPair{kNone, s});
}

}  // namespace

std::vector<uint32_t> match_steps(const Trace& base, const Trace& next) {
  Matcher m{base, next, std::vector<uint32_t>(next.steps.size(), kNone),
            std::vector<uint32_t>(base.steps.size(), kNone), {}};
  uint32_t base_root = find_root(base), next_root = find_root(next);
  if (base_root != kNone && next_root != kNone)
    m.pair(base_root, next_root);  // the traced command, whatever its arguments
  else
    m.match(base.roots, next.roots);
  for (size_t i = 0; i < m.queue.size(); ++i) {
    auto [b, n] = m.queue[i];
    m.match(base.steps[b].children, next.steps[n].children);
  }
  return m.to_base;
}

Difference diff_builds(const Trace& base, const Trace& next, const DiffOptions& options) {
  Difference d;
  std::vector<uint32_t> to_base = match_steps(base, next);
  std::vector<bool> base_matched(base.steps.size(), false);
  for (uint32_t b : to_base)
    if (b != kNone) base_matched[b] = true;

  auto wall = [](const Trace& t) {
    uint32_t root = find_root(t);
    return root == kNone ? t.wall_ns() : t.steps[root].end_ns(t.last_ns) - t.steps[root].start_ns;
  };
  d.base_wall_ns = wall(base);
  d.next_wall_ns = wall(next);

  for (uint32_t n = 0; n < next.steps.size(); ++n) {
    const Step& s = next.steps[n];
    uint32_t b = to_base[n];
    if (b == kNone) {
      bool top = s.parent == kNone || to_base[s.parent] != kNone;
      if (top && !s.context) {
        d.added.push_back(n);
        add_failures_below(next, n, d.new_failures);
      }
      continue;
    }
    d.matched++;
    const Step& o = base.steps[b];
    if (s.argv != o.argv) d.changed.push_back(StepPair{b, n});
    if (s.failed() && !o.failed()) d.new_failures.push_back(StepPair{b, n});
    if (o.failed() && s.exited && !s.failed()) d.fixed.push_back(StepPair{b, n});
    if (s.exited && o.exited) {
      uint64_t was = o.duration_ns(), now = s.duration_ns();
      if (now > was && now - was >= options.min_slower_ns &&
          static_cast<double>(now - was) >= options.min_slower_ratio * static_cast<double>(was)) {
        SlowerStep x{StepPair{b, n}, was, now, std::nullopt};
        if (s.usage && o.usage)
          x.cpu_change_ns = static_cast<int64_t>(s.usage->cpu_ns()) - static_cast<int64_t>(o.usage->cpu_ns());
        d.slower.push_back(x);
      }
    }
  }
  for (uint32_t b = 0; b < base.steps.size(); ++b) {
    const Step& s = base.steps[b];
    if (base_matched[b] || s.context) continue;
    if (s.parent == kNone || base_matched[s.parent]) d.removed.push_back(b);
  }
  std::stable_sort(d.new_failures.begin(), d.new_failures.end(), [&](const StepPair& a, const StepPair& b) {
    return next.steps[a.next].exit_ns < next.steps[b.next].exit_ns;
  });
  std::stable_sort(d.slower.begin(), d.slower.end(), [](const SlowerStep& a, const SlowerStep& b) {
    return a.next_ns - a.base_ns > b.next_ns - b.base_ns;
  });
  if (d.slower.size() > options.max_slower) d.slower.resize(options.max_slower);
  return d;
}

}  // namespace ft::analysis
