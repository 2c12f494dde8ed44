#include "format/json_line.h"

#include <cstdint>

#include "core/killed_by.h"

namespace ft {
namespace {

// Bytes of the UTF-8 sequence a lead byte opens (0: no valid lead), and the
// range its second byte must fall in: what excludes overlong forms, UTF-16
// surrogates and code points past U+10FFFF (RFC 3629, Table 3-7 of Unicode).
struct Lead {
  int length;
  uint8_t second_min, second_max;
};

Lead lead(uint8_t b) {
  if (b < 0x80) return {1, 0, 0};
  if (b < 0xC2) return {0, 0, 0};
  if (b < 0xE0) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b < 0xF0) return {3, 0x80, 0xBF};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b < 0xF4) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

void append_escaped_ascii(std::string& out, char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\b': out += "\\b"; return;
    case '\t': out += "\\t"; return;
    case '\n': out += "\\n"; return;
    case '\f': out += "\\f"; return;
    case '\r': out += "\\r"; return;
  }
  if (static_cast<uint8_t>(c) <= 0x1F) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += "\\u00";
    out += kHex[(c >> 4) & 0xF];
    out += kHex[c & 0xF];
    return;
  }
  out += c;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  size_t i = 0, kept = 0;  // s[kept, i) is to be copied as it is
  auto flush = [&] {
    out.append(s.data() + kept, i - kept);
  };
  while (i < s.size()) {
    const uint8_t b = static_cast<uint8_t>(s[i]);
    if (b < 0x80) {
      if (b >= 0x20 && b != '"' && b != '\\') {
        ++i;
        continue;
      }
      flush();
      append_escaped_ascii(out, s[i]);
      kept = ++i;
      continue;
    }
    const Lead l = lead(b);
    // A valid sequence is kept whole; else one U+FFFD stands for it up to (not
    // including) the first byte that does not fit, which then starts afresh.
    size_t n = 1;
    bool whole = l.length != 0;
    for (; whole && n < static_cast<size_t>(l.length); ++n) {
      const uint8_t c = i + n < s.size() ? static_cast<uint8_t>(s[i + n]) : 0;
      whole = n == 1 ? c >= l.second_min && c <= l.second_max : c >= 0x80 && c <= 0xBF;
      if (!whole) break;
    }
    if (whole) {
      i += n;
      continue;
    }
    flush();
    out += kReplacement;
    i += n;
    kept = i;
  }
  flush();
  out += '"';
}

void JsonLine::start(std::string_view key) {
  if (!empty_) out_ += ',';
  empty_ = false;
  // Keys are forktrace's own names, plain ASCII: nothing to escape.
  out_ += '"';
  out_ += key;
  out_ += "\":";
}

JsonLine& JsonLine::str(std::string_view key, std::string_view value) {
  start(key);
  append_json_string(out_, value);
  return *this;
}

JsonLine& JsonLine::boolean(std::string_view key, bool value) {
  start(key);
  out_ += value ? "true" : "false";
  return *this;
}

JsonLine& JsonLine::strings(std::string_view key, const std::vector<std::string>& values) {
  start(key);
  out_ += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out_ += ',';
    append_json_string(out_, values[i]);
  }
  out_ += ']';
  return *this;
}

JsonLine& JsonLine::raw(std::string_view key, std::string_view json) {
  start(key);
  out_ += json;
  return *this;
}

std::string killed_by_json(const KilledBy& k) {
  JsonLine j;
  if (k.source == KillSource::process) return j.num("pid", k.pid).str("comm", k.comm).done();
  j.str("kernel", kill_source_name(k.source));
  if (k.source == KillSource::oom && !k.oom_cgroup.empty()) j.str("oom_cgroup", k.oom_cgroup);
  return j.done();
}

std::string container_json(const Container& c) {
  JsonLine j;
  j.str("id", c.id);
  if (!c.runtime.empty()) j.str("runtime", c.runtime);
  if (!c.pod_uid.empty()) j.str("pod_uid", c.pod_uid);
  return j.done();
}

std::string JsonLine::done() {
  out_ += '}';
  return std::move(out_);
}

}  // namespace ft
