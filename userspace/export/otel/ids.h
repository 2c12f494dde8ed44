// Trace and span IDs: derived, never random, so that a replay of a recording
// gives the IDs the live run gave, and a job's trace ID is the same on every
// node. Pure functions; SHA-256 from OpenSSL.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ft::otel {

using TraceId = std::array<uint8_t, 16>;
using SpanId = std::array<uint8_t, 8>;

bool is_zero(const TraceId& id);
bool is_zero(const SpanId& id);
std::string to_hex(const TraceId& id);
std::string to_hex(const SpanId& id);

// A process's span: (boot ID, pid, start time) is its identity on a machine.
SpanId span_id_of(std::string_view boot_id, uint32_t pid, uint64_t start_ns);
// The trace a process tree starts (a traced command, a top-level tree).
TraceId trace_id_of(std::string_view boot_id, uint32_t pid, uint64_t start_ns);
// A job's trace: the job ID alone, so every node maps it the same way.
TraceId trace_id_of_job(std::string_view job_id);

// W3C trace context (https://www.w3.org/TR/trace-context/#traceparent-header):
// "00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>". Versions other
// than 00 (but not ff) are read by their first four fields, as the
// recommendation asks; all-zero IDs and upper-case hex are invalid.
struct TraceParent {
  TraceId trace_id{};
  SpanId span_id{};
  uint8_t flags = 0;
};
std::optional<TraceParent> parse_traceparent(std::string_view value);

// The boot ID of this machine (/proc/sys/kernel/random/boot_id), "" if unreadable.
std::string read_boot_id();

}  // namespace ft::otel
