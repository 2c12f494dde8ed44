// The views' output, decoupled from intake: views write to a FILE* whose
// bytes go into a bounded queue in memory, and a writer thread drains it to
// the real file descriptor (-o FILE or standard output). A stalled pager, a
// full pipe or a slow disk then stalls only the writer; the pipeline asks
// has_room() before each event and drops it for the views (counted, reported
// as a `lost` event) when the queue is at its bound.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace ft {

class OutputQueue {
 public:
  // Writes to `fd` (closing it at the end when `owns_fd`); `name` is for
  // error messages. `line_buffered`: the FILE hands over each line at once
  // (a terminal); else in blocks. Null with `error` when the FILE cannot be made.
  static std::unique_ptr<OutputQueue> start(int fd, bool owns_fd, std::string name, size_t bound_bytes,
                                            bool line_buffered, std::string& error);
  ~OutputQueue();
  OutputQueue(const OutputQueue&) = delete;
  OutputQueue& operator=(const OutputQueue&) = delete;

  // Where views write. Valid until close().
  std::FILE* file() const { return file_; }

  // Whether another event may go to the views: what is queued is below the
  // bound. (Bytes still in the FILE's own buffer are not counted: at most one
  // buffer's worth, a few KiB.) A write that is let in is always taken whole,
  // so the queue can exceed the bound by one event's output, never cut a line.
  bool has_room() const { return queued_.load(std::memory_order_relaxed) < bound_; }
  size_t queued_bytes() const { return queued_.load(std::memory_order_relaxed); }
  size_t peak_bytes() const { return peak_.load(std::memory_order_relaxed); }
  size_t bound_bytes() const { return bound_; }
  // The reader went away or the device failed: nothing more will be written.
  bool broken() const { return broken_.load(std::memory_order_relaxed); }

  // Flushes the FILE and waits until the writer has written everything (this
  // may block as long as the reader does), then closes. False with `error`
  // when a write failed.
  bool close(std::string& error);

 private:
  OutputQueue(int fd, bool owns_fd, std::string name, size_t bound_bytes);
  static ssize_t cookie_write(void* self, const char* data, size_t size);
  static int cookie_close(void* self);
  void append(const char* data, size_t size);
  void writer_main();

  static constexpr size_t kChunkBytes = 64 * 1024;

  int fd_;
  bool owns_fd_;
  std::string name_;
  size_t bound_;
  std::FILE* file_ = nullptr;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> chunks_;  // guarded by mutex_
  bool closing_ = false;            // guarded by mutex_
  std::atomic<size_t> queued_{0};
  std::atomic<size_t> peak_{0};
  std::atomic<bool> broken_{false};
  int write_errno_ = 0;  // written by the writer before it sets broken_
  std::thread writer_;
};

}  // namespace ft
