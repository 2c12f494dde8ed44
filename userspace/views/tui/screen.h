// One frame of the TUI as plain data: lines of sanitized UTF-8 with styled
// byte ranges. The renderer produces it without a terminal (so tests compare
// golden screens); views/tui/terminal.cpp draws it with ncurses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ft::tui {

enum class Style : uint8_t {
  normal,
  bar,       // the title and key lines
  cursor,    // the selected row
  running,
  ok,
  failed,    // exited non-zero
  signaled,  // killed by a signal
  core,      // killed by a signal, core dumped
  dim,       // folded counts, pane borders
  match,     // search hits
  warning,   // lost events, forktrace's own messages
};

const char* style_name(Style style);

struct Span {
  size_t begin = 0;  // bytes into text
  size_t length = 0;
  Style style = Style::normal;
};

struct ScreenLine {
  std::string text;
  std::vector<Span> spans;
  Style fill = Style::normal;  // the style of the whole row, padding included

  ScreenLine& add(const std::string& s, Style style = Style::normal);
  // Cuts the line to `width` columns (an ellipsis marks the cut).
  void fit(size_t width, bool unicode);
};

struct Screen {
  size_t width = 0, height = 0;
  std::vector<ScreenLine> lines;  // exactly `height` of them
  int cursor_row = -1;            // row of the selected process, -1 when none shown

  // The text as the terminal shows it, trailing blanks removed, then one line
  // per styled range ("row 3 failed 10+6": row, style, column, width), for
  // golden files.
  std::string dump(bool with_styles = true) const;
};

}  // namespace ft::tui
