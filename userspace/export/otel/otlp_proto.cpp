#include "export/otel/otlp_proto.h"

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace ft::otel {
namespace {

namespace pb_common = opentelemetry::proto::common::v1;
namespace pb_trace = opentelemetry::proto::trace::v1;

void set_attributes(const std::vector<Attribute>& attrs,
                    google::protobuf::RepeatedPtrField<pb_common::KeyValue>* out) {
  out->Reserve(static_cast<int>(attrs.size()));
  for (const Attribute& a : attrs) {
    pb_common::KeyValue* kv = out->Add();
    kv->set_key(a.key);
    pb_common::AnyValue* v = kv->mutable_value();
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::string>) {
            v->set_string_value(x);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            v->set_int_value(x);
          } else if constexpr (std::is_same_v<T, bool>) {
            v->set_bool_value(x);
          } else {
            pb_common::ArrayValue* array = v->mutable_array_value();
            for (const std::string& s : x) array->add_values()->set_string_value(s);
          }
        },
        a.value);
  }
}

std::string bytes(const auto& id) { return std::string(reinterpret_cast<const char*>(id.data()), id.size()); }

}  // namespace

std::string encode_otlp_proto(const Resource& resource, const Scope& scope, const std::vector<Span>& spans) {
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
  pb_trace::ResourceSpans* rs = request.add_resource_spans();
  set_attributes(resource.attributes, rs->mutable_resource()->mutable_attributes());
  rs->set_schema_url(kSchemaUrl);
  pb_trace::ScopeSpans* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name(scope.name);
  ss->mutable_scope()->set_version(scope.version);
  ss->set_schema_url(kSchemaUrl);
  ss->mutable_spans()->Reserve(static_cast<int>(spans.size()));
  for (const Span& s : spans) {
    pb_trace::Span* p = ss->add_spans();
    p->set_trace_id(bytes(s.trace_id));
    p->set_span_id(bytes(s.span_id));
    if (!s.trace_state.empty()) p->set_trace_state(s.trace_state);
    if (!is_zero(s.parent_span_id)) p->set_parent_span_id(bytes(s.parent_span_id));
    p->set_name(s.name);
    p->set_kind(pb_trace::Span::SPAN_KIND_INTERNAL);
    p->set_start_time_unix_nano(static_cast<uint64_t>(s.start_unix_ns));
    p->set_end_time_unix_nano(static_cast<uint64_t>(s.end_unix_ns));
    set_attributes(s.attributes, p->mutable_attributes());
    for (const SpanEvent& e : s.events) {
      pb_trace::Span::Event* pe = p->add_events();
      pe->set_time_unix_nano(static_cast<uint64_t>(e.time_unix_ns));
      pe->set_name(e.name);
      set_attributes(e.attributes, pe->mutable_attributes());
    }
    p->set_dropped_events_count(s.dropped_events);  // proto3: 0 is not written
    // Always present, as OTLP/JSON's "status": {} is.
    p->mutable_status()->set_code(static_cast<pb_trace::Status::StatusCode>(s.status));
    p->mutable_status()->set_message(s.status_message);
  }
  std::string out;
  request.SerializeToString(&out);
  return out;
}

}  // namespace ft::otel
