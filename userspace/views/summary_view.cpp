#include "views/summary_view.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/exit_status.h"
#include "views/format.h"

namespace ft {
namespace {

// Orders a min-heap on duration: the fastest of the kept ones is at the front.
constexpr auto slower = [](const auto& a, const auto& b) { return a.duration_ns > b.duration_ns; };

std::string chain(const Process& p) {
  std::string out;
  for (const auto& a : Lineage::ancestry(p)) out += executable_name(*a) + fmt::format("({}) → ", a->pid);
  return out + executable_name(p) + fmt::format("({})", p.pid);
}

}  // namespace

std::string executable_name(const Process& p) {
  return printable(p.filename.empty() ? p.comm : basename_of(p.filename));
}

SummaryView::SummaryView(std::FILE* out, ViewOptions options, size_t top_n)
    : out_(out), options_(options), top_n_(top_n) {}

void SummaryView::on_event(const Event& e, const Process& p) {
  if (!first_ns_) first_ns_ = e.ts_ns;
  last_ns_ = e.ts_ns;
  if (e.thread) return;
  switch (e.kind) {
    case EventKind::fork:
      processes_++;
      if (e.recovered) recovered_++;
      break;
    case EventKind::exec: execs_++; break;
    case EventKind::exit: {
      exits_++;
      if (p.forker_unknown && !p.seeded) forker_unknown_++;
      if (e.status_unknown) {  // neither status nor duration is known
        unknown_exits_++;
        break;
      }
      ExitStatus status = decode_wait_status(p.wait_status);
      PerExecutable& x = executables_[executable_name(p)];
      x.runs++;
      x.total_ns += p.duration_ns();
      x.max_ns = std::max(x.max_ns, p.duration_ns());
      if (status.failed()) {
        x.failures++;
        failed_.push_back(p.shared_from_this());
      }
      Slowest s{p.duration_ns(), p.pid, format_command(p.argv, p.argv_truncated), describe(status), p.usage};
      if (s.command.empty()) s.command = printable(p.comm);
      if (slowest_.size() < top_n_) {
        slowest_.push_back(std::move(s));
        std::push_heap(slowest_.begin(), slowest_.end(), slower);
      } else if (!slowest_.empty() && s.duration_ns > slowest_.front().duration_ns) {
        std::pop_heap(slowest_.begin(), slowest_.end(), slower);
        slowest_.back() = std::move(s);
        std::push_heap(slowest_.begin(), slowest_.end(), slower);
      }
      break;
    }
    case EventKind::lost: break;
  }
}

void SummaryView::on_lost(const Event& e) {
  lost_ += e.lost_count;
  gap_count_++;
  if (gaps_.size() < kMaxGaps) gaps_.emplace_back(e.ts_ns, e.lost_count);
}

void SummaryView::finish() {
  fmt::print(out_, "Summary\n");
  fmt::print(out_, "  wall time      {}\n", format_duration(last_ns_ > first_ns_ ? last_ns_ - first_ns_ : 0));
  fmt::print(out_, "  processes      {} started, {} exited, {} failed\n", processes_, exits_, failed_.size());
  fmt::print(out_, "  execs          {}\n", execs_);
  if (lost_) fmt::print(out_, "  lost events    {} (the figures below may be incomplete)\n", lost_);
  if (recovered_ || unknown_exits_ || forker_unknown_)
    fmt::print(out_, "  uncertain      {} processes: {} recovered from /proc, {} ended with status unknown, "
               "{} first seen after their fork was lost (marked ? in the tree)\n",
               recovered_ + unknown_exits_ + forker_unknown_, recovered_, unknown_exits_, forker_unknown_);
  if (!gaps_.empty()) {
    std::string where;
    for (const auto& [ts, n] : gaps_)
      where += fmt::format("{}{} ({} lost)", where.empty() ? "" : ", ", format_clock(options_.clock.wall_ns(ts)), n);
    if (gap_count_ > gaps_.size()) where += fmt::format(", and {} more", gap_count_ - gaps_.size());
    fmt::print(out_, "  gaps           {}\n", where);
  }

  if (!failed_.empty()) {
    fmt::print(out_, "\nFailed ({}), with the chain that launched each\n", failed_.size());
    for (const auto& p : failed_)
      fmt::print(out_, "  {:<24} {}\n", describe(decode_wait_status(p->wait_status)), chain(*p));
  }

  std::vector<Slowest> slowest = slowest_;
  std::sort(slowest.begin(), slowest.end(), slower);
  if (!slowest.empty()) {
    fmt::print(out_, "\nSlowest processes\n");
    for (const Slowest& s : slowest) {
      // What it cost, where the trace has it (recordings of version 3 on).
      std::string usage = s.usage ? fmt::format("cpu {:>9}  rss {:>9}  ", format_duration(s.usage->cpu_ns()),
                                                format_kib(s.usage->max_rss_kb))
                                  : "";
      fmt::print(out_, "  {:>9}  {:>7}  {:<18} {}{}\n", format_duration(s.duration_ns), s.pid, s.status, usage,
                 s.command);
    }
  }

  std::vector<std::pair<std::string, PerExecutable>> by_exe(executables_.begin(), executables_.end());
  auto print_table = [&](const char* title) {
    fmt::print(out_, "\n{}\n  {:<20} {:>7} {:>7} {:>10} {:>10}\n", title, "EXECUTABLE", "RUNS", "FAILED", "TOTAL", "MAX");
    for (size_t i = 0; i < by_exe.size() && i < top_n_; ++i) {
      const auto& [name, x] = by_exe[i];
      fmt::print(out_, "  {:<20} {:>7} {:>7} {:>10} {:>10}\n", name, x.runs, x.failures, format_duration(x.total_ns),
                 format_duration(x.max_ns));
    }
  };
  if (!by_exe.empty()) {
    std::stable_sort(by_exe.begin(), by_exe.end(), [](const auto& a, const auto& b) { return a.second.total_ns > b.second.total_ns; });
    print_table("Wall time per executable (summed over its processes)");
    std::stable_sort(by_exe.begin(), by_exe.end(), [](const auto& a, const auto& b) { return a.second.runs > b.second.runs; });
    print_table("Most frequent executables");
  }
  std::fflush(out_);
}

}  // namespace ft
