// Prometheus metrics (`--metrics ADDR:PORT`). The event path only touches
// atomics and, for execs, one short mutex-guarded map update; the HTTP
// thread renders a snapshot, so a slow or flooding scraper never stalls
// event intake.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "pipeline/sink.h"

namespace ft {

class Metrics : public Sink {
 public:
  static constexpr size_t kMaxExecutables = 50;  // label values kept; the rest are "other"
  static constexpr size_t kMaxContainers = 64;   // container label values kept; the rest are "other"
  static constexpr std::array<double, 10> kLifetimeBuckets = {0.001, 0.01, 0.1, 0.5, 1, 5, 30, 120, 600, 3600};
  static constexpr std::array<double, 7> kPeakRssBuckets = {1 << 20, 4 << 20, 16 << 20, 64 << 20, 256 << 20, 1 << 30, 4.0 * (1 << 30)};

  // knows_reaps: the trace reports reaps, so zombies can be counted.
  explicit Metrics(bool knows_reaps = false) : knows_reaps_(knows_reaps) {}

  void on_event(const Event& event, const Process& process) override;
  void on_lost(const Event& event) override;

  // Updated by the live loop.
  void set_live_processes(uint64_t n) { live_.store(n, std::memory_order_relaxed); }
  void set_ring_buffer_bytes(uint64_t n) { ring_bytes_.store(n, std::memory_order_relaxed); }
  void set_recording(uint64_t bytes_written, uint64_t records_dropped, bool failed);
  // --otlp: spans the endpoint accepted, spans dropped, spans waiting.
  void set_otlp(uint64_t exported, uint64_t dropped, uint64_t queued);

  // The Prometheus text exposition format, version 0.0.4.
  std::string render() const;

 private:
  void add_usage(const ResourceUsage& usage, size_t outcome);
  void add_container_exit(const Container& container, size_t outcome);
  void render_containers(std::string& out) const;

  const bool knows_reaps_;
  std::atomic<uint64_t> started_{0}, execs_{0}, lost_{0}, live_{0}, ring_bytes_{0};
  // Process exits with a status, reaps (by wait, by the kernel) and their zombie time.
  std::atomic<uint64_t> ended_{0}, reaps_{0}, autoreaps_{0}, zombie_ns_{0};
  std::atomic<uint64_t> exited_ok_{0}, exited_failed_{0}, exited_signaled_{0}, core_dumps_{0};
  std::atomic<uint64_t> lost_fork_{0}, lost_exec_{0}, lost_exit_{0}, lost_exec_failed_{0}, recovered_{0}, unknown_exits_{0};
  std::atomic<uint64_t> recording_bytes_{0}, recording_dropped_{0}, recording_failed_{0};
  std::atomic<uint64_t> otlp_on_{0}, otlp_exported_{0}, otlp_dropped_{0}, otlp_queued_{0};
  std::array<std::atomic<uint64_t>, kLifetimeBuckets.size() + 1> lifetime_{};
  std::atomic<uint64_t> lifetime_sum_us_{0};
  // Processes a signal killed, by who or what sent it (KillSource: 1..7; 0 unused)
  std::array<std::atomic<uint64_t>, 8> kills_{};
  // Resource usage of the processes that ended (whole-process exits that carry it).
  std::array<std::atomic<uint64_t>, 3> cpu_ns_by_outcome_{};  // ok, failed, signaled
  std::array<std::atomic<uint64_t>, kPeakRssBuckets.size() + 1> peak_rss_{};
  std::atomic<uint64_t> peak_rss_sum_kb_{0}, read_bytes_{0}, write_bytes_{0};

  mutable std::mutex mutex_;
  std::map<std::string, uint64_t> execs_by_executable_;  // bounded by kMaxExecutables + "other"
  std::map<int, uint64_t> signals_;
  std::map<int, uint64_t> exec_failures_;  // by errno: bounded by the errno numbers
  // Exits of container processes by short container ID and outcome (ok,
  // failed, signaled): bounded by kMaxContainers + "other".
  std::map<std::string, std::array<uint64_t, 3>> container_exits_;
};

}  // namespace ft
