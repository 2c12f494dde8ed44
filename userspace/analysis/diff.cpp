#include "analysis/diff.h"

#include <algorithm>
#include <deque>
#include <string>
#include <unordered_map>

#include "analysis/build_report.h"

namespace ft::analysis {
namespace {

std::string command_key(const Trace& t, const Step& s) {
  ArgvView argv = t.argv(s);
  std::string key = argv.empty() ? std::string(t.str(s.filename)) : std::string();
  for (std::string_view a : argv) {
    key += a;
    key += '\0';
  }
  return key;
}

// What names a step apart from how it is run: its executable and its
// operands (the words of its arguments, a shell's -c script split too, that
// are not options). `cc -O2 -c a.c` and `cc -O0 -c a.c` are the same step
// with other arguments; `cc -O2 -c b.c` is another step.
std::string identity(const Trace& t, const Step& s) {
  std::string id(executable_of(t, s));
  std::vector<std::string_view> words;
  ArgvView argv = t.argv(s);
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string_view a = argv[i];
    size_t begin = 0;
    while (begin < a.size()) {
      size_t end = a.find_first_of(" \t\n", begin);
      if (end == std::string_view::npos) end = a.size();
      if (end > begin && a[begin] != '-') words.emplace_back(a.substr(begin, end - begin));
      begin = end + 1;
    }
  }
  for (std::string_view w : words) {
    id += '\0';
    id += w;
  }
  return id;
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
  // run of it), then what is left as the same step (identity) with other arguments.
  void match(const std::vector<uint32_t>& base_kids, const std::vector<uint32_t>& next_kids) {
    std::unordered_map<std::string, std::deque<uint32_t>> by_command;
    for (uint32_t b : base_kids) by_command[command_key(base, base.steps[b])].push_back(b);
    std::vector<uint32_t> next_left;
    for (uint32_t n : next_kids) {
      auto it = by_command.find(command_key(next, next.steps[n]));
      if (it != by_command.end() && !it->second.empty()) {
        pair(it->second.front(), n);
        it->second.pop_front();
      } else {
        next_left.push_back(n);
      }
    }
    if (next_left.empty()) return;
    // What is left: the same step with other arguments, k-th with k-th.
    std::unordered_map<std::string, std::deque<uint32_t>> by_identity;
    for (uint32_t b : base_kids)
      if (to_next[b] == kNone) by_identity[identity(base, base.steps[b])].push_back(b);
    for (uint32_t n : next_left) {
      auto it = by_identity.find(identity(next, next.steps[n]));
      if (it == by_identity.end() || it->second.empty()) continue;
      pair(it->second.front(), n);
      it->second.pop_front();
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
    if (!(next.argv(s) == base.argv(o))) d.changed.push_back(StepPair{b, n});
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
