// libFuzzer target: the /proc parsers (host/proc.h) that seeding and
// reconciliation read /proc/PID/stat, status, cgroup, cmdline and
// /proc/self/mounts with. Byte 0 picks the parser; the rest is the file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "host/proc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  ft::SeedProcess p;
  switch (data[0] % 5) {
    case 0:
      if (ft::parse_proc_stat(text, 42, p) && (p.pid != 42 || p.comm.size() >= text.size())) std::abort();
      break;
    case 1:
      ft::parse_proc_status_creds(text, p);
      break;
    case 2:
      for (const std::string& path : ft::parse_proc_cgroup_v2(text))
        if (path.size() >= text.size()) std::abort();
      break;
    case 3: {
      size_t bytes = 0;
      for (const std::string& word : ft::parse_proc_cmdline(text)) bytes += word.size();
      if (bytes > text.size()) std::abort();
      break;
    }
    case 4:
      if (ft::parse_cgroup2_mount(text).size() > text.size()) std::abort();
      break;
  }
  return 0;
}
