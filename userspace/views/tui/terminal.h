// The real terminal, through ncurses (Debian 12's libncursesw6): the
// alternate screen, raw keys, colours, and drawing a Screen. Only the UI
// thread of app/tui_session.cpp touches it.
#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>

#include "views/tui/screen.h"

struct screen;  // ncurses' SCREEN

namespace ft::tui {

class Terminal {
 public:
  // Enters full-screen mode on standard output, reading keys from `input`
  // (the terminal's fd). Null with `error` when the terminal is unusable.
  static std::unique_ptr<Terminal> open(int input_fd, std::string& error);
  ~Terminal();  // restores the terminal exactly: modes, cursor, the normal screen
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  bool unicode() const { return unicode_; }
  size_t width() const;
  size_t height() const;
  int input_fd() const { return input_fd_; }

  // The next key (views/tui/tui_model.h codes), or -1 when none is waiting.
  // A resize is reported as kResize after the new size took effect.
  static constexpr int kResize = 0x20000;
  int next_key();
  void draw(const Screen& screen);
  void close();

 private:
  Terminal() = default;
  struct screen* screen_ = nullptr;
  std::FILE* input_ = nullptr;
  int input_fd_ = -1;
  bool unicode_ = false;
  bool colors_ = false;
};

}  // namespace ft::tui
