#include "recording/recording_directory.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace ft {
namespace {

constexpr const char* kPrefix = "forktrace-";
constexpr const char* kSuffix = ".ftrace";

uint64_t now_boot_ns() {
  timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(ts.tv_nsec);
}

// forktrace-000042-20261125T041500Z.ftrace: the sequence number orders them.
bool parse_name(const std::string& name, uint64_t& sequence) {
  size_t prefix = std::strlen(kPrefix), suffix = std::strlen(kSuffix);
  if (name.size() < prefix + 6 + suffix || name.compare(0, prefix, kPrefix) != 0 ||
      name.compare(name.size() - suffix, suffix, kSuffix) != 0)
    return false;
  char* end = nullptr;
  sequence = std::strtoull(name.c_str() + prefix, &end, 10);
  return end != name.c_str() + prefix && *end == '-';
}

}  // namespace

bool is_directory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> list_recordings(const std::string& dir, std::string& error) {
  std::vector<std::pair<uint64_t, std::string>> found;
  DIR* d = opendir(dir.c_str());
  if (!d) {
    error = "cannot read " + dir + ": " + std::strerror(errno);
    return {};
  }
  while (dirent* e = readdir(d)) {
    uint64_t sequence;
    if (parse_name(e->d_name, sequence)) found.emplace_back(sequence, dir + "/" + e->d_name);
  }
  closedir(d);
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& [sequence, path] : found) out.push_back(std::move(path));
  if (out.empty()) error = dir + " holds no forktrace recordings (forktrace-*.ftrace)";
  return out;
}

std::unique_ptr<RecordingDirectory> RecordingDirectory::open(const std::string& dir, const RotationBounds& bounds,
                                                             std::function<TraceHeader()> make_header,
                                                             std::string& error, mode_t mode) {
  if (bounds.max_file_bytes < 4096 || bounds.keep_files < 1 || bounds.max_file_age_ns < 1'000'000'000) {
    error = "rotation bounds too small: files need at least 4 KiB and 1 s, and at least one file is kept";
    return nullptr;
  }
  if (access(dir.c_str(), W_OK | X_OK) != 0) {
    error = "cannot write recordings in " + dir + ": " + std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<RecordingDirectory> r(new RecordingDirectory());
  r->dir_ = dir;
  r->bounds_ = bounds;
  r->mode_ = mode;
  r->make_header_ = std::move(make_header);
  // Continue the numbering of an earlier run, so names keep sorting in order.
  std::string ignored;
  for (const std::string& path : list_recordings(dir, ignored)) {
    uint64_t sequence;
    if (parse_name(path.substr(path.rfind('/') + 1), sequence)) r->sequence_ = std::max(r->sequence_, sequence + 1);
  }
  r->first_sequence_ = r->sequence_;
  if (!r->start_file(error)) return nullptr;
  return r;
}

bool RecordingDirectory::start_file(std::string& error) {
  time_t now = time(nullptr);
  struct tm tm;
  gmtime_r(&now, &tm);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  char name[96];
  std::snprintf(name, sizeof name, "%s%06llu-%s%s", kPrefix, static_cast<unsigned long long>(sequence_), stamp,
                kSuffix);
  sequence_++;
  current_ = TraceWriter::open(dir_ + "/" + name, make_header_(), error, mode_);
  current_started_ns_ = now_boot_ns();
  if (!current_) return false;
  enforce_retention();
  return true;
}

void RecordingDirectory::finish_file() {
  if (!current_) return;
  std::string error;
  if (!current_->close(error) && !failed_) {
    failed_ = true;
    error_ = error;
  }
  finished_bytes_ += current_->bytes_written();
  finished_dropped_ += current_->records_dropped();
  current_.reset();
}

void RecordingDirectory::write(const Event& event) {
  if (!current_) {
    finished_dropped_++;
    return;
  }
  current_->write(event);
  if (current_->bytes_encoded() >= bounds_.max_file_bytes) tick(now_boot_ns());
}

void RecordingDirectory::tick(uint64_t now_ns) {
  bool rotate = !current_ || current_->bytes_encoded() >= bounds_.max_file_bytes ||
                now_ns - current_started_ns_ >= bounds_.max_file_age_ns || current_->failed();
  if (!rotate) {
    current_->flush();
    return;
  }
  if (current_ && current_->failed() && !failed_) {
    failed_ = true;
    error_ = current_->error();
  }
  finish_file();
  // A full disk may have room again once retention removed old files.
  std::string error;
  if (start_file(error)) {
    failed_ = false;
  } else if (!failed_) {
    failed_ = true;
    error_ = error;
  }
}

void RecordingDirectory::enforce_retention() {
  std::string ignored;
  std::vector<std::string> files = list_recordings(dir_, ignored);
  std::vector<uint64_t> sizes;
  uint64_t total = 0;
  for (const std::string& f : files) {
    struct stat st;
    sizes.push_back(stat(f.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0);
    total += sizes.back();
  }
  // Never the newest file: it is the one being written.
  for (size_t i = 0; i + 1 < files.size(); ++i) {
    size_t left = files.size() - i;
    if (left <= bounds_.keep_files && total <= bounds_.keep_bytes) break;
    if (unlink(files[i].c_str()) == 0) total -= sizes[i];
  }
}

bool RecordingDirectory::close(std::string& error) {
  finish_file();
  error = error_;
  return !failed_;
}

uint64_t RecordingDirectory::bytes_written() const {
  return finished_bytes_ + (current_ ? current_->bytes_written() : 0);
}

uint64_t RecordingDirectory::records_dropped() const {
  return finished_dropped_ + (current_ ? current_->records_dropped() : 0);
}

bool RecordingDirectory::failed() const { return failed_ || (current_ && current_->failed()); }

std::string RecordingDirectory::error() const { return !error_.empty() ? error_ : (current_ ? current_->error() : ""); }

}  // namespace ft
