#include "app/live/shutdown.h"

#include <signal.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "app/clock.h"
#include "app/live/gap_repair.h"
#include "app/live/intake.h"
#include "app/output.h"
#include "pipeline/pipeline.h"
#include "probe/probe.h"
#include "recording/recorder.h"

namespace ft {
namespace {

volatile sig_atomic_t g_stop_requests = 0;
volatile sig_atomic_t g_last_signal = 0;

void on_stop_signal(int sig) {
  g_last_signal = sig;
  g_stop_requests = g_stop_requests + 1;
  if (g_stop_requests > 1 && sig == SIGINT) _exit(130);
}

int fail(const std::string& message) {
  std::fprintf(stderr, "forktrace: %s\n", message.c_str());
  return 1;
}

}  // namespace

void StopSignals::install() {
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

bool StopSignals::requested() { return g_stop_requests != 0; }
int StopSignals::last_signal() { return g_last_signal; }

std::vector<std::string> end_of_run_messages(const RunTotals& t, bool quiet) {
  std::vector<std::string> out;
  // A failed recording: its cause and what it missed, in one line.
  if (!t.recording_error.empty())
    out.push_back(t.recording_error + (t.records_not_recorded ? "; " + std::to_string(t.records_not_recorded) +
                                                                   " events were not recorded"
                                                             : ""));
  else if (t.records_not_recorded)
    out.push_back(std::to_string(t.records_not_recorded) + " events were not recorded: the disk could not keep up");
  if (t.decode_errors)
    out.push_back(std::to_string(t.decode_errors) + " malformed records from the kernel were skipped");
  if (t.not_shown)
    out.push_back(std::to_string(t.not_shown) +
                  " events were not shown: the output did not keep up (--output-buffer; -w records them all)");
  if (!quiet) {
    // "N events, M lost" first: scripts read it (tools/bench/run.py).
    std::string line = std::to_string(t.events) + " events, " + std::to_string(t.lost) + " lost";
    if (t.lost)
      line += " (fork " + std::to_string(t.lost_fork) + ", exec " + std::to_string(t.lost_exec) + ", exit " +
              std::to_string(t.lost_exit) +
              (t.lost_exec_failed ? ", exec_failed " + std::to_string(t.lost_exec_failed) : "") + ")";
    out.push_back(line);
  }
  return out;
}

int final_status(int status, bool command, bool own_failure) {
  if (!own_failure) return status;
  if (!command) return 1;
  return status == 0 ? kOwnFailureStatus : status;
}

int drain_and_finish(Probe& probe, Intake& intake, GapRepair& gaps, Pipeline& pipeline, Output& output,
                     Recorder* recorder, bool quiet, int status, bool command) {
  sd_notify(0, "STOPPING=1");
  // Everything already in the ring buffer belongs to the trace.
  probe.detach();
  while (probe.poll(0) > 0) {
  }
  if (intake.report_lost(probe.lost_by_kind(), boottime_now_ns())) gaps.on_loss();
  gaps.run(true /* now, whatever the interval */);
  pipeline.finish();
  std::string error;
  bool own_failure = false;
  if (!output.close(error)) {
    fail(error);
    own_failure = true;
  }
  RunTotals totals;
  if (recorder && !recorder->close(error)) {
    own_failure = true;
    totals.recording_error = error;  // said once, with what it missed (end_of_run_messages)
  }
  totals.events = pipeline.events();
  totals.lost = pipeline.lost();
  totals.lost_fork = pipeline.lost_fork();
  totals.lost_exec = pipeline.lost_exec();
  totals.lost_exit = pipeline.lost_exit();
  totals.lost_exec_failed = pipeline.lost_exec_failed();
  totals.not_shown = pipeline.not_shown();
  totals.records_not_recorded = recorder ? recorder->records_dropped() : 0;
  totals.decode_errors = intake.decode_errors();
  for (const std::string& line : end_of_run_messages(totals, quiet)) std::fprintf(stderr, "forktrace: %s\n", line.c_str());
  return final_status(status, command, own_failure);
}

}  // namespace ft
