#include "host/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace ft {

int open_for_writing(const std::string& path, mode_t mode) {
  // Two tries: a file removed between the exclusive create and the open of
  // the existing one is created on the second.
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kDefaultFileMode);
    if (fd >= 0) {
      // Ours: exactly `mode`, neither narrowed by the umask nor wider than asked.
      (void)fchmod(fd, mode);
      return fd;
    }
    if (errno != EEXIST) return -1;
    fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd >= 0 || errno != ENOENT) return fd;
  }
  // A dangling symbolic link: create its target, never wider than 0600.
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kDefaultFileMode);
}

mode_t directory_mode(mode_t file_mode) {
  mode_t m = file_mode & 0777;
  if (m & 0400) m |= 0100;
  if (m & 0040) m |= 0010;
  if (m & 0004) m |= 0001;
  return m;
}

bool make_private_directory(const std::string& path, mode_t mode) {
  mode_t wanted = directory_mode(mode);
  if (::mkdir(path.c_str(), 0700) != 0) return false;
  if (wanted == 0700) return true;
  int saved = 0;
  if (::chmod(path.c_str(), wanted) != 0) saved = errno;
  errno = saved;
  return saved == 0;
}

std::optional<mode_t> parse_file_mode(const std::string& text) {
  if (text.size() < 3 || text.size() > 4) return std::nullopt;
  mode_t m = 0;
  for (char c : text) {
    if (c < '0' || c > '7') return std::nullopt;
    m = m * 8 + static_cast<mode_t>(c - '0');
  }
  if ((m & ~mode_t{0666}) != 0 || (m & 0600) != 0600) return std::nullopt;
  return m;
}

}  // namespace ft
