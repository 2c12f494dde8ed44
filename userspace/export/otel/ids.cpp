#include "export/otel/ids.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <fstream>

namespace ft::otel {
namespace {

using Digest = std::array<uint8_t, 32>;

// SHA-256 over a domain tag and the fields, each length-prefixed so that no
// two different inputs share an encoding.
Digest digest(std::string_view domain, std::string_view text, uint32_t pid = 0, uint64_t start_ns = 0) {
  std::string input;
  auto put = [&](std::string_view s) {
    uint32_t n = static_cast<uint32_t>(s.size());
    for (int i = 0; i < 4; ++i) input += static_cast<char>((n >> (8 * i)) & 0xff);
    input += s;
  };
  put(domain);
  put(text);
  for (int i = 0; i < 4; ++i) input += static_cast<char>((pid >> (8 * i)) & 0xff);
  for (int i = 0; i < 8; ++i) input += static_cast<char>((start_ns >> (8 * i)) & 0xff);
  Digest out{};
  unsigned int size = 0;
  EVP_Digest(input.data(), input.size(), out.data(), &size, EVP_sha256(), nullptr);
  return out;
}

template <size_t N>
std::array<uint8_t, N> take(const Digest& d) {
  std::array<uint8_t, N> id{};
  std::copy_n(d.begin(), N, id.begin());
  if (std::all_of(id.begin(), id.end(), [](uint8_t b) { return b == 0; })) id[N - 1] = 1;  // never invalid
  return id;
}

template <size_t N>
std::string hex(const std::array<uint8_t, N>& id) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * N);
  for (uint8_t b : id) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

template <size_t N>
bool parse_hex(std::string_view s, std::array<uint8_t, N>& out) {
  if (s.size() != 2 * N) return false;
  for (size_t i = 0; i < N; ++i) {
    int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

}  // namespace

bool is_zero(const TraceId& id) { return std::all_of(id.begin(), id.end(), [](uint8_t b) { return b == 0; }); }
bool is_zero(const SpanId& id) { return std::all_of(id.begin(), id.end(), [](uint8_t b) { return b == 0; }); }
std::string to_hex(const TraceId& id) { return hex(id); }
std::string to_hex(const SpanId& id) { return hex(id); }

SpanId span_id_of(std::string_view boot_id, uint32_t pid, uint64_t start_ns) {
  return take<8>(digest("forktrace span", boot_id, pid, start_ns));
}

TraceId trace_id_of(std::string_view boot_id, uint32_t pid, uint64_t start_ns) {
  return take<16>(digest("forktrace trace", boot_id, pid, start_ns));
}

TraceId trace_id_of_job(std::string_view job_id) { return take<16>(digest("forktrace job", job_id)); }

std::optional<TraceParent> parse_traceparent(std::string_view v) {
  // version "-" trace-id "-" parent-id "-" flags: 2+1+32+1+16+1+2 = 55 bytes.
  if (v.size() < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return std::nullopt;
  std::array<uint8_t, 1> version{}, flags{};
  if (!parse_hex(v.substr(0, 2), version) || version[0] == 0xff) return std::nullopt;
  // Version 00 is exactly 55 bytes; a later version may append "-..." fields.
  if (version[0] == 0 ? v.size() != 55 : (v.size() > 55 && v[55] != '-')) return std::nullopt;
  TraceParent tp;
  if (!parse_hex(v.substr(3, 32), tp.trace_id) || !parse_hex(v.substr(36, 16), tp.span_id) ||
      !parse_hex(v.substr(53, 2), flags))
    return std::nullopt;
  if (is_zero(tp.trace_id) || is_zero(tp.span_id)) return std::nullopt;
  tp.flags = flags[0];
  return tp;
}

std::string read_boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  if (!(in >> id)) return "";
  return id;
}

}  // namespace ft::otel
