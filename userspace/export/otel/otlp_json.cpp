#include "export/otel/otlp_json.h"

#include <nlohmann/json.hpp>

namespace ft::otel {
namespace {

using Json = nlohmann::ordered_json;

Json any_value(const Attribute& a) {
  Json v = Json::object();
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          v["stringValue"] = x;
        } else if constexpr (std::is_same_v<T, int64_t>) {
          v["intValue"] = std::to_string(x);
        } else if constexpr (std::is_same_v<T, bool>) {
          v["boolValue"] = x;
        } else {
          Json values = Json::array();
          for (const std::string& s : x) values.push_back(Json{{"stringValue", s}});
          v["arrayValue"] = Json{{"values", std::move(values)}};
        }
      },
      a.value);
  return v;
}

Json attributes(const std::vector<Attribute>& attrs) {
  Json out = Json::array();
  for (const Attribute& a : attrs) out.push_back(Json{{"key", a.key}, {"value", any_value(a)}});
  return out;
}

Json span_json(const Span& s) {
  Json j;
  j["traceId"] = to_hex(s.trace_id);
  j["spanId"] = to_hex(s.span_id);
  if (!s.trace_state.empty()) j["traceState"] = s.trace_state;
  if (!is_zero(s.parent_span_id)) j["parentSpanId"] = to_hex(s.parent_span_id);
  j["name"] = s.name;
  j["kind"] = 1;  // SPAN_KIND_INTERNAL
  j["startTimeUnixNano"] = std::to_string(s.start_unix_ns);
  j["endTimeUnixNano"] = std::to_string(s.end_unix_ns);
  if (!s.attributes.empty()) j["attributes"] = attributes(s.attributes);
  if (!s.events.empty()) {
    Json events = Json::array();
    for (const SpanEvent& e : s.events) {
      Json ev;
      ev["timeUnixNano"] = std::to_string(e.time_unix_ns);
      ev["name"] = e.name;
      if (!e.attributes.empty()) ev["attributes"] = attributes(e.attributes);
      events.push_back(std::move(ev));
    }
    j["events"] = std::move(events);
  }
  if (s.dropped_events) j["droppedEventsCount"] = s.dropped_events;
  Json status = Json::object();
  if (!s.status_message.empty()) status["message"] = s.status_message;
  if (s.status != StatusCode::unset) status["code"] = static_cast<int>(s.status);
  j["status"] = std::move(status);
  return j;
}

}  // namespace

std::string encode_otlp_json(const Resource& resource, const Scope& scope, const std::vector<Span>& spans) {
  Json scope_json;
  scope_json["name"] = scope.name;
  if (!scope.version.empty()) scope_json["version"] = scope.version;
  Json span_list = Json::array();
  for (const Span& s : spans) span_list.push_back(span_json(s));
  Json scope_spans;
  scope_spans["scope"] = std::move(scope_json);
  scope_spans["spans"] = std::move(span_list);
  scope_spans["schemaUrl"] = kSchemaUrl;
  Json resource_spans;
  resource_spans["resource"] = Json{{"attributes", attributes(resource.attributes)}};
  resource_spans["scopeSpans"] = Json::array({std::move(scope_spans)});
  resource_spans["schemaUrl"] = kSchemaUrl;
  Json request;
  request["resourceSpans"] = Json::array({std::move(resource_spans)});
  return request.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace ft::otel
