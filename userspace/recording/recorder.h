// Where `-w` sends events: one file (TraceWriter) or a rotating directory
// (RecordingDirectory). Neither ever blocks event intake.
#pragma once

#include <cstdint>
#include <string>

#include "core/event.h"

namespace ft {

class Recorder {
 public:
  virtual ~Recorder() = default;
  virtual void write(const Event& event) = 0;
  // Called about once a second by the live loop: hand buffered events to disk,
  // rotate by age.
  virtual void tick(uint64_t now_ns) = 0;
  // Writes everything and syncs; false with `error` if anything failed.
  virtual bool close(std::string& error) = 0;
  virtual uint64_t bytes_written() const = 0;
  virtual uint64_t records_dropped() const = 0;
  virtual bool failed() const = 0;
  virtual std::string error() const = 0;
};

}  // namespace ft
