// `--summary`: what a person asks of a finished build. Counts, failures with
// the chain that launched them, the slowest and most frequent commands, and
// wall time per executable. Printed when the trace ends.
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "views/view_options.h"

namespace ft {

class SummaryView : public Sink {
 public:
  SummaryView(std::FILE* out, ViewOptions options, size_t top_n = 10);
  void on_event(const Event& event, const Process& process) override;
  void on_lost(const Event& event) override;
  void finish() override;

 private:
  struct PerExecutable {
    uint64_t runs = 0;
    uint64_t failures = 0;
    uint64_t total_ns = 0;
    uint64_t max_ns = 0;
  };
  struct Slowest {
    uint64_t duration_ns;
    uint32_t pid;
    std::string command;
    std::string status;
    std::optional<ResourceUsage> usage;
  };

  std::FILE* out_;
  ViewOptions options_;
  size_t top_n_;
  uint64_t processes_ = 0, execs_ = 0, exits_ = 0, lost_ = 0;
  // After lost events: processes recovered from /proc, exits found (status
  // unknown), processes first seen after their fork was lost; and the gaps.
  uint64_t recovered_ = 0, unknown_exits_ = 0, forker_unknown_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> gaps_;  // (ts_ns, events lost), the first kMaxGaps
  uint64_t gap_count_ = 0;
  static constexpr size_t kMaxGaps = 10;
  uint64_t first_ns_ = 0, last_ns_ = 0;
  std::map<std::string, PerExecutable> executables_;
  std::vector<Slowest> slowest_;  // a bounded min-heap on duration
  std::vector<std::shared_ptr<const Process>> failed_;
};

// "/usr/bin/gcc" → "gcc"; the comm when the process never exec'd anything known.
std::string executable_name(const Process& process);

}  // namespace ft
