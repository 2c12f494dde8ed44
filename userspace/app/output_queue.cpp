#include "app/output_queue.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ft {

std::unique_ptr<OutputQueue> OutputQueue::start(int fd, bool owns_fd, std::string name, size_t bound_bytes,
                                                bool line_buffered, std::string& error) {
  std::unique_ptr<OutputQueue> q(new OutputQueue(fd, owns_fd, std::move(name), bound_bytes));
  cookie_io_functions_t io = {};
  io.write = &OutputQueue::cookie_write;
  io.close = &OutputQueue::cookie_close;
  q->file_ = fopencookie(q.get(), "w", io);
  if (!q->file_) {
    error = "cannot buffer the output: " + std::string(std::strerror(errno));
    return nullptr;
  }
  // A person watching wants each line as it happens; a pipe wants throughput.
  if (line_buffered) setvbuf(q->file_, nullptr, _IOLBF, 0);
  else setvbuf(q->file_, nullptr, _IOFBF, 16 * 1024);
  q->writer_ = std::thread([p = q.get()] { p->writer_main(); });
  return q;
}

OutputQueue::OutputQueue(int fd, bool owns_fd, std::string name, size_t bound_bytes)
    : fd_(fd), owns_fd_(owns_fd), name_(std::move(name)), bound_(bound_bytes) {}

OutputQueue::~OutputQueue() {
  std::string ignored;
  close(ignored);
}

ssize_t OutputQueue::cookie_write(void* self, const char* data, size_t size) {
  static_cast<OutputQueue*>(self)->append(data, size);
  return static_cast<ssize_t>(size);  // always taken whole: the bound is checked per event
}

int OutputQueue::cookie_close(void*) { return 0; }

void OutputQueue::append(const char* data, size_t size) {
  if (size == 0 || broken()) return;  // nobody reads any more: drop, as a closed pipe would
  {
    std::lock_guard<std::mutex> lock(mutex_);
    while (size) {
      if (chunks_.empty() || chunks_.back().size() >= kChunkBytes) {
        chunks_.emplace_back();
        chunks_.back().reserve(kChunkBytes);
      }
      std::string& chunk = chunks_.back();
      size_t n = std::min(size, kChunkBytes - chunk.size());
      chunk.append(data, n);
      data += n;
      size -= n;
      size_t now = queued_.fetch_add(n, std::memory_order_relaxed) + n;
      if (now > peak_.load(std::memory_order_relaxed)) peak_.store(now, std::memory_order_relaxed);
    }
  }
  wake_.notify_one();
}

void OutputQueue::writer_main() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return !chunks_.empty() || closing_; });
    if (chunks_.empty()) return;  // closing, and everything written
    std::string chunk = std::move(chunks_.front());
    chunks_.pop_front();
    lock.unlock();
    const char* p = chunk.data();
    size_t left = chunk.size();
    while (left && !broken()) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        write_errno_ = errno;
        broken_.store(true, std::memory_order_relaxed);
        break;
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    queued_.fetch_sub(chunk.size(), std::memory_order_relaxed);
    lock.lock();
    if (broken()) {
      for (const std::string& c : chunks_) queued_.fetch_sub(c.size(), std::memory_order_relaxed);
      chunks_.clear();
    }
  }
}

bool OutputQueue::close(std::string& error) {
  if (file_) {
    std::fclose(file_);  // hands the FILE's buffer to append()
    file_ = nullptr;
  }
  if (writer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
    }
    wake_.notify_one();
    writer_.join();
  }
  bool ok = !broken();
  if (owns_fd_ && fd_ >= 0) {
    if (::close(fd_) != 0 && ok) {
      write_errno_ = errno;
      ok = false;
      broken_.store(true);
    }
    fd_ = -1;
  }
  if (!ok) error = "cannot write " + name_ + ": " + std::strerror(write_errno_);
  return ok;
}

}  // namespace ft
