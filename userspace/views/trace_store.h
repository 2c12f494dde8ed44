// The whole-trace store (analysis/trace.h) as a sink: the pipeline's wiring
// (app/output.cpp) makes one, adds it before the views and hands it to every
// end-of-trace view (tree, --summary, HTML, Chrome), which read it, never
// write it, when the trace ends. So it sees exactly the events the views see
// (the same filters, the same events held back for a full output), and a run
// keeps one copy of the trace however many of those views it has. A view
// made without one (a test, a tool) keeps a store of its own.
#pragma once

#include <memory>

#include "analysis/trace.h"
#include "pipeline/sink.h"

namespace ft {

class TraceStore : public Sink {
 public:
  // `history`: also each process's programs in turn and every gap (Chrome).
  explicit TraceStore(analysis::TraceScope scope, bool history = false) : builder_(std::move(scope), history) {}
  void on_event(const Event& event, const Process& process) override { builder_.on_event(event, process); }
  void on_lost(const Event& event) override { builder_.on_lost(event); }
  const analysis::Trace& trace() const { return builder_.trace(); }

 private:
  analysis::TraceBuilder builder_;
};

// What a view that reads the whole trace holds: the shared store, or one of
// its own that it feeds itself.
class StoreRef {
 public:
  StoreRef(const TraceStore* shared, const analysis::TraceScope& scope, bool history = false)
      : own_(shared ? nullptr : std::make_unique<TraceStore>(scope, history)), store_(shared ? shared : own_.get()) {}
  void on_event(const Event& event, const Process& process) {
    if (own_) own_->on_event(event, process);
  }
  void on_lost(const Event& event) {
    if (own_) own_->on_lost(event);
  }
  const analysis::Trace& trace() const { return store_->trace(); }

 private:
  std::unique_ptr<TraceStore> own_;
  const TraceStore* store_;
};

// A view that renders once, when the trace ends, from the whole-trace store:
// it implements only finish().
class EndOfTraceView : public Sink {
 public:
  void on_event(const Event& event, const Process& process) final { store_.on_event(event, process); }
  void on_lost(const Event& event) final { store_.on_lost(event); }

 protected:
  // `shared`: the run's store; null: the view keeps one of its own.
  EndOfTraceView(const TraceStore* shared, const analysis::TraceScope& scope, bool history = false)
      : store_(shared, scope, history) {}
  const analysis::Trace& trace() const { return store_.trace(); }

 private:
  StoreRef store_;
};

}  // namespace ft
