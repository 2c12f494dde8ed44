#include "analysis/trace.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "analysis/rollup.h"
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

std::string_view basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

StringPool::StringPool() {
  views_.emplace_back();
  ids_.emplace(std::string_view(), 0);
}

StrId StringPool::intern(std::string_view s) {
  if (s.empty()) return 0;
  if (auto it = ids_.find(s); it != ids_.end()) return it->second;
  char* at;
  if (s.size() > kBlock / 4) {  // a long one gets a block of its own
    blocks_.push_back(std::make_unique<char[]>(s.size()));
    at = blocks_.back().get();
  } else {
    if (!block_ || used_ + s.size() > kBlock) {
      blocks_.push_back(std::make_unique<char[]>(kBlock));
      block_ = blocks_.back().get();
      used_ = 0;
    }
    at = block_ + used_;
    used_ += s.size();
  }
  std::memcpy(at, s.data(), s.size());
  std::string_view stored(at, s.size());
  auto id = static_cast<StrId>(views_.size());
  views_.push_back(stored);
  ids_.emplace(stored, id);
  return id;
}

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

StrSpan Trace::intern_argv(const std::vector<std::string>& argv) {
  StrSpan span{static_cast<uint32_t>(items.size()), static_cast<uint32_t>(argv.size())};
  for (const std::string& a : argv) items.push_back(strings.intern(a));
  return span;
}

std::string_view executable_name(std::string_view filename, std::string_view exe, std::string_view comm,
                                 bool real_file_for_fd) {
  // What was run, as named (gcc, not the file its symlinks lead to); but an
  // fexecve's /dev/fd/N names nothing, so the real file.
  std::string_view path = real_file_for_fd && filename.substr(0, 8) == "/dev/fd/" && !exe.empty() ? exe : filename;
  if (path.empty()) return comm;
  return basename(path);
}

std::string_view executable_of(const Trace& t, const Step& s) {
  return executable_name(t.str(s.filename), t.str(s.exe), t.str(s.comm));
}

std::string executable_of(const Process& p) { return std::string(executable_name(p.filename, p.exe, p.comm)); }

size_t chain_start(const std::vector<std::shared_ptr<const Process>>& ancestry, const TraceScope& scope) {
  if (!scope.filtered) return 0;
  for (size_t i = 0; i < ancestry.size(); ++i)
    if (!ancestry[i]->seeded || followed(scope, ancestry[i]->pid)) return i;
  return ancestry.size();
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

// --- the processes with events of their own -------------------------------------------

OwnForest own_forest(const Trace& t) {
  OwnForest f;
  const auto n = static_cast<uint32_t>(t.steps.size());
  f.parent.assign(n, kNone);
  f.child_begin.assign(n + 1, 0);
  // The steps in the order of their first own event.
  uint32_t shown = 0;
  for (const Step& s : t.steps) shown += s.seen != kNone;
  std::vector<uint32_t> by_seen(shown, kNone);
  for (uint32_t i = 0; i < n; ++i)
    if (t.steps[i].seen != kNone) by_seen[t.steps[i].seen] = i;
  for (uint32_t i : by_seen) {
    uint32_t forker = t.steps[i].forker;
    if (forker != kNone && !t.steps[forker].context) {
      f.parent[i] = forker;
      f.child_begin[forker + 1]++;
    } else {
      f.roots.push_back(i);
    }
  }
  for (uint32_t i = 0; i < n; ++i) f.child_begin[i + 1] += f.child_begin[i];
  f.child_items.resize(f.child_begin[n]);
  std::vector<uint32_t> next(f.child_begin.begin(), f.child_begin.end() - 1);
  for (uint32_t i : by_seen)
    if (f.parent[i] != kNone) f.child_items[next[f.parent[i]]++] = i;
  return f;
}

std::vector<std::pair<uint32_t, size_t>> OwnForest::depth_first() const {
  return analysis::depth_first<uint32_t>(roots, [this](uint32_t s) { return children(s); });
}

std::vector<bool> OwnForest::failed_subtrees(const Trace& t) const {
  auto order = depth_first();
  std::vector<uint8_t> failed = roll_up<uint8_t>(
      t.steps.size(), order, kNone, [this](size_t s) { return parent[s]; },
      [&](size_t s, uint8_t& x) { x |= t.steps[s].exited && decode_wait_status(t.steps[s].wait_status).failed(); },
      [](uint8_t& up, uint8_t x) { up |= x; });
  return {failed.begin(), failed.end()};
}

// --- building it ---------------------------------------------------------------------

TraceBuilder::TraceBuilder(TraceScope scope, bool history) : history_(history) {
  trace_.scope = std::move(scope);
}

uint32_t TraceBuilder::indexed(const Process* p) const {
  auto it = index_.find(p);
  if (it == index_.end()) return kNone;
  const Step& s = trace_.steps[it->second];
  return s.pid == p->pid && s.start_ns == p->start_ns ? it->second : kNone;
}

void TraceBuilder::copy(const Process& p, Step& s) {
  auto update = [this](StrId& id, const std::string& value) {
    if (trace_.str(id) != value) id = trace_.intern(value);
  };
  s.pid = p.pid;
  s.start_ns = p.start_ns;
  s.seeded = p.seeded;
  s.reparented = p.reparented;
  s.recovered = p.recovered;
  s.forker_unknown = p.forker_unknown && !p.seeded;  // a seeded one's fork was never to be seen
  s.ppid = p.ppid;
  s.forked_by = p.forked_by;
  update(s.comm, p.comm);
  update(s.filename, p.filename);
  update(s.exe, p.exe);
  update(s.cwd, p.cwd);
  update(s.job, p.job);
  if (!p.container || !s.container || s.container->id != p.container->id) s.container = container_of(p);
  s.nspid = p.nspid;
  ArgvView now = trace_.argv(s);
  if (!std::equal(now.begin(), now.end(), p.argv.begin(), p.argv.end())) s.argv = trace_.intern_argv(p.argv);
  s.argv_truncated = p.argv_truncated;
  s.has_creds = p.has_creds;
  s.uid = p.uid;
  s.gid = p.gid;
  s.euid = p.euid;
  s.egid = p.egid;
  if (s.unsatisfied_exec_count != p.unsatisfied_exec_count || s.unsatisfied_execs.count != p.unsatisfied_execs.size()) {
    s.unsatisfied_execs = StrSpan{static_cast<uint32_t>(trace_.failed_execs.size()),
                                  static_cast<uint32_t>(p.unsatisfied_execs.size())};
    for (const Process::FailedExec& f : p.unsatisfied_execs)
      trace_.failed_execs.push_back(FailedExecStep{trace_.intern(f.command), trace_.intern(f.filename), f.error, f.ts_ns});
  }
  s.unsatisfied_exec_count = p.unsatisfied_exec_count;
  s.folded_exec_misses = p.folded_exec_misses;
}

const Container* TraceBuilder::container_of(const Process& p) {
  if (!p.container) return nullptr;
  auto it = containers_.find(p.container->id);
  if (it != containers_.end()) return it->second;
  const Container& kept = trace_.containers.emplace_back(*p.container);
  containers_.emplace(kept.id, &kept);
  return &kept;
}

// The step of `process`, made with those of its traced ancestors that are not
// steps yet (oldest first), so a chain never has a gap. In a filtered trace the
// tracer and its ancestors are not traced: they never become steps. An
// ancestor that exited is never added again, and a process first seen after
// its forker exited has no parent here (its `forker` still names it).
uint32_t TraceBuilder::step_of(const Process& process, bool own_event) {
  if (uint32_t found = indexed(&process); found != kNone && !trace_.steps[found].exited) {
    if (own_event) trace_.steps[found].context = false;
    return found;
  }
  std::vector<const Process*> missing{&process};
  uint32_t parent = kNone;
  for (const Process* a = process.parent.get(); a && missing.size() < 4096; a = a->parent.get()) {
    if (uint32_t found = indexed(a); found != kNone && !trace_.steps[found].exited) {
      parent = found;
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
    if (parent != kNone) {
      // A forked child runs its parent's program until it execs: the same
      // strings, kept once (copy() keeps what did not change).
      const Step& up = trace_.steps[parent];
      step.comm = up.comm;
      step.filename = up.filename;
      step.exe = up.exe;
      step.cwd = up.cwd;
      step.job = up.job;
      step.argv = up.argv;
    }
    copy(**it, step);
    step.parent = parent;
    step.forker = (*it)->parent ? indexed((*it)->parent.get()) : kNone;
    step.context = *it != &process || !own_event;
    index = trace_.add(std::move(step));
    index_[*it] = index;
    parent = index;
  }
  return index;
}

void TraceBuilder::on_event(const Event& e, const Process& p) {
  if (!trace_.first_ns) trace_.first_ns = e.ts_ns;
  trace_.last_ns = std::max(trace_.last_ns, e.ts_ns);
  if (e.thread) return;
  if (e.kind == EventKind::reap) {
    // After its exit: the step it ended as, if it was one.
    if (uint32_t found = indexed(&p); found != kNone) {
      Step& s = trace_.steps[found];
      s.reaped = true;
      s.autoreaped = p.autoreaped;
      s.reaper_pid = p.reaper_pid;
      s.reaper_comm = trace_.intern(p.reaper_comm);
      s.zombie_ns = p.zombie_ns;
    }
    return;
  }
  uint32_t index = step_of(p, true);
  Step& s = trace_.steps[index];
  bool first_seen = s.seen == kNone;
  if (first_seen) s.seen = seen_++;
  if (e.kind == EventKind::exec_failed) trace_.has_exec_failures = true;
  if (history_ && first_seen) {
    // What it runs before any exec: its parent's program (fork) or, for a
    // process that predates the trace, what it was running then.
    Image image{p.start_ns, trace_.intern(p.filename), trace_.intern(p.comm), {}, Image::first, kNone};
    if (e.kind == EventKind::fork) image.kind = Image::forked;
    if (e.kind != EventKind::exec && e.kind != EventKind::fork) image.argv = trace_.intern_argv(p.argv);
    s.first_image = s.last_image = static_cast<uint32_t>(trace_.images.size());
    trace_.images.push_back(image);
  }
  copy(p, s);
  switch (e.kind) {
    case EventKind::fork: trace_.forks++; break;
    case EventKind::exec:
      trace_.execs++;
      if (history_) {
        // copy() has just interned the process's program and argv, which
        // are this exec's: the image shares them rather than interning its
        // argv a second time (about 30 lookups per compile).
        auto at = static_cast<uint32_t>(trace_.images.size());
        const ArgvView now = trace_.argv(s);
        StrSpan argv = std::equal(now.begin(), now.end(), e.argv.begin(), e.argv.end()) ? s.argv : trace_.intern_argv(e.argv);
        StrId filename = trace_.str(s.filename) == e.filename ? s.filename : trace_.intern(e.filename);
        trace_.images.push_back(Image{e.ts_ns, filename, s.comm, argv, Image::exec, kNone});
        trace_.images[s.last_image].next = at;
        s.last_image = at;
      }
      break;
    case EventKind::exit:
      trace_.exits++;
      s.exited = true;
      s.exit_ns = p.exit_ns;
      s.wait_status = p.wait_status;
      s.status_unknown = e.status_unknown || p.status_unknown;
      s.usage = p.usage;
      if (s.usage) trace_.has_usage = true;
      if (p.killed_by) {
        trace_.kills.push_back(*p.killed_by);
        s.killed_by = &trace_.kills.back();
      }
      break;
    default: break;
  }
}

void TraceBuilder::on_lost(const Event& e) {
  trace_.lost += e.lost_count;
  trace_.gap_count++;
  if (trace_.gaps.size() < Trace::kMaxGaps) trace_.gaps.push_back(Gap{e.ts_ns, e.lost_count});
  if (history_) trace_.every_gap.push_back(Gap{e.ts_ns, e.lost_count});
  if (!trace_.first_ns) trace_.first_ns = e.ts_ns;
  trace_.last_ns = std::max(trace_.last_ns, e.ts_ns);
}

}  // namespace ft::analysis
