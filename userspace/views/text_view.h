// `--format text`: one line per event, as it happens.
#pragma once

#include <cstdio>
#include <string>

#include "model/exec_folding.h"
#include "views/view_options.h"

namespace ft {

// What a `lost` event says, for the text and tree views.
std::string describe_loss(const Event& event);

class TextView : public Sink {
 public:
  TextView(std::FILE* out, ViewOptions options);
  void on_event(const Event& event, const Process& process) override;
  void on_lost(const Event& event) override;
  void finish() override;

 private:
  void print_header();
  void print_line(const std::string& line);
  std::string line(const Event& event, const Process& process, const std::string& details) const;

  std::FILE* out_;
  // Failed exec attempts wait here until their process execs or exits: a
  // later exec of the same name folds them (shown with -v), the rest are
  // printed then, with their chain.
  ExecMissFolder<std::string> misses_;
  ViewOptions options_;
  bool header_printed_ = false;
};

}  // namespace ft
