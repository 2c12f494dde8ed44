#include "views/tui/text.h"

#include <cstdint>
#include <cstdio>

namespace ft::tui {
namespace {

// Decodes one UTF-8 sequence at s[i]; returns its length, 0 when invalid.
size_t decode(std::string_view s, size_t i, uint32_t& cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len;
  uint32_t min;
  if (c < 0x80) {
    cp = c;
    return 1;
  } else if ((c & 0xe0) == 0xc0) {
    len = 2, cp = c & 0x1f, min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3, cp = c & 0x0f, min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

size_t width_of(uint32_t cp) {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd))
    return 2;
  return 1;
}

}  // namespace

std::string sanitize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    uint32_t cp;
    size_t len = decode(s, i, cp);
    if (len == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
      size_t n = len ? len : 1;
      for (size_t k = 0; k < n; ++k) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(s[i + k]));
        out += hex;
      }
      i += n;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

size_t display_width(std::string_view s) {
  size_t w = 0;
  for (size_t i = 0; i < s.size();) {
    uint32_t cp;
    size_t len = decode(s, i, cp);
    if (len == 0) len = 1, cp = '?';
    w += width_of(cp);
    i += len;
  }
  return w;
}

size_t prefix_bytes(std::string_view s, size_t width) {
  size_t w = 0, i = 0;
  while (i < s.size()) {
    uint32_t cp;
    size_t len = decode(s, i, cp);
    if (len == 0) len = 1, cp = '?';
    size_t cw = width_of(cp);
    if (w + cw > width) break;
    w += cw;
    i += len;
  }
  // Combining marks that follow belong to the last character kept.
  while (i < s.size()) {
    uint32_t cp;
    size_t len = decode(s, i, cp);
    if (len == 0 || width_of(cp) != 0) break;
    i += len;
  }
  return i;
}

std::string fit(std::string_view s, size_t width, bool unicode) {
  if (display_width(s) <= width) return std::string(s);
  if (width == 0) return "";
  std::string out(s.substr(0, prefix_bytes(s, width - 1)));
  out += unicode ? "…" : "~";
  return out;
}

}  // namespace ft::tui
