// Stopping: the signals that ask for it, and the drain at the end (detach,
// read what is left in the ring, finish the views, close the output and the
// recording, say what was lost).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ft {

class GapRepair;
class Intake;
class Output;
class Pipeline;
class Probe;
class Recorder;

// SIGINT and SIGTERM ask to stop; a second Ctrl-C ends at once, whatever is
// left to drain. SIGPIPE is ignored: a closed output is an error on write.
class StopSignals {
 public:
  static void install();
  static bool requested();
  static int last_signal();
};

// What the end of a run says on stderr, one line each.
struct RunTotals {
  uint64_t events = 0;
  uint64_t lost = 0;  // in the kernel
  uint64_t lost_fork = 0, lost_exec = 0, lost_exit = 0, lost_exec_failed = 0;
  uint64_t not_shown = 0;             // dropped for the views: the output did not keep up
  uint64_t records_not_recorded = 0;  // the recorder dropped them (slow disk)
  std::string recording_error;        // why the recording failed (a full disk), or empty
  uint64_t decode_errors = 0;
};
std::vector<std::string> end_of_run_messages(const RunTotals& totals, bool quiet);

// The exit status of `forktrace -- CMD` when CMD succeeded but forktrace's
// own output (the recording, -o FILE) failed, as env(1) and timeout(1) use
// 125 for their own failure; a CI wrapper can tell it from CMD's statuses.
constexpr int kOwnFailureStatus = 125;

// forktrace's exit status: the command's (`status`, with `command`) or 0,
// unless its own output failed (`own_failure`): then 1 without a command,
// 125 where the command succeeded, and the command's failure where it failed.
int final_status(int status, bool command, bool own_failure);

// Detaches the probe, drains the ring into intake, repairs a last gap,
// finishes the views and closes the output and the recording. Returns
// final_status(); prints the end-of-run lines.
int drain_and_finish(Probe& probe, Intake& intake, GapRepair& gaps, Pipeline& pipeline, Output& output,
                     Recorder* recorder, bool quiet, int status, bool command);

}  // namespace ft
