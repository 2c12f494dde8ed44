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
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
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
    // Another process may have taken the pid in between (a busy machine's
    // forks ignore the flock): then try again, and say what this try made.
    if (first != second) {
      emit("reuse_pid_retry", {kv("child", first), kv("status", first_status)});
      emit("reuse_pid_retry", {kv("child", second), kv("status", second_status)});
    }
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

// ---- exec detail (issue 12) -------------------------------------------------

std::string real_path(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) ? buf : path;
}

std::string current_dir() {
  char buf[PATH_MAX];
  return getcwd(buf, sizeof buf) ? buf : "";
}

void write_file(const std::string& path, const std::string& content, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) die(path.c_str());
  if (write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) die("write");
  close(fd);
  if (chmod(path.c_str(), mode) != 0) die("chmod");
}

std::string read_whole(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(path.c_str());
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const std::string& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// A child that execs once by `how` and reports the errno of a failed
// attempt through a close-on-exec pipe (0 when the exec succeeded).
template <typename Exec>
std::pair<pid_t, int> exec_child(Exec how, int& status) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) die("pipe2");
  pid_t child = fork_or_die();
  if (child == 0) {
    close(fds[0]);
    how();
    int err = errno;
    if (write(fds[1], &err, sizeof err) != sizeof err) _exit(102);
    _exit(127);
  }
  close(fds[1]);
  int err = 0;
  if (read(fds[0], &err, sizeof err) != sizeof err) err = 0;
  close(fds[0]);
  status = wait_for(child);
  return {child, err};
}

// Every exec attempt, where and as whom: each line names the child, what it
// passed (filename, argv), the errno of a failed attempt, and for a
// successful one the cwd, exe, interpreter and credentials it ran with.
void case_exec_detail() {
  char tmpl[] = "/tmp/ft-workload-exec.XXXXXX";
  if (!mkdtemp(tmpl)) die("mkdtemp");
  const std::string dir = tmpl;
  if (chmod(dir.c_str(), 0755) != 0) die("chmod");  // the setuid case runs as nobody
  const std::string cwd = real_path(current_dir());
  const std::string dir_real = real_path(dir);
  std::vector<std::string> tmp_files;
  auto report_failure = [&](const char* name, pid_t child, const std::string& filename,
                            const std::vector<std::string>& argv, int err, int status) {
    emit(name, {kv("child", child), ks("filename", filename), ka("argv", argv), kv("errno", err),
                ks("cwd", cwd), kv("status", status)});
  };
  auto report_exec = [&](const char* name, pid_t child, const std::string& filename,
                         const std::vector<std::string>& argv, const std::string& exec_cwd, const std::string& exe,
                         const std::string& interpreter, uid_t uid, gid_t gid, uid_t euid, gid_t egid, int err,
                         int status) {
    emit(name, {kv("child", child), ks("filename", filename), ka("argv", argv), ks("cwd", exec_cwd),
                ks("exe", exe), ks("interpreter", interpreter), kv("uid", uid), kv("gid", gid), kv("euid", euid),
                kv("egid", egid), kv("errno", err), kv("status", status)});
  };
  int status = 0;

  {  // a file that does not exist
    std::string f = dir + "/no-such-program";
    std::vector<std::string> argv = {"no-such-program", "x y"};
    auto [child, err] = exec_child([&] { execve(f.c_str(), c_argv(argv).data(), environ); }, status);
    report_failure("exec_missing", child, f, argv, err, status);
  }
  {  // a file without the execute bit
    std::string f = dir + "/not-executable";
    write_file(f, "#!/bin/sh\nexit 0\n", 0644);
    std::vector<std::string> argv = {"not-executable"};
    auto [child, err] = exec_child([&] { execve(f.c_str(), c_argv(argv).data(), environ); }, status);
    report_failure("exec_not_executable", child, f, argv, err, status);
  }
  {  // an executable file that is no program the kernel knows (no #!, no ELF)
    std::string f = dir + "/not-a-program";
    write_file(f, std::string("\x01\x02\x03 just bytes\n"), 0755);
    std::vector<std::string> argv = {"not-a-program", "--flag"};
    auto [child, err] = exec_child([&] { execve(f.c_str(), c_argv(argv).data(), environ); }, status);
    report_failure("exec_not_a_program", child, f, argv, err, status);
  }
  {  // a file that does not exist, through execveat: another syscall number,
     // and the filename and argv one register later than execve's
    std::string f = dir + "/no-such-program-at";
    std::vector<std::string> argv = {"no-such-program-at", "by execveat"};
    auto [child, err] = exec_child(
        [&] { syscall(SYS_execveat, AT_FDCWD, f.c_str(), c_argv(argv).data(), environ, 0); }, status);
    report_failure("execveat_missing", child, f, argv, err, status);
  }
  const std::string true_path = real_path("/bin/true");
  const std::string true_dir = true_path.substr(0, true_path.rfind('/'));
  const std::string true_name = true_path.substr(true_path.rfind('/') + 1);
  {  // execveat with a directory fd and a relative path
    std::vector<std::string> argv = {"true", "dirfd"};
    int dfd = open(true_dir.c_str(), O_RDONLY | O_DIRECTORY);  // inherited: not close-on-exec
    if (dfd < 0) die("open dir");
    auto [child, err] = exec_child(
        [&] { syscall(SYS_execveat, dfd, true_name.c_str(), c_argv(argv).data(), environ, 0); }, status);
    report_exec("execveat_dirfd", child, "/dev/fd/" + std::to_string(dfd) + "/" + true_name, argv, cwd, true_path,
                "", getuid(), getgid(), geteuid(), getegid(), err, status);
    close(dfd);
  }
  {  // execveat with AT_FDCWD and a path relative to the cwd
    std::vector<std::string> argv = {"true", "relative"};
    auto [child, err] = exec_child(
        [&] {
          if (chdir(true_dir.c_str()) != 0) _exit(103);
          syscall(SYS_execveat, AT_FDCWD, true_name.c_str(), c_argv(argv).data(), environ, 0);
        },
        status);
    report_exec("execveat_relative", child, true_name, argv, true_dir, true_path, "", getuid(), getgid(),
                geteuid(), getegid(), err, status);
  }
  {  // fexecve: the kernel's filename is /dev/fd/N, the exe the real file
    std::vector<std::string> argv = {"true", "fexecve"};
    int fd = open(true_path.c_str(), O_RDONLY);
    if (fd < 0) die("open");
    auto [child, err] = exec_child([&] { fexecve(fd, c_argv(argv).data(), environ); }, status);
    report_exec("fexecve", child, "/dev/fd/" + std::to_string(fd), argv, cwd, true_path, "", getuid(), getgid(),
                geteuid(), getegid(), err, status);
    close(fd);
  }
  {  // a #! script
    std::string f = dir + "/script.sh";
    write_file(f, "#!/bin/sh -e\nexit 0\n", 0755);
    std::vector<std::string> argv = {"script.sh", "arg"};
    auto [child, err] = exec_child([&] { execve(f.c_str(), c_argv(argv).data(), environ); }, status);
    // The new image's argv is what binfmt_script made of it (/proc/PID/cmdline).
    report_exec("script", child, f, {"/bin/sh", "-e", f, "arg"}, cwd, real_path("/bin/sh"), "/bin/sh", getuid(),
                getgid(), geteuid(), getegid(), err, status);
  }
  {  // a command run after chdir into a directory whose name has spaces
    std::string sub = dir + "/a dir with spaces";
    if (mkdir(sub.c_str(), 0755) != 0) die("mkdir");
    std::vector<std::string> argv = {"true", "in a dir"};
    auto [child, err] = exec_child(
        [&] {
          if (chdir(sub.c_str()) != 0) _exit(103);
          execve(true_path.c_str(), c_argv(argv).data(), environ);
        },
        status);
    report_exec("exec_in_spaced_dir", child, true_path, argv, dir_real + "/a dir with spaces", true_path, "",
                getuid(), getgid(), geteuid(), getegid(), err, status);
    rmdir(sub.c_str());
  }
  {  // names of every length around the dentry's inline name (DNAME_INLINE_LEN 32, or 40 since 6.14)
    std::string sub = dir, sub_real = dir_real;
    std::vector<std::string> made;
    for (size_t len : {1, 31, 32, 39, 40, 41, 200}) {
      std::string name(len, static_cast<char>('a' + made.size()));
      sub += "/" + name;
      sub_real += "/" + name;
      if (mkdir(sub.c_str(), 0755) != 0) die("mkdir");
      made.push_back(sub);
    }
    std::string f = sub + "/" + std::string(39, 'p');
    write_file(f, read_whole(true_path), 0755);
    std::vector<std::string> argv = {"true", "name lengths"};
    auto [child, err] = exec_child(
        [&] {
          if (chdir(sub.c_str()) != 0) _exit(103);
          execve(f.c_str(), c_argv(argv).data(), environ);
        },
        status);
    report_exec("exec_name_lengths", child, f, argv, sub_real, sub_real + "/" + std::string(39, 'p'), "", getuid(),
                getgid(), geteuid(), getegid(), err, status);
    unlink(f.c_str());
    for (auto d = made.rbegin(); d != made.rend(); ++d) rmdir(d->c_str());
  }
  {  // filenames around the kernel side's bound (1023 bytes and a NUL), made
     // long with repeated slashes: exactly at it (whole), and past it (cut)
    for (auto [name, len] : {std::pair{"exec_filename_at_bound", size_t{1023}}, {"exec_filename_past_bound", size_t{3000}}}) {
      std::string f = std::string(len - true_path.size(), '/') + true_path;
      std::vector<std::string> argv = {"true", name};
      auto [child, err] = exec_child([&] { execve(f.c_str(), c_argv(argv).data(), environ); }, status);
      report_exec(name, child, f, argv, cwd, true_path, "", getuid(), getgid(), geteuid(), getegid(), err, status);
    }
    std::string f = std::string(2000, '/') + dir + "/no-such-long-program";
    std::vector<std::string> argv = {"no-such-long-program"};
    auto [child, err] = exec_child([&] { execve(f.c_str(), c_argv(argv).data(), environ); }, status);
    report_failure("exec_missing_long_filename", child, f, argv, err, status);
  }
  {  // argv of over 100 KB
    std::vector<std::string> argv = {"true"};
    size_t bytes = 5;
    for (int i = 0; bytes < 110 * 1024; ++i) {
      argv.push_back("argument-" + std::to_string(i) + std::string(90, 'x'));
      bytes += argv.back().size() + 1;
    }
    auto [child, err] = exec_child([&] { execve(true_path.c_str(), c_argv(argv).data(), environ); }, status);
    report_exec("exec_long_argv", child, true_path, argv, cwd, true_path, "", getuid(), getgid(), geteuid(),
                getegid(), err, status);
  }
  if (geteuid() == 0) {
    const uid_t nobody = 65534;
    const gid_t nogroup = 65534;
    {  // setresuid/setresgid before exec
      std::vector<std::string> argv = {"true", "as-nobody"};
      auto [child, err] = exec_child(
          [&] {
            if (setresgid(nogroup, nogroup, nogroup) != 0 || setresuid(nobody, nobody, nobody) != 0) _exit(104);
            execve(true_path.c_str(), c_argv(argv).data(), environ);
          },
          status);
      report_exec("exec_setresuid", child, true_path, argv, cwd, true_path, "", nobody, nogroup, nobody, nogroup,
                  err, status);
    }
    {  // a setuid/setgid binary run by nobody: euid and egid become the file's
      std::string f = dir + "/setuid-true";
      write_file(f, read_whole(true_path), 0755);
      if (chown(f.c_str(), 0, 0) != 0 || chmod(f.c_str(), 06755) != 0) die("chmod setuid");
      std::vector<std::string> argv = {"setuid-true"};
      auto [child, err] = exec_child(
          [&] {
            if (setresgid(nogroup, nogroup, nogroup) != 0 || setresuid(nobody, nobody, nobody) != 0) _exit(104);
            execve(f.c_str(), c_argv(argv).data(), environ);
          },
          status);
      report_exec("exec_setuid", child, f, argv, cwd, dir_real + "/setuid-true", "", nobody, nogroup, 0, 0, err,
                  status);
      unlink(f.c_str());
    }
  }
  for (const char* name : {"not-executable", "not-a-program", "script.sh"}) unlink((dir + "/" + name).c_str());
  if (rmdir(dir.c_str()) != 0) std::fprintf(stderr, "ft-workload: could not remove %s\n", dir.c_str());
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

// ---- resource usage ---------------------------------------------------------
// Each case's child reports what it did through a pipe (never to storage,
// which would change its own I/O counts), and the workload prints the child's
// wait4() rusage next to it: the truth forktrace's exit usage is held to.

struct IoCounts {
  long long read_bytes = -1, write_bytes = -1;
};

// The storage I/O of this process so far, as /proc/self/io says.
IoCounts own_io() {
  IoCounts io;
  if (std::FILE* f = std::fopen("/proc/self/io", "r")) {
    char key[64];
    long long value;
    while (std::fscanf(f, "%63[^:]: %lld\n", key, &value) == 2) {
      if (std::strcmp(key, "read_bytes") == 0) io.read_bytes = value;
      if (std::strcmp(key, "write_bytes") == 0) io.write_bytes = value;
    }
    std::fclose(f);
  }
  return io;
}

template <typename T>
void send(int fd, const T& value) {
  if (write(fd, &value, sizeof value) != sizeof value) _exit(102);
}

template <typename T>
T receive(int fd) {
  T value{};
  ssize_t n;
  while ((n = read(fd, &value, sizeof value)) < 0 && errno == EINTR) {
  }
  if (n != sizeof value) die("read from a child");
  return value;
}

uint64_t thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000 + uint64_t(ts.tv_nsec);
}

// Burns this thread's CPU in user mode for `ns` of its own CPU time.
void burn_user(uint64_t ns) {
  volatile uint64_t sink = 0;
  for (uint64_t until = thread_cpu_ns() + ns; thread_cpu_ns() < until;)
    for (int i = 0; i < 1'000'000; ++i) sink = sink * 33 + i;
}

// Burns it in the kernel: reading /dev/zero is the kernel clearing pages.
void burn_sys(uint64_t ns) {
  static char buf[1 << 20];
  int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
  if (fd < 0) _exit(104);
  for (uint64_t until = thread_cpu_ns() + ns; thread_cpu_ns() < until;)
    if (read(fd, buf, sizeof buf) < 0) _exit(104);
  close(fd);
}

std::vector<std::string> rusage_fields(const char* prefix, const rusage& r) {
  auto ns = [](const timeval& tv) { return static_cast<long long>(tv.tv_sec) * 1'000'000'000 + tv.tv_usec * 1000LL; };
  std::string p = prefix;
  return {kv((p + "utime_ns").c_str(), ns(r.ru_utime)), kv((p + "stime_ns").c_str(), ns(r.ru_stime)),
          kv((p + "maxrss_kb").c_str(), r.ru_maxrss),   kv((p + "minflt").c_str(), r.ru_minflt),
          kv((p + "majflt").c_str(), r.ru_majflt),      kv((p + "nvcsw").c_str(), r.ru_nvcsw),
          kv((p + "nivcsw").c_str(), r.ru_nivcsw)};
}

// Reports the child's I/O as its last act, then ends it with `code`.
[[noreturn]] void report_io_and_exit(int fd, int code) {
  send(fd, own_io());
  _exit(code);
}

// Runs `body` in a child that reports its I/O to the pipe as its last act;
// prints the child's wait4 rusage and that I/O, and what `read_more` reads
// of what the body sent first.
using ReadMore = std::vector<std::string> (*)(int fd);
void usage_case(const char* name, void (*body)(int report_fd), std::vector<std::string> extra = {},
                ReadMore read_more = nullptr) {
  int fds[2];
  if (pipe(fds) != 0) die("pipe");
  pid_t child = fork_or_die();
  if (child == 0) {
    close(fds[0]);
    body(fds[1]);
    report_io_and_exit(fds[1], 0);
  }
  close(fds[1]);
  if (read_more)
    for (std::string& f : read_more(fds[0])) extra.push_back(std::move(f));
  IoCounts io = receive<IoCounts>(fds[0]);
  close(fds[0]);
  int status = 0;
  rusage r{};
  while (wait4(child, &status, 0, &r) < 0)
    if (errno != EINTR) die("wait4");
  std::vector<std::string> fields = {kv("child", child), kv("status", status), kv("read_bytes", io.read_bytes),
                                     kv("write_bytes", io.write_bytes)};
  for (std::string& f : rusage_fields("", r)) fields.push_back(std::move(f));
  for (std::string& f : extra) fields.push_back(std::move(f));
  std::string line = "{" + ks("case", name) + "," + kv("parent", getpid());
  for (const std::string& f : fields) line += "," + f;
  std::printf("%s}\n", line.c_str());
  std::fflush(stdout);
}

constexpr uint64_t kMsNs = 1'000'000;

void case_usage_cpu() {
  usage_case("usage_cpu", [](int) {
    burn_user(300 * kMsNs);
    burn_sys(200 * kMsNs);
  });
}

constexpr size_t kTouchBytes = size_t{150} << 20;

void case_usage_rss() {
  usage_case("usage_rss", [](int) {
    void* p = mmap(nullptr, kTouchBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) _exit(104);
    for (size_t off = 0; off < kTouchBytes; off += 4096) static_cast<volatile char*>(p)[off] = 1;
  }, {kv("touched_kb", kTouchBytes / 1024)});
}

// The leader burns, then ends itself alone (SYS_exit, as pthread_exit does)
// and waits as a zombie while two threads burn on; the last one out reports.
std::atomic<int> g_burners{0};
int g_usage_fd = -1;

void* burner_thread(void*) {
  burn_user(200 * kMsNs);
  if (g_burners.fetch_sub(1) == 1) report_io_and_exit(g_usage_fd, 0);
  syscall(SYS_exit, 0);
  return nullptr;
}

void case_usage_leader_exit() {
  usage_case("usage_leader_exit", [](int fd) {
    g_usage_fd = fd;
    g_burners = 2;
    pthread_t t;
    for (int i = 0; i < 2; ++i)
      if (pthread_create(&t, nullptr, burner_thread, nullptr) != 0) _exit(103);
    burn_user(100 * kMsNs);
    syscall(SYS_exit, 0);  // this thread only
  });
}

// Writes 8 MiB to a file in the current directory (storage, not tmpfs), syncs
// it, drops it from the page cache and reads it back from the disk.
void write_and_read_back(size_t bytes) {
  char name[] = "ft-workload-io-XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0) _exit(104);
  unlink(name);
  static char buf[1 << 20];
  std::memset(buf, 'x', sizeof buf);
  for (size_t done = 0; done < bytes; done += sizeof buf)
    if (write(fd, buf, sizeof buf) != static_cast<ssize_t>(sizeof buf)) _exit(104);
  if (fsync(fd) != 0) _exit(104);
  posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  if (lseek(fd, 0, SEEK_SET) != 0) _exit(104);
  while (read(fd, buf, sizeof buf) > 0) {
  }
  close(fd);
}

void case_usage_write() {
  usage_case("usage_write", [](int) { write_and_read_back(size_t{8} << 20); });
}

// A parent that reaps a burner that also writes: the parent's own usage must
// not hold the child's, which wait4() and /proc/PID/io fold into it.
void case_usage_reaper() {
  usage_case("usage_reaper", [](int fd) {
    pid_t grandchild = fork_or_die();
    if (grandchild == 0) {
      burn_user(200 * kMsNs);
      write_and_read_back(size_t{1} << 20);
      // A peak well above the reaper's, so that a reaper's figure that held
      // its child's (as wait4's does) stands out on every kernel.
      constexpr size_t kBurnerTouchBytes = size_t{16} << 20;
      void* p = mmap(nullptr, kBurnerTouchBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) _exit(104);
      for (size_t off = 0; off < kBurnerTouchBytes; off += 4096) static_cast<volatile char*>(p)[off] = 1;
      _exit(0);
    }
    int status;
    rusage gc{};
    while (wait4(grandchild, &status, 0, &gc) < 0)
      if (errno != EINTR) _exit(105);
    burn_user(50 * kMsNs);
    rusage self{};
    getrusage(RUSAGE_SELF, &self);
    send(fd, grandchild);
    send(fd, status);
    send(fd, gc);
    send(fd, self);
  }, {}, [](int fd) {
    std::vector<std::string> fields = {kv("grandchild", receive<pid_t>(fd)), kv("grandchild_status", receive<int>(fd))};
    for (std::string& f : rusage_fields("grandchild_", receive<rusage>(fd))) fields.push_back(std::move(f));
    for (std::string& f : rusage_fields("self_", receive<rusage>(fd))) fields.push_back(std::move(f));
    return fields;
  });
}

// A child that grows a 64 MiB image, then execs a small program: wait4's
// ru_maxrss for it holds the image before the exec (exec_mmap() folds the old
// mm into it); the program's own peak does not.
constexpr size_t kImageBeforeExecBytes = size_t{64} << 20;

void case_usage_program_rss() {
  pid_t child = fork_or_die();
  if (child == 0) {
    void* p = mmap(nullptr, kImageBeforeExecBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) _exit(104);
    for (size_t off = 0; off < kImageBeforeExecBytes; off += 4096) static_cast<volatile char*>(p)[off] = 1;
    execl("/bin/true", "true", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage r{};
  while (wait4(child, &status, 0, &r) < 0)
    if (errno != EINTR) die("wait4");
  std::printf("{%s,%s,%s,%s,%s}\n", ks("case", "usage_program_rss").c_str(), kv("child", child).c_str(),
              kv("status", status).c_str(), kv("maxrss_kb", r.ru_maxrss).c_str(),
              kv("image_kb", kImageBeforeExecBytes / 1024).c_str());
  std::fflush(stdout);
}

// ---- why a process died (killed_by) ----------------------------------------

// A child that tells the parent it is ready (its handlers set), then waits to be killed.
pid_t start_waiting_child() {
  int ready[2];
  if (pipe(ready) != 0) die("pipe");
  pid_t child = fork_or_die();
  if (child == 0) {
    close(ready[0]);
    write_pid(ready[1], getpid());
    for (;;) pause();
  }
  close(ready[1]);
  read_pid(ready[0]);
  close(ready[0]);
  return child;
}

void no_core_dumps() {
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
}

void emit_killed(const char* what, pid_t child, int status, std::initializer_list<std::string> expected) {
  std::string line = "{" + ks("case", "killed_by") + "," + kv("parent", getpid()) + "," + ks("what", what) + "," +
                     kv("child", child) + "," + kv("status", status);
  for (const std::string& f : expected) line += "," + f;
  std::printf("%s}\n", line.c_str());
  std::fflush(stdout);
}

volatile sig_atomic_t g_got_term = 0;
void on_term(int) { g_got_term = 1; }

// The memory cgroup v1 hierarchy's mount, and the path in the hierarchy of its root.
bool memory_v1_mount(std::string& dir, std::string& root) {
  FILE* f = std::fopen("/proc/self/mountinfo", "r");
  if (!f) return false;
  char line[4096];
  bool found = false;
  while (!found && std::fgets(line, sizeof line, f)) {
    // id parent major:minor root mountpoint options... - fstype source superoptions
    char mroot[1024], point[1024];
    if (std::sscanf(line, "%*s %*s %*s %1023s %1023s", mroot, point) != 2) continue;
    const char* dash = std::strstr(line, " - cgroup ");
    if (!dash) continue;
    std::string super = dash;
    if (super.find(",memory") == std::string::npos && super.find(" memory") == std::string::npos) continue;
    dir = point;
    root = std::string(mroot) == "/" ? "" : mroot;
    found = true;
  }
  std::fclose(f);
  return found;
}

bool write_file(const std::string& path, const std::string& value) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
  close(fd);
  return ok;
}

// An OOM kill in a memory cgroup of its own with a 32 MiB limit (cgroup v1
// here; v2 where the memory controller is on the unified hierarchy).
void killed_by_oom() {
  std::string mount, root, name = "ft-workload-oom-" + std::to_string(getpid()), limit_file;
  if (memory_v1_mount(mount, root)) {
    limit_file = "memory.limit_in_bytes";
  } else {
    FILE* f = std::fopen("/sys/fs/cgroup/cgroup.controllers", "r");
    char buf[512] = {};
    if (f) {
      if (!std::fgets(buf, sizeof buf, f)) buf[0] = 0;
      std::fclose(f);
    }
    if (!std::strstr(buf, "memory") || !write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory")) {
      emit_killed("oom", 0, 0, {ks("skipped", "no memory cgroup controller to use")});
      return;
    }
    mount = "/sys/fs/cgroup";
    limit_file = "memory.max";
  }
  std::string dir = mount + "/" + name;
  if (mkdir(dir.c_str(), 0755) != 0) {
    emit_killed("oom", 0, 0, {ks("skipped", std::string("cannot make a memory cgroup: ") + std::strerror(errno))});
    return;
  }
  bool set = write_file(dir + "/" + limit_file, std::to_string(32 << 20));
  if (limit_file == "memory.limit_in_bytes") {
    write_file(dir + "/memory.memsw.limit_in_bytes", std::to_string(32 << 20));  // no escape into swap
    write_file(dir + "/memory.swappiness", "0");
  } else {
    write_file(dir + "/memory.swap.max", "0");
  }
  if (!set) {
    rmdir(dir.c_str());
    emit_killed("oom", 0, 0, {ks("skipped", "cannot set the memory cgroup's limit")});
    return;
  }
  int ready[2];
  if (pipe(ready) != 0) die("pipe");
  pid_t child = fork_or_die();
  if (child == 0) {
    close(ready[0]);
    no_core_dumps();
    if (!write_file(dir + "/cgroup.procs", std::to_string(getpid()))) _exit(104);
    write_pid(ready[1], getpid());
    const size_t chunk = size_t{1} << 20;
    for (int i = 0; i < 1024; ++i) {  // up to 1 GiB: the limit is hit long before
      char* p = static_cast<char*>(mmap(nullptr, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
      if (p == MAP_FAILED) _exit(105);
      for (size_t off = 0; off < chunk; off += 4096) p[off] = 1;
    }
    _exit(106);
  }
  close(ready[1]);
  read_pid(ready[0]);
  close(ready[0]);
  int status = wait_for(child);
  // The cgroup is empty once its only process is reaped; rmdir may need a moment.
  for (int i = 0; i < 100 && rmdir(dir.c_str()) != 0 && errno == EBUSY; ++i) usleep(10'000);
  emit_killed("oom", child, status, {ks("kernel", "oom"), ks("oom_cgroup", root + "/" + name)});
}

void case_killed_by() {
  const std::string workload_comm = "ft-workload";
  // The parent's SIGTERM.
  pid_t child = start_waiting_child();
  kill(child, SIGTERM);
  emit_killed("parent", child, wait_for(child), {kv("sender", getpid()), ks("sender_comm", workload_comm)});

  // A sibling with a comm of its own sends SIGKILL.
  child = start_waiting_child();
  pid_t sibling = fork_or_die();
  if (sibling == 0) {
    prctl(PR_SET_NAME, "ft-sibling");
    _exit(kill(child, SIGKILL) == 0 ? 0 : 104);
  }
  int sibling_status = wait_for(sibling);
  if (sibling_status != 0) g_failed = true;
  emit_killed("sibling", child, wait_for(child), {kv("sender", sibling), ks("sender_comm", "ft-sibling")});

  // abort(): the process's own thread raises SIGABRT.
  child = fork_or_die();
  if (child == 0) {
    no_core_dumps();
    abort();
  }
  emit_killed("abort", child, wait_for(child), {kv("sender", child), ks("sender_comm", workload_comm)});

  // A process group's SIGHUP from a process with its own comm: both members die by it.
  pid_t first = start_waiting_child();
  pid_t second = start_waiting_child();
  if (setpgid(first, first) != 0 || setpgid(second, first) != 0) die("setpgid");
  pid_t killer = fork_or_die();
  if (killer == 0) {
    prctl(PR_SET_NAME, "ft-pgkill");
    _exit(kill(-first, SIGHUP) == 0 ? 0 : 104);
  }
  if (wait_for(killer) != 0) g_failed = true;
  for (pid_t member : {first, second})
    emit_killed("process_group", member, wait_for(member), {kv("sender", killer), ks("sender_comm", "ft-pgkill")});

  // timeout -s KILL: its command is killed by timeout itself.
  // busybox's timeout (the qemu guests') works the other way round: it execs
  // the command itself and kills it from a forked watcher.
  char timeout_file[PATH_MAX] = "";
  bool busybox_timeout =
      realpath("/usr/bin/timeout", timeout_file) && std::string(timeout_file).find("busybox") != std::string::npos;
  if (busybox_timeout) {
    emit_killed("timeout", 0, 0, {ks("skipped", "/usr/bin/timeout is busybox's, which kills from a forked watcher")});
  } else if (access("/usr/bin/timeout", X_OK) == 0 && access("/bin/sleep", X_OK) == 0) {
    pid_t timeout = fork_or_die();
    if (timeout == 0) {
      execl("/usr/bin/timeout", "timeout", "-s", "KILL", "0.2", "/bin/sleep", "30", static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = wait_for(timeout);
    // Its command is the one sleep it started; the test finds it by its parent.
    emit_killed("timeout", timeout, status, {ks("victim", "sleep"), kv("sender", timeout), ks("sender_comm", "timeout")});
  } else {
    emit_killed("timeout", 0, 0, {ks("skipped", "no /usr/bin/timeout or /bin/sleep")});
  }

  // A NULL dereference: a fault.
  child = fork_or_die();
  if (child == 0) {
    no_core_dumps();
    volatile int* nowhere = nullptr;
    *nowhere = 1;
    _exit(0);
  }
  emit_killed("null_deref", child, wait_for(child), {ks("kernel", "fault")});

  // A write to a pipe nobody reads: SIGPIPE.
  child = fork_or_die();
  if (child == 0) {
    signal(SIGPIPE, SIG_DFL);
    int p[2];
    if (pipe(p) != 0) _exit(104);
    close(p[0]);
    char c = 'x';
    ssize_t n = write(p[1], &c, 1);
    _exit(n < 0 ? 105 : 106);
  }
  emit_killed("pipe", child, wait_for(child), {ks("kernel", "pipe")});

  // RLIMIT_CPU: SIGXCPU at the soft limit; SIGKILL at the hard one (soft = hard).
  for (bool hard : {false, true}) {
    child = fork_or_die();
    if (child == 0) {
      no_core_dumps();
      struct rlimit cpu = {1, hard ? 1u : 10u};
      if (setrlimit(RLIMIT_CPU, &cpu) != 0) _exit(104);
      for (volatile unsigned long i = 0;; i = i + 1) {
      }
    }
    emit_killed(hard ? "cpu_limit_hard" : "cpu_limit", child, wait_for(child), {ks("kernel", "cpu_limit")});
  }

  // RLIMIT_FSIZE: a write past it raises SIGXFSZ.
  child = fork_or_die();
  if (child == 0) {
    no_core_dumps();
    struct rlimit fsize = {4096, 4096};
    if (setrlimit(RLIMIT_FSIZE, &fsize) != 0) _exit(104);
    char name[] = "/tmp/ft-workload-fsize-XXXXXX";
    int fd = mkstemp(name);
    if (fd < 0) _exit(105);
    unlink(name);
    static char buf[8192];
    ssize_t n = write(fd, buf, sizeof buf);
    n = write(fd, buf, sizeof buf);  // the first stops at the limit; this one is past it
    _exit(n < 0 ? 106 : 107);
  }
  emit_killed("file_size_limit", child, wait_for(child), {ks("kernel", "file_size_limit")});

  killed_by_oom();

  // A SIGTERM the child handles, then exits 0: no killed_by.
  int ready[2];
  if (pipe(ready) != 0) die("pipe");
  child = fork_or_die();
  if (child == 0) {
    close(ready[0]);
    struct sigaction sa = {};
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, nullptr);
    sigset_t term, unblocked;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &unblocked);  // taken only inside sigsuspend: no lost wake-up
    sigdelset(&unblocked, SIGTERM);
    write_pid(ready[1], getpid());
    while (!g_got_term) sigsuspend(&unblocked);
    _exit(0);
  }
  close(ready[1]);
  read_pid(ready[0]);
  close(ready[0]);
  kill(child, SIGTERM);
  emit_killed("handled", child, wait_for(child), {kb("none", true)});
}

// ---- who reaped it (reap events) --------------------------------------------

uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(ts.tv_nsec);
}

// Blocks until `child` is a zombie, without reaping it (WNOWAIT: the kernel
// side must not take this look for the reap).
void wait_until_zombie(pid_t child) {
  siginfo_t info = {};
  while (waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT) < 0)
    if (errno != EINTR) die("waitid WNOWAIT");
}

void emit_reap(const char* what, std::initializer_list<std::string> fields) {
  std::string line = "{" + ks("case", "reaping") + "," + ks("what", what);
  for (const std::string& f : fields) line += "," + f;
  std::printf("%s}\n", line.c_str());
  std::fflush(stdout);
}

void case_reaping() {
  // A parent that waits late: the child is a zombie for at least 300 ms,
  // then wait4 (waitpid) collects it.
  pid_t child = fork_or_die();
  if (child == 0) _exit(0);
  wait_until_zombie(child);
  uint64_t zombie_from = monotonic_ns();
  usleep(300'000);
  uint64_t waited = monotonic_ns();
  wait_for(child);
  uint64_t reaped = monotonic_ns();
  emit_reap("late_wait", {kv("child", child), kv("reaper", getpid()), kv("min_zombie_ns", static_cast<long long>(waited - zombie_from)),
                          kv("max_zombie_ns", static_cast<long long>(reaped - zombie_from) + 200'000'000)});

  // An orphan reaped by a subreaper (this process), with waitid: its forker
  // (the middle process) ended first.
  bool subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
  int fds[2];
  if (pipe(fds) != 0) die("pipe");
  pid_t middle = fork_or_die();
  if (middle == 0) {
    pid_t me = getpid();
    pid_t orphan = fork_or_die();
    if (orphan == 0) {
      while (getppid() == me) usleep(1000);
      _exit(3);
    }
    write_pid(fds[1], orphan);
    _exit(0);
  }
  close(fds[1]);
  pid_t orphan = read_pid(fds[0]);
  close(fds[0]);
  wait_for(middle);
  if (subreaper) {
    siginfo_t info = {};
    while (waitid(P_PID, static_cast<id_t>(orphan), &info, WEXITED) < 0)
      if (errno != EINTR) die("waitid");
    emit_reap("subreaper", {kv("child", orphan), kv("forked_by", middle), kv("reaper", getpid())});
  } else {
    emit_reap("subreaper", {ks("skipped", "PR_SET_CHILD_SUBREAPER refused")});
  }
  prctl(PR_SET_CHILD_SUBREAPER, 0);

  // SIGCHLD ignored: the kernel reaps the child at its exit, no wait().
  if (pipe(fds) != 0) die("pipe");
  middle = fork_or_die();
  if (middle == 0) {
    prctl(PR_SET_NAME, "ft-ignorer");
    signal(SIGCHLD, SIG_IGN);
    pid_t ignored = fork_or_die();
    if (ignored == 0) _exit(0);
    write_pid(fds[1], ignored);
    while (kill(ignored, 0) == 0) usleep(1000);  // gone without a wait: it was reaped
    _exit(0);
  }
  close(fds[1]);
  pid_t ignored = read_pid(fds[0]);
  close(fds[0]);
  wait_for(middle);
  emit_reap("sigchld_ignored", {kv("child", ignored), kv("reaper", middle), ks("reaper_comm", "ft-ignorer")});

  // A zombie still unreaped when its parent, this process, ends: it goes to
  // init (or a subreaper above), which may collect it at any time or not
  // before the trace ends; never by this process.
  pid_t left = fork_or_die();
  if (left == 0) _exit(0);
  wait_until_zombie(left);
  emit_reap("left_unreaped", {kv("child", left), kv("parent", getpid())});
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
    {"exec_detail", case_exec_detail},
    {"gap", case_gap},
    {"usage_cpu", case_usage_cpu},
    {"usage_rss", case_usage_rss},
    {"usage_leader_exit", case_usage_leader_exit},
    {"usage_write", case_usage_write},
    {"usage_reaper", case_usage_reaper},
    {"usage_program_rss", case_usage_program_rss},
    {"killed_by", case_killed_by},
    {"reaping", case_reaping},
};

}  // namespace

int main(int argc, char** argv) {
  std::string which = argc == 2 ? argv[1] : "";
  if (which == "all") {
    // Every case but hold and gap, which wait for someone, the usage cases,
    // which burn CPU for their own tests, and exec_detail and killed_by
    // (which burns CPU too), checked by tests of their own; reuse_pid needs root.
    for (const Case& c : kCases) {
      std::string name = c.name;
      if (name != "hold" && name != "gap" && name != "exec_detail" && name != "killed_by" && name != "reaping" &&
          name.rfind("usage_", 0) != 0 &&
          (name != "reuse_pid" || geteuid() == 0))
        c.run();
    }
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
