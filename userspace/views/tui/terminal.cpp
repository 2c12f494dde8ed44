#include "views/tui/terminal.h"

#include <curses.h>
#include <langinfo.h>
#include <unistd.h>

#include <algorithm>
#include <clocale>
#include <cstring>

#include "views/tui/tui_model.h"

namespace ft::tui {
namespace {

enum Pair : short { kBar = 1, kRunning, kFailed, kSignaled, kMatch, kWarning };

attr_t attributes(Style s, bool colors) {
  auto pair = [colors](short p) { return colors ? COLOR_PAIR(p) : 0; };
  switch (s) {
    case Style::normal: return A_NORMAL;
    case Style::bar: return colors ? pair(kBar) : A_REVERSE;
    case Style::cursor: return A_REVERSE | A_BOLD;
    case Style::running: return pair(kRunning) | A_BOLD;
    case Style::ok: return A_NORMAL;
    case Style::failed: return pair(kFailed) | A_BOLD;
    case Style::signaled: return pair(kSignaled) | A_BOLD;
    case Style::core: return pair(kSignaled) | A_BOLD | A_UNDERLINE;
    case Style::dim: return A_DIM;
    case Style::match: return colors ? pair(kMatch) : A_UNDERLINE;
    case Style::warning: return pair(kWarning) | A_BOLD;
  }
  return A_NORMAL;
}

}  // namespace

std::unique_ptr<Terminal> Terminal::open(int input_fd, std::string& error) {
  std::unique_ptr<Terminal> t(new Terminal());
  std::setlocale(LC_CTYPE, "");  // ncursesw draws UTF-8 only in a UTF-8 locale
  t->unicode_ = std::strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
  t->input_fd_ = dup(input_fd);
  t->input_ = t->input_fd_ >= 0 ? fdopen(t->input_fd_, "r") : nullptr;
  if (!t->input_) {
    error = std::string("--tui cannot read the terminal: ") + std::strerror(errno);
    return nullptr;
  }
  t->screen_ = newterm(nullptr, stdout, t->input_);
  if (!t->screen_) {
    const char* term = std::getenv("TERM");
    error = std::string("--tui cannot use the terminal type \"") + (term ? term : "") +
            "\": set TERM to one terminfo knows (such as xterm-256color)";
    return nullptr;
  }
  set_term(t->screen_);
  raw();  // Ctrl-C and Ctrl-Z are keys here: what they do is the TUI's to say
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  set_escdelay(25);
  curs_set(0);
  if (has_colors()) {
    start_color();
    use_default_colors();
    t->colors_ = true;
    init_pair(kBar, COLOR_WHITE, COLOR_BLUE);
    init_pair(kRunning, COLOR_CYAN, -1);
    init_pair(kFailed, COLOR_RED, -1);
    init_pair(kSignaled, COLOR_MAGENTA, -1);
    init_pair(kMatch, COLOR_BLACK, COLOR_YELLOW);
    init_pair(kWarning, COLOR_YELLOW, -1);
  }
  return t;
}

Terminal::~Terminal() { close(); }

void Terminal::close() {
  if (screen_) {
    endwin();  // the normal screen, the cursor and the modes forktrace started with
    delscreen(screen_);
    screen_ = nullptr;
  }
  if (input_) {
    std::fclose(input_);
    input_ = nullptr;
  }
}

size_t Terminal::width() const { return static_cast<size_t>(std::max(COLS, 1)); }
size_t Terminal::height() const { return static_cast<size_t>(std::max(LINES, 1)); }

int Terminal::next_key() {
  int ch = wgetch(stdscr);
  switch (ch) {
    case ERR: return -1;
    case KEY_RESIZE: return kResize;
    case KEY_UP: return kUp;
    case KEY_DOWN: return kDown;
    case KEY_LEFT: return kLeft;
    case KEY_RIGHT: return kRight;
    case KEY_PPAGE: return kPageUp;
    case KEY_NPAGE: return kPageDown;
    case KEY_HOME: return kHome;
    case KEY_END: return kEnd;
    case KEY_ENTER: case '\r': case '\n': return kEnter;
    case KEY_BACKSPACE: case 8: case 127: return kBackspace;
    default: return ch >= 0 && ch < 0x100 ? ch : 0;
  }
}

void Terminal::draw(const Screen& s) {
  size_t rows = std::min(s.lines.size(), height());
  for (size_t row = 0; row < rows; ++row) {
    const ScreenLine& line = s.lines[row];
    attr_t fill = attributes(line.fill, colors_);
    wmove(stdscr, static_cast<int>(row), 0);
    wbkgdset(stdscr, ' ' | fill);
    std::vector<Span> spans = line.spans;
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
    size_t at = 0;
    auto put = [&](size_t from, size_t to, attr_t attr) {
      if (to <= from) return;
      wattrset(stdscr, attr);
      waddnstr(stdscr, line.text.data() + from, static_cast<int>(to - from));
    };
    for (const Span& span : spans) {
      if (span.begin < at) continue;
      put(at, span.begin, fill);
      put(span.begin, span.begin + span.length, fill | attributes(span.style, colors_));
      at = span.begin + span.length;
    }
    put(at, line.text.size(), fill);
    wattrset(stdscr, fill);
    // A line that fills the width leaves the cursor past it: clear only a shorter one.
    int y, x;
    getyx(stdscr, y, x);
    if (y == static_cast<int>(row)) wclrtoeol(stdscr);
  }
  wbkgdset(stdscr, ' ');
  wattrset(stdscr, A_NORMAL);
  for (size_t row = rows; row < height(); ++row) {
    wmove(stdscr, static_cast<int>(row), 0);
    wclrtoeol(stdscr);
  }
  wnoutrefresh(stdscr);
  doupdate();
}

}  // namespace ft::tui
