#include "app/live/startup_report.h"

#include <time.h>

#include <fmt/format.h>

namespace ft {
namespace {

double clock_ms(clockid_t clock) {
  timespec t;
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

}  // namespace

StartupReport::StartupReport()
    : wall0_ms_(clock_ms(CLOCK_MONOTONIC)), cpu0_ms_(clock_ms(CLOCK_PROCESS_CPUTIME_ID)) {
  wall_ms_ = wall0_ms_;
  cpu_ms_ = cpu0_ms_;
}

void StartupReport::end(const char* phase) {
  double wall = clock_ms(CLOCK_MONOTONIC), cpu = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
  phases_.push_back({phase, wall - wall_ms_, cpu - cpu_ms_});
  wall_ms_ = wall;
  cpu_ms_ = cpu;
}

std::string StartupReport::line() const {
  std::string out = "start-up (ms, wall/CPU):";
  for (const Phase& p : phases_) out += fmt::format(" {} {:.1f}/{:.1f},", p.name, p.wall_ms, p.cpu_ms);
  out += fmt::format(" total {:.1f}/{:.1f}", wall_ms_ - wall0_ms_, cpu_ms_ - cpu0_ms_);
  return out;
}

std::string loaded_programs_line(const std::vector<LoadedProgram>& programs) {
  std::string out = "programs loaded:";
  const char* separator = " ";
  for (const LoadedProgram& p : programs) {
    out += fmt::format("{}{} {:.1f} ms", separator, p.name, static_cast<double>(p.load_ns) / 1e6);
    if (p.verified_insns) out += fmt::format(" {} insns", p.verified_insns);
    separator = ", ";
  }
  return out;
}

}  // namespace ft
