#include "model/reconcile.h"

#include <algorithm>
#include <unordered_map>

namespace ft {
namespace {

// /proc's start is the kernel's start_boottime cut to clock ticks; the
// model's is exact (or itself from /proc). One tick of slack for rounding.
bool same_process(uint64_t a_ns, uint64_t b_ns, uint64_t tick_ns) {
  uint64_t a = a_ns / tick_ns, b = b_ns / tick_ns;
  return (a > b ? a - b : b - a) <= 1;
}

// An event the reconciliation makes, at the snapshot's time, for a process
// it knows by pid, parent, start, cgroup and comm (from the model or /proc).
Event made_event(EventKind kind, uint64_t ts_ns, uint32_t pid, uint32_t ppid, uint64_t start_ns,
                 uint64_t cgroup_id, const std::string& comm) {
  Event e;
  e.kind = kind;
  e.ts_ns = ts_ns;
  e.pid = e.tid = pid;
  e.ppid = ppid;
  e.start_ns = start_ns;
  e.cgroup_id = cgroup_id;
  e.comm = comm;
  return e;
}

}  // namespace

std::vector<Event> reconcile(const Lineage& model, const ReconcileInput& in) {
  std::vector<Event> out;
  std::unordered_map<uint32_t, const SeedProcess*> proc;
  for (const SeedProcess& s : in.proc) proc.emplace(s.pid, &s);
  auto known_alive = [&](const SeedProcess& s) {
    auto it = model.live().find(s.pid);
    return it != model.live().end() && same_process(it->second->start_ns, s.start_ns, in.tick_ns);
  };
  auto exited_since = [&](const SeedProcess& s) {
    for (const auto& [pid, start] : in.exited_since)
      if (pid == s.pid && same_process(start, s.start_ns, in.tick_ns)) return true;
    return false;
  };
  auto in_scope = [&](const Process& p) { return !in.traced || in.traced(p); };

  // 1. The model's processes that /proc no longer has: ended in the gap (or
  //    their pid was taken by a newer process).
  std::vector<const Process*> ended;
  for (const auto& [pid, p] : model.live()) {
    if (!in_scope(*p)) continue;
    if (p->start_ns / in.tick_ns >= in.snapshot_ns / in.tick_ns) continue;  // may have started after the snapshot
    auto it = proc.find(pid);
    if (it != proc.end() && same_process(p->start_ns, it->second->start_ns, in.tick_ns) && !it->second->zombie)
      continue;
    ended.push_back(p.get());
  }
  std::sort(ended.begin(), ended.end(), [](const Process* a, const Process* b) {
    return a->start_ns != b->start_ns ? a->start_ns > b->start_ns : a->pid < b->pid;  // children first
  });
  for (const Process* p : ended) {
    Event e = made_event(EventKind::exit, in.snapshot_ns, p->pid, p->ppid, p->start_ns, p->cgroup_id, p->comm);
    e.status_unknown = true;
    e.thread_start_ns = p->start_ns;
    out.push_back(std::move(e));
  }

  // 2. What /proc has alive that the model does not know: its fork was lost.
  //    In scope when its nearest known ancestor is traced.
  std::unordered_map<uint32_t, uint64_t> recovered;  // pid → start, added below
  std::unordered_map<uint32_t, int> scope_memo;       // pid → 0 no, 1 yes
  std::function<bool(const SeedProcess&, int)> wanted = [&](const SeedProcess& s, int depth) {
    if (!in.traced) return true;
    auto memo = scope_memo.find(s.pid);
    if (memo != scope_memo.end()) return memo->second == 1;
    bool yes = false;
    if (s.ppid > 1 && s.ppid != s.pid && depth < 4096) {
      auto it = model.live().find(s.ppid);
      auto parent = proc.find(s.ppid);
      if (it != model.live().end() && (parent == proc.end() || known_alive(*parent->second)))
        yes = in.traced(*it->second);
      else if (parent != proc.end())
        yes = wanted(*parent->second, depth + 1);
    }
    scope_memo[s.pid] = yes ? 1 : 0;
    return yes;
  };
  std::vector<const SeedProcess*> unknown;
  for (const SeedProcess& s : in.proc) {
    if (s.zombie || known_alive(s) || exited_since(s)) continue;
    if (!wanted(s, 0)) continue;
    unknown.push_back(&s);
  }
  std::sort(unknown.begin(), unknown.end(), [](const SeedProcess* a, const SeedProcess* b) {
    return a->start_ns != b->start_ns ? a->start_ns < b->start_ns : a->pid < b->pid;  // parents first
  });
  for (const SeedProcess* s : unknown) {
    Event fork = made_event(EventKind::fork, in.snapshot_ns, s->pid, s->ppid, s->start_ns, s->cgroup_id, s->comm);
    fork.recovered = true;
    fork.thread_start_ns = s->start_ns;
    fork.parent_pid = fork.parent_tid = s->ppid;
    // The parent's program, to tell whether this one exec'd another.
    const std::string* parent_program = nullptr;
    const std::vector<std::string>* parent_argv = nullptr;
    if (auto r = recovered.find(s->ppid); r != recovered.end()) {
      fork.parent_start_ns = r->second;
      if (auto p = proc.find(s->ppid); p != proc.end()) {
        parent_program = &p->second->filename;
        parent_argv = &p->second->argv;
      }
    } else if (auto it = model.live().find(s->ppid); it != model.live().end()) {
      fork.parent_start_ns = it->second->start_ns;
      // /proc's exe is the real file: the model's exe, where the exec had it.
      parent_program = it->second->exe.empty() ? &it->second->filename : &it->second->exe;
      parent_argv = &it->second->argv;
    }
    recovered[s->pid] = s->start_ns;
    out.push_back(fork);
    bool ran_other = !s->filename.empty() &&
                     (!parent_program || *parent_program != s->filename || !parent_argv || *parent_argv != s->argv);
    if (!ran_other) continue;
    Event exec = made_event(EventKind::exec, in.snapshot_ns, s->pid, s->ppid, s->start_ns, s->cgroup_id, s->comm);
    exec.recovered = true;
    exec.filename = s->filename;
    exec.exe = s->filename;  // both from /proc/PID/exe: the real file
    exec.argv = s->argv;
    exec.cwd = s->cwd;
    exec.has_creds = s->has_creds;
    exec.uid = s->uid;
    exec.gid = s->gid;
    exec.euid = s->euid;
    exec.egid = s->egid;
    out.push_back(std::move(exec));
  }
  return out;
}

}  // namespace ft
