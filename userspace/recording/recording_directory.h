// `-w DIR`: a rotating series of trace files for long-running service mode.
// A file ends when it reaches its size or age bound, and the next starts
// with a header holding the processes alive then, so each file replays on
// its own. The oldest files are removed first once the directory exceeds its
// file-count or byte bound.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "recording/recorder.h"
#include "recording/trace_header.h"
#include "recording/trace_writer.h"

namespace ft {

struct RotationBounds {
  uint64_t max_file_bytes = 64ull << 20;
  uint64_t max_file_age_ns = 3600ull * 1'000'000'000;
  uint32_t keep_files = 48;
  uint64_t keep_bytes = 4ull << 30;
};

class RecordingDirectory : public Recorder {
 public:
  // `make_header` is called for each new file, at the moment it starts.
  // Each file is created with `mode` (host/files.h).
  static std::unique_ptr<RecordingDirectory> open(const std::string& dir, const RotationBounds& bounds,
                                                  std::function<TraceHeader()> make_header, std::string& error,
                                                  mode_t mode = kDefaultFileMode);
  void write(const Event& event) override;
  void tick(uint64_t now_ns) override;
  bool close(std::string& error) override;
  uint64_t bytes_written() const override;
  uint64_t records_dropped() const override;
  bool failed() const override;
  std::string error() const override;
  uint64_t files_started() const { return sequence_ - first_sequence_; }

 private:
  RecordingDirectory() = default;
  bool start_file(std::string& error);
  void finish_file();
  void enforce_retention();

  std::string dir_;
  RotationBounds bounds_;
  mode_t mode_ = kDefaultFileMode;
  std::function<TraceHeader()> make_header_;
  std::unique_ptr<TraceWriter> current_;
  uint64_t current_started_ns_ = 0;
  uint64_t sequence_ = 0, first_sequence_ = 0;
  uint64_t finished_bytes_ = 0, finished_dropped_ = 0;
  bool failed_ = false;
  std::string error_;
};

// The recordings in DIR, oldest first. Empty with `error` when DIR cannot be read.
std::vector<std::string> list_recordings(const std::string& dir, std::string& error);
bool is_directory(const std::string& path);

}  // namespace ft
