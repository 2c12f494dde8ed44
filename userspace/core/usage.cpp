#include "core/usage.h"

extern "C" {
#include "forktrace.h"
}

namespace ft {

CpuSplit adjust_cputime(uint64_t utime, uint64_t stime, uint64_t rtime, uint64_t prev_utime, uint64_t prev_stime) {
  // Runtime that does not exceed what was already reported changes nothing.
  if (prev_stime + prev_utime >= rtime) return {prev_utime, prev_stime};
  // With no ticks on one side, all of it counts as the other (the kernel
  // checks stime first: no ticks at all is all user time).
  if (stime == 0) {
    utime = rtime;
  } else if (utime == 0) {
    stime = rtime;
  } else {
    // mul_u64_u64_div_u64: exact, with a 128-bit product.
    stime = static_cast<uint64_t>(static_cast<unsigned __int128>(stime) * rtime / (static_cast<unsigned __int128>(stime) + utime));
    if (stime > rtime) stime = rtime;
  }
  // Monotonic: stime no lower than reported, then utime no lower.
  if (stime < prev_stime) stime = prev_stime;
  utime = rtime - stime;
  if (utime < prev_utime) {
    utime = prev_utime;
    stime = rtime - utime;
  }
  return {utime, stime};
}

std::optional<ResourceUsage> usage_from_record(const ft_usage& raw) {
  if (raw.flags & FT_USAGE_PARTIAL) return std::nullopt;
  CpuSplit cpu = adjust_cputime(raw.utime_ns, raw.stime_ns, raw.runtime_ns, raw.prev_utime_ns, raw.prev_stime_ns);
  ResourceUsage u;
  u.cpu_user_ns = cpu.user_ns;
  u.cpu_sys_ns = cpu.sys_ns;
  u.max_rss_kb = raw.max_rss_kb;
  u.minor_faults = raw.min_flt;
  u.major_faults = raw.maj_flt;
  u.voluntary_switches = raw.nvcsw;
  u.involuntary_switches = raw.nivcsw;
  u.read_bytes = raw.read_bytes;
  u.write_bytes = raw.write_bytes;
  if (raw.flags & FT_USAGE_PROGRAM_RSS) u.program_max_rss_kb = raw.program_max_rss_kb;
  return u;
}

}  // namespace ft
