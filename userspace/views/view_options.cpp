#include "views/view_options.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/exit_status.h"

namespace ft {

std::vector<std::shared_ptr<const Process>> shown_ancestry(const Process& process, const analysis::TraceScope& scope) {
  std::vector<std::shared_ptr<const Process>> chain = Lineage::ancestry(process);
  std::vector<std::shared_ptr<const Process>> with_self = chain;
  with_self.push_back(process.shared_from_this());
  size_t start = std::min(analysis::chain_start(with_self, scope), chain.size());
  chain.erase(chain.begin(), chain.begin() + static_cast<std::ptrdiff_t>(start));
  return chain;
}

bool shown_when_failed_only(const Event& e) {
  if (e.kind == EventKind::exec_failed) return true;  // the text view folds PATH misses itself
  return e.kind == EventKind::exit && !e.thread && decode_wait_status(e.wait_status).failed();
}

bool reap_worth_showing(const Event& e, const Process& p) {
  if (e.zombie_ns >= kLongZombieNs) return true;
  return p.forked_by && e.reaper_pid != p.forked_by;
}

std::string container_text(const Container& c) {
  std::string s(c.short_id());
  std::string more = c.runtime;
  if (!c.pod_uid.empty()) more += (more.empty() ? "pod " : ", pod ") + c.pod_uid;
  return more.empty() ? s : s + " (" + more + ")";
}

std::string container_mark(const Container* own, const Container* parent, uint32_t pid, uint32_t nspid) {
  bool changed = (own ? own->id : "") != (parent ? parent->id : "");
  std::string s;
  if (changed) s = own ? fmt::format("  container={}", own->short_id()) : "  container=-";
  if (nspid && nspid != pid && (nspid == 1 || (changed && own))) s += fmt::format("  nspid={}", nspid);
  return s;
}

}  // namespace ft
