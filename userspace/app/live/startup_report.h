// Where a live run's start-up went, phase by phase, in wall and CPU time:
// one line on standard error with -v (tools/bench/startup.sh reads it).
// Timings are for people and the benchmark; no test compares them.
#pragma once

#include <string>
#include <vector>

#include "probe/probe.h"

namespace ft {

class StartupReport {
 public:
  StartupReport();  // the first phase starts now
  // The time since the previous end() (or construction) was spent on `phase`.
  void end(const char* phase);
  // "start-up (ms, wall/CPU): checks 1.2/1.1, /proc 30.5/22.0, ...; total 120.4/80.2"
  std::string line() const;

 private:
  struct Phase {
    std::string name;
    double wall_ms = 0, cpu_ms = 0;
  };
  std::vector<Phase> phases_;
  double wall0_ms_ = 0, cpu0_ms_ = 0, wall_ms_ = 0, cpu_ms_ = 0;
};

// "programs loaded: sched_proc_fork 1.3 ms 61 insns, ..." (load and
// verification time per program, instructions the verifier processed).
std::string loaded_programs_line(const std::vector<LoadedProgram>& programs);

}  // namespace ft
