// The traced command's output as the TUI's output pane shows it: the bytes it
// wrote to its pseudo-terminal, cut into sanitized lines, the last `max_lines`
// kept. Not a terminal emulator: escape sequences (colours, cursor moves) are
// dropped, a carriage return starts its line again (progress bars redraw in
// place), a backspace erases the last character, tabs become spaces.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

namespace ft::tui {

class OutputBuffer {
 public:
  explicit OutputBuffer(size_t max_lines = 5000) : max_lines_(max_lines) {}

  void write(std::string_view bytes);

  // Complete lines, then the line being written (if it has anything).
  const std::deque<std::string>& lines();
  size_t bytes() const { return bytes_; }

 private:
  enum class Escape { none, start, csi, osc, osc_esc, charset };
  void end_line();

  size_t max_lines_;
  std::deque<std::string> lines_;  // sanitized
  std::string current_;            // raw bytes of the line being written
  bool carriage_return_ = false;   // a \r not yet followed by \n
  bool current_shown_ = false;     // lines_.back() is current_
  Escape escape_ = Escape::none;
  size_t bytes_ = 0;
};

}  // namespace ft::tui
