#include "analysis/containers.h"

#include <algorithm>
#include <unordered_map>

namespace ft::analysis {
namespace {

// Whether step `a` names a container better than step `b`: a process with
// nspid 1 first, then the earlier one.
bool better_init(const Trace& t, uint32_t a, uint32_t b) {
  bool a_init = t.steps[a].nspid == 1, b_init = t.steps[b].nspid == 1;
  if (a_init != b_init) return a_init;
  return t.steps[a].start_ns < t.steps[b].start_ns;
}

}  // namespace

std::vector<ContainerStats> per_container(const Trace& t) {
  std::vector<ContainerStats> out;
  if (t.containers.empty()) return out;
  std::unordered_map<const Container*, size_t> index;
  for (uint32_t i = 0; i < t.steps.size(); ++i) {
    const Step& s = t.steps[i];
    if (s.context || !s.container) continue;
    auto [it, added] = index.try_emplace(s.container, out.size());
    if (added) out.push_back(ContainerStats{s.container});
    ContainerStats& c = out[it->second];
    c.processes++;
    if (s.failed()) c.failed++;
    if (!s.exited) c.running++;
    if (s.usage) {
      c.with_usage++;
      c.cpu_ns += s.usage->cpu_ns();
    }
    if (c.processes == 1 || s.start_ns < c.first_ns) c.first_ns = s.start_ns;
    if (c.init_step == kNone || better_init(t, i, c.init_step)) c.init_step = i;
    c.last_ns = std::max(c.last_ns, s.end_ns(t.last_ns));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ContainerStats& a, const ContainerStats& b) { return a.first_ns < b.first_ns; });
  return out;
}

}  // namespace ft::analysis
