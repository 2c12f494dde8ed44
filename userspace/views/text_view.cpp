#include "views/text_view.h"

#include <fmt/format.h>

#include <vector>

#include "core/exit_status.h"
#include "views/format.h"

namespace ft {
namespace {

const char* event_name(const Event& e) {
  switch (e.kind) {
    case EventKind::fork: return "fork";
    case EventKind::exec: return "exec";
    case EventKind::exit: return "exit";
    case EventKind::lost: return "lost";
  }
  return "?";
}

std::string ancestry_text(const Process& process, const analysis::TraceScope& scope) {
  std::string out;
  for (const auto& a : shown_ancestry(process, scope)) {
    out += fmt::format("{}({}) → ", printable(a->comm), a->pid);
  }
  return out + fmt::format("{}({})", printable(process.comm), process.pid);
}

std::string details(const Event& e, const Process& p, bool with_ancestry, const analysis::TraceScope& scope) {
  switch (e.kind) {
    case EventKind::fork:
      if (e.thread) return fmt::format("thread {} started by {}", e.tid, e.parent_tid);
      if (e.parent_pid != e.ppid) return fmt::format("forked by {}", e.parent_pid);
      return "";
    case EventKind::exec: {
      std::string s = printable(e.filename);
      if (!e.argv.empty() || e.argv_truncated) s += "  " + format_command(e.argv, e.argv_truncated);
      if (e.old_tid) s += fmt::format("  (by thread {})", e.old_tid);
      return s;
    }
    case EventKind::exit: {
      if (e.thread) return fmt::format("thread {} ended", e.tid);
      if (e.status_unknown) {
        std::string s = "? ended while events were lost: status unknown";
        if (with_ancestry) s += "  " + ancestry_text(p, scope);
        return s;
      }
      std::string s = describe(decode_wait_status(e.wait_status)) + " after " +
                      format_duration(p.duration_ns());
      if (e.usage) s += "  " + format_usage_brief(e.usage->cpu_ns(), e.usage->max_rss_kb);
      if (with_ancestry) s += "  " + ancestry_text(p, scope);
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
  if (e.lost_fork || e.lost_exec || e.lost_exit)
    s += fmt::format(": fork {}, exec {}, exit {}", e.lost_fork, e.lost_exec, e.lost_exit);
  return s;
}

TextView::TextView(std::FILE* out, ViewOptions options) : out_(out), options_(options) {}

void TextView::print_header() {
  if (header_printed_) return;
  header_printed_ = true;
  fmt::print(out_, "{:<15} {:<5} {:>7} {:>7} {:<16} {}\n", "TIME", "EVENT", "PID", "PPID", "COMM",
             "DETAILS");
}

void TextView::on_event(const Event& e, const Process& p) {
  if (options_.failed_only && !shown_when_failed_only(e)) return;
  print_header();
  std::string line = fmt::format("{:<15} {:<5} {:>7} {:>7} {:<16} {}", format_clock(options_.clock.wall_ns(e.ts_ns)),
                                 event_name(e), e.pid, e.ppid, printable(e.comm),
                                 details(e, p, options_.failed_only, options_.scope));
  while (!line.empty() && line.back() == ' ') line.pop_back();
  if (e.recovered) line += "  [recovered from /proc]";
  line += '\n';
  std::fputs(line.c_str(), out_);
}

void TextView::on_lost(const Event& e) {
  print_header();
  fmt::print(out_, "{:<15} {:<5} {:>7} {:>7} {:<16} {}\n", format_clock(options_.clock.wall_ns(e.ts_ns)), "lost", "-",
             "-", "-", describe_loss(e));
}

void TextView::finish() { std::fflush(out_); }

}  // namespace ft
