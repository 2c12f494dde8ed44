// Reads a trace file (docs/trace-format.md). It checks every frame's length
// and CRC, stops at the first damage, and says where: a file cut off mid-write
// replays up to its last whole record.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/event.h"
#include "recording/record_codec.h"
#include "recording/trace_header.h"

namespace ft {

class TraceReader {
 public:
  enum class Status { event, end, truncated, corrupt };

  // Null with a one-line `error` (missing file, not a recording, newer version...).
  static std::unique_ptr<TraceReader> open(const std::string& path, std::string& error);
  static std::unique_ptr<TraceReader> from_memory(std::string bytes, std::string& error);
  ~TraceReader();
  TraceReader(const TraceReader&) = delete;
  TraceReader& operator=(const TraceReader&) = delete;

  const TraceHeader& header() const { return header_; }

  // The next event. After `truncated` or `corrupt`, problem() says what and
  // where, and every later call returns the same status.
  Status next(Event& event);

  // Where the next frame starts: the end of the last whole record.
  uint64_t offset() const { return offset_; }
  uint64_t size() const { return size_; }
  const std::string& problem() const { return problem_; }

 private:
  TraceReader() = default;
  bool parse_prefix(const std::string& name, std::string& error);
  Status stop(Status status, std::string problem);

  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  void* mapping_ = nullptr;  // munmap'd on destruction
  std::string memory_;       // from_memory's bytes
  uint64_t offset_ = 0;
  TraceHeader header_;
  RecordDecoder decoder_;
  bool ended_ = false;  // the end frame was read
  Status stopped_ = Status::event;
  std::string problem_;
};

}  // namespace ft
