#include "views/report_text.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/exit_status.h"
#include "core/killed_by.h"
#include "format/text.h"
#include "pipeline/sink.h"
#include "views/view_options.h"

namespace ft {
namespace {

using namespace analysis;

std::string cpu(const Totals& t) { return t.with_usage ? format_duration(t.cpu_ns) : "-"; }

std::string rss(uint64_t kb) {
  if (kb >= 10 * 1024 * 1024) return fmt::format("{:.1f} GiB", static_cast<double>(kb) / (1024.0 * 1024.0));
  if (kb >= 10 * 1024) return fmt::format("{} MiB", kb / 1024);
  return fmt::format("{} KiB", kb);
}

std::string name(const Trace& t, const Step& s) { return printable(std::string(executable_of(t, s))); }

// The longest command shown on one line of a table; the cause shows all.
std::string shortened(const std::string& s, size_t max = 160) { return s.size() <= max ? s : shorten(s, max - 3, false); }

void print_group(std::FILE* out, const Trace& t, const FailureGroup& g) {
  const Step& first = t.steps[g.steps.front()];
  fmt::print(out, "    {:>5} × {:<16} {:<20} e.g. {} (pid {})\n", g.steps.size(), printable(g.executable), g.status,
             shortened(step_command(t, first), 100), first.pid);
}

// The critical path as a tree of the steps that bound the time, with the
// short steps folded (analysis::critical_path_rows). The JSON and HTML
// reports keep every step.
void print_critical_path(std::FILE* out, const Trace& t, const std::vector<uint32_t>& path, size_t top_n) {
  const uint64_t origin = t.steps[path.front()].start_ns;
  fmt::print(out, "\nCritical path (where each process waited for children, the one it waited for longest;"
                  " steps under {:g}% of the whole only counted)\n", kCriticalPathFoldShare * 100);
  fmt::print(out, "  {:>9} {:>9}  {}\n", "AT", "TOOK", "COMMAND");
  size_t shown = 0;
  for (const CriticalPathRow& row : critical_path_rows(t, path, kCriticalPathFoldShare)) {
    std::string at = "+" + format_duration(row.at_ns - origin), indent(2 * std::min<size_t>(row.depth, 12), ' ');
    if (row.folded) {
      fmt::print(out, "  {:>9} {:>9}  {}... {} shorter step{}\n", at, format_duration(row.took_ns), indent, row.folded,
                 row.folded == 1 ? "" : "s");
      continue;
    }
    if (shown++ == 4 * top_n) {
      fmt::print(out, "  ... and more steps\n");
      return;
    }
    const Step& step = t.steps[row.step];
    fmt::print(out, "  {:>9} {:>9}  {}{}  {}\n", at, format_duration(row.took_ns), indent, shortened(step_command(t, step)),
               step_status(step));
  }
}

// Which containers ran, and what their processes did (only where the trace has any).
void print_containers(std::FILE* out, const Trace& t, const std::vector<ContainerStats>& containers) {
  bool pods = std::any_of(containers.begin(), containers.end(),
                          [](const ContainerStats& c) { return !c.container->pod_uid.empty(); });
  fmt::print(out, "\nContainers ({}; wall: from the first process's start to the last one's end; init: its pid 1)\n", containers.size());
  fmt::print(out, "  {:<12} {:<10} {}{:>9} {:>7} {:>10} {:>10}  {}\n", "CONTAINER", "RUNTIME",
             pods ? fmt::format("{:<36} ", "POD") : "", "PROCESSES", "FAILED", "CPU", "WALL", "INIT");
  for (const ContainerStats& c : containers) {
    const Step& init = t.steps[c.init_step];
    std::string pid = init.nspid ? fmt::format("pid {} (nspid {})", init.pid, init.nspid) : fmt::format("pid {}", init.pid);
    fmt::print(out, "  {:<12} {:<10} {}{:>9} {:>7} {:>10} {:>10}  {}  {}\n", printable(std::string(c.container->short_id())),
               c.container->runtime.empty() ? "-" : printable(c.container->runtime),
               pods ? fmt::format("{:<36} ", c.container->pod_uid.empty() ? "-" : printable(c.container->pod_uid)) : "",
               c.processes, c.failed, c.with_usage ? format_duration(c.cpu_ns) : "-", format_duration(c.wall_ns()),
               shortened(step_command(t, init), 60), pid);
  }
}

}  // namespace

std::string step_command(const Trace& t, const Step& s) {
  ArgvView argv = t.argv(s);
  if (argv.empty()) return "[" + printable(std::string(t.str(s.comm))) + "]";
  return format_command(argv.strings(), s.argv_truncated);
}

std::string step_in_short(const Trace& t, uint32_t step) {
  const Step& s = t.steps[step];
  StepPlace place = step_place(t, step);
  if (!place.toolchain || place.inputs.empty()) return shortened(step_command(t, s));
  // A compiler's command line runs to hundreds of characters; what it
  // worked on is what a person looks for: `cc1 parser.c → /tmp/cc.s`.
  constexpr size_t kShown = 3;
  std::string line = name(t, s);
  for (size_t i = 0; i < place.inputs.size() && i < kShown; ++i) line += " " + printable(std::string(place.inputs[i]));
  if (place.inputs.size() > kShown) line += fmt::format(" (+{} more)", place.inputs.size() - kShown);
  if (!place.output.empty()) line += " → " + printable(std::string(place.output));
  return line;
}

std::string step_status(const Step& s) {
  if (!s.exited) return "running";
  if (s.status_unknown) return "status unknown";
  return describe(decode_wait_status(s.wait_status), s.killed_by);
}

void print_report(std::FILE* out, const Trace& t, const BuildReport& r, const TextReportOptions& o) {
  // What was traced, and how it ended.
  if (r.root != kNone) {
    const Step& root = t.steps[r.root];
    fmt::print(out, "{}  {} after {}\n", step_command(t, root), step_status(root), format_duration(r.wall_ns));
  } else {
    fmt::print(out, "Whole-machine trace of {}\n", format_duration(r.wall_ns));
  }
  fmt::print(out, "  {} processes, {} failed, {} execs", r.totals.processes, r.totals.failed, t.execs);
  if (r.has_usage)
    fmt::print(out, "; CPU {}, peak RSS {}\n", cpu(r.totals), rss(r.totals.max_rss_kb));
  else
    fmt::print(out, "\n  (this trace has no CPU or memory figures: they need a forktrace that records resource usage)\n");
  if (r.lost) fmt::print(out, "  {} events lost in the kernel: the figures below may be incomplete\n", r.lost);
  // After lost events: what forktrace rebuilt or could not know, and where the gaps were.
  if (Uncertain u = uncertain_in(t); u.total())
    fmt::print(out, "  uncertain      {} processes: {} recovered from /proc, {} ended with status unknown, "
               "{} first seen after their fork was lost (marked ? in the tree)\n",
               u.total(), u.recovered, u.status_unknown, u.forker_unknown);
  if (!t.gaps.empty()) {
    TraceClock clock{t.scope.realtime_offset_ns};
    std::string where;
    for (const Gap& g : t.gaps)
      where += fmt::format("{}{} ({} lost)", where.empty() ? "" : ", ", format_clock(clock.wall_ns(g.ts_ns)), g.lost);
    if (t.gap_count > t.gaps.size()) where += fmt::format(", and {} more", t.gap_count - t.gaps.size());
    fmt::print(out, "  gaps           {}\n", where);
  }

  if (!r.cause.empty()) {
    // Where each step ran, from the traced command's directory: the answer
    // to "which part of the build" is often the directory alone.
    std::string base = r.root != kNone ? step_place(t, r.root).cwd : "";
    auto in_dir = [&](uint32_t step) -> std::string {
      std::string cwd = step_place(t, step).cwd;
      if (step == r.root || cwd.empty()) return "";
      std::string dir = relative_dir(cwd, base);
      return dir.empty() ? "" : "  in " + printable(dir);
    };
    std::string arrows;
    for (uint32_t s : r.cause) arrows += (arrows.empty() ? "" : " → ") + name(t, t.steps[s]);
    fmt::print(out, "\nWhy it failed: {} ({}){}\n", arrows, step_status(t.steps[r.cause.back()]), in_dir(r.cause.back()));
    for (size_t i = 0; i < r.cause.size(); ++i) {
      const Step& s = t.steps[r.cause[i]];
      fmt::print(out, "  {}{}  {}{}  (pid {})\n", i ? std::string(2 * (i < 12 ? i : 12) - 2, ' ') + "→ " : "",
                 step_in_short(t, r.cause[i]), step_status(s), in_dir(r.cause[i]), s.pid);
    }
  } else if (r.root != kNone && t.steps[r.root].exited && !t.steps[r.root].failed()) {
    fmt::print(out, "\nIt succeeded.\n");
  }

  size_t propagated = 0, handled = 0;
  for (const auto& g : r.propagated) propagated += g.steps.size();
  for (const auto& g : r.handled) handled += g.steps.size();
  if (propagated + handled) {
    fmt::print(out, "\nFailures: {} propagated, {} handled\n", propagated, handled);
    if (propagated) {
      fmt::print(out, "  propagated (on the failure path: each parent failed because of them)\n");
      for (size_t i = 0; i < r.propagated.size() && i < o.top_n; ++i) print_group(out, t, r.propagated[i]);
      if (r.propagated.size() > o.top_n) fmt::print(out, "    ... and {} more groups\n", r.propagated.size() - o.top_n);
    }
    if (handled) {
      fmt::print(out, "  handled (a parent went on after them, or the failure was the traced command's own)\n");
      for (size_t i = 0; i < r.handled.size() && i < o.top_n; ++i) print_group(out, t, r.handled[i]);
      if (r.handled.size() > o.top_n) fmt::print(out, "    ... and {} more groups\n", r.handled.size() - o.top_n);
    }
  }

  if (!r.killed.empty()) {
    // Who or what sent each fatal signal, where forktrace saw it sent.
    fmt::print(out, "\nKilled by a signal: {}\n", r.killed.size());
    for (size_t i = 0; i < r.killed.size() && i < o.top_n; ++i) {
      const Step& s = t.steps[r.killed[i]];
      fmt::print(out, "  {}  {} after {}  (pid {})\n", shortened(step_command(t, s)), step_status(s),
                 format_duration(s.duration_ns()), s.pid);
    }
    if (r.killed.size() > o.top_n) fmt::print(out, "    ... and {} more\n", r.killed.size() - o.top_n);
  }

  // Zombies: every one never reaped by the end, and those reaped after kLongZombieNs or more.
  size_t never = 0, long_reaped = 0;
  for (const Zombie& z : r.zombies) (z.reaped ? long_reaped : never) += !z.reaped || z.zombie_ns >= kLongZombieNs;
  if (never + long_reaped) {
    fmt::print(out, "\nZombies: {} never reaped by the end of the trace, {} reaped after {} or more\n", never,
               long_reaped, format_duration(kLongZombieNs));
    size_t shown = 0;
    for (const Zombie& z : r.zombies) {
      if (z.reaped && z.zombie_ns < kLongZombieNs) continue;
      if (shown++ == o.top_n) {
        fmt::print(out, "    ... and {} more\n", never + long_reaped - o.top_n);
        break;
      }
      const Step& s = t.steps[z.step];
      if (z.reaped)
        fmt::print(out, "  {}  zombie for {}, reaped by {}({})  (pid {})\n", shortened(step_command(t, s)),
                   format_duration(z.zombie_ns), printable(std::string(t.str(s.reaper_comm))), s.reaper_pid, s.pid);
      else
        fmt::print(out, "  {}  never reaped: a zombie for {} by the end, parent {}  (pid {})\n",
                   shortened(step_command(t, s)), format_duration(z.zombie_ns), s.ppid, s.pid);
    }
  }

  if (!r.not_found.empty()) {
    // Those the build failed on first; the handled ones (configure's
    // and config.guess's probes) apart, counted.
    auto print_not_found = [&](bool propagated, std::string_view title) {
      size_t n_commands = 0, shown = 0;
      for (const NotFound& n : r.not_found) n_commands += n.propagated == propagated;
      if (!n_commands) return;
      fmt::print(out, "\n{} ({})\n", title, n_commands);
      for (const NotFound& n : r.not_found) {
        if (n.propagated != propagated) continue;
        if (shown++ == o.top_n) {
          fmt::print(out, "    ... and {} more\n", n_commands - o.top_n);
          break;
        }
        fmt::print(out, "  {:>5} × {:<30} {}  (first by pid {})\n", n.count, printable(n.command), n.error,
                   t.steps[n.steps.front()].pid);
      }
    };
    print_not_found(true, "Commands not found, on the failure path");
    print_not_found(false, "Commands not found, handled");
  }

  if (!r.critical_path.empty()) print_critical_path(out, t, r.critical_path, o.top_n);

  if (!r.slowest.empty()) {
    fmt::print(out, "\nSlowest steps (processes that ran no children)\n");
    for (uint32_t s : r.slowest) {
      const Step& step = t.steps[s];
      std::string c = step.usage ? fmt::format("  cpu {:>9}  rss {:>9}", format_duration(step.usage->cpu_ns()),
                                               format_kib(step.usage->peak_rss_kb()))
                                 : "";
      fmt::print(out, "  {:>9}  {:>7}  {:<16}{}  {}\n", format_duration(step.duration_ns()), step.pid, step_status(step),
                 c, shortened(step_command(t, step)));
    }
  }

  if (!r.executables.empty()) {
    fmt::print(out, "\nPer executable (wall time: while at least one run was running)\n");
    fmt::print(out, "  {:<20} {:>7} {:>7} {:>10} {:>10} {:>10} {:>10}\n", "EXECUTABLE", "RUNS", "FAILED", "CPU",
               "PEAK RSS", "WALL", "LONGEST");
    for (size_t i = 0; i < r.executables.size() && i < o.top_n * 2; ++i) {
      const ExecutableStats& x = r.executables[i];
      fmt::print(out, "  {:<20} {:>7} {:>7} {:>10} {:>10} {:>10} {:>10}\n", printable(x.name), x.runs, x.failed,
                 x.with_usage ? format_duration(x.cpu_ns) : "-", x.with_usage ? rss(x.max_rss_kb) : "-",
                 format_duration(x.wall_ns), format_duration(x.max_ns));
    }
    if (r.executables.size() > o.top_n * 2)
      fmt::print(out, "  ... and {} more executables\n", r.executables.size() - o.top_n * 2);
  }

  if (!r.subtrees.empty()) {
    fmt::print(out, "\nSubtree totals\n");
    for (const Subtree& s : r.subtrees) {
      const Step& step = t.steps[s.step];
      std::string label = s.job.empty() ? std::string("root") : "job " + printable(s.job);
      fmt::print(out, "  {:<12} {} processes, {} failed, CPU {}{}  {}\n", label, s.totals.processes, s.totals.failed,
                 cpu(s.totals), s.totals.with_usage ? ", peak RSS " + rss(s.totals.max_rss_kb) : "",
                 shortened(step_command(t, step), 100));
    }
  }
  if (!r.containers.empty()) print_containers(out, t, r.containers);
  std::fflush(out);
}

void print_diff(std::FILE* out, const Trace& base, const Trace& next, const Difference& d, const TextReportOptions& o) {
  fmt::print(out, "Compared with the base: wall time {} → {}; {} steps matched, {} added, {} removed, {} changed\n",
             format_duration(d.base_wall_ns), format_duration(d.next_wall_ns), d.matched, d.added.size(),
             d.removed.size(), d.changed.size());
  auto limit = [&](size_t n) { return std::min(n, o.top_n * 3); };
  auto more = [&](size_t n) {
    if (n > o.top_n * 3) fmt::print(out, "  ... and {} more\n", n - o.top_n * 3);
  };
  if (!d.new_failures.empty()) {
    fmt::print(out, "\nNew failures\n");
    for (size_t i = 0; i < limit(d.new_failures.size()); ++i) {
      const StepPair& p = d.new_failures[i];
      const Step& s = next.steps[p.next];
      fmt::print(out, "  {:<16} {}  (was {})\n", step_status(s), shortened(step_command(next, s)),
                 p.base == kNone ? std::string("not run") : step_status(base.steps[p.base]));
    }
    more(d.new_failures.size());
  }
  if (!d.fixed.empty()) {
    fmt::print(out, "\nFixed\n");
    for (size_t i = 0; i < limit(d.fixed.size()); ++i) {
      const StepPair& p = d.fixed[i];
      fmt::print(out, "  {}  (was {})\n", shortened(step_command(next, next.steps[p.next])), step_status(base.steps[p.base]));
    }
    more(d.fixed.size());
  }
  if (!d.slower.empty()) {
    fmt::print(out, "\nSlower\n");
    for (size_t i = 0; i < limit(d.slower.size()); ++i) {
      const SlowerStep& s = d.slower[i];
      std::string c = s.cpu_change_ns ? fmt::format("  CPU {}{}", *s.cpu_change_ns < 0 ? "-" : "+",
                                                    format_duration(static_cast<uint64_t>(std::abs(*s.cpu_change_ns))))
                                      : "";
      fmt::print(out, "  {:>9} → {:>9}{}  {}\n", format_duration(s.base_ns), format_duration(s.next_ns), c,
                 shortened(step_command(next, next.steps[s.steps.next])));
    }
    more(d.slower.size());
  }
  if (!d.added.empty()) {
    fmt::print(out, "\nAdded (only in the new run)\n");
    for (size_t i = 0; i < limit(d.added.size()); ++i)
      fmt::print(out, "  + {}  {}\n", shortened(step_command(next, next.steps[d.added[i]])), step_status(next.steps[d.added[i]]));
    more(d.added.size());
  }
  if (!d.removed.empty()) {
    fmt::print(out, "\nRemoved (only in the base)\n");
    for (size_t i = 0; i < limit(d.removed.size()); ++i)
      fmt::print(out, "  - {}  {}\n", shortened(step_command(base, base.steps[d.removed[i]])),
                 step_status(base.steps[d.removed[i]]));
    more(d.removed.size());
  }
  if (!d.changed.empty()) {
    fmt::print(out, "\nChanged arguments\n");
    for (size_t i = 0; i < limit(d.changed.size()); ++i) {
      const StepPair& p = d.changed[i];
      fmt::print(out, "  - {}\n  + {}\n", shortened(step_command(base, base.steps[p.base])),
                 shortened(step_command(next, next.steps[p.next])));
    }
    more(d.changed.size());
  }
  if (d.new_failures.empty() && d.fixed.empty() && d.slower.empty() && d.added.empty() && d.removed.empty() &&
      d.changed.empty())
    fmt::print(out, "\nNo differences in steps, outcomes or notable durations.\n");
  std::fflush(out);
}

}  // namespace ft
