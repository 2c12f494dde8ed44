// Least privilege after attach, as tcpdump -Z gives up root once its capture
// is open: forktrace needs CAP_BPF, CAP_PERFMON (or CAP_SYS_ADMIN) and more to
// load and attach, and then parses strings any user controls for as long as
// it runs. Every capability and privilege setting lives in this file.
#pragma once

#include <cstdint>
#include <string>

namespace ft {

// Capability numbers (linux/capability.h), for the tests and the -v line.
constexpr int kCapKill = 5;
constexpr int kCapSysPtrace = 19;

struct KeptPrivileges {
  // Always: reading other users' /proc/PID/exe and cwd (and those of
  // processes with more capabilities than forktrace's) when a loss is
  // reconciled from /proc needs CAP_SYS_PTRACE (ptrace_may_access).
  // With -- CMD: signals to the command (SIGTERM passed on, the TUI's
  // SIGHUP/SIGKILL at quit), which runs as the sudo caller, need CAP_KILL.
  bool kill = false;
};

// The capability set (bit N is capability N) kept for `keep`.
uint64_t kept_capabilities(const KeptPrivileges& keep);

// Gives up every capability not kept, in every thread of the process
// (capset(2) changes only the calling thread's): effective, permitted and
// inheritable sets, the ambient set, the bounding set (where CAP_SETPCAP
// allows; a systemd unit's CapabilityBoundingSet may have left it out, and
// no_new_privs then bounds what an exec could gain just as well), and sets
// no_new_privs. Processes forked before the call (the traced command) keep
// theirs. Call once the BPF programs are attached, the ring buffer, maps and
// files are open and the command has started. Empty on success, else one line.
std::string drop_privileges(const KeptPrivileges& keep);

// Whether forktrace (its effective uid and groups), without CAP_DAC_OVERRIDE,
// may create and remove files in directory `path` by its owner, group and
// mode (forktrace keeps rotating recordings there after the drop). Empty if
// so, else why not.
std::string check_directory_writable_without_override(const std::string& path);

}  // namespace ft
