#include "views/text_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "analysis/build_report.h"
#include "core/errno_label.h"
#include "core/exit_status.h"
#include "core/killed_by.h"
#include "format/text.h"

namespace ft {
namespace {

const char* event_name(const Event& e) {
  switch (e.kind) {
    case EventKind::fork: return "fork";
    case EventKind::exec: return "exec";
    case EventKind::exit: return "exit";
    case EventKind::lost: return "lost";
    case EventKind::exec_failed: return "exec!";
    case EventKind::reap: return "reap";
  }
  return "?";
}

std::string shell_word(const std::string& s) { return format_command({s}, false); }

std::string container_change(const Process& p) {
  return container_mark(p.container.get(), p.parent ? p.parent->container.get() : nullptr, p.pid, p.nspid);
}

// Where and as whom, where the exec changed it from what the process had.
std::string exec_context(const Process& p) {
  std::string s;
  if (p.cwd_changed) s += "  cwd=" + shell_word(p.cwd);
  if (p.creds_changed) {
    s += fmt::format("  uid={} gid={}", p.uid, p.gid);
    if (p.euid != p.uid) s += fmt::format(" euid={}", p.euid);
    if (p.egid != p.gid) s += fmt::format(" egid={}", p.egid);
  }
  return s;
}

std::string error_text(int error) {
  return fmt::format("{} ({})", errno_label(error), std::strerror(error));
}

std::string ancestry_text(const Process& process, const analysis::TraceScope& scope) {
  std::string out;
  for (const auto& a : shown_ancestry(process, scope)) {
    out += fmt::format("{}({}) → ", printable(a->comm), a->pid);
  }
  return out + fmt::format("{}({})", printable(process.comm), process.pid);
}

std::string details(const Event& e, const Process& p, bool with_ancestry, const analysis::TraceScope& scope,
                    size_t max_command) {
  switch (e.kind) {
    case EventKind::fork:
      if (e.thread) return fmt::format("thread {} started by {}", e.tid, e.parent_tid);
      if (e.parent_pid != e.ppid) return fmt::format("forked by {}", e.parent_pid) + container_change(p);
      return container_change(p);
    case EventKind::exec: {
      std::string s = printable(e.filename) + (e.filename_truncated ? "..." : "");
      if (!e.argv.empty() || e.argv_truncated)
        s += "  " + shorten(format_command(e.argv, e.argv_truncated), max_command);
      if (e.old_tid) s += fmt::format("  (by thread {})", e.old_tid);
      return s + exec_context(p) + container_change(p);
    }
    case EventKind::exec_failed: {
      std::string s = printable(e.filename) + (e.filename_truncated ? "...: " : ": ") + error_text(e.exec_errno);
      if (!e.argv.empty() || e.argv_truncated)
        s += "  " + shorten(format_command(e.argv, e.argv_truncated), max_command);
      if (!e.cwd.empty()) s += "  cwd=" + shell_word(e.cwd);
      if (with_ancestry) s += "  " + ancestry_text(p, scope);
      return s;
    }
    case EventKind::exit: {
      if (e.thread) return fmt::format("thread {} ended", e.tid);
      if (e.status_unknown) {
        std::string s = "? ended while events were lost: status unknown";
        if (with_ancestry) s += "  " + ancestry_text(p, scope);
        return s;
      }
      std::string s = describe(decode_wait_status(e.wait_status), e.killed_by && !e.thread ? &*e.killed_by : nullptr) + " after " +
                      format_duration(p.duration_ns());
      if (e.usage) s += "  " + format_usage_brief(e.usage->cpu_ns(), e.usage->peak_rss_kb());
      if (with_ancestry) s += "  " + ancestry_text(p, scope);
      return s;
    }
    case EventKind::reap: {
      if (e.autoreaped) return fmt::format("reaped by the kernel for {}({}): it ignores SIGCHLD", printable(e.reaper_comm), e.reaper_pid);
      std::string s = fmt::format("reaped by {}({}) after {} as a zombie", printable(e.reaper_comm), e.reaper_pid,
                                  format_duration(e.zombie_ns));
      if (p.forked_by && e.reaper_pid != p.forked_by) s += fmt::format("  (forked by {})", p.forked_by);
      return s;
    }
    case EventKind::lost: return "";
  }
  return "";
}

}  // namespace

// "N events lost in the kernel (ring buffer full)", with the kinds where
// known, and the share the output dropped (the recording has those).
std::string describe_loss(const Event& e) {
  std::vector<std::string> parts;
  uint64_t kernel = e.lost_count - e.lost_output;
  if (kernel) parts.push_back(fmt::format("{} events lost in the kernel (ring buffer full)", kernel));
  if (e.lost_output) parts.push_back(fmt::format("{} events not shown (the output did not keep up)", e.lost_output));
  std::string s = parts.empty() ? "0 events lost" : parts[0];
  for (size_t i = 1; i < parts.size(); ++i) s += "; " + parts[i];
  if (e.lost_fork || e.lost_exec || e.lost_exit || e.lost_exec_failed || e.lost_reap) {
    s += fmt::format(": fork {}, exec {}, exit {}", e.lost_fork, e.lost_exec, e.lost_exit);
    if (e.lost_exec_failed) s += fmt::format(", exec_failed {}", e.lost_exec_failed);
    if (e.lost_reap) s += fmt::format(", reap {}", e.lost_reap);
  }
  return s;
}

TextView::TextView(std::FILE* out, ViewOptions options, const TraceStore* store) : out_(out), options_(options) {
  if (options_.failed_only) store_.emplace(store, options_.scope);
}

void TextView::print_header() {
  if (header_printed_) return;
  header_printed_ = true;
  fmt::print(out_, "{:<15} {:<5} {:>7} {:>7} {:<16} {}\n", "TIME", "EVENT", "PID", "PPID", "COMM",
             "DETAILS");
}

std::string TextView::line(const Event& e, const Process& p, const std::string& details) const {
  std::string line = fmt::format("{:<15} {:<5} {:>7} {:>7} {:<16} {}", format_clock(options_.clock.wall_ns(e.ts_ns)),
                                 event_name(e), e.pid, shown_ppid(e, p), printable(shown_comm(e, p)), details);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  if (e.recovered) line += "  [recovered from /proc]";
  return line + '\n';
}

void TextView::print_line(const std::string& line) {
  print_header();
  std::fputs(line.c_str(), out_);
}

void TextView::on_event(const Event& e, const Process& p) {
  if (store_) store_->on_event(e, p);
  size_t max = options_.max_command_bytes;
  if (e.kind == EventKind::exec_failed) {
    if (options_.verbose) {
      print_line(line(e, p, details(e, p, options_.failed_only, options_.scope, max)));
    } else {
      misses_.add(e.pid, e.filename, line(e, p, details(e, p, true, options_.scope, max)));
    }
    return;
  }
  // Attempts nothing satisfied go out before what ends their wait.
  std::string folded;
  if (e.kind == EventKind::exec && misses_.holds(e.pid)) {
    auto outcome = misses_.on_exec(e.pid, e.filename);
    for (const std::string& l : outcome.unsatisfied) print_line(l);
    if (outcome.folded) folded = fmt::format("  ({} failed attempt{} before)", outcome.folded, outcome.folded == 1 ? "" : "s");
  }
  std::string held;  // the exec attempts printed before this exit
  if (e.kind == EventKind::exit && !e.thread && misses_.holds(e.pid)) {
    for (const std::string& l : misses_.on_exit(e.pid)) {
      print_line(l);
      held += l;
    }
  }
  if (options_.failed_only && !shown_when_failed_only(e)) return;
  if (e.kind == EventKind::reap && !reap_worth_showing(e, p)) return;
  std::string l = line(e, p, details(e, p, options_.failed_only, options_.scope, max) + folded);
  print_line(l);
  if (store_ && e.kind == EventKind::exit && !e.thread) failed_lines_[{p.pid, p.start_ns}] = held + l;
}

void TextView::on_lost(const Event& e) {
  if (store_) store_->on_lost(e);
  print_header();
  fmt::print(out_, "{:<15} {:<5} {:>7} {:>7} {:<16} {}\n", format_clock(options_.clock.wall_ns(e.ts_ns)), "lost", "-",
             "-", "-", describe_loss(e));
}

void TextView::finish() {
  for (const auto& [pid, l] : misses_.drain()) print_line(l);
  if (store_) print_failure_path();
  std::fflush(out_);
}

// Where the traced command failed and the stream above mixes the failure path
// with failures the build went on from: the path again, alone, then the
// handled ones counted. Nothing where every failure is on the path (the lines
// above are the path already) or the command succeeded.
void TextView::print_failure_path() {
  const analysis::Trace& t = store_->trace();
  uint32_t root = analysis::find_root(t);
  if (root == analysis::kNone || !t.steps[root].failed()) return;
  std::vector<analysis::Failure> failures = analysis::propagated_first(analysis::find_failures(t, root), root);
  auto path_end = std::find_if(failures.begin(), failures.end(),
                               [root](const analysis::Failure& f) { return !f.propagated && f.step != root; });
  if (path_end == failures.end()) return;
  std::vector<analysis::Failure> handled(path_end, failures.end());
  failures.erase(path_end, failures.end());
  fmt::print(out_, "\nfailure path ({} of {} failures, in the order they ended):\n", failures.size(),
             failures.size() + handled.size());
  for (const analysis::Failure& f : failures) {
    auto it = failed_lines_.find({t.steps[f.step].pid, t.steps[f.step].start_ns});
    if (it != failed_lines_.end()) std::fputs(it->second.c_str(), out_);
  }
  constexpr size_t kGroups = 5;
  std::vector<analysis::FailureGroup> groups =
      analysis::by_executable(t, analysis::group_failures(t, handled).second);
  std::string list;
  for (size_t i = 0; i < groups.size() && i < kGroups; ++i)
    list += fmt::format("{}{} {} ({})", i ? "; " : "", groups[i].steps.size(), printable(groups[i].executable),
                        groups[i].status);
  if (groups.size() > kGroups) list += fmt::format("; {} more executables", groups.size() - kGroups);
  fmt::print(out_, "handled, above (a parent went on after them): {}\n", list);
}

}  // namespace ft
