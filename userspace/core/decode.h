// Kernel records (bpf/forktrace.h) to Events. Checks every size it reads, so
// a short or malformed record is an error, never an out-of-bounds read.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/event.h"

namespace ft {

enum class DecodeError { none, too_short, unknown_kind, bad_size };

DecodeError decode_record(const void* data, size_t size, Event& out);

std::string_view describe(DecodeError error);

}  // namespace ft
