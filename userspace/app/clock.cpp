#include "app/clock.h"

#include <ctime>

namespace ft {
namespace {

int64_t now_ns(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

uint64_t boottime_now_ns() { return static_cast<uint64_t>(now_ns(CLOCK_BOOTTIME)); }

int64_t realtime_offset_ns() {
  // Bracket the realtime read so the offset is off by at most half a read.
  int64_t before = now_ns(CLOCK_BOOTTIME);
  int64_t real = now_ns(CLOCK_REALTIME);
  int64_t after = now_ns(CLOCK_BOOTTIME);
  return real - (before + (after - before) / 2);
}

}  // namespace ft
