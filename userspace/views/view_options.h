#pragma once

#include <cstdio>

#include "views/sink.h"

namespace ft {

struct ViewOptions {
  TraceClock clock;
  bool failed_only = false;  // only failed processes, with their ancestry
  bool threads = false;      // thread forks and exits too
};

// Whether `--failed` shows this event: only the exit of a process that failed.
bool shown_when_failed_only(const Event& event);

}  // namespace ft
