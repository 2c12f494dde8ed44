// `--format text`: one line per event, as it happens.
#pragma once

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "model/exec_folding.h"
#include "views/trace_store.h"
#include "views/view_options.h"

namespace ft {

// What a `lost` event says, for the text and tree views.
std::string describe_loss(const Event& event);

// With --failed, the failed exits stream as they happen; at the end, where the
// traced command failed and some failures were handled, a short section
// repeats the failure path's lines (analysis::propagated_first: the
// propagated failures and the command's own, in the order they ended) and
// counts the handled ones, per executable, so the answer is the output's tail.
class TextView : public Sink {
 public:
  // `store`: the run's shared store (views/trace_store.h), read with --failed
  // only; null: one of its own then.
  TextView(std::FILE* out, ViewOptions options, const TraceStore* store = nullptr);
  void on_event(const Event& event, const Process& process) override;
  void on_lost(const Event& event) override;
  void finish() override;

 private:
  void print_header();
  void print_line(const std::string& line);
  std::string line(const Event& event, const Process& process, const std::string& details) const;
  void print_failure_path();

  std::FILE* out_;
  // Failed exec attempts wait here until their process execs or exits: a
  // later exec of the same name folds them (shown with -v), the rest are
  // printed then, with their chain.
  ExecMissFolder<std::string> misses_;
  ViewOptions options_;
  bool header_printed_ = false;
  // --failed: the whole trace, for the failure path at the end, and the lines
  // printed for each failed process (its exit, after the exec attempts that
  // nothing satisfied), by (pid, start).
  std::optional<StoreRef> store_;
  std::map<std::pair<uint32_t, uint64_t>, std::string> failed_lines_;
};

}  // namespace ft
