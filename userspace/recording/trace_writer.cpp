#include "recording/trace_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "recording/trace_file.h"

namespace ft {
namespace {

// Writes all of `data`; errno on failure, 0 on success.
int write_all(int fd, const char* data, size_t size) {
  while (size) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace

std::unique_ptr<TraceWriter> TraceWriter::open(const std::string& path, const TraceHeader& header,
                                               std::string& error, mode_t mode) {
  std::unique_ptr<TraceWriter> w(new TraceWriter());
  w->path_ = path;
  w->fd_ = open_for_writing(path, mode);
  if (w->fd_ < 0) {
    error = "cannot write " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  std::string prefix = trace_file::encode_prefix(header);
  if (int err = write_all(w->fd_, prefix.data(), prefix.size())) {
    error = "cannot write " + path + ": " + std::strerror(err);
    return nullptr;
  }
  w->written_ = prefix.size();
  w->start_chunk();
  w->thread_ = std::thread(&TraceWriter::run, w.get());
  return w;
}

TraceWriter::~TraceWriter() {
  if (thread_.joinable()) {
    std::string ignored;
    close(ignored);
  }
  if (fd_ >= 0) ::close(fd_);
}

void TraceWriter::start_chunk() {
  chunk_.clear();
  chunk_.reserve(kChunkBytes + 4096);
  body_.clear();
  encoder_.encode_sync(dropped_pending_, body_);
  trace_file::append_frame(chunk_, body_);
  dropped_pending_ = 0;
  chunk_records_ = 0;
}

void TraceWriter::write(const Event& event) {
  body_.clear();
  encoder_.encode(event, body_);
  size_t before = chunk_.size();
  trace_file::append_frame(chunk_, body_);
  encoded_ += chunk_.size() - before;
  chunk_records_++;
  if (chunk_.size() >= kChunkBytes) hand_off();
}

void TraceWriter::flush() {
  if (chunk_records_) hand_off();
}

void TraceWriter::hand_off() {
  {
    std::lock_guard lock(mutex_);
    if (failed_ || queued_bytes_ + chunk_.size() > kMaxQueuedBytes) {
      // The disk is behind or broken: dropping is better than stalling intake.
      dropped_ += chunk_records_;
      dropped_pending_ += chunk_records_;
    } else {
      queued_bytes_ += chunk_.size();
      queue_.push_back(std::move(chunk_));
      chunk_ = std::string();
    }
  }
  wake_.notify_one();
  start_chunk();
}

void TraceWriter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    std::string chunk = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    int err = failed_ ? 0 : write_all(fd_, chunk.data(), chunk.size());
    lock.lock();
    queued_bytes_ -= chunk.size();
    if (err && !failed_) {
      failed_ = true;
      error_ = "cannot write " + path_ + ": " + std::strerror(err);
    }
    if (!err && !failed_) written_ += chunk.size();
  }
}

bool TraceWriter::close(std::string& error) {
  if (!thread_.joinable()) {
    error = error_;
    return !failed_;
  }
  flush();
  // The last chunk goes even without records, since its sync frame may
  // announce dropped ones; then the end frame says the file is whole.
  body_.clear();
  RecordEncoder::encode_end(body_);
  trace_file::append_frame(chunk_, body_);
  {
    std::lock_guard lock(mutex_);
    queued_bytes_ += chunk_.size();
    queue_.push_back(std::move(chunk_));
    chunk_ = std::string();
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  if (!failed_ && fsync(fd_) != 0 && errno != EINVAL) {
    failed_ = true;
    error_ = "cannot write " + path_ + ": " + std::strerror(errno);
  }
  if (::close(fd_) != 0 && !failed_) {
    failed_ = true;
    error_ = "cannot write " + path_ + ": " + std::strerror(errno);
  }
  fd_ = -1;
  error = error_;
  return !failed_;
}

bool TraceWriter::failed() const {
  std::lock_guard lock(mutex_);
  return failed_;
}

std::string TraceWriter::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

uint64_t TraceWriter::bytes_written() const {
  std::lock_guard lock(mutex_);
  return written_;
}

uint64_t TraceWriter::records_dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace ft
