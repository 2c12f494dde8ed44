// The periodic work of the live loop: tasks that run between polls, each at
// its own interval (memory trim, the -p check, the recorder's tick, metrics
// gauges). A new timer (a TUI redraw, an exporter flush) is one more every().
// Tasks run on the intake thread, so each must be short.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "recording/recorder.h"

namespace ft {

class PeriodicWork {
 public:
  using Task = std::function<void(uint64_t now_ns)>;

  // `start_ns`: boot time the intervals count from.
  explicit PeriodicWork(uint64_t start_ns) : start_ns_(start_ns) {}
  // Runs `task` once `interval_ns` has passed since its last run (or the
  // start); 0 runs it on every turn of the loop.
  void every(uint64_t interval_ns, Task task);
  // Runs the tasks that are due, in the order they were added.
  void run_due(uint64_t now_ns);

 private:
  struct Entry {
    uint64_t interval_ns;
    uint64_t last_ns;
    Task task;
  };
  uint64_t start_ns_;
  std::vector<Entry> tasks_;
};

// After a spike of live processes exits, hand the freed heap back to the
// kernel: otherwise a long-running service keeps its peak size for good.
class SpikeTrim {
 public:
  static constexpr size_t kMinPeak = 1024;
  // Whether to trim now, given the processes the model holds (live, and
  // ended until their reap: a spike's memory is free only once they are reaped).
  bool due(size_t live);

 private:
  size_t peak_ = 0;
};

// A full disk stops the recording, not the tracing: says so once per failure
// (`report` gets the one line to print).
class RecordingWatch {
 public:
  explicit RecordingWatch(Recorder& recorder) : recorder_(recorder) {}
  void tick(uint64_t now_ns, const std::function<void(const std::string&)>& report);

 private:
  Recorder& recorder_;
  bool reported_ = false;
};

}  // namespace ft
