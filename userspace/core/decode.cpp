#include "core/decode.h"

#include <algorithm>
#include <cstddef>
#include <cerrno>
#include <cstring>

#include "core/killed_by.h"
#include "core/usage.h"

extern "C" {
#include "forktrace.h"
}

namespace ft {
namespace {

static_assert(sizeof(ft_record_head) == 16);
static_assert(sizeof(ft_fork_record) == 88);
static_assert(sizeof(ft_exec_record) == 112);
static_assert(sizeof(ft_args_record) == 40);
static_assert(sizeof(ft_exec_failed_record) == 72);
static_assert(offsetof(ft_exec_record, uid) == 56);
static_assert(offsetof(ft_exec_record, args_total) == 72);
static_assert(offsetof(ft_exec_failed_record, error) == 44);
static_assert(offsetof(ft_exec_failed_record, data) == 72);
static_assert(sizeof(ft_usage) == 112);
static_assert(sizeof(ft_exit_record) == FT_EXIT_RECORD_BASE + sizeof(ft_usage));
static_assert(offsetof(ft_exit_record, usage) == FT_EXIT_RECORD_BASE);
static_assert(offsetof(ft_usage, max_rss_kb) == 40);
static_assert(offsetof(ft_usage, threads) == 104);
static_assert(offsetof(ft_record_head, kind) == 8);
static_assert(offsetof(ft_fork_record, child_start_ns) == 16);
static_assert(offsetof(ft_fork_record, comm) == 64);
static_assert(offsetof(ft_fork_record, child_nspid) == 80);
static_assert(offsetof(ft_exec_record, nspid) == 108);
static_assert(offsetof(ft_exec_record, comm) == 76);
static_assert(offsetof(ft_exec_record, data) == 112);
static_assert(offsetof(ft_exit_record, exit_code) == 52);
static_assert(offsetof(ft_exit_record, comm) == 64);
static_assert(sizeof(ft_kill) == 56 + FT_OOM_CGROUP_MAX);
static_assert(offsetof(ft_kill, signal) == 16);
static_assert(offsetof(ft_kill, cgroup_len) == 36);
static_assert(offsetof(ft_kill, sender_comm) == 40);
static_assert(offsetof(ft_kill, oom_cgroup) == 56);
static_assert(sizeof(ft_reap_record) == 64);
static_assert(offsetof(ft_reap_record, reaper_comm) == 48);

std::string fixed_string(const char* chars, size_t capacity) {
  return std::string(chars, strnlen(chars, capacity));
}

template <typename Record>
bool read_fixed(const void* data, size_t size, Record& record) {
  if (size < sizeof(Record)) return false;
  std::memcpy(&record, data, sizeof(Record));
  return true;
}

// A cwd walk that reached the root at once sent no name: the cwd is "/".
std::string cwd_from_components(const char* p, size_t len) { return len ? path_from_components(p, len) : "/"; }

DecodeError decode_fork(const void* data, size_t size, Event& e) {
  ft_fork_record r;
  if (!read_fixed(data, size, r)) return DecodeError::bad_size;
  e.kind = EventKind::fork;
  e.ts_ns = r.head.ts_ns;
  e.thread = r.flags & FT_FORK_THREAD;
  e.pid = r.child_pid;
  e.tid = r.child_tid;
  e.ppid = r.child_ppid;
  e.thread_start_ns = r.child_start_ns;
  e.start_ns = e.thread ? r.parent_start_ns : r.child_start_ns;
  e.cgroup_id = r.cgroup_id;
  e.comm = fixed_string(r.comm, sizeof r.comm);
  e.parent_pid = r.parent_pid;
  e.parent_tid = r.parent_tid;
  e.parent_start_ns = r.parent_start_ns;
  e.nspid = r.child_nspid;
  return DecodeError::none;
}

DecodeError decode_exec(const void* data, size_t size, Event& e, ExecArgs* args) {
  ft_exec_record r;
  if (!read_fixed(data, size, r)) return DecodeError::bad_size;
  size_t tail = size_t{r.filename_len} + r.interp_len + r.cwd_len + r.exe_len + r.args_len + r.env_len;
  if (sizeof(r) + tail > size) return DecodeError::bad_size;
  if (r.args_total < r.args_len) r.args_total = r.args_len;
  const char* p = static_cast<const char*>(data) + sizeof(r);
  e.kind = EventKind::exec;
  e.ts_ns = r.head.ts_ns;
  e.pid = r.pid;
  e.tid = r.tid;
  e.ppid = r.ppid;
  e.start_ns = r.start_ns;
  e.thread_start_ns = 0;
  e.cgroup_id = r.cgroup_id;
  e.comm = fixed_string(r.comm, sizeof r.comm);
  e.old_tid = r.old_tid != r.pid ? r.old_tid : 0;
  e.nspid = r.nspid;
  e.filename = fixed_string(p, r.filename_len);
  e.filename_truncated = r.flags & FT_EXEC_FILENAME_CUT;
  p += r.filename_len;
  e.interpreter = fixed_string(p, r.interp_len);
  p += r.interp_len;
  e.cwd = cwd_from_components(p, r.cwd_len);
  e.cwd_truncated = r.flags & FT_EXEC_CWD_CUT;
  p += r.cwd_len;
  e.exe = path_from_components(p, r.exe_len);
  e.exe_truncated = r.flags & FT_EXEC_EXE_CUT;
  p += r.exe_len;
  e.has_creds = true;
  e.uid = r.uid;
  e.gid = r.gid;
  e.euid = r.euid;
  e.egid = r.egid;
  e.argv = split_nul(p, r.args_len);
  e.argv_truncated = (r.flags & FT_EXEC_ARGS_TRUNCATED) || r.args_total > r.args_len;
  if (args)
    *args = ExecArgs{r.args_key, r.args_total, std::string_view(p, r.args_len),
                     (r.flags & (FT_EXEC_ARGS_TRUNCATED | FT_EXEC_ARGS_LOST)) != 0};
  p += r.args_len;
  e.env = split_nul(p, r.env_len);
  e.env_truncated = r.flags & FT_EXEC_ENV_TRUNCATED;
  return DecodeError::none;
}

DecodeError decode_exec_failed(const void* data, size_t size, Event& e) {
  ft_exec_failed_record r;
  if (!read_fixed(data, size, r)) return DecodeError::bad_size;
  size_t tail = size_t{r.filename_len} + r.cwd_len + r.args_len;
  if (sizeof(r) + tail > size) return DecodeError::bad_size;
  const char* p = static_cast<const char*>(data) + sizeof(r);
  e.kind = EventKind::exec_failed;
  e.ts_ns = r.head.ts_ns;
  e.pid = r.pid;
  e.tid = r.tid;
  e.ppid = r.ppid;
  e.start_ns = r.start_ns;
  e.cgroup_id = r.cgroup_id;
  e.comm = fixed_string(r.comm, sizeof r.comm);
  e.exec_errno = static_cast<int32_t>(r.error);
  e.filename = fixed_string(p, r.filename_len);
  e.filename_truncated = r.flags & FT_EXEC_FAILED_FILENAME_CUT;
  p += r.filename_len;
  e.cwd = cwd_from_components(p, r.cwd_len);
  e.cwd_truncated = r.flags & FT_EXEC_FAILED_CWD_CUT;
  p += r.cwd_len;
  e.argv = split_nul(p, r.args_len);
  e.argv_truncated = r.flags & FT_EXEC_FAILED_ARGS_TRUNCATED;
  return DecodeError::none;
}

DecodeError decode_exit(const void* data, size_t size, Event& e) {
  // A thread's exit ends before the usage that a process's exit carries.
  ft_exit_record r;
  if (size < FT_EXIT_RECORD_BASE) return DecodeError::bad_size;
  std::memcpy(&r, data, FT_EXIT_RECORD_BASE);
  if (r.flags & FT_EXIT_USAGE) {
    if (size < sizeof r) return DecodeError::bad_size;
    std::memcpy(&r.usage, static_cast<const char*>(data) + FT_EXIT_RECORD_BASE, sizeof r.usage);
    if (r.flags & FT_EXIT_GROUP_DEAD) e.usage = usage_from_record(r.usage);
  }
  e.kind = EventKind::exit;
  e.ts_ns = r.head.ts_ns;
  e.thread = !(r.flags & FT_EXIT_GROUP_DEAD);
  e.pid = r.pid;
  e.tid = r.tid;
  e.ppid = r.ppid;
  e.start_ns = r.process_start_ns;
  e.thread_start_ns = r.start_ns;
  e.cgroup_id = r.cgroup_id;
  e.comm = fixed_string(r.comm, sizeof r.comm);
  // What wait_task_zombie() reports: the group's code once exit_group or a
  // fatal signal set SIGNAL_GROUP_EXIT, else the task's own.
  e.wait_status = (r.flags & FT_EXIT_GROUP_EXIT) ? r.group_exit_code : r.exit_code;
  // The last fatal signal the process was sent rides after the usage.
  if ((r.flags & FT_EXIT_KILL) && (r.flags & FT_EXIT_USAGE)) {
    ft_kill k;
    if (size < sizeof r + sizeof k) return DecodeError::bad_size;
    std::memcpy(&k, static_cast<const char*>(data) + sizeof r, sizeof k);
    if (e.thread) return DecodeError::none;
    RawKill raw;
    raw.signal = static_cast<int>(k.signal);
    raw.si_code = k.si_code;
    raw.flags = k.flags;
    raw.sender_pid = k.sender_pid;
    raw.sender_comm = fixed_string(k.sender_comm, sizeof k.sender_comm);
    if ((k.flags & FT_KILL_OOM) && k.memcg_id) {
      raw.oom_cgroup = path_from_components(k.oom_cgroup, std::min<size_t>(k.cgroup_len, sizeof k.oom_cgroup));
      if (k.flags & FT_KILL_CGROUP_CUT) raw.oom_cgroup = "..." + raw.oom_cgroup;  // the top was not reached
    }
    e.killed_by = classify_kill(raw, e.pid, decode_wait_status(e.wait_status));
  }
  return DecodeError::none;
}

DecodeError decode_reap(const void* data, size_t size, Event& e) {
  ft_reap_record r;
  if (!read_fixed(data, size, r)) return DecodeError::bad_size;
  e.kind = EventKind::reap;
  e.ts_ns = r.head.ts_ns;
  e.pid = r.pid;
  e.tid = r.pid;
  e.start_ns = r.start_ns;
  e.reaper_pid = r.reaper_pid;
  e.reaper_comm = fixed_string(r.reaper_comm, sizeof r.reaper_comm);
  e.zombie_ns = r.head.ts_ns > r.exit_ns ? r.head.ts_ns - r.exit_ns : 0;
  e.autoreaped = r.flags & FT_REAP_AUTOREAPED;
  return DecodeError::none;
}

}  // namespace

std::vector<std::string> split_nul(const char* data, size_t size) {
  std::vector<std::string> out;
  size_t begin = 0;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\0') {
      out.emplace_back(data + begin, i - begin);
      begin = i + 1;
    }
  }
  if (begin < size) out.emplace_back(data + begin, size - begin);
  return out;
}

std::string path_from_components(const char* data, size_t size) {
  if (size == 0) return "";
  std::vector<std::string> names = split_nul(data, size);
  std::string out;
  for (size_t i = names.size(); i-- > 0;) out += "/" + names[i];
  return out.empty() ? "/" : out;
}

uint32_t record_kind(const void* data, size_t size) {
  ft_record_head head;
  return read_fixed(data, size, head) ? head.kind : 0;
}

DecodeError decode_args_piece(const void* data, size_t size, ArgsPiece& out) {
  ft_record_head head;
  if (!read_fixed(data, size, head)) return DecodeError::too_short;
  if (head.size > size || head.size < sizeof head) return DecodeError::bad_size;
  if (head.kind != FT_RECORD_ARGS) return DecodeError::unknown_kind;
  ft_args_record r;
  if (!read_fixed(data, head.size, r) || sizeof r + size_t{r.len} > head.size) return DecodeError::bad_size;
  out = ArgsPiece{r.tid, r.args_key, r.offset, std::string_view(static_cast<const char*>(data) + sizeof r, r.len)};
  return DecodeError::none;
}

DecodeError decode_record(const void* data, size_t size, Event& out, ExecArgs* args) {
  ft_record_head head;
  if (!read_fixed(data, size, head)) return DecodeError::too_short;
  if (head.size > size || head.size < sizeof head) return DecodeError::bad_size;
  out = Event{};
  switch (head.kind) {
    case FT_RECORD_FORK: return decode_fork(data, head.size, out);
    case FT_RECORD_EXEC: return decode_exec(data, head.size, out, args);
    case FT_RECORD_EXEC_FAILED: return decode_exec_failed(data, head.size, out);
    case FT_RECORD_EXIT: return decode_exit(data, head.size, out);
    case FT_RECORD_REAP: return decode_reap(data, head.size, out);
    default: return DecodeError::unknown_kind;
  }
}

std::string_view describe(DecodeError error) {
  switch (error) {
    case DecodeError::none: return "no error";
    case DecodeError::too_short: return "record shorter than its head";
    case DecodeError::unknown_kind: return "unknown record kind";
    case DecodeError::bad_size: return "record size does not match its kind";
  }
  return "unknown error";
}

}  // namespace ft
