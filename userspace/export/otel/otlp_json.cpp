#include "export/otel/otlp_json.h"

#include "format/json_line.h"

namespace ft::otel {
namespace {

// A direct writer: building a JSON document object by object (nlohmann's
// ordered_json) cost 10 times the rest of a replay. Strings are escaped by
// the JSON views' own writer, byte for byte as nlohmann::json::dump.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void string(const std::string& s) { append_json_string(out_, s); }
  // "key": with a comma before it unless it is the first of its object.
  void key(const char* k, bool& first) {
    if (!first) out_ += ',';
    first = false;
    out_ += '"';
    out_ += k;
    out_ += "\":";
  }
  void raw(const char* s) { out_ += s; }
  void raw(const std::string& s) { out_ += s; }
  // 64-bit integers as strings, as proto3 JSON writes them.
  void int64_string(int64_t v) {
    out_ += '"';
    out_ += std::to_string(v);
    out_ += '"';
  }

 private:
  std::string& out_;
};

void any_value(Writer& w, const Attribute& a) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          w.raw("{\"stringValue\":");
          w.string(x);
          w.raw("}");
        } else if constexpr (std::is_same_v<T, int64_t>) {
          w.raw("{\"intValue\":");
          w.int64_string(x);
          w.raw("}");
        } else if constexpr (std::is_same_v<T, bool>) {
          w.raw(x ? "{\"boolValue\":true}" : "{\"boolValue\":false}");
        } else {
          w.raw("{\"arrayValue\":{\"values\":[");
          for (size_t i = 0; i < x.size(); ++i) {
            if (i) w.raw(",");
            w.raw("{\"stringValue\":");
            w.string(x[i]);
            w.raw("}");
          }
          w.raw("]}}");
        }
      },
      a.value);
}

void attributes(Writer& w, const std::vector<Attribute>& attrs) {
  w.raw("[");
  for (size_t i = 0; i < attrs.size(); ++i) {
    if (i) w.raw(",");
    w.raw("{\"key\":");
    w.string(attrs[i].key);
    w.raw(",\"value\":");
    any_value(w, attrs[i]);
    w.raw("}");
  }
  w.raw("]");
}

void span_json(Writer& w, const Span& s) {
  bool first = true;
  w.raw("{");
  w.key("traceId", first);
  w.string(to_hex(s.trace_id));
  w.key("spanId", first);
  w.string(to_hex(s.span_id));
  if (!s.trace_state.empty()) {
    w.key("traceState", first);
    w.string(s.trace_state);
  }
  if (!is_zero(s.parent_span_id)) {
    w.key("parentSpanId", first);
    w.string(to_hex(s.parent_span_id));
  }
  w.key("name", first);
  w.string(s.name);
  w.key("kind", first);
  w.raw("1");  // SPAN_KIND_INTERNAL
  w.key("startTimeUnixNano", first);
  w.int64_string(s.start_unix_ns);
  w.key("endTimeUnixNano", first);
  w.int64_string(s.end_unix_ns);
  if (!s.attributes.empty()) {
    w.key("attributes", first);
    attributes(w, s.attributes);
  }
  if (!s.events.empty()) {
    w.key("events", first);
    w.raw("[");
    for (size_t i = 0; i < s.events.size(); ++i) {
      const SpanEvent& e = s.events[i];
      if (i) w.raw(",");
      bool efirst = true;
      w.raw("{");
      w.key("timeUnixNano", efirst);
      w.int64_string(e.time_unix_ns);
      w.key("name", efirst);
      w.string(e.name);
      if (!e.attributes.empty()) {
        w.key("attributes", efirst);
        attributes(w, e.attributes);
      }
      w.raw("}");
    }
    w.raw("]");
  }
  if (s.dropped_events) {
    w.key("droppedEventsCount", first);
    w.raw(std::to_string(s.dropped_events));
  }
  w.key("status", first);
  bool sfirst = true;
  w.raw("{");
  if (!s.status_message.empty()) {
    w.key("message", sfirst);
    w.string(s.status_message);
  }
  if (s.status != StatusCode::unset) {
    w.key("code", sfirst);
    w.raw(std::to_string(static_cast<int>(s.status)));
  }
  w.raw("}}");
}

}  // namespace

std::string encode_otlp_json(const Resource& resource, const Scope& scope, const std::vector<Span>& spans) {
  std::string out;
  out.reserve(512 + spans.size() * 1024);
  Writer w(out);
  w.raw("{\"resourceSpans\":[{\"resource\":{\"attributes\":");
  attributes(w, resource.attributes);
  w.raw("},\"scopeSpans\":[{\"scope\":{\"name\":");
  w.string(scope.name);
  if (!scope.version.empty()) {
    w.raw(",\"version\":");
    w.string(scope.version);
  }
  w.raw("},\"spans\":[");
  for (size_t i = 0; i < spans.size(); ++i) {
    if (i) w.raw(",");
    span_json(w, spans[i]);
  }
  w.raw("],\"schemaUrl\":");
  w.string(kSchemaUrl);
  w.raw("}],\"schemaUrl\":");
  w.string(kSchemaUrl);
  w.raw("}]}");
  return out;
}

}  // namespace ft::otel
