// Live tracing, wired: open → configure → load → attach → poll → drain.
// Each concern is an object of its own under app/live/: intake.h (each
// record's path to the recording and the views), periodic.h (work between
// polls), traced_command.h (-- CMD), shutdown.h (signals, drain). A new
// concern goes in a file of its own there; this function only connects it.
#include <malloc.h>
#include <systemd/sd-daemon.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "app/clock.h"
#include "app/followed.h"
#include "app/live/gap_repair.h"
#include "app/live/intake.h"
#include "app/live/periodic.h"
#include "app/live/shutdown.h"
#include "app/live/startup_report.h"
#include "app/live/traced_command.h"
#include "app/otel_export.h"
#include "app/output.h"
#include "pipeline/pipeline.h"
#include "app/redact.h"
#include "app/run.h"
#include "export/otel/ids.h"
#include "app/tui_session.h"
#include "app/wire.h"
#include "probe/probe.h"
#include "host/cgroup_resolver.h"
#include "host/files.h"
#include "host/privileges.h"
#include "host/proc.h"
#include "service/metrics.h"
#include "service/metrics_server.h"
#include "recording/recording_directory.h"
#include "recording/trace_writer.h"

namespace ft {
namespace {

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
  if (kernel_reports_reaps()) h.flags |= kTraceReaps;
  h.command = o.argv;
  h.traced_command = o.command;
  h.seeds = seeds;
  h.boot_id = otel::read_boot_id();
  return h;
}

ProbeOptions probe_options_for(const Options& o) {
  ProbeOptions p;
  p.filter_by_pid = !o.command.empty() || !o.pids.empty();
  p.threads = o.threads;
  p.capture_env = !o.job_env.empty() || wants_trace_context(o);
  p.ring_bytes = o.buffer_mib * 1024u * 1024u;
  p.verbose = o.verbose;
  p.exec_failures = o.exec_failures;
  p.args_max = o.max_args_size;
  return p;
}

// -w FILE records one file; -w DIR a rotating series whose every file starts
// with the processes alive at that moment. A DIR/ that does not exist yet is
// made, private as the files. Null with `error`.
std::unique_ptr<Recorder> open_recorder(const Options& o, Pipeline& pipeline, const std::vector<SeedProcess>& seeds,
                                        const TraceClock& clock, std::string& error) {
  if (o.write_path.back() == '/' && !is_directory(o.write_path) && !make_private_directory(o.write_path, o.file_mode)) {
    error = "cannot create the directory " + o.write_path + ": " + std::strerror(errno);
    return nullptr;
  }
  if (is_directory(o.write_path)) {
    // Rotation creates files there after the privileges are given up.
    if (std::string why = check_directory_writable_without_override(o.write_path); !why.empty()) {
      error = "cannot keep recording in " + o.write_path + ": " + why;
      return nullptr;
    }
    RotationBounds bounds{o.rotate_mib << 20, o.rotate_seconds * 1'000'000'000, o.keep_files, o.keep_mib << 20};
    return RecordingDirectory::open(
        o.write_path, bounds, [&o, &pipeline, clock] { return make_header(o, pipeline.model().snapshot(), clock); },
        error, o.file_mode);
  }
  return TraceWriter::open(o.write_path, make_header(o, seeds, clock), error, o.file_mode);
}

}  // namespace

int run_live(const Options& o) {
  StartupReport startup;
  if (std::string why = check_tracing_privileges(); !why.empty()) return fail(why);
  if (std::string why = check_kernel_support(o.test_kernel_btf); !why.empty()) return fail(why);
  for (uint32_t pid : o.pids) {
    SeedProcess p;
    if (!read_proc_process(pid, p)) return fail("-p " + std::to_string(pid) + ": no such process");
  }
  startup.end("checks");

  std::string error;
  // Intake never waits for the views' output: they write to a bounded queue.
  auto output = Output::open(o.output_path, error, o.output_buffer_mib << 20, o.file_mode);
  if (!output) return fail(error);

  Redactor redactor;
  for (const std::string& pattern : o.redact)
    if (!redactor.add(pattern, error)) return fail(error);
  startup.end("output");
  std::vector<SeedProcess> seeds = read_proc_processes();
  redactor.apply(seeds);
  startup.end("/proc");
  TraceClock clock{realtime_offset_ns()};
  otel::SpanConfig otel_config = span_config(make_header(o, {}, clock));
  analysis::TraceScope scope = live_scope(o);
  scope.knows_reaps = kernel_reports_reaps();
  auto wired = wire(o, *output, clock, scope, otel_config, seeds, error);  // the TUI ends with it
  if (!wired) return fail(error);
  Pipeline& pipeline = wired->pipeline;
  OtlpExport* otlp = wired->otlp.get();
  TuiSession* tui = wired->tui.get();
  Metrics* metrics = wired->metrics;

  std::unique_ptr<Recorder> recorder;
  if (!o.write_path.empty() && !(recorder = open_recorder(o, pipeline, seeds, clock, error))) return fail(error);
  CgroupResolver cgroups(find_cgroup2_mount());
  bool following = !o.pids.empty() && o.command.empty();  // -p ends by itself
  FollowedProcesses followed;
  Intake intake(pipeline, &cgroups, recorder.get(), following ? &followed : nullptr, o.job_env);
  // Before anything records or shows an exec: its environment reduced to the
  // job marker and trace context, and secrets out of argv.
  intake.set_prepare([&](Event& e) {
    if (e.kind == EventKind::exec && !e.env.empty()) reduce_exec_env(e.env, o);
    redactor.apply(e);
  });

  ProbeOptions probe_options = probe_options_for(o);
  probe_options.on_phase = [&](const char* phase) { startup.end(phase); };
  startup.end("views");

  auto probe = Probe::load(
      probe_options, [&](const void* data, size_t size) { intake.on_record(data, size); }, error);
  if (!probe) return fail(error);
  if (!o.quiet)
    for (const std::string& limit : probe->limitations()) std::fprintf(stderr, "forktrace: note: %s\n", limit.c_str());

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

  StopSignals::install();
  startup.end("follow");
  if (!probe->attach(error)) return fail(error);
  startup.end("attach");

  std::unique_ptr<TracedCommand> command;
  if (!o.command.empty()) {
    TracedCommand::Follow follow{[&](uint32_t pid, std::string& e) { return probe->trace_pid(pid, e); },
                                 [&](uint32_t pid) { probe->untrace_pid(pid); }};
    int fail_status = 1;
    command = TracedCommand::start(o.command, follow, error, fail_status, tui ? tui->command_terminal() : -1);
    if (!command) return fail(error, fail_status);
    if (tui) tui->command_started(command->pid());
    if (command->exit_fd() >= 0 && !probe->wake_on(command->exit_fd(), error)) return fail(error);
    startup.end("command");
  }
  // Programs attached, ring buffer, maps and files open, the command started
  // with the caller's own privileges: what forktrace still needs is little.
  if (std::string why = drop_privileges(KeptPrivileges{command != nullptr}); !why.empty()) return fail(why);
  startup.end("privileges");
  if (o.verbose) {
    std::fprintf(stderr, "forktrace: %s\n", startup.line().c_str());
    std::fprintf(stderr, "forktrace: %s\n", loaded_programs_line(probe->loaded_programs()).c_str());
  }

  // Type=notify units start once events flow; a no-op outside systemd.
  sd_notify(0, "READY=1");

  constexpr uint64_t kSecond = 1'000'000'000;
  PeriodicWork periodic(boottime_now_ns());
  SpikeTrim trim;
  periodic.every(kSecond, [&](uint64_t) {
    if (trim.due(pipeline.model().held_count())) malloc_trim(0);
  });
  if (following) periodic.every(kSecond, [&](uint64_t) { followed.forget_vanished(); });
  // The views' buffered lines reach the queue (and so -o FILE) within a
  // second; the queue's writer does the waiting.
  if (output->queue()) periodic.every(kSecond, [&](uint64_t) { std::fflush(output->file()); });
  std::unique_ptr<RecordingWatch> recording_watch;
  if (recorder) {
    recording_watch = std::make_unique<RecordingWatch>(*recorder);
    periodic.every(kSecond, [&](uint64_t now) { recording_watch->tick(now, [](const std::string& m) { fail(m); }); });
  }
  if (metrics)
    periodic.every(0, [&](uint64_t) {
      metrics->set_live_processes(pipeline.model().live_count());
      if (recorder) metrics->set_recording(recorder->bytes_written(), recorder->records_dropped(), recorder->failed());
      if (otlp) otlp->update(*metrics);
    });

  // After lost records, the model is reconciled with /proc. With -- CMD or -p
  // only the traced processes count: the ones seen starting, and -p's own.
  std::function<bool(const Process&)> traced;
  if (probe_options.filter_by_pid) {
    std::unordered_set<uint32_t> roots(followed_at_start.begin(), followed_at_start.end());
    traced = [roots](const Process& p) { return !p.seeded || roots.count(p.pid) > 0; };
  }
  GapRepair gaps(pipeline, intake,
                 {[&] {
                   // Redacted as the seeds were, so argv compares with the model's.
                   std::vector<SeedProcess> snapshot = read_proc_processes();
                   redactor.apply(snapshot);
                   return snapshot;
                 },
                  [&] { while (probe->poll(0) > 0) {} }, boottime_now_ns},
                 traced);

  // The kernel wakes the poll only once wakeup_bytes wait in the ring, so a
  // quiet poll returns at its timeout. For the first half second it is short,
  // so that the first events show at once rather than up to 100 ms late.
  const uint64_t brisk_until = boottime_now_ns() + kSecond / 2;
  int status = 0;
  for (;;) {
    int n = probe->poll(boottime_now_ns() < brisk_until ? 10 : 100 /* ms */);
    uint64_t now = boottime_now_ns();
    periodic.run_due(now);
    if (n < 0) {
      status = fail("reading the ring buffer failed: " + std::string(strerror(-n)));
      break;
    }
    if (intake.report_lost(probe->lost_by_kind(), now)) gaps.on_loss();
    gaps.run();
    if (tui && tui->should_stop()) break;
    if (command) {
      if (auto exited = command->poll_exit()) {
        status = *exited;
        break;
      }
      if (StopSignals::requested()) command->forward_stop(StopSignals::last_signal());
    } else {
      if (StopSignals::requested()) break;
      if (following && followed.empty()) break;
    }
  }
  const int command_status = status;
  status = drain_and_finish(*probe, intake, gaps, pipeline, *output, recorder.get(), o.quiet || o.tui, status,
                            command != nullptr);
  if (tui) tui->trace_ended(command ? "ended: " + TuiSession::describe_shell_status(command_status) : "ended",
                            !StopSignals::requested());
  if (otlp && !o.quiet && !o.tui) fail(otlp->summary());
  return status;
}

}  // namespace ft
