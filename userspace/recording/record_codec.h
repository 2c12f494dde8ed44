// Events to and from the bodies of trace-file frames (docs/trace-format.md).
// A body is: kind, a bitmap of the fields that differ from their defaults,
// then those fields. Timestamps are deltas from the previous record and
// cgroup paths are interned, so both sides keep state that a sync frame resets.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/event.h"

namespace ft {

enum class FrameKind : uint8_t {
  fork = 1,
  exec = 2,
  exit = 3,
  lost = 4,
  sync = 0x40,  // resets delta and intern state; carries records dropped before it
  end = 0x41,   // version 2: the last frame of a cleanly closed recording
};

class RecordEncoder {
 public:
  void encode(const Event& event, std::string& body);
  // A sync body; `dropped` records were lost to the writer before it.
  void encode_sync(uint64_t dropped, std::string& body);
  static void encode_end(std::string& body);

 private:
  uint64_t prev_ts_ = 0;
  std::unordered_map<std::string, uint64_t> cgroups_;
};

class RecordDecoder {
 public:
  enum class Result { event, sync, end, malformed };
  // On `sync`, `dropped` holds the records the writer dropped before it.
  Result decode(const uint8_t* body, size_t size, Event& event, uint64_t& dropped);
  uint64_t last_ts() const { return prev_ts_; }

 private:
  uint64_t prev_ts_ = 0;
  std::vector<std::string> cgroups_;
};

}  // namespace ft
