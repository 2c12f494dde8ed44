// Small text helpers shared by the human-readable views.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ft {

// "350us", "2.8ms", "1.23s", "2m05s", "3h12m".
std::string format_duration(uint64_t ns);

// A size given in KiB: "812KiB", "3.4MiB", "1.21GiB".
std::string format_kib(uint64_t kib);

// "cpu 1.2ms  rss 3.4MiB": what a process's exit line adds when its usage is known.
std::string format_usage_brief(uint64_t cpu_ns, uint64_t max_rss_kb);

// "HH:MM:SS.uuuuuu" in local time.
std::string format_clock(int64_t wall_ns);

// argv joined by spaces, each argument quoted shell-style when it needs it.
std::string format_command(const std::vector<std::string>& argv, bool truncated);

// One argument as format_command writes it, appended to `out`, from a view
// and with one table lookup per byte (the Perfetto export's track names).
void append_command_arg(std::string& out, std::string_view arg);

// At most `max` bytes of `s` (0: no bound), never cut inside a UTF-8
// character, then "... (+N bytes)", or only "..." without `say_how_much`.
std::string shorten(const std::string& s, size_t max, bool say_how_much = true);

// "/usr/bin/gcc" → "gcc".
std::string basename_of(const std::string& path);

// Bytes that are not printable are shown as \xNN so a line stays one line.
std::string printable(const std::string& s);

}  // namespace ft
