// Text for a terminal: every string the TUI draws passes through here, so a
// command line with control characters or bytes that are not UTF-8 stays one
// line of known width.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ft::tui {

// Valid UTF-8 with control characters and invalid bytes shown as \xNN.
std::string sanitize(std::string_view s);

// Columns that sanitized text takes: wide (CJK, emoji) characters 2,
// combining marks 0, everything else 1.
size_t display_width(std::string_view utf8);

// The longest prefix of sanitized text that fits in `width` columns; when it
// had to be cut, it ends with "…" (or "~" without Unicode) within the width.
std::string fit(std::string_view utf8, size_t width, bool unicode = true);

// Bytes of the longest prefix that fits in `width` columns, without ellipsis.
size_t prefix_bytes(std::string_view utf8, size_t width);

}  // namespace ft::tui
