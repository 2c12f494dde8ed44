// The build report (--summary --format json) and the comparison of two
// recordings (--diff --format json) as JSON objects, with the keys that
// INTERFACE.md's "Build report" and "Comparing two recordings" name. The HTML
// report embeds the same objects.
#pragma once

#include <nlohmann/json.hpp>

#include "analysis/build_report.h"
#include "analysis/diff.h"
#include "analysis/trace.h"

namespace ft {

// One process: pid, argv, exit_code or signal, duration_ns, cpu_ns (null
// without usage), and more (executable, start_ns as Unix epoch ns, status, ...).
nlohmann::ordered_json step_to_json(const analysis::Trace& trace, uint32_t step);

nlohmann::ordered_json report_to_json(const analysis::Trace& trace, const analysis::BuildReport& report);

nlohmann::ordered_json diff_to_json(const analysis::Trace& base, const analysis::Trace& next,
                                    const analysis::Difference& diff);

// Kernel strings are bytes: invalid UTF-8 becomes U+FFFD rather than an error.
std::string dump_json(const nlohmann::ordered_json& json, int indent = -1);

}  // namespace ft
