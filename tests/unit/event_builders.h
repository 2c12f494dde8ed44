// Builders of ft::Event sequences for the unit tests: each returns the event
// the decoder would produce for the kernel record of that case, so tests read
// as the story of a process ("fork, exec, exit 3") rather than as field lists.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/event.h"
#include "model/lineage.h"

namespace ft::test {

constexpr uint64_t kUs = 1'000;
constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kSec = 1'000'000'000;

// A process's identity: the pid and its exact kernel start (boot time, ns).
struct Id {
  uint32_t pid = 0;
  uint64_t start_ns = 0;
};

// Raw wait statuses, as the kernel's exit_code holds them.
constexpr uint32_t exited_with(int code) { return static_cast<uint32_t>(code & 0xff) << 8; }
constexpr uint32_t killed_by(int signal, bool core_dumped = false) {
  return static_cast<uint32_t>(signal & 0x7f) | (core_dumped ? 0x80u : 0u);
}

// `parent` forks the new process `child` (its start is also the event time).
// `ppid` is the child's real parent: the forker unless CLONE_PARENT.
inline Event fork_of(Id parent, Id child, uint32_t ppid = 0, std::string comm = "sh",
                     uint32_t parent_tid = 0) {
  Event e;
  e.kind = EventKind::fork;
  e.ts_ns = child.start_ns;
  e.pid = child.pid;
  e.tid = child.pid;
  e.ppid = ppid ? ppid : parent.pid;
  e.start_ns = child.start_ns;
  e.thread_start_ns = child.start_ns;
  e.comm = std::move(comm);
  e.parent_pid = parent.pid;
  e.parent_tid = parent_tid ? parent_tid : parent.pid;
  e.parent_start_ns = parent.start_ns;
  return e;
}

// A thread of `process` (thread id `tid`, started at `ts`) created by `by_tid`.
inline Event thread_fork_of(Id process, uint32_t ppid, uint32_t tid, uint64_t ts, uint32_t by_tid = 0,
                            std::string comm = "worker") {
  Event e;
  e.kind = EventKind::fork;
  e.thread = true;
  e.ts_ns = ts;
  e.pid = process.pid;
  e.tid = tid;
  e.ppid = ppid;
  e.start_ns = process.start_ns;  // a thread belongs to its process's identity
  e.thread_start_ns = ts;
  e.comm = std::move(comm);
  e.parent_pid = process.pid;
  e.parent_tid = by_tid ? by_tid : process.pid;
  e.parent_start_ns = process.start_ns;
  return e;
}

// `p` execs `filename`; `old_tid` is the calling thread when not the leader.
inline Event exec_of(Id p, uint32_t ppid, std::string filename, std::vector<std::string> argv, uint64_t ts,
                     uint32_t old_tid = 0) {
  Event e;
  e.kind = EventKind::exec;
  e.ts_ns = ts;
  e.pid = p.pid;
  e.tid = p.pid;  // after exec the caller is the leader
  e.ppid = ppid;
  e.start_ns = p.start_ns;
  e.old_tid = old_tid;
  size_t slash = filename.rfind('/');
  e.comm = slash == std::string::npos ? filename : filename.substr(slash + 1);
  if (e.comm.size() > 15) e.comm.resize(15);
  e.filename = std::move(filename);
  e.argv = std::move(argv);
  return e;
}

// The whole process `p` ended (the last thread, `tid`, exited) with `wait_status`.
// A failed exec attempt of sh in /w (argv "x").
inline Event failed_exec_of(Id p, uint32_t ppid, std::string filename, int error, uint64_t ts) {
  Event e;
  e.kind = EventKind::exec_failed;
  e.ts_ns = ts;
  e.pid = e.tid = p.pid;
  e.ppid = ppid;
  e.start_ns = p.start_ns;
  e.comm = "sh";
  e.filename = std::move(filename);
  e.argv = {"x"};
  e.cwd = "/w";
  e.exec_errno = error;
  return e;
}

inline Event exit_of(Id p, uint32_t ppid, uint32_t wait_status, uint64_t ts, uint32_t tid = 0,
                     std::string comm = "sh") {
  Event e;
  e.kind = EventKind::exit;
  e.thread = false;
  e.ts_ns = ts;
  e.pid = p.pid;
  e.tid = tid ? tid : p.pid;
  e.ppid = ppid;
  e.start_ns = p.start_ns;
  e.thread_start_ns = p.start_ns;
  e.comm = std::move(comm);
  e.wait_status = wait_status;
  return e;
}

// One thread `tid` of `p` (started at `thread_start`) ended; other threads live on.
inline Event thread_exit_of(Id p, uint32_t ppid, uint32_t tid, uint64_t thread_start, uint64_t ts,
                            uint32_t wait_status = 0, std::string comm = "worker") {
  Event e = exit_of(p, ppid, wait_status, ts, tid, std::move(comm));
  e.thread = true;
  e.thread_start_ns = thread_start;
  return e;
}

// `p`, ended `zombie_ns` before `ts`, reaped then by `reaper`.
inline Event reap_of(Id p, uint32_t reaper, std::string reaper_comm, uint64_t zombie_ns, uint64_t ts,
                     bool autoreaped = false) {
  Event e;
  e.kind = EventKind::reap;
  e.ts_ns = ts;
  e.pid = p.pid;
  e.tid = p.pid;
  e.start_ns = p.start_ns;
  e.reaper_pid = reaper;
  e.reaper_comm = std::move(reaper_comm);
  e.zombie_ns = zombie_ns;
  e.autoreaped = autoreaped;
  return e;
}

inline Event lost_of(uint64_t count, uint64_t ts) {
  Event e;
  e.kind = EventKind::lost;
  e.ts_ns = ts;
  e.lost_count = count;
  return e;
}

// A process that existed before tracing began, as /proc reports it.
inline SeedProcess seed_of(uint32_t pid, uint32_t ppid, uint64_t start_ns, std::string comm,
                           std::string filename = "", std::vector<std::string> argv = {}) {
  SeedProcess s;
  s.pid = pid;
  s.ppid = ppid;
  s.start_ns = start_ns;
  s.comm = std::move(comm);
  s.filename = std::move(filename);
  s.argv = std::move(argv);
  return s;
}

}  // namespace ft::test
