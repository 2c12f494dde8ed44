#include "format/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

namespace ft {

std::string format_duration(uint64_t ns) {
  if (ns < 1'000'000) return fmt::format("{}us", ns / 1000);
  // Each unit up to where rounding would print the next one's first value:
  // 999.96ms is "1.00s", not "1000.0ms"; 59.996s is "1m00s", not "60.00s".
  if (ns < 999'950'000) return fmt::format("{:.1f}ms", static_cast<double>(ns) / 1e6);
  if (ns < 59'995'000'000) return fmt::format("{:.2f}s", static_cast<double>(ns) / 1e9);
  uint64_t s = std::max<uint64_t>(ns / 1'000'000'000, 60);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

std::string format_kib(uint64_t kib) {
  // As format_duration: each unit up to where rounding would print the next's.
  if (kib < 1024) return fmt::format("{}KiB", kib);
  if (kib < 1024 * 1024 - 51) return fmt::format("{:.1f}MiB", static_cast<double>(kib) / 1024);
  return fmt::format("{:.2f}GiB", static_cast<double>(kib) / (1024 * 1024));
}

std::string format_usage_brief(uint64_t cpu_ns, uint64_t max_rss_kb) {
  return "cpu " + format_duration(cpu_ns) + "  rss " + format_kib(max_rss_kb);
}

std::string format_clock(int64_t wall_ns) {
  time_t seconds = static_cast<time_t>(wall_ns / 1'000'000'000);
  struct tm tm;
  localtime_r(&seconds, &tm);
  return fmt::format("{:02}:{:02}:{:02}.{:06}", tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (wall_ns % 1'000'000'000) / 1000);
}

std::string basename_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string printable(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
  }
  return out;
}

std::string shorten(const std::string& s, size_t max, bool say_how_much) {
  if (!max || s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) cut--;  // not mid-character
  return s.substr(0, cut) + (say_how_much ? fmt::format("... (+{} bytes)", s.size() - cut) : "...");
}

std::string format_command(const std::vector<std::string>& argv, bool truncated) {
  std::string out;
  for (const std::string& arg : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty() &&
                 arg.find_first_of(" \t\n'\"\\$`*?[]{}()<>|&;#~") == std::string::npos;
    if (plain) {
      out += printable(arg);
    } else {
      out += '\'';
      for (char c : printable(arg)) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += '\'';
    }
  }
  if (truncated) out += "...";
  return out;
}

namespace {

// What format_command does to each byte of an argument: these make it quote
// the argument (a shell's special characters) ...
struct ByteClass {
  bool special[256] = {};
  bool control[256] = {};  // ... and these it escapes as \xNN (printable())
  constexpr ByteClass() {
    for (const char* c = " \t\n'\"\\$`*?[]{}()<>|&;#~"; *c; ++c) special[static_cast<unsigned char>(*c)] = true;
    for (int c = 0; c < 0x20; ++c) control[c] = true;
    control[0x7f] = true;
  }
};
constexpr ByteClass kBytes;

}  // namespace

void append_command_arg(std::string& out, std::string_view arg) {
  bool special = arg.empty(), control = false;
  for (char c : arg) {
    special |= kBytes.special[static_cast<unsigned char>(c)];
    control |= kBytes.control[static_cast<unsigned char>(c)];
  }
  if (!special && !control) {
    out.append(arg);
    return;
  }
  constexpr char hex[] = "0123456789abcdef";
  if (special) out += '\'';
  size_t run = 0;  // bytes kept as they are, appended at once
  for (size_t i = 0; i < arg.size(); ++i) {
    auto byte = static_cast<unsigned char>(arg[i]);
    if (!kBytes.control[byte] && byte != '\'') continue;
    out.append(arg.substr(run, i - run));
    run = i + 1;
    if (byte == '\'') {
      out += "'\\''";
    } else {
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 0xf];
    }
  }
  out.append(arg.substr(run));
  if (special) out += '\'';
}

}  // namespace ft
