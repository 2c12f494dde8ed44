// `--tui`: the view behind the Sink interface, fed by the same pipeline as
// every other view (live and replay alike). It only hands events to the
// TuiModel; app/tui_session.cpp draws it on the terminal from its own thread.
#pragma once

#include "pipeline/sink.h"
#include "views/tui/tui_model.h"

namespace ft::tui {

class TuiView : public Sink {
 public:
  explicit TuiView(TuiModel& model) : model_(model) {}
  void on_event(const Event& event, const Process& process) override { model_.add(event, process); }
  void on_lost(const Event& event) override { model_.lost(event); }

 private:
  TuiModel& model_;
};

}  // namespace ft::tui
