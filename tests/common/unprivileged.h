// For root tests that run a program as an ordinary user: drops this process
// (a child about to exec) to nobody, as setpriv --reuid=65534 --regid=65534
// --clear-groups --inh-caps=-all would, without depending on one
// implementation of setpriv (util-linux's and busybox's differ).
#pragma once

#include <grp.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ft::test {

inline constexpr uid_t kNobody = 65534;

// True when the real, effective and saved IDs are all nobody's, with no
// supplementary groups and no capabilities left (inheritable included).
inline bool drop_to_nobody() {
  if (setgroups(0, nullptr) != 0 || setresgid(kNobody, kNobody, kNobody) != 0 ||
      setresuid(kNobody, kNobody, kNobody) != 0)
    return false;
  // Leaving uid 0 cleared the permitted, effective and ambient sets; the inheritable set stays.
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct none[2] = {};
  return syscall(SYS_capset, &header, none) == 0;
}

}  // namespace ft::test
