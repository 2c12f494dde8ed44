#pragma once

#include <cstdint>

namespace ft {

// CLOCK_BOOTTIME now, in ns: the clock of the kernel's records.
uint64_t boottime_now_ns();
// CLOCK_REALTIME - CLOCK_BOOTTIME, in ns: added to a record's ts for wall time.
int64_t realtime_offset_ns();

}  // namespace ft
