#include "model/lineage.h"

#include <algorithm>

namespace ft {
namespace {

bool same_start(const Process& p, uint64_t start_ns) {
  return start_ns / p.start_precision_ns == p.start_ns / p.start_precision_ns;
}

void note_parent(Process& p, uint32_t ppid) {
  if (ppid == 0 || ppid == p.ppid) return;
  p.ppid = ppid;
  p.reparented = p.forked_by != 0 && ppid != p.forked_by;
}

// Counted always, kept up to the bound: a script's many misses cannot grow it without end.
void keep_unsatisfied(Process& p, Process::FailedExec f) {
  p.unsatisfied_exec_count++;
  if (p.unsatisfied_execs.size() < Process::kMaxUnsatisfiedExecs) p.unsatisfied_execs.push_back(std::move(f));
}

}  // namespace

// A process that starts its successor and exits, generation after generation,
// leaves a chain of exited ancestors held only by the next one. The implicit
// destructor would free it recursively, a stack frame per generation, and
// overflow the stack after some 100k generations; unlink it in a loop instead.
// Every Process is created non-const (make_shared<Process>), so the
// const_cast writes to a non-const object.
Process::~Process() {
  std::shared_ptr<const Process> next = std::move(parent);
  while (next && next.use_count() == 1) {
    std::shared_ptr<const Process> after = std::move(const_cast<Process&>(*next).parent);
    next = std::move(after);  // frees the ancestor, whose parent is already empty
  }
}

void Lineage::seed(const std::vector<SeedProcess>& processes) {
  live_.clear();
  add_seeds(processes);
}

void Lineage::add_seeds(const std::vector<SeedProcess>& processes) {
  std::vector<ProcessPtr> added;
  for (const SeedProcess& s : processes) {
    if (live_.count(s.pid)) continue;
    auto p = std::make_shared<Process>();
    p->pid = s.pid;
    p->start_ns = s.start_ns;
    p->start_precision_ns = proc_tick_ns_;
    p->ppid = s.ppid;
    p->forked_by = s.ppid;
    p->seeded = true;
    p->comm = s.comm;
    p->filename = s.filename;
    p->argv = s.argv;
    p->cgroup_id = s.cgroup_id;
    p->job = s.job;
    added.push_back(p);
    live_[s.pid] = std::move(p);
  }
  // Link after all exist: /proc lists children before parents at pid wrap.
  for (auto& p : added) {
    if (p->ppid == p->pid) continue;
    if (auto parent = find(p->ppid)) p->parent = parent;
  }
}

std::vector<SeedProcess> Lineage::snapshot() const {
  std::vector<SeedProcess> out;
  out.reserve(live_.size());
  for (const auto& [pid, p] : live_)
    out.push_back(SeedProcess{p->pid, p->ppid, p->start_ns, p->cgroup_id, p->comm, p->filename, p->argv, p->job});
  std::sort(out.begin(), out.end(), [](const SeedProcess& a, const SeedProcess& b) { return a.pid < b.pid; });
  return out;
}

ProcessPtr Lineage::find(uint32_t pid) const {
  auto it = live_.find(pid);
  return it == live_.end() ? nullptr : it->second;
}

// The live process the event is about; a pid whose start differs is a reused
// pid, and a process not seen before (its fork missed) is created.
ProcessPtr Lineage::lookup(uint32_t pid, uint64_t start_ns, uint32_t ppid, const Event& event) {
  ProcessPtr& slot = live_[pid];
  if (slot && same_start(*slot, start_ns)) return slot;
  auto p = std::make_shared<Process>();
  p->pid = pid;
  p->start_ns = start_ns;
  p->ppid = ppid;
  p->forker_unknown = true;  // invented: its fork was not seen
  p->comm = event.comm;
  if (auto parent = find(ppid); parent && ppid != pid) p->parent = parent;
  slot = p;
  return p;
}

ProcessPtr Lineage::on_fork(const Event& e) {
  if (e.thread) {
    ProcessPtr p = lookup(e.pid, e.start_ns, e.ppid, e);
    note_parent(*p, e.ppid);  // a thread's real_parent is its process's parent
    p->live_threads++;
    return p;
  }
  if (ProcessPtr known = find(e.pid); known && known->recovered && !e.recovered && same_start(*known, e.start_ns)) {
    // The real fork of a process already recovered from /proc (its record was
    // still on its way during the reconciliation): not a second process.
    return nullptr;
  }
  ProcessPtr parent;
  if (!e.recovered) {
    parent = lookup(e.parent_pid, e.parent_start_ns, 0, e);
  } else if (ProcessPtr p = find(e.parent_pid); p && p->pid != e.pid) {
    parent = p;  // recovered: linked to a parent only where the model has it, never invented
  }
  auto child = std::make_shared<Process>();
  child->pid = e.pid;
  child->start_ns = e.start_ns;
  child->ppid = e.ppid;
  child->forked_by = e.parent_pid;
  child->parent = parent;
  child->reparented = e.ppid != e.parent_pid;  // CLONE_PARENT
  child->comm = e.comm;
  if (parent) {
    child->filename = parent->filename;
    child->argv = parent->argv;
    child->argv_truncated = parent->argv_truncated;
    child->job = parent->job;
    child->cwd = parent->cwd;
    child->exe = parent->exe;
    child->interpreter = parent->interpreter;
    child->has_creds = parent->has_creds;
    child->uid = parent->uid;
    child->gid = parent->gid;
    child->euid = parent->euid;
    child->egid = parent->egid;
    child->container = parent->container;  // where its cgroup is not known
  }
  child->cgroup_id = e.cgroup_id;
  child->nspid = e.nspid;
  if (e.recovered) {
    child->recovered = true;
    child->start_precision_ns = proc_tick_ns_;  // /proc's start time: ticks
  }
  live_[e.pid] = child;  // replaces a stale entry whose exit was lost
  return child;
}

ProcessPtr Lineage::on_exec(const Event& e) {
  ProcessPtr p = lookup(e.pid, e.start_ns, e.ppid, e);
  note_parent(*p, e.ppid);
  p->comm = e.comm;
  p->filename = e.filename;
  p->argv = e.argv;
  p->argv_truncated = e.argv_truncated;
  p->cgroup_id = e.cgroup_id;
  if (e.nspid) p->nspid = e.nspid;  // the same namespace since its fork: only older recordings lack it
  p->execs++;
  if (exec_misses_.holds(e.pid)) {
    auto outcome = exec_misses_.on_exec(e.pid, e.filename);
    p->folded_exec_misses += static_cast<uint32_t>(outcome.folded);
    for (auto& f : outcome.unsatisfied) keep_unsatisfied(*p, std::move(f));
  }
  p->cwd_changed = !e.cwd.empty() && e.cwd != p->cwd;
  if (!e.cwd.empty()) p->cwd = e.cwd;
  p->exe = e.exe;
  p->interpreter = e.interpreter;
  p->creds_changed = e.has_creds && (!p->has_creds || e.uid != p->uid || e.gid != p->gid ||
                                     e.euid != p->euid || e.egid != p->egid);
  if (e.has_creds) {
    p->has_creds = true;
    p->uid = e.uid;
    p->gid = e.gid;
    p->euid = e.euid;
    p->egid = e.egid;
  }
  // The live path keeps only the job marker ("NAME=value") of the environment,
  // first, and the trace context for the OpenTelemetry export after it.
  if (!e.env.empty() && e.env.front().rfind("TRACEPARENT=", 0) != 0 && e.env.front().rfind("TRACESTATE=", 0) != 0) {
    size_t eq = e.env.front().find('=');
    if (eq != std::string::npos) p->job = e.env.front().substr(eq + 1);
  }
  // exec kills every other thread (de_thread), and their exits are not traced.
  p->live_threads = 1;
  return p;
}

const Lineage::RecentExit* Lineage::exited_recently(uint32_t pid, uint64_t start_ns) const {
  if (!pid || find(pid)) return nullptr;
  for (const RecentExit& r : recent_exits_)
    if (r.pid == pid && r.start_ns == start_ns) return &r;
  return nullptr;
}

std::optional<Event> Lineage::as_thread_exit(const Event& e) const {
  if (e.kind != EventKind::exit || e.thread) return std::nullopt;
  const RecentExit* ended = exited_recently(e.pid, e.start_ns);
  if (!ended || ended->tid == e.tid) return std::nullopt;
  Event thread_exit = e;
  thread_exit.thread = true;
  thread_exit.usage.reset();  // the process's, already given with its end
  thread_exit.killed_by.reset();
  if (e.tid == e.pid) {
    thread_exit.tid = ended->tid;
    thread_exit.thread_start_ns = ended->thread_start_ns;
  }
  return thread_exit;
}

ProcessPtr Lineage::on_exit(const Event& e) {
  if (const RecentExit* ended = exited_recently(e.pid, e.start_ns)) {
    // A thread's exit after its process's end (see as_thread_exit) belongs to
    // the ended process; a repeated process exit from the same thread is dropped.
    if (!e.thread) return nullptr;
    if (ended->multithreaded) return ended->multithreaded;
    auto p = std::make_shared<Process>();  // not kept (threads not traced): what the event says
    p->pid = e.pid;
    p->start_ns = e.start_ns;
    p->ppid = e.ppid;
    p->comm = e.comm;
    p->exited = true;
    p->wait_status = e.wait_status;
    p->exit_ns = e.ts_ns;
    p->live_threads = 0;
    return p;
  }
  ProcessPtr p = lookup(e.pid, e.start_ns, e.ppid, e);
  note_parent(*p, e.ppid);
  p->comm = e.comm;
  if (e.thread) {
    if (p->live_threads > 1) p->live_threads--;
    return p;
  }
  p->exited = true;
  if (exec_misses_.holds(e.pid))
    for (auto& f : exec_misses_.on_exit(e.pid)) keep_unsatisfied(*p, std::move(f));
  p->status_unknown = e.status_unknown;
  p->wait_status = e.wait_status;
  p->exit_ns = e.ts_ns;
  p->usage = e.usage;
  p->killed_by = e.killed_by ? std::make_shared<const KilledBy>(*e.killed_by) : nullptr;
  recent_exits_[next_recent_exit_++ % recent_exits_.size()] = {e.pid, e.start_ns, e.tid, e.thread_start_ns,
                                                               p->live_threads > 1 ? p : nullptr};
  p->live_threads = 0;
  live_.erase(e.pid);
  if (keep_unreaped_) {
    unreaped_[e.pid] = p;
    unreaped_order_.emplace_back(e.pid, e.start_ns);
    while (unreaped_order_.size() > kMaxUnreaped) {
      auto [pid, start_ns] = unreaped_order_.front();
      unreaped_order_.pop_front();
      if (auto it = held_unreaped(pid, start_ns); it != unreaped_.end()) unreaped_.erase(it);
    }
  }
  return p;
}

// The ended process (pid, start_ns) still held for its reap, or unreaped_.end()
// (a later process with the pid, or none, is held).
std::unordered_map<uint32_t, ProcessPtr>::iterator Lineage::held_unreaped(uint32_t pid, uint64_t start_ns) {
  auto it = unreaped_.find(pid);
  return it != unreaped_.end() && it->second->start_ns == start_ns ? it : unreaped_.end();
}

ProcessPtr Lineage::on_reap(const Event& e) {
  auto it = held_unreaped(e.pid, e.start_ns);
  if (it == unreaped_.end()) return nullptr;  // its exit was not seen, or it was let go
  ProcessPtr p = it->second;
  unreaped_.erase(it);
  // Reaps come mostly in exit order: the order's front goes with them, so it
  // stays short and keeps no memory pinned after a burst of exits.
  while (!unreaped_order_.empty()) {
    auto [pid, start_ns] = unreaped_order_.front();
    if (held_unreaped(pid, start_ns) != unreaped_.end()) break;
    unreaped_order_.pop_front();
  }
  if (unreaped_order_.empty()) unreaped_order_.shrink_to_fit();
  p->reaped = true;
  p->autoreaped = e.autoreaped;
  p->reaper_pid = e.reaper_pid;
  p->reaper_comm = e.reaper_comm;
  p->zombie_ns = e.zombie_ns;
  return p;
}

ProcessPtr Lineage::on_exec_failed(const Event& e) {
  ProcessPtr p = lookup(e.pid, e.start_ns, e.ppid, e);
  note_parent(*p, e.ppid);
  p->failed_execs++;
  exec_misses_.add(e.pid, e.filename,
                    Process::FailedExec{!e.argv.empty() && !e.argv[0].empty() ? e.argv[0] : e.filename, e.filename,
                                        e.exec_errno, e.ts_ns});
  return p;
}

ProcessPtr Lineage::apply(const Event& e) {
  ProcessPtr p = on_event(e);
  // Every event with a cgroup says where the process is now (a container's
  // first process moves in after its fork).
  if (p && !e.cgroup.empty()) p->container = containers_.of(e.cgroup_id, e.cgroup);
  return p;
}

ProcessPtr Lineage::on_event(const Event& e) {
  switch (e.kind) {
    case EventKind::fork: return on_fork(e);
    case EventKind::exec: return on_exec(e);
    case EventKind::exit: return on_exit(e);
    case EventKind::exec_failed: return on_exec_failed(e);
    case EventKind::reap: return on_reap(e);
    case EventKind::lost: return nullptr;
  }
  return nullptr;
}

std::vector<std::shared_ptr<const Process>> Lineage::ancestry(const Process& process) {
  std::vector<std::shared_ptr<const Process>> chain;
  for (auto p = process.parent; p; p = p->parent) {
    chain.push_back(p);
    if (chain.size() > 4096) break;  // a cycle would be a model bug; never loop forever
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

}  // namespace ft
