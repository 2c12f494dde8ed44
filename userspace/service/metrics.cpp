#include "service/metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>

#include "core/errno_label.h"
#include "core/exit_status.h"
#include "core/killed_by.h"
#include "format/text.h"

namespace ft {
namespace {

// Label values are escaped as the exposition format requires; bytes outside
// printable ASCII become '_' so a hostile executable name cannot break lines.
std::string label_value(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      out += '_';
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

void Metrics::on_event(const Event& e, const Process& p) {
  if (e.thread) return;
  switch (e.kind) {
    case EventKind::fork:
      started_.fetch_add(1, std::memory_order_relaxed);
      if (e.recovered) recovered_.fetch_add(1, std::memory_order_relaxed);
      break;
    case EventKind::exec: {
      execs_.fetch_add(1, std::memory_order_relaxed);
      std::string name = basename_of(e.filename);
      std::lock_guard lock(mutex_);
      auto it = execs_by_executable_.find(name);
      if (it == execs_by_executable_.end() && execs_by_executable_.size() >= kMaxExecutables) name = "other";
      execs_by_executable_[name]++;
      break;
    }
    case EventKind::exit: {
      if (e.status_unknown) {  // no status, no lifetime: only that it ended
        unknown_exits_.fetch_add(1, std::memory_order_relaxed);
        break;
      }
      ended_.fetch_add(1, std::memory_order_relaxed);
      ExitStatus status = decode_wait_status(e.wait_status);
      size_t outcome = status.signal ? 2 : status.failed() ? 1 : 0;
      if (e.usage) add_usage(*e.usage, outcome);
      if (p.container) add_container_exit(*p.container, outcome);
      if (status.signal) {
        exited_signaled_.fetch_add(1, std::memory_order_relaxed);
        if (status.core_dumped) core_dumps_.fetch_add(1, std::memory_order_relaxed);
        if (e.killed_by) kills_[static_cast<size_t>(e.killed_by->source) & 7].fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(mutex_);
        signals_[*status.signal]++;
      } else if (status.failed()) {
        exited_failed_.fetch_add(1, std::memory_order_relaxed);
      } else {
        exited_ok_.fetch_add(1, std::memory_order_relaxed);
      }
      double seconds = static_cast<double>(p.duration_ns()) / 1e9;
      size_t bucket = 0;
      while (bucket < kLifetimeBuckets.size() && seconds > kLifetimeBuckets[bucket]) bucket++;
      lifetime_[bucket].fetch_add(1, std::memory_order_relaxed);
      lifetime_sum_us_.fetch_add(p.duration_ns() / 1000, std::memory_order_relaxed);
      break;
    }
    case EventKind::exec_failed: {
      std::lock_guard lock(mutex_);
      exec_failures_[e.exec_errno]++;
      break;
    }
    case EventKind::reap:
      (e.autoreaped ? autoreaps_ : reaps_).fetch_add(1, std::memory_order_relaxed);
      zombie_ns_.fetch_add(e.zombie_ns, std::memory_order_relaxed);
      break;
    case EventKind::lost: break;
  }
}

void Metrics::add_usage(const ResourceUsage& u, size_t outcome) {
  cpu_ns_by_outcome_[outcome].fetch_add(u.cpu_ns(), std::memory_order_relaxed);
  double bytes = static_cast<double>(u.peak_rss_kb()) * 1024;
  size_t bucket = 0;
  while (bucket < kPeakRssBuckets.size() && bytes > kPeakRssBuckets[bucket]) bucket++;
  peak_rss_[bucket].fetch_add(1, std::memory_order_relaxed);
  peak_rss_sum_kb_.fetch_add(u.peak_rss_kb(), std::memory_order_relaxed);
  read_bytes_.fetch_add(u.read_bytes, std::memory_order_relaxed);
  write_bytes_.fetch_add(u.write_bytes, std::memory_order_relaxed);
}

void Metrics::add_container_exit(const Container& c, size_t outcome) {
  std::string id(c.short_id());
  std::lock_guard lock(mutex_);
  auto it = container_exits_.find(id);
  if (it == container_exits_.end() && container_exits_.size() >= kMaxContainers) id = "other";
  container_exits_[id][outcome]++;
}

// Only once a container process has ended: a trace without containers shows
// the same series as before.
void Metrics::render_containers(std::string& out) const {
  std::map<std::string, std::array<uint64_t, 3>> exits;
  {
    std::lock_guard lock(mutex_);
    exits = container_exits_;
  }
  if (exits.empty()) return;
  out += "# HELP forktrace_container_processes_exited_total Processes in containers that ended, by short container ID "
         "(at most 64; the rest as other) and outcome.\n# TYPE forktrace_container_processes_exited_total counter\n";
  const char* outcomes[] = {"ok", "failed", "signaled"};
  for (const auto& [id, n] : exits)
    for (size_t i = 0; i < n.size(); ++i)
      out += fmt::format("forktrace_container_processes_exited_total{{container=\"{}\",outcome=\"{}\"}} {}\n",
                         label_value(id), outcomes[i], n[i]);
}

void Metrics::on_lost(const Event& e) {
  lost_.fetch_add(e.lost_count, std::memory_order_relaxed);
  lost_fork_.fetch_add(e.lost_fork, std::memory_order_relaxed);
  lost_exec_.fetch_add(e.lost_exec, std::memory_order_relaxed);
  lost_exit_.fetch_add(e.lost_exit, std::memory_order_relaxed);
  lost_exec_failed_.fetch_add(e.lost_exec_failed, std::memory_order_relaxed);
}

void Metrics::set_otlp(uint64_t exported, uint64_t dropped, uint64_t queued) {
  otlp_exported_.store(exported, std::memory_order_relaxed);
  otlp_dropped_.store(dropped, std::memory_order_relaxed);
  otlp_queued_.store(queued, std::memory_order_relaxed);
  otlp_on_.store(1, std::memory_order_relaxed);
}

void Metrics::set_recording(uint64_t bytes_written, uint64_t records_dropped, bool failed) {
  recording_bytes_.store(bytes_written, std::memory_order_relaxed);
  recording_dropped_.store(records_dropped, std::memory_order_relaxed);
  recording_failed_.store(failed ? 1 : 0, std::memory_order_relaxed);
}

std::string Metrics::render() const {
  auto get = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  std::string out;
  auto metric = [&](const char* name, const char* type, const char* help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  metric("forktrace_processes_started_total", "counter", "Processes created (fork, vfork, clone without CLONE_THREAD).");
  out += fmt::format("forktrace_processes_started_total {}\n", get(started_));
  metric("forktrace_processes_exited_total", "counter", "Processes that ended, by outcome.");
  out += fmt::format("forktrace_processes_exited_total{{outcome=\"ok\"}} {}\n", get(exited_ok_));
  out += fmt::format("forktrace_processes_exited_total{{outcome=\"failed\"}} {}\n", get(exited_failed_));
  out += fmt::format("forktrace_processes_exited_total{{outcome=\"signaled\"}} {}\n", get(exited_signaled_));
  metric("forktrace_core_dumps_total", "counter", "Processes killed by a signal that dumped core.");
  out += fmt::format("forktrace_core_dumps_total {}\n", get(core_dumps_));
  metric("forktrace_execs_total", "counter", "Successful execs, by executable basename (bounded; the rest as other).");
  std::map<std::string, uint64_t> execs;
  std::map<int, uint64_t> signals;
  {
    std::lock_guard lock(mutex_);
    execs = execs_by_executable_;
    signals = signals_;
  }
  if (execs.empty()) out += "forktrace_execs_total{executable=\"other\"} 0\n";
  for (const auto& [name, n] : execs)
    out += fmt::format("forktrace_execs_total{{executable=\"{}\"}} {}\n", label_value(name), n);
  metric("forktrace_processes_signaled_total", "counter", "Processes killed by a signal, by signal name.");
  for (const auto& [sig, n] : signals)
    out += fmt::format("forktrace_processes_signaled_total{{signal=\"{}\"}} {}\n", signal_name(sig), n);
  metric("forktrace_kills_total", "counter",
         "Processes killed by a signal whose sender forktrace saw, by who or what sent it (process, oom, fault, "
         "cpu_limit, file_size_limit, pipe, other).");
  for (uint8_t by = static_cast<uint8_t>(KillSource::process); by <= static_cast<uint8_t>(KillSource::other); ++by)
    out += fmt::format("forktrace_kills_total{{by=\"{}\"}} {}\n", kill_source_name(static_cast<KillSource>(by)),
                       get(kills_[by]));
  if (knows_reaps_) {
    uint64_t ended = get(ended_), reaped = get(reaps_) + get(autoreaps_);
    metric("forktrace_zombies", "gauge",
           "Processes that ended and whose status no one has collected yet (wait4/waitid), as far as seen.");
    out += fmt::format("forktrace_zombies {}\n", ended > reaped ? ended - reaped : 0);
    metric("forktrace_reaps_total", "counter",
           "Ended processes whose status was collected, by how: a wait4/waitid, or the kernel for a parent that "
           "ignores SIGCHLD (autoreap).");
    out += fmt::format("forktrace_reaps_total{{by=\"wait\"}} {}\n", get(reaps_));
    out += fmt::format("forktrace_reaps_total{{by=\"autoreap\"}} {}\n", get(autoreaps_));
    metric("forktrace_zombie_seconds_total", "counter",
           "Time reaped processes spent as zombies, from their exit to their reap.");
    out += fmt::format("forktrace_zombie_seconds_total {:.6f}\n", static_cast<double>(get(zombie_ns_)) / 1e9);
  }
  metric("forktrace_exec_failures_total", "counter",
         "Exec attempts that returned an error (PATH-search misses included), by errno name.");
  std::map<int, uint64_t> exec_failures;
  {
    std::lock_guard lock(mutex_);
    exec_failures = exec_failures_;
  }
  for (const auto& [error, n] : exec_failures) {
    out += fmt::format("forktrace_exec_failures_total{{error=\"{}\"}} {}\n", errno_label(error), n);
  }
  render_containers(out);
  metric("forktrace_process_lifetime_seconds", "histogram", "How long processes lived, fork to exit.");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kLifetimeBuckets.size(); ++i) {
    cumulative += get(lifetime_[i]);
    out += fmt::format("forktrace_process_lifetime_seconds_bucket{{le=\"{}\"}} {}\n", kLifetimeBuckets[i], cumulative);
  }
  cumulative += get(lifetime_[kLifetimeBuckets.size()]);
  out += fmt::format("forktrace_process_lifetime_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("forktrace_process_lifetime_seconds_sum {}\n", static_cast<double>(get(lifetime_sum_us_)) / 1e6);
  out += fmt::format("forktrace_process_lifetime_seconds_count {}\n", cumulative);
  metric("forktrace_process_cpu_seconds_total", "counter",
         "CPU time (user and system) of the processes that ended, by outcome; each process's own, not its children's.");
  const char* outcomes[] = {"ok", "failed", "signaled"};
  for (size_t i = 0; i < cpu_ns_by_outcome_.size(); ++i)
    out += fmt::format("forktrace_process_cpu_seconds_total{{outcome=\"{}\"}} {}\n", outcomes[i],
                       static_cast<double>(get(cpu_ns_by_outcome_[i])) / 1e9);
  metric("forktrace_process_peak_rss_bytes", "histogram", "Peak resident memory of the processes that ended: the last program's own where the kernel gives it.");
  cumulative = 0;
  for (size_t i = 0; i < kPeakRssBuckets.size(); ++i) {
    cumulative += get(peak_rss_[i]);
    out += fmt::format("forktrace_process_peak_rss_bytes_bucket{{le=\"{}\"}} {}\n", kPeakRssBuckets[i], cumulative);
  }
  cumulative += get(peak_rss_[kPeakRssBuckets.size()]);
  out += fmt::format("forktrace_process_peak_rss_bytes_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("forktrace_process_peak_rss_bytes_sum {}\n", get(peak_rss_sum_kb_) * 1024);
  out += fmt::format("forktrace_process_peak_rss_bytes_count {}\n", cumulative);
  metric("forktrace_process_storage_read_bytes_total", "counter", "Bytes the processes that ended read from storage.");
  out += fmt::format("forktrace_process_storage_read_bytes_total {}\n", get(read_bytes_));
  metric("forktrace_process_storage_write_bytes_total", "counter", "Bytes the processes that ended wrote to storage.");
  out += fmt::format("forktrace_process_storage_write_bytes_total {}\n", get(write_bytes_));
  metric("forktrace_live_processes", "gauge", "Processes alive now, as forktrace's model knows them.");
  out += fmt::format("forktrace_live_processes {}\n", get(live_));
  metric("forktrace_events_lost_total", "counter", "Events the kernel could not deliver (ring buffer full).");
  out += fmt::format("forktrace_events_lost_total {}\n", get(lost_));
  metric("forktrace_events_lost_by_kind_total", "counter", "Events the kernel could not deliver, by record kind.");
  out += fmt::format("forktrace_events_lost_by_kind_total{{kind=\"fork\"}} {}\n", get(lost_fork_));
  out += fmt::format("forktrace_events_lost_by_kind_total{{kind=\"exec\"}} {}\n", get(lost_exec_));
  out += fmt::format("forktrace_events_lost_by_kind_total{{kind=\"exit\"}} {}\n", get(lost_exit_));
  out += fmt::format("forktrace_events_lost_by_kind_total{{kind=\"exec_failed\"}} {}\n", get(lost_exec_failed_));
  metric("forktrace_processes_recovered_total", "counter",
         "Processes whose fork was lost, found alive in /proc after the loss (also in started_total).");
  out += fmt::format("forktrace_processes_recovered_total {}\n", get(recovered_));
  metric("forktrace_exits_status_unknown_total", "counter",
         "Processes whose exit was lost, found gone from /proc after the loss (not in exited_total).");
  out += fmt::format("forktrace_exits_status_unknown_total {}\n", get(unknown_exits_));
  metric("forktrace_execs_seen_total", "counter", "Successful execs, all executables.");
  out += fmt::format("forktrace_execs_seen_total {}\n", get(execs_));
  metric("forktrace_ring_buffer_size_bytes", "gauge", "Size of the kernel ring buffer.");
  out += fmt::format("forktrace_ring_buffer_size_bytes {}\n", get(ring_bytes_));
  metric("forktrace_recording_written_bytes_total", "counter", "Bytes of recording written to disk.");
  out += fmt::format("forktrace_recording_written_bytes_total {}\n", get(recording_bytes_));
  metric("forktrace_recording_dropped_events_total", "counter", "Events not recorded because the disk fell behind or failed.");
  out += fmt::format("forktrace_recording_dropped_events_total {}\n", get(recording_dropped_));
  metric("forktrace_recording_failed", "gauge", "1 when writing the recording has failed (a full disk).");
  out += fmt::format("forktrace_recording_failed {}\n", get(recording_failed_));
  if (get(otlp_on_)) {
    metric("forktrace_otlp_spans_exported_total", "counter", "Spans the OTLP endpoint accepted (--otlp).");
    out += fmt::format("forktrace_otlp_spans_exported_total {}\n", get(otlp_exported_));
    metric("forktrace_otlp_spans_dropped_total", "counter",
           "Spans not delivered: the export queue was full, or the endpoint refused or stayed unreachable.");
    out += fmt::format("forktrace_otlp_spans_dropped_total {}\n", get(otlp_dropped_));
    metric("forktrace_otlp_queue_spans", "gauge", "Spans waiting to be sent.");
    out += fmt::format("forktrace_otlp_queue_spans {}\n", get(otlp_queued_));
  }

  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
               static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  metric("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
  out += fmt::format("process_cpu_seconds_total {}\n", cpu);
  long pages = 0, resident = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  out += fmt::format("process_resident_memory_bytes {}\n", resident * sysconf(_SC_PAGESIZE));
  return out;
}

}  // namespace ft
