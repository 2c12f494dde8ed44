// `--format chrome`: Chrome Trace Event JSON, for Perfetto (ui.perfetto.dev)
// and chrome://tracing. One track per process, in depth-first order of the
// lineage, named by command line with its depth shown as "· " marks that
// viewers keep; one slice per program image (fork to exec, exec to exec, exec
// to exit), the last named with the outcome ("cc1plus [exit 1]"). Lineage is
// real: a flow arrow from the parent's slice at the fork to the child's first
// slice, and args that viewers show (pid, ppid, argv, status, chain). The
// traced command's own track starts at its exec: the moment between
// forktrace's fork and the exec is forktrace, not the command.
#pragma once

#include <cstdio>

#include "views/trace_store.h"
#include "views/view_options.h"

namespace ft {

class ChromeView : public EndOfTraceView {
 public:
  // `store`: the run's shared store (views/trace_store.h), made with history;
  // null: its own.
  ChromeView(std::FILE* out, ViewOptions options, const TraceStore* store = nullptr);
  void finish() override;

 private:
  std::FILE* out_;
  ViewOptions options_;
};

}  // namespace ft
