#include "views/tui/screen.h"

#include "views/tui/text.h"

namespace ft::tui {

const char* style_name(Style s) {
  switch (s) {
    case Style::normal: return "normal";
    case Style::bar: return "bar";
    case Style::cursor: return "cursor";
    case Style::running: return "running";
    case Style::ok: return "ok";
    case Style::failed: return "failed";
    case Style::signaled: return "signaled";
    case Style::core: return "core";
    case Style::dim: return "dim";
    case Style::match: return "match";
    case Style::warning: return "warning";
  }
  return "?";
}

ScreenLine& ScreenLine::add(const std::string& s, Style style) {
  if (style != Style::normal && !s.empty()) spans.push_back(Span{text.size(), s.size(), style});
  text += s;
  return *this;
}

void ScreenLine::fit(size_t width, bool unicode) {
  if (display_width(text) <= width) return;
  size_t keep = width ? prefix_bytes(text, width - 1) : 0;
  text.resize(keep);
  std::erase_if(spans, [&](const Span& s) { return s.begin >= keep; });
  for (Span& s : spans)
    if (s.begin + s.length > keep) s.length = keep - s.begin;
  if (width) text += unicode ? "…" : "~";
}

std::string Screen::dump(bool with_styles) const {
  std::string out;
  for (const ScreenLine& l : lines) {
    std::string t = l.text;
    while (!t.empty() && t.back() == ' ') t.pop_back();
    out += t;
    out += '\n';
  }
  if (!with_styles) return out;
  for (size_t row = 0; row < lines.size(); ++row) {
    const ScreenLine& l = lines[row];
    if (l.fill != Style::normal) out += "row " + std::to_string(row) + " " + style_name(l.fill) + " line\n";
    for (const Span& s : l.spans) {
      size_t col = display_width(std::string_view(l.text).substr(0, s.begin));
      size_t w = display_width(std::string_view(l.text).substr(s.begin, s.length));
      out += "row " + std::to_string(row) + " " + style_name(s.style) + " " + std::to_string(col) + "+" +
             std::to_string(w) + "\n";
    }
  }
  return out;
}

}  // namespace ft::tui
