#include "app/tui_session.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <pwd.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "app/clock.h"
#include "core/exit_status.h"
#include "format/text.h"
#include "views/tui/terminal.h"
#include "views/tui/tui_view.h"

namespace ft {
namespace {

constexpr uint64_t kFrameNs = 100'000'000;    // at most 10 frames a second, whatever the event rate
constexpr uint64_t kHangupGraceNs = 3'000'000'000;

std::string title_of(const Options& o) {
  if (!o.read_path.empty()) return "replay of " + o.read_path;
  if (!o.command.empty()) return format_command(o.command, false);
  if (!o.pids.empty()) {
    std::string t = "-p";
    for (uint32_t pid : o.pids) t += " " + std::to_string(pid);
    return t;
  }
  return "whole machine";
}

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Until the live loop installs its own stop handlers (and for good on
// replay), SIGINT and SIGTERM quit the TUI as q does. Installed before
// ncurses starts, which then leaves them alone (it only takes signals whose
// disposition is the default, and its handler would exit without forktrace's
// own clean-up).
volatile sig_atomic_t g_signal_quit = 0;
int g_wake_fd = -1;

void on_quit_signal(int) {
  g_signal_quit = 1;
  if (g_wake_fd >= 0) (void)!write(g_wake_fd, "q", 1);
}

void install_quit_signals() {
  struct sigaction sa = {};
  sa.sa_handler = on_quit_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM}) {
    struct sigaction old;
    if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) sigaction(sig, &sa, nullptr);
  }
}

}  // namespace

TuiSession::TuiSession(const Options& o, const TraceClock& clock, const analysis::TraceScope& scope)
    : model_(tui::TuiOptions{clock, true, o.read_path.empty(), !o.command.empty(), title_of(o), scope}) {
  title_ = title_of(o);
  output_name_ = "output of " + title_;
}

std::unique_ptr<TuiSession> TuiSession::open(const Options& o, const TraceClock& clock,
                                             const analysis::TraceScope& scope, std::string& error) {
  if (!isatty(STDOUT_FILENO)) {
    error = "--tui needs a terminal, and standard output is not one (for a tree in a file or pipe, use --format tree)";
    return nullptr;
  }
  std::unique_ptr<TuiSession> s(new TuiSession(o, clock, scope));
  s->input_fd_ = isatty(STDIN_FILENO) ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3) : ::open("/dev/tty", O_RDONLY | O_CLOEXEC);
  if (s->input_fd_ < 0) {
    error = "--tui needs a terminal to read keys from: standard input is not one and /dev/tty cannot be opened";
    return nullptr;
  }
  if (!o.command.empty()) {
    struct winsize ws = {};
    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
    if (openpty(&s->pty_master_, &s->pty_slave_, nullptr, nullptr, &ws) != 0) {
      error = std::string("--tui cannot make a pseudo-terminal for the command: ") + std::strerror(errno);
      return nullptr;
    }
    fcntl(s->pty_master_, F_SETFD, FD_CLOEXEC);
    set_nonblocking(s->pty_master_);
  }
  int err_pipe[2];
  if (pipe2(s->wake_, O_CLOEXEC | O_NONBLOCK) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    error = std::string("--tui cannot create a pipe: ") + std::strerror(errno);
    return nullptr;
  }
  std::fflush(stderr);
  s->saved_stderr_ = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
  dup2(err_pipe[1], STDERR_FILENO);
  ::close(err_pipe[1]);
  s->stderr_pipe_ = err_pipe[0];
  set_nonblocking(s->stderr_pipe_);

  g_wake_fd = s->wake_[1];
  install_quit_signals();
  s->ui_ = std::thread([p = s.get()] { p->ui_main(); });
  while (s->ready_.load() == 0) usleep(1000);
  if (s->ready_.load() < 0) {
    error = s->open_error_;
    s->close();
    s->captured_.clear();
    return nullptr;
  }
  return s;
}

TuiSession::~TuiSession() { close(); }

std::unique_ptr<Sink> TuiSession::view() { return std::make_unique<tui::TuiView>(model_); }

void TuiSession::command_started(pid_t pid) {
  command_ = pid;
  // The command holds the terminal now; once it and its children close it,
  // reading the master says so.
  if (pty_slave_ >= 0) ::close(pty_slave_);
  pty_slave_ = -1;
}

bool TuiSession::should_stop() {
  if (!quit_.load()) return false;
  if (command_ <= 0) return true;
  uint64_t now = boottime_now_ns();
  if (!hung_up_) {
    // What a terminal's closing does: SIGHUP, and SIGCONT for a stopped job.
    kill(-command_, SIGHUP);
    kill(-command_, SIGCONT);
    kill(command_, SIGHUP);
    hung_up_ = true;
    hangup_ns_ = now;
  } else if (hangup_ns_ && now - hangup_ns_ > kHangupGraceNs) {
    kill(-command_, SIGKILL);
    kill(command_, SIGKILL);
    hangup_ns_ = 0;
  }
  return false;
}

std::string TuiSession::describe_shell_status(int status) {
  if (status > 128 && status < 128 + 65) return "killed by " + signal_name(status - 128);
  return "exit " + std::to_string(status);
}

void TuiSession::trace_ended(const std::string& how, bool wait) {
  {
    std::lock_guard<std::mutex> guard(lock_);
    model_.finish(how);
  }
  ended_ = true;
  if (!wait || quit_.load()) stop_ui_ = true;
  (void)!write(wake_[1], "e", 1);
  if (ui_.joinable()) ui_.join();
}

void TuiSession::close() {
  if (closed_) return;
  closed_ = true;
  stop_ui_ = true;
  if (wake_[1] >= 0) (void)!write(wake_[1], "s", 1);
  if (ui_.joinable()) ui_.join();
  g_wake_fd = -1;
  if (saved_stderr_ >= 0) {
    std::fflush(stderr);
    dup2(saved_stderr_, STDERR_FILENO);
    ::close(saved_stderr_);
    saved_stderr_ = -1;
  }
  if (stderr_pipe_ >= 0) {
    char buf[4096];
    ssize_t n;
    while ((n = read(stderr_pipe_, buf, sizeof buf)) > 0) captured_.append(buf, static_cast<size_t>(n));
    ::close(stderr_pipe_);
    stderr_pipe_ = -1;
  }
  if (!captured_.empty()) (void)!write(STDERR_FILENO, captured_.data(), captured_.size());
  for (int* fd : {&pty_master_, &pty_slave_, &wake_[0], &wake_[1], &input_fd_})
    if (*fd >= 0) {
      ::close(*fd);
      *fd = -1;
    }
}

void TuiSession::ui_main() {
  // Stop signals are the intake loop's to handle (app/live.cpp).
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGPIPE}) sigaddset(&mask, sig);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);

  std::string error;
  auto term = tui::Terminal::open(input_fd_, error);
  if (!term) {
    open_error_ = error;
    ready_ = -1;
    return;
  }
  {
    std::lock_guard<std::mutex> guard(lock_);
    model_.set_unicode(term->unicode());
  }
  ready_ = 1;

  tui::OutputBuffer output;
  std::map<uint32_t, std::string> users, groups;
  tui::FrameContext ctx;
  ctx.output_name = output_name_;
  ctx.user_name = [&users](uint32_t uid) {
    auto [it, added] = users.try_emplace(uid);
    if (added) {
      struct passwd pw, *found = nullptr;
      char buf[1024];
      if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found) it->second = found->pw_name;
    }
    return it->second;
  };
  ctx.group_name = [&groups](uint32_t gid) {
    auto [it, added] = groups.try_emplace(gid);
    if (added) {
      struct group gr, *found = nullptr;
      char buf[1024];
      if (getgrgid_r(gid, &gr, buf, sizeof buf, &found) == 0 && found) it->second = found->gr_name;
    }
    return it->second;
  };
  bool pty_open = pty_master_ >= 0;
  bool dirty = true;
  uint64_t next_frame = 0;
  auto resize_pty = [&] {
    if (pty_master_ < 0) return;
    struct winsize ws = {};
    ws.ws_col = static_cast<unsigned short>(term->width());
    ws.ws_row = static_cast<unsigned short>(term->height());
    ioctl(pty_master_, TIOCSWINSZ, &ws);  // the kernel sends the command SIGWINCH
  };
  while (!stop_ui_.load()) {
    pollfd fds[4] = {{term->input_fd(), POLLIN, 0}, {wake_[0], POLLIN, 0}, {stderr_pipe_, POLLIN, 0},
                     {pty_open ? pty_master_ : -1, POLLIN, 0}};
    uint64_t now = boottime_now_ns();
    int timeout = dirty ? 0 : static_cast<int>(next_frame > now ? (next_frame - now) / 1'000'000 + 1 : 0);
    int n = poll(fds, 4, timeout);
    if (n < 0 && errno != EINTR) break;
    char buf[65536];
    if (fds[1].revents) {
      while (read(wake_[0], buf, sizeof buf) > 0) {
      }
      dirty = true;
    }
    if (g_signal_quit) {
      g_signal_quit = 0;
      quit_ = true;
      if (ended_.load()) stop_ui_ = true;
    }
    // Keys: ncurses buffers input, so read until it has none, whatever poll said.
    for (int key; (key = term->next_key()) >= 0;) {
      dirty = true;
      if (key == tui::Terminal::kResize) {
        resize_pty();
        continue;
      }
      if (key == 0) continue;
      ctx.message.clear();
      tui::Action action;
      {
        std::lock_guard<std::mutex> guard(lock_);
        action = model_.key(key, term->height() > 4 ? term->height() - 4 : 1);
      }
      if (action == tui::Action::quit) {
        quit_ = true;
        if (ended_.load()) stop_ui_ = true;
      } else if (action == tui::Action::interrupt && pty_master_ >= 0) {
        // As if typed on the command's own terminal: its line discipline
        // turns it into SIGINT for the foreground job (or passes it on raw).
        (void)!write(pty_master_, "\x03", 1);
      }
    }
    if (fds[3].revents) {
      for (;;) {
        ssize_t got = read(pty_master_, buf, sizeof buf);
        if (got > 0) {
          output.write(std::string_view(buf, static_cast<size_t>(got)));
          dirty = true;
          continue;
        }
        if (got == 0 || (errno != EAGAIN && errno != EINTR)) pty_open = false;  // EIO: every writer is gone
        break;
      }
    }
    if (fds[2].revents) {
      ssize_t got;
      while ((got = read(stderr_pipe_, buf, sizeof buf)) > 0) {
        captured_.append(buf, static_cast<size_t>(got));
        if (captured_.size() > (1u << 20)) captured_.erase(0, captured_.size() - (1u << 20));
      }
      // The last line forktrace wrote shows on the key line until a key is pressed.
      std::string text = captured_;
      while (!text.empty() && text.back() == '\n') text.pop_back();
      size_t nl = text.rfind('\n');
      ctx.message = nl == std::string::npos ? text : text.substr(nl + 1);
      dirty = true;
    }
    now = boottime_now_ns();
    if (!dirty && now < next_frame) continue;
    ctx.width = term->width();
    ctx.height = term->height();
    ctx.now_ns = model_.live() && !ended_.load() ? now : 0;
    ctx.output = &output.lines();
    tui::Screen screen;
    {
      std::lock_guard<std::mutex> guard(lock_);
      screen = model_.frame(ctx);
    }
    term->draw(screen);  // outside the lock: the terminal may be slow, intake is not
    dirty = false;
    next_frame = now + kFrameNs;
  }
  term->close();
}

}  // namespace ft
