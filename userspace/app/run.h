// The two ways forktrace runs; each returns forktrace's exit status.
#pragma once

#include "analysis/trace.h"
#include "app/options.h"
#include "recording/trace_header.h"

namespace ft {

int run_live(const Options& options);
int run_replay(const Options& options);
// -r NEW --diff BASE (app/diff.cpp).
int run_diff(const Options& options);

// What a recording traced, from its header.
analysis::TraceScope recorded_scope(const TraceHeader& header);

}  // namespace ft
