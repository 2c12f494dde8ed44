// The files forktrace writes (recordings, -o FILE) hold the command lines of
// every traced user, which /proc shows only while a process lives: they are
// created readable by their owner alone unless --file-mode widens that.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace ft {

// The mode of a file forktrace creates, unless --file-mode says otherwise.
constexpr mode_t kDefaultFileMode = 0600;

// Opens `path` for writing, truncated. A file it creates gets exactly `mode`,
// whatever the umask (created 0600, then fchmod: never wider for a moment);
// an existing file (or a device, a FIFO) keeps its own mode. -1 with errno.
int open_for_writing(const std::string& path, mode_t mode);

// Creates directory `path` (its parent must exist) with `directory_mode(mode)`
// whatever the umask; false with errno.
bool make_private_directory(const std::string& path, mode_t mode);

// A directory holding files of `file_mode`: search where read is allowed
// (0600 -> 0700, 0640 -> 0750).
mode_t directory_mode(mode_t file_mode);

// --file-mode: 3 or 4 octal digits, at most 0666, at least 0600 (forktrace
// reads and writes its own files; nothing executable, no special bits).
std::optional<mode_t> parse_file_mode(const std::string& text);

}  // namespace ft
