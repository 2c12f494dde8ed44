// An exec's argv beyond what one kernel record holds (BPF per-CPU buffers
// are limited to 32 KiB) comes in FT_RECORD_ARGS pieces sent just before
// the exec record. These classes join them again: pure, no kernel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/decode.h"
#include "core/event.h"

namespace ft {

class ArgvAssembler {
 public:
  // Keeps a piece until its exec record asks for it. Pieces of an older exec
  // of the same thread (whose exec record was lost) are dropped.
  void add(const ArgsPiece& piece);
  // argv's `total` bytes: `first` (offset 0), then the pieces kept for (tid,
  // key) in offset order, whatever order they came in. Stops at the first
  // gap (a lost piece), setting `truncated`: never silently short. Forgets
  // the pieces it used.
  std::string take(uint32_t tid, uint64_t key, std::string_view first, uint32_t total, bool& truncated);

  size_t pending_bytes() const { return bytes_; }

 private:
  struct Pending {
    uint64_t key = 0;
    std::map<uint32_t, std::string> pieces;  // by offset
  };
  void forget(std::unordered_map<uint32_t, Pending>::iterator it);

  std::unordered_map<uint32_t, Pending> by_tid_;
  size_t bytes_ = 0;
};

// Kernel records to Events, argv pieces joined: what the live path uses.
class RecordAssembler {
 public:
  // `complete` is false for a record that is only part of an event (an argv
  // piece); `out` is then unchanged.
  DecodeError feed(const void* data, size_t size, Event& out, bool& complete);

 private:
  ArgvAssembler argv_;
};

}  // namespace ft
