// The build report (--summary) and the comparison of two recordings (--diff)
// as text for a person: the answer first, the detail after.
#pragma once

#include <cstdio>

#include "analysis/build_report.h"
#include "analysis/diff.h"
#include "analysis/trace.h"

namespace ft {

struct TextReportOptions {
  size_t top_n = 10;  // rows per table
};

void print_report(std::FILE* out, const analysis::Trace& trace, const analysis::BuildReport& report,
                  const TextReportOptions& options = {});

void print_diff(std::FILE* out, const analysis::Trace& base, const analysis::Trace& next,
                const analysis::Difference& diff, const TextReportOptions& options = {});

// "make -j2" (the full command line), or "[comm]" when it never exec'd.
std::string step_command(const analysis::Trace& trace, const analysis::Step& step);
// The command, or for a compiler, assembler or linker what it worked on: `cc1 parser.c → /tmp/cc.s`.
std::string step_in_short(const analysis::Trace& trace, uint32_t step);
// "exit 1", "killed by SIGTERM", "running", "status unknown".
std::string step_status(const analysis::Step& step);

}  // namespace ft
