// What the TUI shows, without a terminal: the forest of the trace's processes
// (views/tui/live_forest.h: nodes point at the model's own Process objects, so
// there is no second copy of the tree), what the user did to it (cursor,
// folds, filter, search) and the rendering of one frame as a pure function of
// both. Unit tests drive it with events and keys and compare golden screens.
//
// Not thread-safe: the owner (app/tui_session.cpp) serializes the intake's
// add() with the UI thread's keys and frames under one lock.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analysis/trace.h"
#include "views/tui/live_forest.h"
#include "pipeline/sink.h"
#include "views/tui/screen.h"

namespace ft::tui {

// Key codes: printable ASCII as itself, special keys above 0xffff.
enum Key : int {
  kCtrlC = 3,
  kEnter = '\n',
  kEscape = 27,
  kBackspace = 127,
  kUp = 0x10000,
  kDown,
  kLeft,
  kRight,
  kPageUp,
  kPageDown,
  kHome,
  kEnd,
};

// What a key asks of the session beyond the screen.
enum class Action { none, quit, interrupt };

struct TuiOptions {
  TraceClock clock;
  bool unicode = true;        // box-drawing and markers; ASCII otherwise
  bool live = true;           // a live trace: follow mode starts on
  bool has_command = false;   // -- CMD: Ctrl-C goes to it; otherwise Ctrl-C quits
  std::string title;          // "make -j8", "whole machine", "replay of build.ftrace"
  analysis::TraceScope scope; // what was traced: which process is the root whose failure the end explains
};

// What the frame needs besides the model, supplied by whoever draws it.
struct FrameContext {
  size_t width = 80, height = 24;
  uint64_t now_ns = 0;                        // boot time; 0: the trace's last event
  const std::deque<std::string>* output = nullptr;  // the command's output, sanitized lines
  std::string output_name;                    // the pane's title
  std::string message;                        // shown on the key line (forktrace's stderr)
  // User and group names for the details pane; numbers when null or unknown.
  std::function<std::string(uint32_t)> user_name, group_name;
};

class TuiModel {
 public:
  static constexpr size_t npos = LiveForest::npos;

  explicit TuiModel(TuiOptions options);

  // Intake (Sink::on_event / on_lost).
  void add(const Event& event, const Process& process);
  void lost(const Event& event);
  // The trace is over; `how` says how it ended ("make exited 2"). When the
  // traced command failed, the tree opens on its cause: the whole-trace
  // store's failure path (analysis::failure_path) stays open, everything
  // else finished folds, handled failures included, and the deepest step of
  // the cause is selected (unless the user has moved the selection).
  // Failures only (f) then shows the failure path as a tree and the handled
  // failures folded into one row per executable (analysis::group_failures,
  // analysis::by_executable), each opened with the fold keys.
  void finish(std::string how);
  bool finished() const { return finished_; }
  void set_unicode(bool unicode) { options_.unicode = unicode; }
  bool live() const { return options_.live; }

  Action key(int key, size_t page_rows = 20);
  Screen frame(const FrameContext& context);

  // For tests and the benchmark.
  const LiveForest& forest() const { return forest_; }
  size_t cursor() const { return cursor_; }
  // The group of handled failures whose row is selected; npos when a process is.
  size_t cursor_group() const { return cursor_group_; }
  bool follow() const { return follow_; }
  // The deepest step of the cause, once the trace is over and failed; npos otherwise.
  size_t cause_node() const { return cause_node_; }
  bool paused() const { return paused_; }
  const std::string& query() const { return query_; }

 private:
  struct Totals {  // of the node and everything below it
    uint32_t processes = 0, running = 0, failed = 0;
    uint64_t cpu_ns = 0;
    bool any_cpu = false;
  };
  struct Below {  // below the node, itself not counted (but its CPU is)
    uint32_t descendants = 0, running = 0, failed = 0;
    uint64_t cpu_ns = 0;
    bool any_cpu = false;
  };
  Below below(size_t node) const;
  struct Row {
    size_t node;
    size_t depth;
    bool last;  // the last shown child of its parent
    // A group of handled failures: its own row (node npos) or one of its
    // processes (a leaf: their failed children are rows of their own groups).
    size_t group = npos;
  };
  // Failures only, once analysed: the handled failures of one executable
  // (analysis::by_executable), shown after the failure path's tree.
  struct Group {
    std::string executable, status;
    Style style = Style::failed;
    std::vector<size_t> nodes;  // in the order they ended
    bool open = false;
  };
  bool grouped() const { return failures_only_ && analysed_; }
  size_t group_of(size_t node) const {
    return node < group_of_.size() && group_of_[node] ? group_of_[node] - 1 : npos;
  }

  void update_totals();
  bool failed(size_t node) const;
  bool collapsed(size_t node, size_t depth) const;
  bool shown(size_t node) const;
  void build_rows();
  size_t row_of_cursor() const;
  bool matches(size_t node) const;
  bool matches_now(size_t node) const;
  void search(bool forward, bool include_current);
  void reveal(size_t node);
  void move_to_row(size_t row);
  void fold_group(size_t group, bool open);
  size_t node_limit() const { return paused_ ? frozen_nodes_ : forest_.nodes().size(); }
  uint64_t now(const FrameContext& c) const;

  ScreenLine header_line(const FrameContext& c, uint64_t now_ns) const;
  ScreenLine key_line(const FrameContext& c) const;
  ScreenLine tree_line(const Row& row, const std::vector<bool>& rails, uint64_t now_ns, size_t width) const;
  ScreenLine group_line(const Row& row, size_t width) const;
  void details_lines(std::vector<ScreenLine>& out, size_t rows, const FrameContext& c, uint64_t now_ns) const;
  void output_lines(std::vector<ScreenLine>& out, size_t rows, const FrameContext& c) const;
  void help_lines(std::vector<ScreenLine>& out, size_t rows) const;

  TuiOptions options_;
  LiveForest forest_;
  // The whole-trace store, fed the same events, for the analyses at the end
  // (the TUI renders their answers, it does not make its own).
  analysis::TraceBuilder store_;
  std::vector<uint8_t> leads_;        // per node, once finished: the failure path runs through it
  bool analysed_ = false;
  size_t cause_node_ = npos;
  std::vector<Group> groups_;         // handled failures, most frequent first
  std::vector<uint32_t> group_of_;    // per node: its group + 1, 0 for none
  std::vector<size_t> group_row_;     // per group: its row, npos when not shown
  std::vector<std::string> cgroups_;  // per node, from its events ("" unknown)
  std::vector<int8_t> folds_;         // per node: 0 automatic, 1 open, -1 closed
  // Per node, as of its last event: so a frame reads two flat arrays instead
  // of every Process (a cache miss each on a build of 100,000).
  enum State : uint8_t { kRunning = 0, kExitedOk = 1, kExitedFailed = 2 };
  std::vector<uint8_t> states_;
  std::vector<uint64_t> cpu_ns_;      // own CPU time where the trace has it
  std::vector<uint8_t> has_cpu_;
  bool adopted_ = false;
  // Which nodes match query_: 0 not yet known, 1 no, 2 yes (an exec resets it).
  mutable std::vector<uint8_t> match_cache_;
  mutable std::string match_query_;              // some node precedes its parent (see update_totals)
  std::vector<Totals> totals_;
  bool totals_dirty_ = true;
  uint64_t last_ts_ns_ = 0;
  uint64_t lost_ = 0;
  bool finished_ = false;
  std::string how_;

  // What the user did.
  size_t cursor_ = npos;  // a node
  size_t cursor_group_ = npos;  // or a group's row (cursor_ is npos then)
  size_t top_ = 0;        // the first row shown
  bool follow_ = false;
  bool failures_only_ = false;
  bool paused_ = false;
  size_t frozen_nodes_ = 0;
  uint64_t frozen_now_ = 0;
  bool details_ = false;
  bool output_ = false;
  bool help_ = false;
  bool typing_ = false;
  std::string typed_, query_;
  std::string note_;  // "no match for x"
  size_t page_rows_ = 20;

  std::vector<size_t> row_index_;  // per node: its row, npos when not shown
  std::vector<Row> rows_;  // the rows of the tree as the last frame or key laid them out
};

}  // namespace ft::tui
