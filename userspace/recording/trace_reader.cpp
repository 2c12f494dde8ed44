#include "recording/trace_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "recording/codec.h"
#include "recording/trace_file.h"

namespace ft {

std::unique_ptr<TraceReader> TraceReader::open(const std::string& path, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot read " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = "cannot read " + path + ": " + (S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file");
    ::close(fd);
    return nullptr;
  }
  std::unique_ptr<TraceReader> r(new TraceReader());
  r->size_ = static_cast<uint64_t>(st.st_size);
  if (r->size_) {
    r->mapping_ = mmap(nullptr, r->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (r->mapping_ == MAP_FAILED) {
      r->mapping_ = nullptr;
      error = "cannot read " + path + ": " + std::strerror(errno);
      ::close(fd);
      return nullptr;
    }
    madvise(r->mapping_, r->size_, MADV_SEQUENTIAL);
    r->data_ = static_cast<const uint8_t*>(r->mapping_);
  }
  ::close(fd);
  if (!r->parse_prefix(path, error)) return nullptr;
  return r;
}

std::unique_ptr<TraceReader> TraceReader::from_memory(std::string bytes, std::string& error) {
  std::unique_ptr<TraceReader> r(new TraceReader());
  r->memory_ = std::move(bytes);
  r->data_ = reinterpret_cast<const uint8_t*>(r->memory_.data());
  r->size_ = r->memory_.size();
  if (!r->parse_prefix("the recording", error)) return nullptr;
  return r;
}

TraceReader::~TraceReader() {
  if (mapping_) munmap(mapping_, size_);
}

bool TraceReader::parse_prefix(const std::string& name, std::string& error) {
  using namespace trace_file;
  if (size_ < sizeof kMagic || std::memcmp(data_, kMagic, sizeof kMagic) != 0) {
    error = name + " is not a forktrace recording";
    return false;
  }
  codec::Decoder d(data_ + sizeof kMagic, size_ - sizeof kMagic);
  uint32_t version = d.u32le();
  uint32_t header_size = d.u32le();
  if (!d.ok()) {
    error = name + " is cut off inside its header";
    return false;
  }
  if (version > kTraceFormatVersion) {
    error = name + " is in recording format version " + std::to_string(version) +
            ", newer than this forktrace reads (" + std::to_string(kTraceFormatVersion) + "): upgrade forktrace";
    return false;
  }
  if (version == 0) {
    error = name + " has an invalid format version 0";
    return false;
  }
  if (header_size > kMaxHeader || kPrefixSize + uint64_t{header_size} + 4 > size_) {
    error = name + " is cut off inside its header";
    return false;
  }
  const uint8_t* header = data_ + kPrefixSize;
  codec::Decoder crc(header + header_size, 4);
  header_.version = version;  // what decode_header reads depends on it
  if (crc.u32le() != crc32(header, header_size) || !decode_header(header, header_size, header_)) {
    error = name + " has a corrupt header";
    return false;
  }
  offset_ = kPrefixSize + header_size + 4;
  return true;
}

TraceReader::Status TraceReader::stop(Status status, std::string problem) {
  stopped_ = status;
  problem_ = std::move(problem);
  return status;
}

TraceReader::Status TraceReader::next(Event& event) {
  if (stopped_ != Status::event) return stopped_;
  for (;;) {
    if (offset_ == size_) {
      if (ended_ || header_.version < 2) return Status::end;
      return stop(Status::truncated, "cut off at byte " + std::to_string(size_) +
                                         " (no end record: forktrace was killed, the machine crashed, or it is "
                                         "still writing)");
    }
    if (ended_)
      return stop(Status::corrupt, "corrupt record at byte " + std::to_string(offset_) + " (data after the end record)");
    codec::Decoder d(data_ + offset_, size_ - offset_);
    uint64_t body_size = d.varint();
    if (!d.ok()) return stop(Status::truncated, "cut off at byte " + std::to_string(size_));
    if (body_size == 0 || body_size > trace_file::kMaxBody)
      return stop(Status::corrupt, "corrupt record at byte " + std::to_string(offset_));
    if (d.left() < body_size + 4) return stop(Status::truncated, "cut off at byte " + std::to_string(size_));
    const uint8_t* body = d.position();
    codec::Decoder crc(body + body_size, 4);
    if (crc.u32le() != trace_file::crc32(body, body_size))
      return stop(Status::corrupt, "corrupt record at byte " + std::to_string(offset_) + " (checksum mismatch)");
    uint64_t dropped = 0;
    uint64_t last_ts = decoder_.last_ts();
    auto result = decoder_.decode(body, body_size, event, dropped);
    if (result == RecordDecoder::Result::malformed ||
        (result == RecordDecoder::Result::end && header_.version < 2))
      return stop(Status::corrupt, "corrupt record at byte " + std::to_string(offset_) + " (malformed)");
    offset_ = static_cast<uint64_t>(body + body_size + 4 - data_);
    if (result == RecordDecoder::Result::event) return Status::event;
    if (result == RecordDecoder::Result::end) {
      ended_ = true;
      continue;
    }
    if (dropped) {
      // The recorder dropped these when the disk fell behind: say so in-line.
      event = Event{};
      event.kind = EventKind::lost;
      event.ts_ns = last_ts;
      event.lost_count = dropped;
      return Status::event;
    }
  }
}

}  // namespace ft
