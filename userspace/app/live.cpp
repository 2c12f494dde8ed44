// Live tracing: open → configure → load → attach → poll → drain on stop.
#include <malloc.h>
#include <signal.h>
#include <systemd/sd-daemon.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "app/child_command.h"
#include "app/clock.h"
#include "app/filters.h"
#include "app/followed.h"
#include "app/otel_export.h"
#include "app/output.h"
#include "app/pipeline.h"
#include "app/redact.h"
#include "app/run.h"
#include "core/decode.h"
#include "core/exit_status.h"
#include "export/otel/ids.h"
#include "model/seed.h"
#include "probe/probe.h"
#include "service/cgroup_resolver.h"
#include "service/job_marker.h"
#include "service/metrics.h"
#include "service/metrics_server.h"
#include "trace/recording_directory.h"
#include "trace/trace_writer.h"

namespace ft {
namespace {

volatile sig_atomic_t g_stop_requests = 0;
volatile sig_atomic_t g_last_signal = 0;

void on_stop_signal(int sig) {
  g_last_signal = sig;
  // A second Ctrl-C ends at once, whatever is left to drain.
  g_stop_requests = g_stop_requests + 1;
  if (g_stop_requests > 1 && sig == SIGINT) _exit(130);
}

void install_signal_handlers() {
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int fail(const std::string& message, int status = 1) {
  std::fprintf(stderr, "forktrace: %s\n", message.c_str());
  return status;
}

// -p PID follows processes that already have children: follow those too.
std::vector<uint32_t> with_descendants(const std::vector<uint32_t>& roots,
                                       const std::vector<SeedProcess>& processes) {
  std::unordered_multimap<uint32_t, uint32_t> children;
  for (const SeedProcess& p : processes) children.emplace(p.ppid, p.pid);
  std::vector<uint32_t> out = roots;
  for (size_t i = 0; i < out.size(); ++i) {
    auto [begin, end] = children.equal_range(out[i]);
    for (auto it = begin; it != end; ++it) out.push_back(it->second);
  }
  return out;
}

TraceHeader make_header(const Options& o, const std::vector<SeedProcess>& seeds, const TraceClock& clock) {
  TraceHeader h;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  h.hostname = host;
  struct utsname uts;
  if (uname(&uts) == 0) h.kernel_release = uts.release;
  h.started_ns = boottime_now_ns();
  h.realtime_offset_ns = clock.realtime_offset_ns;
  if (o.threads) h.flags |= kTraceThreads;
  if (!o.job_env.empty() || wants_trace_context(o)) h.flags |= kTraceEnv;
  if (!o.command.empty() || !o.pids.empty()) h.flags |= kTraceFiltered;
  h.command = o.argv;
  h.traced_command = o.command;
  h.seeds = seeds;
  h.boot_id = otel::read_boot_id();
  return h;
}

}  // namespace

int run_live(const Options& o) {
  if (std::string why = check_tracing_privileges(); !why.empty()) return fail(why);
  if (std::string why = check_kernel_support(); !why.empty()) return fail(why);
  for (uint32_t pid : o.pids) {
    SeedProcess p;
    if (!read_proc_process(pid, p)) return fail("-p " + std::to_string(pid) + ": no such process");
  }

  std::string error;
  auto output = Output::open(o.output_path, error);
  if (!output) return fail(error);

  Redactor redactor;
  for (const std::string& pattern : o.redact)
    if (!redactor.add(pattern, error)) return fail(error);
  std::vector<SeedProcess> seeds = read_proc_processes();
  redactor.apply(seeds);
  TraceClock clock{realtime_offset_ns()};
  otel::SpanConfig otel_config = span_config(make_header(o, {}, clock));
  Pipeline pipeline(o.threads);
  for (auto& sink : make_views(o, output->file(), clock, otel_config)) pipeline.add_sink(std::move(sink));
  auto otlp = OtlpExport::start(o, otel_config, error);
  if (!otlp && !o.otlp_url.empty()) return fail(error);
  if (otlp) pipeline.add_sink(otlp->make_sink());
  pipeline.model().seed(seeds);

  install_filters(o, pipeline);
  Metrics* metrics = nullptr;
  if (!o.metrics_address.empty()) {
    auto sink = std::make_unique<Metrics>();
    metrics = sink.get();
    pipeline.add_sink(std::move(sink));
  }

  // -w FILE records one file; -w DIR a rotating series whose every file
  // starts with the processes alive at that moment.
  std::unique_ptr<Recorder> recorder;
  if (!o.write_path.empty()) {
    if (is_directory(o.write_path)) {
      RotationBounds bounds{o.rotate_mib << 20, o.rotate_seconds * 1'000'000'000, o.keep_files, o.keep_mib << 20};
      recorder = RecordingDirectory::open(
          o.write_path, bounds, [&] { return make_header(o, pipeline.model().snapshot(), clock); }, error);
    } else {
      recorder = TraceWriter::open(o.write_path, make_header(o, seeds, clock), error);
    }
    if (!recorder) return fail(error);
  }
  CgroupResolver cgroups(find_cgroup2_mount());
  // Records from two CPUs a few hundred nanoseconds apart can reach the ring
  // in an order their clocks disagree with. The ring's order respects
  // causality (a fork is committed before its child runs), so it is kept, and
  // such a timestamp is raised to its predecessor's: ts_ns never goes back.
  uint64_t last_ts_ns = 0;
  bool following = !o.pids.empty() && o.command.empty();  // -p ends by itself
  FollowedProcesses followed;
  // Recorded exactly as fed to the views, so a replay prints the same.
  auto deliver = [&](Event& e) {
    e.ts_ns = std::max(e.ts_ns, last_ts_ns);
    last_ts_ns = e.ts_ns;
    if (e.cgroup_id) e.cgroup = cgroups.path(e.cgroup_id, e.ts_ns);
    if (e.kind == EventKind::exec && !e.env.empty()) reduce_exec_env(e.env, o);
    redactor.apply(e);
    if (recorder) recorder->write(e);
    if (following) followed.on_event(e);
    pipeline.feed(e);
  };

  bool filter = !o.command.empty() || !o.pids.empty();
  ProbeOptions probe_options;
  probe_options.filter_by_pid = filter;
  probe_options.threads = o.threads;
  probe_options.capture_env = !o.job_env.empty() || wants_trace_context(o);
  probe_options.ring_bytes = o.buffer_mib * 1024u * 1024u;
  probe_options.verbose = o.verbose;

  uint64_t decode_errors = 0;
  Event event;
  auto on_record = [&](const void* data, size_t size) {
    if (decode_record(data, size, event) != DecodeError::none) {
      decode_errors++;
      return;
    }
    deliver(event);
  };
  auto probe = Probe::load(probe_options, on_record, error);
  if (!probe) return fail(error);

  std::vector<uint32_t> followed_at_start = with_descendants(o.pids, seeds);
  for (uint32_t pid : followed_at_start)
    if (!probe->trace_pid(pid, error)) return fail(error);
  if (following) {
    std::unordered_set<uint32_t> wanted(followed_at_start.begin(), followed_at_start.end());
    for (const SeedProcess& s : seeds)
      if (wanted.count(s.pid)) followed.add(s.pid, s.start_ns);
  }

  std::unique_ptr<MetricsServer> metrics_server;
  if (metrics) {
    metrics->set_ring_buffer_bytes(probe->ring_size_bytes());
    metrics_server = MetricsServer::start(o.metrics_address, *metrics, error);
    if (!metrics_server) return fail(error);
  }

  install_signal_handlers();
  if (!probe->attach(error)) return fail(error);

  // Follow the command before it runs, so nothing it does is missed: while
  // forktrace itself is traced, the kernel records the fork of the command and
  // adds its pid to the filter.
  std::unique_ptr<ChildCommand> child;
  if (!o.command.empty()) {
    uint32_t self = static_cast<uint32_t>(getpid());
    if (!probe->trace_pid(self, error)) return fail(error);
    child = ChildCommand::start_paused(o.command, error);
    probe->untrace_pid(self);
    if (!child) return fail(error);
    if (!child->release(error)) {
      child->poll_exit();
      return fail("cannot run " + o.command[0] + ": " + error, 127);
    }
  }

  // Type=notify units start once events flow; a no-op outside systemd.
  sd_notify(0, "READY=1");

  uint64_t lost_reported = 0;
  auto report_lost = [&] {
    uint64_t lost = probe->lost_records();
    if (lost <= lost_reported) return;
    Event e;
    e.kind = EventKind::lost;
    e.ts_ns = boottime_now_ns();
    e.lost_count = lost - lost_reported;
    lost_reported = lost;
    deliver(e);
  };

  // After a spike of live processes exits, hand the freed heap back to the
  // kernel: otherwise a long-running service keeps its peak size for good.
  size_t live_peak = 0;
  auto release_memory_after_spike = [&] {
    size_t live = pipeline.model().live_count();
    live_peak = std::max(live_peak, live);
    if (live_peak >= 1024 && live * 2 < live_peak) {
      malloc_trim(0);
      live_peak = live;
    }
  };

  int status = 0;
  bool forwarded_stop = false;
  uint64_t last_tick_ns = boottime_now_ns();
  bool recording_failure_reported = false;
  for (;;) {
    int n = probe->poll(100 /* ms */);
    uint64_t now = boottime_now_ns();
    if (now - last_tick_ns >= 1'000'000'000) {
      last_tick_ns = now;
      release_memory_after_spike();
      if (following) followed.forget_vanished();
      if (recorder) {
        recorder->tick(now);  // a crash loses at most about a second of recording
        // A full disk stops the recording, not the tracing: say so once.
        if (recorder->failed() && !recording_failure_reported) {
          fail(recorder->error() + "; tracing goes on, recording stopped");
          recording_failure_reported = true;
        }
        recording_failure_reported &= recorder->failed();
      }
    }
    if (metrics) {
      metrics->set_live_processes(pipeline.model().live_count());
      if (recorder) metrics->set_recording(recorder->bytes_written(), recorder->records_dropped(), recorder->failed());
      if (otlp) otlp->update(*metrics);
    }
    if (n < 0) {
      status = fail("reading the ring buffer failed: " + std::string(strerror(-n)));
      break;
    }
    report_lost();
    if (child) {
      if (auto raw = child->poll_exit()) {
        status = shell_status(decode_wait_status(static_cast<uint32_t>(*raw)));
        break;
      }
      // Ctrl-C reaches the command through the terminal; SIGTERM is passed on.
      if (g_stop_requests && g_last_signal == SIGTERM && !forwarded_stop) {
        child->signal(SIGTERM);
        forwarded_stop = true;
      }
    } else {
      if (g_stop_requests) break;
      if (following && followed.empty()) break;
    }
  }

  sd_notify(0, "STOPPING=1");
  // Everything already in the ring buffer belongs to the trace.
  probe->detach();
  while (probe->poll(0) > 0) {
  }
  report_lost();
  pipeline.finish();
  if (!output->close(error)) status = fail(error);
  if (recorder && !recorder->close(error)) status = fail(error);
  if (recorder && recorder->records_dropped())
    fail(std::to_string(recorder->records_dropped()) + " events were not recorded: the disk could not keep up");
  if (decode_errors) fail(std::to_string(decode_errors) + " malformed records from the kernel were skipped");
  if (!o.quiet)
    std::fprintf(stderr, "forktrace: %llu events, %llu lost\n",
                 static_cast<unsigned long long>(pipeline.events()),
                 static_cast<unsigned long long>(pipeline.lost()));
  if (otlp && !o.quiet) fail(otlp->summary());
  return status;
}

}  // namespace ft
