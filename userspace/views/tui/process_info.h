// Fields of Process that not every build of the model has yet (exec detail
// from issue 12: cwd, exe, credentials; resource usage at exit): read where
// present, so the TUI shows them as soon as the model carries them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ft::tui {

struct UsageInfo {
  uint64_t cpu_user_ns = 0, cpu_sys_ns = 0, max_rss_kb = 0;
  uint64_t cpu_ns() const { return cpu_user_ns + cpu_sys_ns; }
};

struct ExecInfo {
  std::string cwd, exe, interpreter;
  std::optional<uint32_t> uid, gid, euid, egid;
};

template <class P>
std::optional<UsageInfo> usage_of(const P& p) {
  if constexpr (requires { p.usage->max_rss_kb; }) {
    if (p.usage) return UsageInfo{p.usage->cpu_user_ns, p.usage->cpu_sys_ns, p.usage->max_rss_kb};
  }
  return std::nullopt;
}

template <class P>
ExecInfo exec_info_of(const P& p) {
  ExecInfo info;
  if constexpr (requires { p.cwd; }) info.cwd = p.cwd;
  if constexpr (requires { p.exe; }) info.exe = p.exe;
  if constexpr (requires { p.interpreter; }) info.interpreter = p.interpreter;
  if constexpr (requires { p.uid; p.gid; p.euid; p.egid; }) {
    bool known = !info.cwd.empty() || !info.exe.empty();
    if constexpr (requires { p.has_creds; }) known = p.has_creds;
    if (known) {
      info.uid = p.uid;
      info.gid = p.gid;
      info.euid = p.euid;
      info.egid = p.egid;
    }
  }
  return info;
}

}  // namespace ft::tui
