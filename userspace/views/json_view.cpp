#include "views/json_view.h"

#include <nlohmann/json.hpp>

#include "core/errno_label.h"
#include "core/exit_status.h"
#include "format/json_line.h"

namespace ft {
namespace {

using Json = nlohmann::ordered_json;

const char* event_name(EventKind kind) {
  switch (kind) {
    case EventKind::fork: return "fork";
    case EventKind::exec: return "exec";
    case EventKind::exit: return "exit";
    case EventKind::lost: return "lost";
    case EventKind::exec_failed: return "exec_failed";
    case EventKind::reap: return "reap";
  }
  return "?";
}

// Kernel strings are bytes; invalid UTF-8 becomes U+FFFD rather than an error.
std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// The keys of docs/interface.md's "Exec detail and resource usage".
void add_usage(JsonLine& j, const ResourceUsage& u) {
  j.num("cpu_user_ns", u.cpu_user_ns)
      .num("cpu_sys_ns", u.cpu_sys_ns)
      .num("max_rss_kb", u.max_rss_kb)
      .num("minor_faults", u.minor_faults)
      .num("major_faults", u.major_faults)
      .num("voluntary_switches", u.voluntary_switches)
      .num("involuntary_switches", u.involuntary_switches)
      .num("read_bytes", u.read_bytes)
      .num("write_bytes", u.write_bytes);
  if (u.program_max_rss_kb) j.num("program_max_rss_kb", *u.program_max_rss_kb);
}

}  // namespace

JsonView::JsonView(std::FILE* out, ViewOptions options) : out_(out), options_(options) {}

// One line per event, written directly (format/json_line.h: the same bytes
// as nlohmann's dump, at a tenth of the cost).
std::string JsonView::format(const Event& e, const Process& p) const {
  JsonLine j;
  j.str("event", event_name(e.kind))
      .num("ts_ns", options_.clock.wall_ns(e.ts_ns))
      .num("pid", e.pid)
      .num("tid", e.tid)
      .num("ppid", shown_ppid(e, p))
      .str("comm", shown_comm(e, p));
  switch (e.kind) {
    case EventKind::fork:
      j.num("parent_tid", e.parent_tid).boolean("thread", e.thread);
      if (!e.thread) j.num("parent_pid", e.parent_pid);
      break;
    case EventKind::exec:
      j.str("filename", e.filename).strings("argv", e.argv).boolean("argv_truncated", e.argv_truncated);
      if (e.filename_truncated) j.boolean("filename_truncated", true);
      if (e.old_tid) j.num("old_tid", e.old_tid);
      // Recordings before version 3 have none of these: their replay stays as it was.
      if (!e.cwd.empty()) j.str("cwd", e.cwd);
      if (e.cwd_truncated) j.boolean("cwd_truncated", true);
      if (e.has_creds) j.num("uid", e.uid).num("gid", e.gid).num("euid", e.euid).num("egid", e.egid);
      if (!e.exe.empty()) j.str("exe", e.exe);
      if (e.exe_truncated) j.boolean("exe_truncated", true);
      if (!e.interpreter.empty()) j.str("interpreter", e.interpreter);
      break;
    case EventKind::exec_failed: {
      j.str("filename", e.filename).strings("argv", e.argv).boolean("argv_truncated", e.argv_truncated);
      if (e.filename_truncated) j.boolean("filename_truncated", true);
      j.str("cwd", e.cwd);
      if (e.cwd_truncated) j.boolean("cwd_truncated", true);
      j.num("errno", e.exec_errno);
      j.str("error", errno_label(e.exec_errno));
      break;
    }
    case EventKind::exit: {
      j.boolean("thread", e.thread);
      if (e.status_unknown) {
        // Its real exit was lost: that it ended is known, how and when are not.
        j.boolean("status_unknown", true);
        break;
      }
      ExitStatus s = decode_wait_status(e.wait_status);
      if (s.exit_code) j.num("exit_code", *s.exit_code);
      if (s.signal) j.num("signal", *s.signal);
      j.boolean("core_dumped", s.core_dumped);
      j.num("duration_ns", e.thread ? (e.ts_ns > e.thread_start_ns ? e.ts_ns - e.thread_start_ns : 0)
                                     : p.duration_ns());
      if (e.usage && !e.thread) add_usage(j, *e.usage);
      if (e.killed_by && !e.thread) j.raw("killed_by", killed_by_json(*e.killed_by));
      break;
    }
    case EventKind::reap:
      j.num("reaper_pid", e.reaper_pid)
          .str("reaper_comm", e.reaper_comm)
          .num("zombie_ns", e.zombie_ns)
          .boolean("autoreaped", e.autoreaped);
      break;
    case EventKind::lost: break;
  }
  // Made from /proc after a loss, not seen (model/reconcile.h).
  if (e.recovered) j.boolean("recovered", true);
  if (!e.cgroup.empty()) j.str("cgroup", e.cgroup);
  if (p.container) j.raw("container", container_json(*p.container));
  if (p.nspid && p.nspid != p.pid) j.num("nspid", p.nspid);
  if (!p.job.empty()) j.str("job", p.job);
  if (options_.failed_only && (e.kind == EventKind::exit || e.kind == EventKind::exec_failed)) {
    std::string chain = "[";
    for (const auto& a : shown_ancestry(p, options_.scope)) {
      if (chain.size() > 1) chain += ',';
      chain += JsonLine().num("pid", a->pid).str("comm", a->comm).done();
    }
    j.raw("ancestry", chain + "]");
  }
  return j.done();
}

void JsonView::print(const std::string& line) {
  std::fputs(line.c_str(), out_);
  std::fputc('\n', out_);
}

void JsonView::on_event(const Event& e, const Process& p) {
  if (options_.failed_only) {
    if (e.kind == EventKind::exec_failed) {
      misses_.add(e.pid, e.filename, format(e, p));
      return;
    }
    if (e.kind == EventKind::exec && misses_.holds(e.pid)) {
      for (const std::string& line : misses_.on_exec(e.pid, e.filename).unsatisfied) print(line);
    } else if (e.kind == EventKind::exit && !e.thread && misses_.holds(e.pid)) {
      for (const std::string& line : misses_.on_exit(e.pid)) print(line);
    }
    if (!shown_when_failed_only(e)) return;
  }
  print(format(e, p));
}

void JsonView::on_lost(const Event& e) {
  Json j;
  j["event"] = "lost";
  j["ts_ns"] = options_.clock.wall_ns(e.ts_ns);
  j["count"] = e.lost_count;
  // Extensions: the kinds lost, where known, and how many of them the output
  // dropped (the kernel delivered them; the recording has them).
  if (e.lost_fork || e.lost_exec || e.lost_exit || e.lost_exec_failed || e.lost_reap) {
    j["kinds"] = Json{{"fork", e.lost_fork}, {"exec", e.lost_exec}, {"exit", e.lost_exit}};
    if (e.lost_exec_failed) j["kinds"]["exec_failed"] = e.lost_exec_failed;
    if (e.lost_reap) j["kinds"]["reap"] = e.lost_reap;
  }
  if (e.lost_output) j["not_shown"] = e.lost_output;
  std::string line = dump(j) + '\n';
  std::fputs(line.c_str(), out_);
}

void JsonView::finish() {
  for (const auto& [pid, line] : misses_.drain()) print(line);
  std::fflush(out_);
}

}  // namespace ft
