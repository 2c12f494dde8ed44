#pragma once

#include <cstddef>
#include <cstdio>

#include "views/sink.h"

namespace ft {

struct ViewOptions {
  TraceClock clock;
  bool failed_only = false;  // only failed processes, with their ancestry
  bool threads = false;      // thread forks and exits too
  bool verbose = false;      // -v: every failed exec attempt, PATH-search misses too
  size_t max_command_bytes = 0;  // text view: shorten commands past this (a terminal); 0 never
};

// Whether `--failed` shows this event: only the exit of a process that failed.
bool shown_when_failed_only(const Event& event);

}  // namespace ft
