// `--format json`: JSON Lines, version 1 of the contract in INTERFACE.md.
#pragma once

#include <cstdio>
#include <string>

#include "model/exec_folding.h"
#include "views/view_options.h"

namespace ft {

class JsonView : public Sink {
 public:
  JsonView(std::FILE* out, ViewOptions options);
  void on_event(const Event& event, const Process& process) override;
  void on_lost(const Event& event) override;
  void finish() override;

  // One event as its JSON line (without the newline); exposed for tests.
  std::string format(const Event& event, const Process& process) const;

 private:
  void print(const std::string& line);

  std::FILE* out_;
  ViewOptions options_;
  // --failed: failed exec attempts wait for their process's next exec or
  // exit; only those nothing satisfied are printed (every one without --failed).
  ExecMissFolder<std::string> misses_;
};

}  // namespace ft
