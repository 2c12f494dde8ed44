// What changed between two recordings of the same build. Steps are matched by
// their command and their place in the tree (the matched parent), never by
// pid: among siblings by command and then by order of start, and what is left
// by executable and operands (the same step with other arguments), so the
// reordering that `make -j` causes changes nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "analysis/trace.h"

namespace ft::analysis {

struct StepPair {
  uint32_t base = kNone;   // index in the base trace's steps; kNone when only in the new one
  uint32_t next = kNone;   // index in the new trace's steps; kNone when only in the base
};

struct SlowerStep {
  StepPair steps;
  uint64_t base_ns = 0, next_ns = 0;       // wall time in each run
  std::optional<int64_t> cpu_change_ns;    // when both runs have its CPU time
};

struct Difference {
  std::vector<uint32_t> added;             // new-trace steps with no counterpart whose parent has one (subtree tops)
  std::vector<uint32_t> removed;           // base-trace steps likewise
  std::vector<StepPair> changed;           // same executable and place, other arguments
  std::vector<StepPair> new_failures;      // failed in the new run, not in the base (base kNone: a new step)
  std::vector<StepPair> fixed;             // failed in the base, succeeded in the new run
  std::vector<SlowerStep> slower;          // most grown first
  uint64_t matched = 0;                    // steps found in both runs
  uint64_t base_wall_ns = 0, next_wall_ns = 0;
};

struct DiffOptions {
  uint64_t min_slower_ns = 50'000'000;     // a step is slower when it grew by this much
  double min_slower_ratio = 0.10;          // and by this share of its base time
  size_t max_slower = 25;
};

// For each new-trace step, its base-trace counterpart (kNone when none).
std::vector<uint32_t> match_steps(const Trace& base, const Trace& next);

Difference diff_builds(const Trace& base, const Trace& next, const DiffOptions& options = {});

}  // namespace ft::analysis
