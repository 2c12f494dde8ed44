#include "analysis/trace.h"

#include <algorithm>
#include <charconv>

#include "core/exit_status.h"

namespace ft::analysis {
namespace {

bool parse_pid(const std::string& s, uint32_t& pid) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), pid);
  return ec == std::errc() && end == s.data() + s.size() && pid != 0;
}

bool followed(const TraceScope& scope, uint32_t pid) {
  return std::find(scope.followed_pids.begin(), scope.followed_pids.end(), pid) != scope.followed_pids.end();
}

}  // namespace

std::vector<uint32_t> followed_pids_in(const std::vector<std::string>& argv) {
  std::vector<uint32_t> pids;
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") break;
    std::string value;
    if ((a == "-p" || a == "--pid") && i + 1 < argv.size())
      value = argv[++i];
    else if (a.rfind("--pid=", 0) == 0)
      value = a.substr(6);
    else if (a.size() > 2 && a.rfind("-p", 0) == 0 && a[2] != '-')
      value = a.substr(2);
    else
      continue;
    uint32_t pid;
    if (parse_pid(value, pid)) pids.push_back(pid);
  }
  return pids;
}

bool Step::failed() const { return exited && !status_unknown && decode_wait_status(wait_status).failed(); }

uint32_t Trace::add(Step step) {
  uint32_t index = static_cast<uint32_t>(steps.size());
  uint32_t parent = step.parent;
  steps.push_back(std::move(step));
  if (parent == kNone)
    roots.push_back(index);
  else
    steps[parent].children.push_back(index);
  return index;
}

std::string executable_of(const Step& step) {
  // What was run, as named (gcc, not the file its symlinks lead to); but an
  // fexecve's /dev/fd/N names nothing, so the real file.
  const std::string& path =
      step.filename.rfind("/dev/fd/", 0) == 0 && !step.exe.empty() ? step.exe : step.filename;
  if (path.empty()) return step.comm;
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

size_t chain_start(const std::vector<std::shared_ptr<const Process>>& ancestry, const TraceScope& scope) {
  if (!scope.filtered) return 0;
  for (size_t i = 0; i < ancestry.size(); ++i)
    if (!ancestry[i]->seeded || followed(scope, ancestry[i]->pid)) return i;
  return ancestry.size();
}

TraceBuilder::TraceBuilder(TraceScope scope) { trace_.scope = std::move(scope); }

void TraceBuilder::copy(const Process& p, Step& s) {
  s.pid = p.pid;
  s.start_ns = p.start_ns;
  s.seeded = p.seeded;
  s.reparented = p.reparented;
  s.recovered = p.recovered;
  s.forker_unknown = p.forker_unknown && !p.seeded;  // a seeded one's fork was never to be seen
  s.ppid = p.ppid;
  s.comm = p.comm;
  s.filename = p.filename;
  s.unsatisfied_execs = p.unsatisfied_execs;
  s.unsatisfied_exec_count = p.unsatisfied_exec_count;
  s.folded_exec_misses = p.folded_exec_misses;
  s.exe = p.exe;
  s.argv = p.argv;
  s.argv_truncated = p.argv_truncated;
  s.job = p.job;
}

// The step of `process`, made with those of its traced ancestors that are not
// steps yet (oldest first), so a chain never has a gap. In a filtered trace the
// tracer and its ancestors are not traced: they never become steps.
uint32_t TraceBuilder::step_of(const Process& process, bool own_event) {
  if (auto it = index_.find(&process); it != index_.end()) {
    if (own_event) trace_.steps[it->second.step].context = false;
    return it->second.step;
  }
  std::vector<const Process*> missing{&process};
  uint32_t parent = kNone;
  for (const Process* a = process.parent.get(); a && missing.size() < 4096; a = a->parent.get()) {
    if (auto it = index_.find(a); it != index_.end()) {
      parent = it->second.step;
      break;
    }
    if (a->exited) break;  // an ancestor seen to exit is never one to add again
    missing.push_back(a);
  }
  if (trace_.scope.filtered && parent == kNone) {
    // Keep only the traced part: from the first traced ancestor down.
    std::vector<std::shared_ptr<const Process>> chain;
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) chain.push_back((*it)->shared_from_this());
    size_t start = chain_start(chain, trace_.scope);
    if (start == chain.size()) start = chain.size() - 1;  // the process itself is traced
    missing.resize(missing.size() - start);
  }
  uint32_t index = kNone;
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    Step step;
    copy(**it, step);
    step.parent = parent;
    step.context = *it != &process || !own_event;
    index = trace_.add(std::move(step));
    index_[*it] = Held{index, (*it)->shared_from_this()};
    parent = index;
  }
  return index;
}

void TraceBuilder::on_event(const Event& e, const Process& p) {
  if (!trace_.first_ns) trace_.first_ns = e.ts_ns;
  trace_.last_ns = std::max(trace_.last_ns, e.ts_ns);
  if (e.thread) return;
  uint32_t index = step_of(p, true);
  Step& s = trace_.steps[index];
  if (e.kind == EventKind::exec_failed) trace_.has_exec_failures = true;
  copy(p, s);
  switch (e.kind) {
    case EventKind::fork: trace_.forks++; break;
    case EventKind::exec: trace_.execs++; break;
    case EventKind::exit:
      trace_.exits++;
      s.exited = true;
      s.exit_ns = p.exit_ns;
      s.wait_status = p.wait_status;
      s.status_unknown = e.status_unknown || p.status_unknown;
      s.usage = p.usage;
      if (s.usage) trace_.has_usage = true;
      index_.erase(&p);
      break;
    default: break;
  }
}

Uncertain uncertain_in(const Trace& t) {
  Uncertain u;
  for (const Step& s : t.steps) {
    if (s.context) continue;  // known only as an ancestor
    if (s.recovered) u.recovered++;
    if (s.status_unknown) u.status_unknown++;
    if (s.forker_unknown) u.forker_unknown++;
  }
  return u;
}

void TraceBuilder::on_lost(const Event& e) {
  trace_.lost += e.lost_count;
  trace_.gap_count++;
  if (trace_.gaps.size() < Trace::kMaxGaps) trace_.gaps.push_back(Gap{e.ts_ns, e.lost_count});
  if (!trace_.first_ns) trace_.first_ns = e.ts_ns;
  trace_.last_ns = std::max(trace_.last_ns, e.ts_ns);
}

}  // namespace ft::analysis
