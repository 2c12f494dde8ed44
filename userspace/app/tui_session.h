// `--tui`: the terminal side of the TUI view, for app/live.cpp and
// app/replay.cpp. The pipeline feeds the TuiModel on the intake thread under
// lock(); a UI thread of its own reads keys, reads the traced command's
// pseudo-terminal, and draws a frame every 100 ms and after each key: it holds
// the lock only while it lays a frame out (bounded work: totals over the
// forest plus the rows shown), never while it writes to the terminal, so a
// slow, stopped or resized terminal never holds up intake.
//
// forktrace's own standard error goes to the status line while the screen is
// taken, and is written out again once the terminal is restored.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/options.h"
#include "pipeline/sink.h"
#include "views/tui/output_buffer.h"
#include "views/tui/tui_model.h"

namespace ft {

class TuiSession {
 public:
  // Takes the screen. Null with `error` when the terminal cannot be used.
  // `scope` says what was traced (live: the options; replay: the header), as for the other views.
  static std::unique_ptr<TuiSession> open(const Options& options, const TraceClock& clock,
                                          const analysis::TraceScope& scope, std::string& error);
  // Restores the terminal exactly, then prints what forktrace wrote to stderr meanwhile.
  ~TuiSession();
  TuiSession(const TuiSession&) = delete;
  TuiSession& operator=(const TuiSession&) = delete;

  // The view for the pipeline, and the lock the pipeline feeds it under.
  std::unique_ptr<Sink> view();
  std::mutex* lock() { return &lock_; }

  // -- CMD: the pseudo-terminal the command gets as its controlling terminal
  // and standard input, output and error (-1 without a command).
  int command_terminal() const { return pty_slave_; }
  void command_started(pid_t pid);

  // Once per turn of the intake loop: true when tracing should stop (q, or
  // Ctrl-C without a command). With a command, q ends it instead: SIGHUP to
  // its process group, as when its terminal closes, then SIGKILL after 3 s.
  bool should_stop();
  bool quit_requested() const { return quit_.load(); }

  // The trace is over. With `wait`, the final tree stays until q.
  void trace_ended(const std::string& how, bool wait);
  // How a shell status reads on the header: "exit 2", "killed by SIGTERM".
  static std::string describe_shell_status(int status);

 private:
  TuiSession(const Options& options, const TraceClock& clock, const analysis::TraceScope& scope);
  void ui_main();
  void close();

  tui::TuiModel model_;
  std::mutex lock_;
  std::thread ui_;
  std::atomic<bool> quit_{false};
  std::atomic<bool> interrupt_{false};
  std::atomic<bool> ended_{false};
  std::atomic<bool> stop_ui_{false};
  std::mutex end_lock_;
  std::string end_how_;

  int input_fd_ = -1;          // the terminal, for keys
  int wake_[2] = {-1, -1};     // wakes the UI thread
  int stderr_pipe_ = -1;       // read end of forktrace's stderr while the screen is taken
  int saved_stderr_ = -1;
  int pty_master_ = -1, pty_slave_ = -1;
  pid_t command_ = -1;
  bool hung_up_ = false;
  uint64_t hangup_ns_ = 0;
  bool closed_ = false;
  std::string captured_;       // forktrace's stderr, replayed after the restore
  std::string open_error_;     // the UI thread's, reported by open()
  std::atomic<int> ready_{0};  // 1 when the screen is ours, -1 when it failed
  std::string title_, output_name_;
};

}  // namespace ft
