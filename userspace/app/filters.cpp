#include "app/filters.h"

namespace ft {

bool cgroup_within(const std::string& cgroup, const std::string& path) {
  if (path.empty()) return false;  // no such cgroup (options refuse it; checked so no caller can err)
  if (path == "/") return !cgroup.empty();
  std::string prefix = path.back() == '/' ? path.substr(0, path.size() - 1) : path;
  return cgroup.compare(0, prefix.size(), prefix) == 0 &&
         (cgroup.size() == prefix.size() || cgroup[prefix.size()] == '/');
}

void install_filters(const Options& o, Pipeline& pipeline) {
  if (o.job.empty() && o.cgroup.empty()) return;
  pipeline.set_filter([job = o.job, cgroup = o.cgroup](const Event& e, const Process& p) {
    if (!job.empty() && p.job != job) return false;
    if (!cgroup.empty() && !cgroup_within(e.cgroup, cgroup)) return false;
    return true;
  });
}

}  // namespace ft
