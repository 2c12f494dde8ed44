// Small text helpers shared by the human-readable views.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ft {

// "350us", "2.8ms", "1.23s", "2m05s", "3h12m".
std::string format_duration(uint64_t ns);

// "HH:MM:SS.uuuuuu" in local time.
std::string format_clock(int64_t wall_ns);

// argv joined by spaces, each argument quoted shell-style when it needs it.
std::string format_command(const std::vector<std::string>& argv, bool truncated);

// "/usr/bin/gcc" → "gcc".
std::string basename_of(const std::string& path);

// Bytes that are not printable are shown as \xNN so a line stays one line.
std::string printable(const std::string& s);

}  // namespace ft
