// `--format text`: one line per event, as it happens.
#pragma once

#include <cstdio>
#include <string>

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

  std::FILE* out_;
  ViewOptions options_;
  bool header_printed_ = false;
};

}  // namespace ft
