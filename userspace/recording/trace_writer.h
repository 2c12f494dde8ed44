// Records events to a trace file without ever blocking event intake: events
// are encoded into an in-memory chunk, full chunks go to a writer thread, and
// if the disk cannot keep up (or fails) chunks are dropped and counted, never
// waited for. close() writes and syncs everything.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/event.h"
#include "host/files.h"
#include "recording/record_codec.h"
#include "recording/recorder.h"
#include "recording/trace_header.h"

namespace ft {

class TraceWriter : public Recorder {
 public:
  static constexpr size_t kChunkBytes = 256 * 1024;
  static constexpr size_t kMaxQueuedBytes = 64 * 1024 * 1024;

  // Creates (truncates) the file and writes the header. Null with `error`.
  // A file it creates gets `mode` (host/files.h); an existing one keeps its own.
  static std::unique_ptr<TraceWriter> open(const std::string& path, const TraceHeader& header, std::string& error,
                                           mode_t mode = kDefaultFileMode);
  ~TraceWriter() override;
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  void write(const Event& event) override;
  // Hands the current chunk to the writer thread, so a crash loses little.
  void flush();
  void tick(uint64_t) override { flush(); }
  // Writes everything, fsyncs and closes. False with `error` if anything failed.
  bool close(std::string& error) override;

  bool failed() const override;
  std::string error() const override;
  uint64_t bytes_written() const override;  // on disk so far
  uint64_t bytes_encoded() const { return encoded_; }  // handed over or pending
  uint64_t records_dropped() const override;  // lost to a full queue or a failed disk
  const std::string& path() const { return path_; }

 private:
  TraceWriter() = default;
  void start_chunk();
  void hand_off();
  void run();

  std::string path_;
  int fd_ = -1;
  RecordEncoder encoder_;
  std::string chunk_;
  std::string body_;
  uint64_t chunk_records_ = 0;
  uint64_t encoded_ = 0;
  uint64_t dropped_pending_ = 0;  // to announce in the next chunk's sync frame

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  bool stopping_ = false;
  bool failed_ = false;
  std::string error_;
  uint64_t written_ = 0;
  uint64_t dropped_ = 0;
  std::thread thread_;
};

}  // namespace ft
