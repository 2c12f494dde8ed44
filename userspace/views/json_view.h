// `--format json`: JSON Lines, version 1 of the contract in INTERFACE.md.
#pragma once

#include <cstdio>
#include <string>

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
  std::FILE* out_;
  ViewOptions options_;
};

}  // namespace ft
