// OTLP/JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
// one ExportTraceServiceRequest as one line of JSON, as the Collector's file
// exporter writes and its otlpjsonfile receiver reads. OTLP/JSON is not
// protobuf's canonical JSON mapping (trace and span IDs are hex, not base64;
// enums are integers), so it is written here (a direct writer), field for field from
// opentelemetry/proto/trace/v1/trace.proto, and tests/unit check it against
// the official schema by parsing it with the protobuf runtime.
#pragma once

#include <string>
#include <vector>

#include "export/otel/span.h"

namespace ft::otel {

// One request, without a trailing newline. 64-bit integers are strings, as
// proto3 JSON writes them; fields at their default value are left out.
std::string encode_otlp_json(const Resource& resource, const Scope& scope, const std::vector<Span>& spans);

}  // namespace ft::otel
