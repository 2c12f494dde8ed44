// The OpenTelemetry span model of a trace, as plain data: what the OTLP/JSON
// view and the OTLP/HTTP exporter encode. Every string is valid UTF-8 (the
// kernel's bytes are repaired on the way in), as OTLP's string fields must be.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "export/otel/ids.h"

namespace ft::otel {

// The semantic conventions version the attribute names follow.
inline constexpr const char* kSchemaUrl = "https://opentelemetry.io/schemas/1.26.0";

struct Attribute {
  std::string key;
  std::variant<std::string, int64_t, bool, std::vector<std::string>> value;
};

struct SpanEvent {
  int64_t time_unix_ns = 0;
  std::string name;
  std::vector<Attribute> attributes;
};

enum class StatusCode : int { unset = 0, ok = 1, error = 2 };

struct Span {
  TraceId trace_id{};
  SpanId span_id{};
  SpanId parent_span_id{};  // all zero: a root span
  std::string trace_state;  // from TRACESTATE, on spans of a TRACEPARENT's trace
  std::string name;
  int64_t start_unix_ns = 0;
  int64_t end_unix_ns = 0;
  std::vector<Attribute> attributes;
  std::vector<SpanEvent> events;
  uint32_t dropped_events = 0;
  StatusCode status = StatusCode::unset;
  std::string status_message;
};

// What every span of a trace shares: the OTLP resource.
struct Resource {
  std::vector<Attribute> attributes;
};

// The instrumentation scope: forktrace itself.
struct Scope {
  std::string name = "forktrace";
  std::string version;
};

}  // namespace ft::otel
