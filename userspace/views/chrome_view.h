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
#include <unordered_map>
#include <vector>

#include "views/process_forest.h"
#include "views/view_options.h"

namespace ft {

class ChromeView : public Sink {
 public:
  ChromeView(std::FILE* out, ViewOptions options);
  void on_event(const Event& event, const Process& process) override;
  void on_lost(const Event& event) override;
  void finish() override;

 private:
  struct Image {  // one program a process ran, from when it started running it
    uint64_t start_ns;
    std::string name;
    std::vector<std::string> argv;
    bool before_exec = false;  // from the fork until the first exec: the parent's program
  };

  std::FILE* out_;
  ViewOptions options_;
  ProcessForest forest_;
  std::unordered_map<const Process*, std::vector<Image>> images_;
  std::vector<std::pair<uint64_t, uint64_t>> lost_;  // (ts, count)
  uint64_t first_ns_ = 0, last_ns_ = 0;
};

}  // namespace ft
