#include "core/decode.h"

#include <cstddef>
#include <cstring>

#include "core/usage.h"

extern "C" {
#include "forktrace.h"
}

namespace ft {
namespace {

static_assert(sizeof(ft_record_head) == 16);
static_assert(sizeof(ft_fork_record) == 80);
static_assert(sizeof(ft_exec_record) == 72);
static_assert(sizeof(ft_usage) == 104);
static_assert(sizeof(ft_exit_record) == FT_EXIT_RECORD_BASE + sizeof(ft_usage));
static_assert(offsetof(ft_exit_record, usage) == FT_EXIT_RECORD_BASE);
static_assert(offsetof(ft_usage, max_rss_kb) == 40);
static_assert(offsetof(ft_usage, threads) == 96);
static_assert(offsetof(ft_record_head, kind) == 8);
static_assert(offsetof(ft_fork_record, child_start_ns) == 16);
static_assert(offsetof(ft_fork_record, comm) == 64);
static_assert(offsetof(ft_exec_record, comm) == 48);
static_assert(offsetof(ft_exec_record, data) == 72);
static_assert(offsetof(ft_exit_record, exit_code) == 52);
static_assert(offsetof(ft_exit_record, comm) == 64);

std::string fixed_string(const char* chars, size_t capacity) {
  return std::string(chars, strnlen(chars, capacity));
}

// NUL-separated strings; a last string without its NUL (truncation) is kept.
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

template <typename Record>
bool read_fixed(const void* data, size_t size, Record& record) {
  if (size < sizeof(Record)) return false;
  std::memcpy(&record, data, sizeof(Record));
  return true;
}

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
  return DecodeError::none;
}

DecodeError decode_exec(const void* data, size_t size, Event& e) {
  ft_exec_record r;
  if (!read_fixed(data, size, r)) return DecodeError::bad_size;
  size_t tail = size_t{r.filename_len} + r.args_len + r.env_len;
  if (sizeof(r) + tail > size) return DecodeError::bad_size;
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
  e.filename = fixed_string(p, r.filename_len);
  e.argv = split_nul(p + r.filename_len, r.args_len);
  e.argv_truncated = r.flags & FT_EXEC_ARGS_TRUNCATED;
  e.env = split_nul(p + r.filename_len + r.args_len, r.env_len);
  e.env_truncated = r.flags & FT_EXEC_ENV_TRUNCATED;
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
  return DecodeError::none;
}

}  // namespace

DecodeError decode_record(const void* data, size_t size, Event& out) {
  ft_record_head head;
  if (!read_fixed(data, size, head)) return DecodeError::too_short;
  if (head.size > size || head.size < sizeof head) return DecodeError::bad_size;
  out = Event{};
  switch (head.kind) {
    case FT_RECORD_FORK: return decode_fork(data, head.size, out);
    case FT_RECORD_EXEC: return decode_exec(data, head.size, out);
    case FT_RECORD_EXIT: return decode_exit(data, head.size, out);
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
