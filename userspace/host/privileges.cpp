// Raw capget/capset and prctl through syscall(2): libcap is not needed for
// a fixed set of two capabilities, and a signal handler may call them.
#include "host/privileges.h"

#include <dirent.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace ft {
namespace {

std::atomic<uint64_t> g_keep{0};
std::atomic<int> g_error{0};  // the first errno a thread met

// One thread's whole drop, in raw system calls: async-signal-safe, so each
// thread runs it in a signal handler. 0 or an errno.
int drop_in_this_thread() {
  const uint64_t keep = g_keep.load();
  // Ambient capabilities would survive an exec; gone (EINVAL before 4.3).
  if (syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return errno;
  // The bounding set first, while CAP_SETPCAP is still effective. EPERM:
  // CAP_SETPCAP is not ours (a unit's bounding set); EINVAL: past the
  // kernel's last capability.
  for (int cap = 0; cap < 64; ++cap) {
    if (keep & (uint64_t{1} << cap)) continue;
    if (syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      if (errno == EPERM || errno == EINVAL) break;
      return errno;
    }
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return errno;
  for (int i = 0; i < 2; ++i) {
    auto word = static_cast<uint32_t>(keep >> (32 * i));
    data[i].permitted &= word;
    data[i].effective = data[i].permitted;
    data[i].inheritable = 0;
  }
  if (syscall(SYS_capset, &header, data) != 0) return errno;
  // What an exec could still gain (a setuid file, file capabilities): nothing.
  if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
  return 0;
}

void on_drop_signal(int) {
  int saved = errno;
  if (int err = drop_in_this_thread()) {
    int none = 0;
    g_error.compare_exchange_strong(none, err);
  }
  errno = saved;
}

// One thread's capability sets, from /proc/self/task/TID/status.
struct ThreadPrivileges {
  uint64_t inh = 0, prm = 0, eff = 0, bnd = 0, amb = 0;
  bool no_new_privs = false;
  bool read = false;
};

ThreadPrivileges read_thread(const std::string& tid) {
  ThreadPrivileges t;
  std::ifstream in("/proc/self/task/" + tid + "/status");
  std::string line;
  auto hex = [](const std::string& l) { return std::strtoull(l.c_str() + l.find(':') + 1, nullptr, 16); };
  while (std::getline(in, line)) {
    if (line.rfind("CapInh:", 0) == 0) t.inh = hex(line);
    else if (line.rfind("CapPrm:", 0) == 0) t.prm = hex(line);
    else if (line.rfind("CapEff:", 0) == 0) t.eff = hex(line);
    else if (line.rfind("CapBnd:", 0) == 0) t.bnd = hex(line), t.read = true;
    else if (line.rfind("CapAmb:", 0) == 0) t.amb = hex(line);
    else if (line.rfind("NoNewPrivs:", 0) == 0) t.no_new_privs = line.find('1') != std::string::npos;
  }
  return t;
}

std::vector<std::string> thread_ids() {
  std::vector<std::string> out;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') out.emplace_back(e->d_name);
    closedir(d);
  }
  return out;
}

// The signal that carries the drop to the other threads (glibc's setxid and
// libpsx work the same way). SIGRTMIN's first few are glibc's own; +2 is free.
int drop_signal() { return SIGRTMIN + 2; }

}  // namespace

uint64_t kept_capabilities(const KeptPrivileges& keep) {
  uint64_t caps = uint64_t{1} << kCapSysPtrace;
  if (keep.kill) caps |= uint64_t{1} << kCapKill;
  return caps;
}

std::string drop_privileges(const KeptPrivileges& keep) {
  const uint64_t kept = kept_capabilities(keep);
  g_keep = kept;
  g_error = 0;
  // Installed for good: a late signal must find the handler, never the default
  // action (which ends the process).
  struct sigaction sa = {};
  sa.sa_handler = on_drop_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  if (sigaction(drop_signal(), &sa, nullptr) != 0)
    return std::string("cannot give up privileges: sigaction: ") + std::strerror(errno);

  if (int err = drop_in_this_thread())
    return std::string("cannot give up privileges: ") + std::strerror(err);
  const ThreadPrivileges self = read_thread(std::to_string(gettid()));
  if (!self.read) return "cannot give up privileges: /proc/self/task is not readable";

  // Every other thread (the output queue's writer, the recorder's, the HTTP
  // server's, the TUI's) drops its own, until /proc shows none left over.
  // A thread started meanwhile by one not yet done is found by the next pass.
  auto left_over = [&](const ThreadPrivileges& t) {
    return t.read && ((t.prm & ~kept) || (t.eff & ~kept) || t.inh || t.amb || !t.no_new_privs || t.bnd != self.bnd);
  };
  const pid_t pid = getpid();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (int pass = 0;; ++pass) {
    std::vector<pid_t> pending;
    for (const std::string& tid : thread_ids())
      if (left_over(read_thread(tid))) pending.push_back(static_cast<pid_t>(std::stol(tid)));
    if (int err = g_error.load()) return std::string("cannot give up privileges in a thread: ") + std::strerror(err);
    if (pending.empty()) return "";
    if (std::chrono::steady_clock::now() > deadline)
      return "cannot give up privileges: thread " + std::to_string(pending.front()) + " kept them (signal " +
             std::to_string(drop_signal()) + " blocked?)";
    // Signalled again every 50 ms while it has not run its handler yet.
    if (pass % 50 == 0)
      for (pid_t tid : pending) syscall(SYS_tgkill, pid, tid, drop_signal());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::string check_directory_writable_without_override(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return std::strerror(errno);
  const mode_t need = 03;  // write and search, per class
  bool ok = false;
  if (st.st_uid == geteuid()) {
    ok = ((st.st_mode >> 6) & need) == need;
  } else {
    bool in_group = st.st_gid == getegid();
    if (!in_group) {
      int n = getgroups(0, nullptr);
      std::vector<gid_t> groups(n > 0 ? static_cast<size_t>(n) : 0);
      if (n > 0 && getgroups(n, groups.data()) == n)
        for (gid_t g : groups) in_group = in_group || g == st.st_gid;
    }
    ok = in_group ? ((st.st_mode >> 3) & need) == need : (st.st_mode & need) == need;
  }
  if (ok) return "";
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return "it belongs to uid " + std::to_string(st.st_uid) + " (mode " + mode +
         "), and forktrace gives up CAP_DAC_OVERRIDE after attaching: chown it to root, or let forktrace "
         "create it (-w DIR/)";
}

}  // namespace ft
