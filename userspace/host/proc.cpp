#include "host/proc.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace ft {
namespace {

// The whole file, or what was read before an error: a process can vanish
// while its /proc files are read (ESRCH), and that must not throw, as
// std::ifstream's streambuf does.
std::string read_file(const std::string& path) {
  std::string out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// The v2 cgroup's id is its directory's inode number in the cgroup2 mount.
uint64_t cgroup_v2_id(uint32_t pid, const std::string& cgroup2_mount) {
  if (cgroup2_mount.empty()) return 0;
  for (const std::string& path : parse_proc_cgroup_v2(read_file("/proc/" + std::to_string(pid) + "/cgroup"))) {
    struct stat st;
    std::string dir = cgroup2_mount + path;
    if (stat(dir.c_str(), &st) == 0) return st.st_ino;
  }
  return 0;
}

// /proc/PID/stat's comm, ppid and start time into `out`.
bool read_stat(uint32_t pid, SeedProcess& out) {
  return parse_proc_stat(read_file("/proc/" + std::to_string(pid) + "/stat"), pid, out);
}

bool read_one(uint32_t pid, const std::string& cgroup2_mount, SeedProcess& out) {
  if (!read_stat(pid, out)) return false;
  std::string base = "/proc/" + std::to_string(pid);
  char exe[4096];
  ssize_t n = readlink((base + "/exe").c_str(), exe, sizeof exe);
  if (n > 0) out.filename.assign(exe, static_cast<size_t>(n));
  out.argv = parse_proc_cmdline(read_file(base + "/cmdline"));
  out.cgroup_id = cgroup_v2_id(pid, cgroup2_mount);
  char cwd[4096];
  n = readlink((base + "/cwd").c_str(), cwd, sizeof cwd);
  if (n > 0) out.cwd.assign(cwd, static_cast<size_t>(n));
  parse_proc_status_creds(read_file(base + "/status"), out);
  return true;
}

}  // namespace

bool parse_proc_stat(std::string_view stat, uint32_t pid, SeedProcess& out) {
  // "pid (comm) state ppid ..." where comm may hold spaces and parentheses.
  size_t open = stat.find('(');
  size_t close = stat.rfind(')');
  // Text that ends at comm's ')' (a read cut short) has no fields after it.
  if (open == std::string::npos || close == std::string::npos || close < open || close + 2 > stat.size())
    return false;
  std::istringstream fields(std::string(stat.substr(close + 2)));
  std::string field;
  std::vector<std::string> f;
  while (fields >> field) f.push_back(field);
  // Fields after comm start at 3 (state); starttime is field 22.
  if (f.size() < 20) return false;
  out = SeedProcess{};
  out.pid = pid;
  out.comm = stat.substr(open + 1, close - open - 1);
  out.ppid = static_cast<uint32_t>(std::strtoul(f[1].c_str(), nullptr, 10));
  // A leader that exited before its threads is Z too, with threads left.
  out.zombie = f[0] == "Z" && std::strtoul(f[17].c_str(), nullptr, 10) <= 1;
  out.start_ns = std::strtoull(f[19].c_str(), nullptr, 10) * proc_tick_ns();
  return true;
}

// "Uid:\treal\teffective\tsaved\tfs" and "Gid:" of /proc/PID/status.
void parse_proc_status_creds(std::string_view status, SeedProcess& out) {
  unsigned long uid[2] = {}, gid[2] = {};
  int got = 0;
  std::istringstream lines{std::string(status)};
  for (std::string line; std::getline(lines, line);) {
    if (std::sscanf(line.c_str(), "Uid: %lu %lu", &uid[0], &uid[1]) == 2) got |= 1;
    if (std::sscanf(line.c_str(), "Gid: %lu %lu", &gid[0], &gid[1]) == 2) got |= 2;
  }
  if (got != 3) return;
  out.has_creds = true;
  out.uid = static_cast<uint32_t>(uid[0]);
  out.euid = static_cast<uint32_t>(uid[1]);
  out.gid = static_cast<uint32_t>(gid[0]);
  out.egid = static_cast<uint32_t>(gid[1]);
}

std::vector<std::string> parse_proc_cgroup_v2(std::string_view cgroup) {
  std::vector<std::string> out;
  std::istringstream lines{std::string(cgroup)};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    out.push_back(line.substr(3));
  }
  return out;
}

std::vector<std::string> parse_proc_cmdline(std::string_view s) {
  std::vector<std::string> out;
  size_t begin = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\0') {
      out.emplace_back(s.substr(begin, i - begin));
      begin = i + 1;
    }
  }
  if (begin < s.size()) out.emplace_back(s.substr(begin));
  return out;
}

std::string parse_cgroup2_mount(std::string_view text) {
  std::istringstream mounts{std::string(text)};
  std::string device, dir, type;
  std::string rest;
  while (mounts >> device >> dir >> type && std::getline(mounts, rest)) {
    if (type == "cgroup2") return dir;
  }
  return "";
}

std::string find_cgroup2_mount() { return parse_cgroup2_mount(read_file("/proc/self/mounts")); }

uint64_t proc_tick_ns() {
  static const uint64_t tick = 1'000'000'000ull / static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
  return tick;
}

bool read_proc_process(uint32_t pid, SeedProcess& out) {
  return read_one(pid, find_cgroup2_mount(), out);
}

std::optional<uint64_t> proc_start_ns(uint32_t pid) {
  SeedProcess p;
  if (!read_stat(pid, p)) return std::nullopt;
  return p.start_ns;
}

std::vector<SeedProcess> read_proc_processes() {
  std::vector<SeedProcess> out;
  std::string cgroup2 = find_cgroup2_mount();
  DIR* dir = opendir("/proc");
  if (!dir) return out;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    unsigned long pid = std::strtoul(entry->d_name, &end, 10);
    if (*end != '\0' || pid == 0) continue;
    SeedProcess p;
    if (read_one(static_cast<uint32_t>(pid), cgroup2, p)) out.push_back(std::move(p));
  }
  closedir(dir);
  return out;
}

}  // namespace ft
