// ft-workload: does one process-lifecycle case for real and prints, as JSON
// Lines on stdout, what it observed itself (pids from fork(), tids from
// gettid(), statuses from wait4()), so tests can check forktrace's events
// against the ground truth. Only libc and pthreads: nothing here may start a
// process the case does not name, or the trace would hold more than it says.
//
// Usage: ft-workload CASE   (ft-workload with no argument lists the cases)
//
// Every line carries "case" and "parent" (the workload's own pid); statuses
// are raw wait statuses. Exit status 0 when the workload itself succeeded.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

extern char** environ;

namespace {

bool g_failed = false;  // the workload could not do what a case asked

// ---- output -----------------------------------------------------------------

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string kv(const char* key, long long value) { return quote(key) + ":" + std::to_string(value); }
std::string ks(const char* key, const std::string& value) { return quote(key) + ":" + quote(value); }
std::string kb(const char* key, bool value) { return quote(key) + ":" + (value ? "true" : "false"); }

std::string ka(const char* key, const std::vector<std::string>& values) {
  std::string out = quote(key) + ":[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + quote(values[i]);
  return out + "]";
}

std::string kn(const char* key, const std::vector<pid_t>& values) {
  std::string out = quote(key) + ":[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + std::to_string(values[i]);
  return out + "]";
}

// One line per observation, flushed at once: a fork after it must not find
// the line still buffered, or the child would print it a second time.
void emit(const char* name, std::initializer_list<std::string> fields) {
  std::string line = "{" + ks("case", name) + "," + kv("parent", getpid());
  for (const std::string& f : fields) line += "," + f;
  std::printf("%s}\n", line.c_str());
  std::fflush(stdout);
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "ft-workload: %s: %s\n", what, std::strerror(errno));
  std::exit(100);
}

// ---- process helpers --------------------------------------------------------

// wait4 for one child; its raw status.
int wait_for(pid_t pid) {
  int status = 0;
  while (wait4(pid, &status, 0, nullptr) < 0) {
    if (errno != EINTR) die("wait4");
  }
  return status;
}

pid_t fork_or_die() {
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) die("fork");
  return pid;
}

pid_t gettid_() { return static_cast<pid_t>(syscall(SYS_gettid)); }

void write_pid(int fd, pid_t pid) {
  if (write(fd, &pid, sizeof pid) != sizeof pid) _exit(102);
}

pid_t read_pid(int fd) {
  pid_t pid = 0;
  ssize_t n;
  while ((n = read(fd, &pid, sizeof pid)) < 0 && errno == EINTR) {
  }
  if (n != sizeof pid) die("read from a child");
  return pid;
}

// Removes a directory holding only plain files (a core dump), without
// starting `rm`, which the trace would show.
void remove_dir(const char* path) {
  if (DIR* dir = opendir(path)) {
    while (dirent* entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") unlink((std::string(path) + "/" + name).c_str());
    }
    closedir(dir);
  }
  if (rmdir(path) != 0) std::fprintf(stderr, "ft-workload: could not remove %s\n", path);
}

// ---- cases ------------------------------------------------------------------

void case_fork_exec() {
  const std::vector<std::string> argv = {"true", "a1", "a b"};
  pid_t child = fork_or_die();
  if (child == 0) {
    execl("/bin/true", argv[0].c_str(), argv[1].c_str(), argv[2].c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = wait_for(child);
  emit("fork_exec", {kv("child", child), ks("filename", "/bin/true"), ka("argv", argv), kv("status", status)});
}

void case_exit_codes() {
  for (int code : {0, 3, 255}) {
    for (bool via_exit : {false, true}) {
      pid_t child = fork_or_die();
      if (child == 0) {
        if (via_exit) std::exit(code);
        _exit(code);
      }
      int status = wait_for(child);
      emit("exit_codes", {kv("child", child), kv("code", code), ks("via", via_exit ? "exit" : "_exit"),
                          kv("status", status)});
    }
  }
}

void case_signal() {
  // SIGKILL from the parent.
  pid_t child = fork_or_die();
  if (child == 0) {
    for (;;) pause();
  }
  kill(child, SIGKILL);
  int status = wait_for(child);
  emit("signal", {kv("child", child), kv("signal", SIGKILL), kv("status", status), kv("core_dumped", 0)});

  // A self-raised SIGTERM.
  child = fork_or_die();
  if (child == 0) {
    raise(SIGTERM);
    _exit(0);
  }
  status = wait_for(child);
  emit("signal", {kv("child", child), kv("signal", SIGTERM), kv("status", status), kv("core_dumped", 0)});

  // A real segfault that dumps core (core_pattern `core`: into the cwd).
  char dir[] = "/tmp/ft-workload-core-XXXXXX";
  if (!mkdtemp(dir)) die("mkdtemp");
  child = fork_or_die();
  if (child == 0) {
    struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};
    if (setrlimit(RLIMIT_CORE, &unlimited) != 0 || chdir(dir) != 0) _exit(101);
    prctl(PR_SET_DUMPABLE, 1);
    volatile int* nowhere = nullptr;
    *nowhere = 1;
    _exit(0);
  }
  status = wait_for(child);
  remove_dir(dir);
  emit("signal", {kv("child", child), kv("signal", SIGSEGV), kv("status", status),
                  kv("core_dumped", WIFSIGNALED(status) && WCOREDUMP(status) ? 1 : 0)});
}

void case_orphan() {
  // The workload becomes a subreaper, so the orphan is reparented to it and
  // can be waited for here (else it would go to init and be reaped there).
  bool subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
  int fds[2];
  if (pipe(fds) != 0) die("pipe");
  pid_t child = fork_or_die();
  if (child == 0) {
    pid_t me = getpid();  // read before the fork: the grandchild may outlive it
    pid_t grandchild = fork_or_die();
    if (grandchild == 0) {
      while (getppid() == me) usleep(1000);
      write_pid(fds[1], getppid());  // the parent it was reparented to
      _exit(7);
    }
    write_pid(fds[1], grandchild);
    _exit(0);
  }
  close(fds[1]);
  pid_t grandchild = read_pid(fds[0]);
  int child_status = wait_for(child);
  pid_t new_ppid = read_pid(fds[0]);
  close(fds[0]);
  int status = -1;
  bool reaped = false;
  if (subreaper) {
    status = wait_for(grandchild);
    reaped = true;
  }
  emit("orphan", {kv("child", child), kv("child_status", child_status), kv("grandchild", grandchild),
                  kv("new_ppid", new_ppid), kb("reaped", reaped), kv("status", status)});
  prctl(PR_SET_CHILD_SUBREAPER, 0);
}

void* record_tid(void* out) {
  *static_cast<pid_t*>(out) = gettid_();
  return nullptr;
}

void case_threads() {
  std::vector<pid_t> tids(3);
  pthread_t threads[3];
  for (int i = 0; i < 3; ++i) {
    if (int err = pthread_create(&threads[i], nullptr, record_tid, &tids[i])) {
      errno = err;
      die("pthread_create");
    }
  }
  for (pthread_t t : threads) pthread_join(t, nullptr);
  emit("threads", {kv("pid", getpid()), kn("tids", tids)});
}

struct ThreadCase {
  void (*body)();     // what the second thread does once it has reported its tid
  bool leader_exits;  // the main thread ends itself (SYS_exit) instead of blocking
};
const ThreadCase* g_thread_case = nullptr;
int g_report_fd = -1;

void* thread_case_main(void*) {
  write_pid(g_report_fd, gettid_());
  close(g_report_fd);
  g_thread_case->body();
  return nullptr;
}

// In a forked child, a second thread reports its tid and then runs the
// case's body; returns the child's pid and that thread's tid.
std::pair<pid_t, pid_t> run_in_child_thread(const ThreadCase& tc) {
  int fds[2];
  if (pipe(fds) != 0) die("pipe");
  pid_t child = fork_or_die();
  if (child == 0) {
    close(fds[0]);
    g_thread_case = &tc;
    g_report_fd = fds[1];
    pthread_t t;
    if (pthread_create(&t, nullptr, thread_case_main, nullptr) != 0) _exit(103);
    if (tc.leader_exits) syscall(SYS_exit, 0);  // this thread only, not exit_group
    for (;;) pause();
  }
  close(fds[1]);
  pid_t tid = read_pid(fds[0]);
  close(fds[0]);
  return {child, tid};
}

void case_thread_exec() {
  static const ThreadCase tc = {[] {
                                  execl("/bin/true", "true", "from-thread", static_cast<char*>(nullptr));
                                  _exit(127);
                                },
                                false};
  auto [child, tid] = run_in_child_thread(tc);
  int status = wait_for(child);
  emit("thread_exec", {kv("child", child), kv("old_tid", tid), ks("filename", "/bin/true"),
                       ka("argv", {"true", "from-thread"}), kv("status", status)});
}

void case_thread_exit_group() {
  static const ThreadCase tc = {[] {
                                  usleep(10000);
                                  std::exit(5);  // exit_group from a non-leader thread
                                },
                                false};
  auto [child, tid] = run_in_child_thread(tc);
  int status = wait_for(child);
  emit("thread_exit_group", {kv("child", child), kv("thread", tid), kv("status", status)});
}

// The last two threads of a process end at the same moment (each calls
// SYS_exit, no exit_group), on two CPUs: both are in do_exit() together, and
// only the one whose atomic_dec_and_test(&signal->live) reached zero ends the
// process. A tracer that reads signal->live at its tracepoint instead of
// taking do_exit()'s group_dead sees zero in both. Repeated, as which thread
// is last is up to the scheduler.
void case_exit_together() {
  constexpr int kRounds = 50;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    if (pipe(fds) != 0) die("pipe");
    pid_t child = fork_or_die();
    if (child == 0) {
      close(fds[0]);
      static std::atomic<int> ready{0};
      static int report_fd;
      report_fd = fds[1];
      pthread_t t;
      auto second = [](void*) -> void* {
        write_pid(report_fd, gettid_());
        ready.fetch_add(1);
        while (ready.load() < 2) {
        }
        syscall(SYS_exit, 0);  // this thread only
        return nullptr;
      };
      if (pthread_create(&t, nullptr, second, nullptr) != 0) _exit(103);
      ready.fetch_add(1);
      while (ready.load() < 2) {
      }
      syscall(SYS_exit, 0);  // the leader, at the same time
    }
    close(fds[1]);
    std::vector<pid_t> tids = {read_pid(fds[0])};
    close(fds[0]);
    int status = wait_for(child);
    emit("exit_together", {kv("child", child), kn("threads", tids), kv("status", status)});
  }
}

void case_leader_exits_first() {
  // The leader is gone for 100 ms before the process ends: the process ends
  // with its last thread, and its status is that thread's exit(9).
  static const ThreadCase tc = {[] {
                                  usleep(100000);
                                  std::exit(9);
                                },
                                true};
  auto [child, tid] = run_in_child_thread(tc);
  int status = wait_for(child);
  emit("leader_exits_first", {kv("child", child), kv("thread", tid), kv("status", status)});
}

void case_vfork() {
  std::fflush(stdout);
  pid_t child = vfork();
  if (child == 0) {
    execl("/bin/true", "true", "vforked", static_cast<char*>(nullptr));
    _exit(127);
  }
  if (child < 0) die("vfork");
  int status = wait_for(child);
  emit("vfork_exec", {kv("child", child), ks("filename", "/bin/true"), ka("argv", {"true", "vforked"}),
                      kv("status", status)});
  child = vfork();
  if (child == 0) _exit(4);
  if (child < 0) die("vfork");
  status = wait_for(child);
  emit("vfork_exit", {kv("child", child), kv("status", status)});
}

void case_posix_spawn() {
  const char* argv[] = {"sh", "-c", "exit 6", nullptr};
  pid_t child;
  std::fflush(stdout);
  if (int err = posix_spawn(&child, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ)) {
    errno = err;
    die("posix_spawn");
  }
  int status = wait_for(child);
  emit("posix_spawn", {kv("child", child), ks("filename", "/bin/sh"), ka("argv", {"sh", "-c", "exit 6"}),
                       kv("status", status)});
}

void case_reuse_pid() {
  // As root, ns_last_pid makes the kernel hand out a pid again; the flock on
  // it keeps other writers out (Documentation/admin-guide/sysctl/kernel.rst).
  pid_t first = 0, second = 0;
  int first_status = 0, second_status = 0;
  for (int attempt = 0; attempt < 20 && (first == 0 || first != second); ++attempt) {
    first = fork_or_die();
    if (first == 0) _exit(1);
    first_status = wait_for(first);
    int fd = open("/proc/sys/kernel/ns_last_pid", O_RDWR | O_CLOEXEC);
    if (fd < 0) die("open /proc/sys/kernel/ns_last_pid");
    if (flock(fd, LOCK_EX) != 0) die("flock");
    std::string last = std::to_string(first - 1);
    if (write(fd, last.data(), last.size()) < 0) die("write /proc/sys/kernel/ns_last_pid");
    second = fork_or_die();
    if (second == 0) _exit(2);
    flock(fd, LOCK_UN);
    close(fd);
    second_status = wait_for(second);
    // Another process may have taken the pid in between: then try again.
  }
  if (first != second) {
    std::fprintf(stderr, "ft-workload: reuse_pid: could not get the same pid twice\n");
    g_failed = true;
  }
  emit("reuse_pid", {kv("first", first), kv("first_status", first_status), kv("second", second),
                     kv("second_status", second_status), kb("same", first == second)});
}

void case_hold() {
  // Started before the tracer. Waits for a line on stdin or a SIGUSR1 (at
  // most 60 s, so a test that died leaves nothing behind), then forks.
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigprocmask(SIG_BLOCK, &usr1, nullptr);  // before the pid is out: none is lost
  int sfd = signalfd(-1, &usr1, SFD_CLOEXEC);
  if (sfd < 0) die("signalfd");
  emit("hold", {kv("pid", getpid())});

  pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {sfd, POLLIN, 0}};
  const char* woken_by = nullptr;
  for (int waited_ms = 0; !woken_by && waited_ms < 60000; waited_ms += 100) {
    if (poll(fds, 2, 100 /* ms */) <= 0) continue;
    if (fds[1].revents & POLLIN) woken_by = "SIGUSR1";
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      char c;
      ssize_t n = read(STDIN_FILENO, &c, 1);
      if (n == 1 && c == '\n') woken_by = "stdin";
      if (n == 0) fds[0].fd = -1;  // stdin closed: wait for the signal alone
    }
  }
  close(sfd);
  if (!woken_by) {
    std::fprintf(stderr, "ft-workload: hold: nothing woke me in 60 s\n");
    std::exit(105);
  }
  pid_t child = fork_or_die();
  if (child == 0) _exit(2);
  int status = wait_for(child);
  emit("hold_child", {kv("child", child), ks("woken_by", woken_by), kv("status", status)});
}

// Waits for one line on stdin (at most 60 s, so a test that died leaves
// nothing behind); false on end of file or timeout.
bool wait_line() {
  pollfd fd = {STDIN_FILENO, POLLIN, 0};
  for (int waited_ms = 0; waited_ms < 60000; waited_ms += 100) {
    if (poll(&fd, 1, 100 /* ms */) <= 0) continue;
    char c;
    ssize_t n;
    while ((n = read(STDIN_FILENO, &c, 1)) == 1 && c != '\n') {
    }
    return n == 1;
  }
  return false;
}

// A child that waits until its pipe closes, then exits with `code`. Write
// ends are close-on-exec and closed in later waiting children, so only the
// workload holds each.
std::vector<int> g_release_fds;
pid_t waiting_child(int code, int& release_fd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) die("pipe");
  pid_t child = fork_or_die();
  if (child == 0) {
    close(fds[1]);
    for (int fd : g_release_fds) close(fd);
    char c;
    while (read(fds[0], &c, 1) < 0 && errno == EINTR) {
    }
    _exit(code);
  }
  close(fds[0]);
  release_fd = fds[1];
  g_release_fds.push_back(fds[1]);
  return child;
}

void flood(int children, std::vector<pid_t>& pids) {
  for (int i = 0; i < children; ++i) {
    pid_t child = fork_or_die();
    if (child == 0) _exit(5);
    if (wait_for(child) != (5 << 8)) g_failed = true;
    pids.push_back(child);
  }
}

void case_gap() {
  // For the loss tests (issue 14): the test stops forktrace between "before"
  // and "gap", so the gap's flood overflows the ring. Processes that start
  // before the gap and end in it (`ends_in_gap`, exit 7), that start before
  // and outlive it (`outlives`, exit 3 at the end), that start in it and
  // outlive it (`starts_in_gap`, execs sleep, SIGTERM at the end), and the
  // flood's, which start and end in it (exit 5).
  int release_ends = -1, release_outlives = -1;
  pid_t ends_in_gap = waiting_child(7, release_ends);
  pid_t outlives = waiting_child(3, release_outlives);
  emit("gap_before", {kv("ends_in_gap", ends_in_gap), kv("outlives", outlives)});
  if (!wait_line()) die("gap: no line on stdin");

  std::vector<pid_t> flooded;
  const char* n = std::getenv("FT_GAP_FLOOD");
  int children = n ? std::atoi(n) : 8000;
  flood(children * 3 / 4, flooded);  // fills the ring: what follows is lost
  close(release_ends);
  int ends_status = wait_for(ends_in_gap);
  pid_t starts_in_gap = fork_or_die();
  if (starts_in_gap == 0) {
    execl("/bin/sleep", "sleep", "1000", static_cast<char*>(nullptr));
    _exit(127);
  }
  flood(children - children * 3 / 4, flooded);
  emit("gap_done", {kv("ends_in_gap", ends_in_gap), kv("ends_in_gap_status", ends_status),
                    kv("starts_in_gap", starts_in_gap), kn("flood", flooded), kv("flood_status", 5 << 8)});
  if (!wait_line()) {
    kill(starts_in_gap, SIGKILL);  // leave nothing behind
    die("gap: no second line on stdin");
  }

  close(release_outlives);
  int outlives_status = wait_for(outlives);
  kill(starts_in_gap, SIGTERM);
  int starts_status = wait_for(starts_in_gap);
  emit("gap_after", {kv("outlives", outlives), kv("outlives_status", outlives_status),
                     kv("starts_in_gap", starts_in_gap), kv("starts_in_gap_status", starts_status)});
}

struct Case {
  const char* name;
  void (*run)();
};

const Case kCases[] = {
    {"fork_exec", case_fork_exec},
    {"exit_codes", case_exit_codes},
    {"signal", case_signal},
    {"orphan", case_orphan},
    {"threads", case_threads},
    {"thread_exec", case_thread_exec},
    {"thread_exit_group", case_thread_exit_group},
    {"leader_exits_first", case_leader_exits_first},
    {"exit_together", case_exit_together},
    {"vfork", case_vfork},
    {"posix_spawn", case_posix_spawn},
    {"reuse_pid", case_reuse_pid},
    {"hold", case_hold},
    {"gap", case_gap},
};

}  // namespace

int main(int argc, char** argv) {
  std::string which = argc == 2 ? argv[1] : "";
  if (which == "all") {
    // Every case but hold and gap, which wait for someone; reuse_pid needs root.
    for (const Case& c : kCases)
      if (std::string(c.name) != "hold" && std::string(c.name) != "gap" &&
          (std::string(c.name) != "reuse_pid" || geteuid() == 0))
        c.run();
    return g_failed ? 1 : 0;
  }
  for (const Case& c : kCases) {
    if (which == c.name) {
      c.run();
      return g_failed ? 1 : 0;
    }
  }
  std::fprintf(stderr, "usage: ft-workload CASE, where CASE is all");
  for (const Case& c : kCases) std::fprintf(stderr, ", %s", c.name);
  std::fprintf(stderr, "\n");
  return 2;
}
