#include "views/tui/output_buffer.h"

#include "views/tui/text.h"

namespace ft::tui {

void OutputBuffer::end_line() {
  if (current_shown_) lines_.pop_back();
  lines_.push_back(sanitize(current_));
  current_.clear();
  current_shown_ = false;
  while (lines_.size() > max_lines_) lines_.pop_front();
}

void OutputBuffer::write(std::string_view bytes) {
  bytes_ += bytes.size();
  if (current_shown_) {
    lines_.pop_back();
    current_shown_ = false;
  }
  for (char ch : bytes) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (escape_) {
      case Escape::start:
        escape_ = c == '[' ? Escape::csi : c == ']' ? Escape::osc : (c == '(' || c == ')') ? Escape::charset
                                                                                            : Escape::none;
        continue;
      case Escape::csi:
        if (c >= 0x40 && c <= 0x7e) escape_ = Escape::none;
        continue;
      case Escape::osc:
        if (c == 7) escape_ = Escape::none;
        else if (c == 27) escape_ = Escape::osc_esc;
        continue;
      case Escape::osc_esc:
        escape_ = c == '\\' ? Escape::none : Escape::osc;
        continue;
      case Escape::charset:
        escape_ = Escape::none;
        continue;
      case Escape::none:
        break;
    }
    if (c == 27) {
      escape_ = Escape::start;
    } else if (c == '\n') {
      carriage_return_ = false;
      end_line();
    } else if (c == '\r') {
      carriage_return_ = true;
    } else {
      if (carriage_return_) {
        current_.clear();
        carriage_return_ = false;
      }
      if (c == '\b') {
        while (!current_.empty() && (static_cast<unsigned char>(current_.back()) & 0xc0) == 0x80) current_.pop_back();
        if (!current_.empty()) current_.pop_back();
      } else if (c == '\t') {
        current_.append(8 - display_width(sanitize(current_)) % 8, ' ');
      } else if (c == 7) {
        // the bell rings nowhere
      } else {
        current_ += ch;
      }
    }
    // A line that never ends must not grow without bound.
    if (current_.size() > 64 * 1024) end_line();
  }
}

const std::deque<std::string>& OutputBuffer::lines() {
  if (!current_shown_ && !current_.empty()) {
    lines_.push_back(sanitize(current_));
    current_shown_ = true;
    if (lines_.size() > max_lines_) lines_.pop_front();
  }
  return lines_;
}

}  // namespace ft::tui
