// What the TUI's details pane shows of a process beyond its command: where
// and as whom it ran, and what it cost.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/lineage.h"

namespace ft::tui {

struct UsageInfo {
  uint64_t cpu_user_ns = 0, cpu_sys_ns = 0, peak_rss_kb = 0;  // the last program's own peak where known
  uint64_t cpu_ns() const { return cpu_user_ns + cpu_sys_ns; }
};

struct ExecInfo {
  std::string cwd, exe, interpreter;
  std::optional<uint32_t> uid, gid, euid, egid;
};

inline std::optional<UsageInfo> usage_of(const Process& p) {
  if (!p.usage) return std::nullopt;
  return UsageInfo{p.usage->cpu_user_ns, p.usage->cpu_sys_ns, p.usage->peak_rss_kb()};
}

inline ExecInfo exec_info_of(const Process& p) {
  ExecInfo info{p.cwd, p.exe, p.interpreter, {}, {}, {}, {}};
  if (p.has_creds) {
    info.uid = p.uid;
    info.gid = p.gid;
    info.euid = p.euid;
    info.egid = p.egid;
  }
  return info;
}

}  // namespace ft::tui
