#include "recording/record_codec.h"

#include <iterator>

#include "recording/codec.h"

namespace ft {
namespace {

// Field numbers are the bitmap's bit positions: fixed forever, never reused
// (docs/trace-format.md). Payloads follow in bit order.
enum Field : uint32_t {
  f_thread, f_ts, f_pid, f_tid, f_ppid, f_start, f_thread_start, f_cgroup_id, f_comm, f_cgroup,
  f_parent_pid, f_parent_tid, f_parent_start, f_old_tid, f_filename, f_argv, f_argv_truncated,
  f_env, f_env_truncated, f_wait_status, f_lost_count,
  // version 3: the marks of a gap after a loss (bits 21..23)
  f_recovered = 21,       // fork, exec made from /proc after a loss; no payload
  f_status_unknown = 22,  // exit found gone from /proc; no payload
  f_lost_kinds = 23,      // lost: three varints, forks, execs and exits lost
  f_count,
  // version 3: exec detail (bits 24..39)
  f_cwd = 24, f_exe = 25, f_interpreter = 26, f_has_creds = 27, f_uid = 28, f_gid = 29,
  f_euid = 30, f_egid = 31, f_exec_errno = 32, f_cwd_truncated = 33, f_exe_truncated = 34,
  f_lost_exec_failed = 35,  // lost: varint, the exec_failed events among lost_count
  f_filename_truncated = 36,  // exec, exec_failed: no payload
};
constexpr uint64_t bit(uint32_t f) { return uint64_t{1} << f; }
constexpr uint64_t kExecDetailFields = ((bit(f_filename_truncated) << 1) - 1) & ~(bit(f_cwd) - 1);

// Version 3: a whole process's resource usage on its exit (bits 40..52 are
// reserved for it). f_usage says the exit has usage; each figure's bit says
// it is not zero.
enum UsageField : uint32_t {
  f_usage = 40, f_cpu_user, f_cpu_sys, f_max_rss, f_minor_faults, f_major_faults, f_voluntary_switches,
  f_involuntary_switches, f_read_bytes, f_write_bytes, f_usage_end
};
constexpr uint64_t kUsageFields = (bit(f_usage_end) - 1) & ~(bit(f_usage) - 1);

// The figures in bit order, f_cpu_user first.
constexpr uint64_t ResourceUsage::*kUsageFigures[] = {
    &ResourceUsage::cpu_user_ns,        &ResourceUsage::cpu_sys_ns,           &ResourceUsage::max_rss_kb,
    &ResourceUsage::minor_faults,       &ResourceUsage::major_faults,         &ResourceUsage::voluntary_switches,
    &ResourceUsage::involuntary_switches, &ResourceUsage::read_bytes,         &ResourceUsage::write_bytes};
static_assert(std::size(kUsageFigures) == f_usage_end - f_cpu_user);

// Version 4: why a process died (bit 53). Its payload: a varint source
// (KillSource), then for a process its pid (varint) and comm (bytes), for
// the OOM killer the memory cgroup (bytes, "" machine-wide).
enum KillField : uint32_t { f_killed_by = 53 };

// Version 5: the last program's own peak RSS on an exit with usage (bit 54,
// a varint; present where the kernel gave it, even when 0).
enum ProgramRssField : uint32_t { f_program_max_rss = 54 };

// Version 6: who reaped a process (reap events, kind 6). f_reaper: the
// reaper's pid (varint) and comm (bytes); f_zombie: zombie_ns (varint);
// f_autoreaped: no payload; f_lost_reap: lost: varint, the reaps among
// lost_count.
enum ReapField : uint32_t { f_reaper = 55, f_zombie = 56, f_autoreaped = 57, f_lost_reap = 58 };
constexpr uint64_t kReapFields = bit(f_reaper) | bit(f_zombie) | bit(f_autoreaped) | bit(f_lost_reap);

// Version 7: a process's pid inside its container's PID namespace (bit 59,
// a varint; fork and exec, where not 0).
enum NamespaceField : uint32_t { f_nspid = 59 };

constexpr uint64_t kKnownFields = (bit(f_count) - 1) | kExecDetailFields | kUsageFields | bit(f_killed_by) |
                                  bit(f_program_max_rss) | kReapFields | bit(f_nspid);

constexpr uint64_t kMaxInterned = 1 << 16;  // cgroup paths per sync interval

}  // namespace

void RecordEncoder::encode(const Event& e, std::string& body) {
  uint64_t present = 0;
  auto mark = [&](uint32_t f, bool set) { if (set) present |= bit(f); };
  mark(f_thread, e.thread);
  mark(f_ts, e.ts_ns != prev_ts_);
  mark(f_pid, e.pid);
  mark(f_tid, e.tid != e.pid);
  mark(f_ppid, e.ppid);
  mark(f_start, e.start_ns);
  mark(f_thread_start, e.thread_start_ns);
  mark(f_cgroup_id, e.cgroup_id);
  mark(f_comm, !e.comm.empty());
  mark(f_cgroup, !e.cgroup.empty());
  mark(f_parent_pid, e.parent_pid);
  mark(f_parent_tid, e.parent_tid != e.parent_pid);
  mark(f_parent_start, e.parent_start_ns);
  mark(f_old_tid, e.old_tid);
  mark(f_filename, !e.filename.empty());
  mark(f_argv, !e.argv.empty());
  mark(f_argv_truncated, e.argv_truncated);
  mark(f_env, !e.env.empty());
  mark(f_env_truncated, e.env_truncated);
  mark(f_wait_status, e.wait_status);
  mark(f_lost_count, e.lost_count);
  mark(f_recovered, e.recovered);
  mark(f_status_unknown, e.status_unknown);
  mark(f_lost_kinds, e.lost_fork || e.lost_exec || e.lost_exit);
  mark(f_cwd, !e.cwd.empty());
  mark(f_exe, !e.exe.empty());
  mark(f_interpreter, !e.interpreter.empty());
  mark(f_has_creds, e.has_creds);
  mark(f_uid, e.has_creds && e.uid);
  mark(f_gid, e.has_creds && e.gid);
  mark(f_euid, e.has_creds && e.euid != e.uid);
  mark(f_egid, e.has_creds && e.egid != e.gid);
  mark(f_exec_errno, e.exec_errno);
  mark(f_cwd_truncated, e.cwd_truncated);
  mark(f_exe_truncated, e.exe_truncated);
  mark(f_lost_exec_failed, e.lost_exec_failed);
  mark(f_filename_truncated, e.filename_truncated);
  if (e.usage) {
    mark(f_usage, true);
    for (uint32_t f = f_cpu_user; f < f_usage_end; ++f) mark(f, (*e.usage).*kUsageFigures[f - f_cpu_user]);
    mark(f_program_max_rss, e.usage->program_max_rss_kb.has_value());
  }
  mark(f_killed_by, e.killed_by.has_value());
  mark(f_reaper, e.kind == EventKind::reap);
  mark(f_zombie, e.zombie_ns);
  mark(f_nspid, e.nspid);
  mark(f_autoreaped, e.autoreaped);
  mark(f_lost_reap, e.lost_reap);

  codec::Encoder out(body);
  out.u8(static_cast<uint8_t>(e.kind));
  out.varint(present);
  auto has = [&](uint32_t f) { return present & bit(f); };
  // Times are stored relative to the record's own timestamp: small numbers.
  auto since = [&](uint64_t t) { return static_cast<int64_t>(e.ts_ns - t); };
  if (has(f_ts)) out.svarint(static_cast<int64_t>(e.ts_ns - prev_ts_));
  if (has(f_pid)) out.varint(e.pid);
  if (has(f_tid)) out.svarint(int64_t{e.tid} - e.pid);
  if (has(f_ppid)) out.varint(e.ppid);
  if (has(f_start)) out.svarint(since(e.start_ns));
  if (has(f_thread_start)) out.svarint(since(e.thread_start_ns));
  if (has(f_cgroup_id)) out.varint(e.cgroup_id);
  if (has(f_comm)) out.bytes(e.comm);
  if (has(f_cgroup)) {
    // An index already defined, or the next index followed by its path.
    auto [it, added] = cgroups_.try_emplace(e.cgroup, cgroups_.size());
    out.varint(it->second);
    if (added) out.bytes(e.cgroup);
  }
  if (has(f_parent_pid)) out.varint(e.parent_pid);
  if (has(f_parent_tid)) out.svarint(int64_t{e.parent_tid} - e.parent_pid);
  if (has(f_parent_start)) out.svarint(since(e.parent_start_ns));
  if (has(f_old_tid)) out.varint(e.old_tid);
  if (has(f_filename)) out.bytes(e.filename);
  if (has(f_argv)) out.strings(e.argv);
  if (has(f_env)) out.strings(e.env);
  if (has(f_wait_status)) out.varint(e.wait_status);
  if (has(f_lost_count)) out.varint(e.lost_count);
  if (has(f_lost_kinds)) {
    out.varint(e.lost_fork);
    out.varint(e.lost_exec);
    out.varint(e.lost_exit);
  }
  if (has(f_cwd)) out.bytes(e.cwd);
  if (has(f_exe)) out.bytes(e.exe);
  if (has(f_interpreter)) out.bytes(e.interpreter);
  if (has(f_uid)) out.varint(e.uid);
  if (has(f_gid)) out.varint(e.gid);
  if (has(f_euid)) out.varint(e.euid);
  if (has(f_egid)) out.varint(e.egid);
  if (has(f_exec_errno)) out.varint(static_cast<uint32_t>(e.exec_errno));
  if (has(f_lost_exec_failed)) out.varint(e.lost_exec_failed);
  for (uint32_t f = f_cpu_user; f < f_usage_end; ++f)
    if (has(f)) out.varint((*e.usage).*kUsageFigures[f - f_cpu_user]);
  if (has(f_killed_by)) {
    const KilledBy& k = *e.killed_by;
    out.varint(static_cast<uint8_t>(k.source));
    if (k.source == KillSource::process) {
      out.varint(k.pid);
      out.bytes(k.comm);
    } else if (k.source == KillSource::oom) {
      out.bytes(k.oom_cgroup);
    }
  }
  if (has(f_program_max_rss)) out.varint(*e.usage->program_max_rss_kb);
  if (has(f_reaper)) {
    out.varint(e.reaper_pid);
    out.bytes(e.reaper_comm);
  }
  if (has(f_zombie)) out.varint(e.zombie_ns);
  if (has(f_lost_reap)) out.varint(e.lost_reap);
  if (has(f_nspid)) out.varint(e.nspid);
  prev_ts_ = e.ts_ns;
}

void RecordEncoder::encode_sync(uint64_t dropped, std::string& body) {
  codec::Encoder out(body);
  out.u8(static_cast<uint8_t>(FrameKind::sync));
  out.varint(dropped);
  prev_ts_ = 0;
  cgroups_.clear();
}

void RecordEncoder::encode_end(std::string& body) {
  codec::Encoder out(body);
  out.u8(static_cast<uint8_t>(FrameKind::end));
}

RecordDecoder::Result RecordDecoder::decode(const uint8_t* body, size_t size, Event& e, uint64_t& dropped) {
  codec::Decoder in(body, size);
  uint8_t kind = in.u8();
  if (kind == static_cast<uint8_t>(FrameKind::sync)) {
    dropped = in.varint();
    if (!in.ok() || in.left()) return Result::malformed;
    prev_ts_ = 0;
    cgroups_.clear();
    return Result::sync;
  }
  if (kind == static_cast<uint8_t>(FrameKind::end)) return in.left() ? Result::malformed : Result::end;
  if (kind < 1 || kind > static_cast<uint8_t>(EventKind::reap)) return Result::malformed;
  uint64_t present = in.varint();
  if (present & ~kKnownFields) return Result::malformed;  // a field this version does not know
  auto has = [&](uint32_t f) { return (present & bit(f)) != 0; };

  e = Event{};
  e.kind = static_cast<EventKind>(kind);
  e.thread = has(f_thread);
  e.ts_ns = has(f_ts) ? prev_ts_ + static_cast<uint64_t>(in.svarint()) : prev_ts_;
  auto before = [&](int64_t delta) { return e.ts_ns - static_cast<uint64_t>(delta); };
  if (has(f_pid)) e.pid = static_cast<uint32_t>(in.varint());
  e.tid = has(f_tid) ? static_cast<uint32_t>(e.pid + in.svarint()) : e.pid;
  if (has(f_ppid)) e.ppid = static_cast<uint32_t>(in.varint());
  if (has(f_start)) e.start_ns = before(in.svarint());
  if (has(f_thread_start)) e.thread_start_ns = before(in.svarint());
  if (has(f_cgroup_id)) e.cgroup_id = in.varint();
  if (has(f_comm)) in.bytes(e.comm);
  if (has(f_cgroup)) {
    uint64_t index = in.varint();
    if (index < cgroups_.size()) {
      e.cgroup = cgroups_[index];
    } else if (index == cgroups_.size() && index < kMaxInterned) {
      in.bytes(e.cgroup);
      cgroups_.push_back(e.cgroup);
    } else {
      return Result::malformed;
    }
  }
  if (has(f_parent_pid)) e.parent_pid = static_cast<uint32_t>(in.varint());
  e.parent_tid = has(f_parent_tid) ? static_cast<uint32_t>(e.parent_pid + in.svarint()) : e.parent_pid;
  if (has(f_parent_start)) e.parent_start_ns = before(in.svarint());
  if (has(f_old_tid)) e.old_tid = static_cast<uint32_t>(in.varint());
  if (has(f_filename)) in.bytes(e.filename);
  if (has(f_argv)) in.strings(e.argv);
  e.argv_truncated = has(f_argv_truncated);
  if (has(f_env)) in.strings(e.env);
  e.env_truncated = has(f_env_truncated);
  if (has(f_wait_status)) e.wait_status = static_cast<uint32_t>(in.varint());
  if (has(f_lost_count)) e.lost_count = in.varint();
  e.recovered = has(f_recovered);
  e.status_unknown = has(f_status_unknown);
  if (has(f_lost_kinds)) {
    e.lost_fork = in.varint();
    e.lost_exec = in.varint();
    e.lost_exit = in.varint();
  }
  if (has(f_cwd)) in.bytes(e.cwd);
  if (has(f_exe)) in.bytes(e.exe);
  if (has(f_interpreter)) in.bytes(e.interpreter);
  e.has_creds = has(f_has_creds);
  if (has(f_uid)) e.uid = static_cast<uint32_t>(in.varint());
  if (has(f_gid)) e.gid = static_cast<uint32_t>(in.varint());
  e.euid = has(f_euid) ? static_cast<uint32_t>(in.varint()) : e.uid;
  e.egid = has(f_egid) ? static_cast<uint32_t>(in.varint()) : e.gid;
  if (has(f_exec_errno)) e.exec_errno = static_cast<int32_t>(in.varint());
  e.cwd_truncated = has(f_cwd_truncated);
  e.exe_truncated = has(f_exe_truncated);
  if (has(f_lost_exec_failed)) e.lost_exec_failed = in.varint();
  e.filename_truncated = has(f_filename_truncated);
  if (present & kUsageFields) {
    if (!has(f_usage)) return Result::malformed;  // figures without usage
    e.usage.emplace();
    for (uint32_t f = f_cpu_user; f < f_usage_end; ++f)
      if (has(f)) (*e.usage).*kUsageFigures[f - f_cpu_user] = in.varint();
  }
  if (has(f_killed_by)) {
    uint64_t source = in.varint();
    if (source < static_cast<uint8_t>(KillSource::process) || source > static_cast<uint8_t>(KillSource::other))
      return Result::malformed;
    KilledBy& k = e.killed_by.emplace();
    k.source = static_cast<KillSource>(source);
    if (k.source == KillSource::process) {
      k.pid = static_cast<uint32_t>(in.varint());
      in.bytes(k.comm);
    } else if (k.source == KillSource::oom) {
      in.bytes(k.oom_cgroup);
    }
  }
  if (has(f_program_max_rss)) {
    if (!e.usage) return Result::malformed;  // only with the usage
    e.usage->program_max_rss_kb = in.varint();
  }
  if (has(f_reaper) != (e.kind == EventKind::reap)) return Result::malformed;  // every reap names its reaper
  if (has(f_reaper)) {
    e.reaper_pid = static_cast<uint32_t>(in.varint());
    in.bytes(e.reaper_comm);
  }
  if (has(f_zombie)) e.zombie_ns = in.varint();
  e.autoreaped = has(f_autoreaped);
  if (has(f_lost_reap)) e.lost_reap = in.varint();
  if (has(f_nspid)) e.nspid = static_cast<uint32_t>(in.varint());
  if (!in.ok() || in.left()) return Result::malformed;
  prev_ts_ = e.ts_ns;
  return Result::event;
}

}  // namespace ft
