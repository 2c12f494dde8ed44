// OTLP's protobuf encoding of spans: an ExportTraceServiceRequest, with the
// code protoc generates at build time from the official opentelemetry-proto
// schema (tools/fetch-otlp-proto.sh).
#pragma once

#include <string>
#include <vector>

#include "export/otel/span.h"

namespace ft::otel {

// The serialized request (the body of a POST to /v1/traces).
std::string encode_otlp_proto(const Resource& resource, const Scope& scope, const std::vector<Span>& spans);

}  // namespace ft::otel
