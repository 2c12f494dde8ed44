// ft-workload: does one process-lifecycle case for real and prints, as JSON
// Lines on stdout, what it observed itself (pids from fork(), statuses from
// wait4()), so tests can check forktrace's events against the ground truth.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

extern char** environ;

namespace {

// Every line is flushed before the next fork, so no buffer is printed twice.
void emit(const std::string& json) {
  std::printf("%s\n", json.c_str());
  std::fflush(stdout);
}

std::string kv(const char* key, long long value) { return "\"" + std::string(key) + "\":" + std::to_string(value); }
std::string ks(const char* key, const std::string& value) { return "\"" + std::string(key) + "\":\"" + value + "\""; }

std::string obj(std::initializer_list<std::string> fields) {
  std::string out = "{";
  for (const auto& f : fields) out += (out.size() > 1 ? "," : "") + f;
  return out + "}";
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "ft-workload: %s: %s\n", what, std::strerror(errno));
  std::exit(100);
}

int wait_for(pid_t pid) {
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) die("waitpid");
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

void case_fork_exec() {
  pid_t child = fork_or_die();
  if (child == 0) {
    execl("/bin/true", "true", "a1", "a b", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = wait_for(child);
  emit(obj({ks("case", "fork_exec"), kv("parent", getpid()), kv("child", child), ks("filename", "/bin/true"),
            "\"argv\":[\"true\",\"a1\",\"a b\"]", kv("status", status)}));
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
      emit(obj({ks("case", "exit_codes"), kv("parent", getpid()), kv("child", child), kv("code", code),
                kv("status", status)}));
    }
  }
}

void case_signal() {
  // SIGKILL from the parent, a self-raised SIGTERM, and a SIGSEGV core dump.
  pid_t child = fork_or_die();
  if (child == 0) {
    pause();
    _exit(0);
  }
  kill(child, SIGKILL);
  int status = wait_for(child);
  emit(obj({ks("case", "signal"), kv("child", child), kv("signal", SIGKILL), kv("status", status)}));

  child = fork_or_die();
  if (child == 0) {
    raise(SIGTERM);
    _exit(0);
  }
  status = wait_for(child);
  emit(obj({ks("case", "signal"), kv("child", child), kv("signal", SIGTERM), kv("status", status)}));

  char dir[] = "/tmp/ft-workload-core-XXXXXX";
  if (!mkdtemp(dir)) die("mkdtemp");
  child = fork_or_die();
  if (child == 0) {
    struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};
    setrlimit(RLIMIT_CORE, &unlimited);
    if (chdir(dir) != 0) _exit(101);
    prctl(PR_SET_DUMPABLE, 1);
    raise(SIGSEGV);
    _exit(0);
  }
  status = wait_for(child);
  emit(obj({ks("case", "signal"), kv("child", child), kv("signal", SIGSEGV), kv("status", status),
            kv("core_dumped", WCOREDUMP(status) ? 1 : 0)}));
  std::string cleanup = std::string("rm -rf ") + dir;
  if (std::system(cleanup.c_str()) != 0) std::fprintf(stderr, "ft-workload: could not remove %s\n", dir);
}

void case_orphan() {
  // The workload is a subreaper, so the orphan comes back to it and is waited for.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  int fds[2];
  if (pipe(fds) != 0) die("pipe");
  pid_t child = fork_or_die();
  if (child == 0) {
    pid_t parent = getpid();  // read before the fork: the child may be gone already
    pid_t grandchild = fork_or_die();
    if (grandchild == 0) {
      while (getppid() == parent) usleep(1000);
      _exit(7);
    }
    if (write(fds[1], &grandchild, sizeof grandchild) != sizeof grandchild) _exit(102);
    _exit(0);
  }
  pid_t grandchild = 0;
  if (read(fds[0], &grandchild, sizeof grandchild) != sizeof grandchild) die("read");
  int child_status = wait_for(child);
  int status = wait_for(grandchild);
  emit(obj({ks("case", "orphan"), kv("parent", getpid()), kv("child", child), kv("child_status", child_status),
            kv("grandchild", grandchild), kv("new_ppid", getpid()), kv("status", status)}));
  prctl(PR_SET_CHILD_SUBREAPER, 0);
}

void* record_tid(void* out) {
  *static_cast<pid_t*>(out) = gettid_();
  return nullptr;
}

void case_threads() {
  pid_t tids[3];
  pthread_t threads[3];
  for (int i = 0; i < 3; ++i) pthread_create(&threads[i], nullptr, record_tid, &tids[i]);
  for (auto& t : threads) pthread_join(t, nullptr);
  emit(obj({ks("case", "threads"), kv("pid", getpid()), "\"tids\":[" + std::to_string(tids[0]) + "," +
                                                               std::to_string(tids[1]) + "," +
                                                               std::to_string(tids[2]) + "]"}));
}

int g_report_fd = -1;

// In a forked child, a second thread reports its tid and then runs `body`
// while the main thread waits; returns the child's pid and that tid.
std::pair<pid_t, pid_t> run_in_child_thread(void (*body)()) {
  static void (*g_body)() = nullptr;
  g_body = body;
  int fds[2];
  if (pipe(fds) != 0) die("pipe");
  pid_t child = fork_or_die();
  if (child == 0) {
    close(fds[0]);
    g_report_fd = fds[1];
    pthread_t t;
    pthread_create(
        &t, nullptr,
        [](void*) -> void* {
          pid_t tid = gettid_();
          if (write(g_report_fd, &tid, sizeof tid) != sizeof tid) _exit(103);
          g_body();
          return nullptr;
        },
        nullptr);
    for (;;) pause();
  }
  close(fds[1]);
  pid_t tid = 0;
  if (read(fds[0], &tid, sizeof tid) != sizeof tid) die("read");
  close(fds[0]);
  return {child, tid};
}

void case_thread_exec() {
  auto [child, tid] = run_in_child_thread([] {
    execl("/bin/true", "true", "from-thread", static_cast<char*>(nullptr));
    _exit(127);
  });
  int status = wait_for(child);
  emit(obj({ks("case", "thread_exec"), kv("child", child), kv("old_tid", tid), ks("filename", "/bin/true"),
            kv("status", status)}));
}

void case_thread_exit_group() {
  auto [child, tid] = run_in_child_thread([] {
    usleep(10000);
    std::exit(5);
  });
  int status = wait_for(child);
  emit(obj({ks("case", "thread_exit_group"), kv("child", child), kv("thread", tid), kv("status", status)}));
}

void* exit_later(void*) {
  usleep(100000);
  std::exit(9);
}

void case_leader_exits_first() {
  pid_t child = fork_or_die();
  if (child == 0) {
    pthread_t t;
    pthread_create(&t, nullptr, exit_later, nullptr);
    syscall(SYS_exit, 0);  // only the leader thread ends
  }
  int status = wait_for(child);
  emit(obj({ks("case", "leader_exits_first"), kv("child", child), kv("status", status)}));
}

void case_vfork() {
  pid_t child = vfork();
  if (child == 0) {
    execl("/bin/true", "true", "vforked", static_cast<char*>(nullptr));
    _exit(127);
  }
  if (child < 0) die("vfork");
  int status = wait_for(child);
  emit(obj({ks("case", "vfork_exec"), kv("parent", getpid()), kv("child", child), ks("filename", "/bin/true"),
            kv("status", status)}));
  child = vfork();
  if (child == 0) _exit(4);
  if (child < 0) die("vfork");
  status = wait_for(child);
  emit(obj({ks("case", "vfork_exit"), kv("parent", getpid()), kv("child", child), kv("status", status)}));
}

void case_posix_spawn() {
  pid_t child;
  const char* argv[] = {"sh", "-c", "exit 6", nullptr};
  std::fflush(stdout);
  if (int err = posix_spawn(&child, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ)) {
    errno = err;
    die("posix_spawn");
  }
  int status = wait_for(child);
  emit(obj({ks("case", "posix_spawn"), kv("parent", getpid()), kv("child", child), ks("filename", "/bin/sh"),
            kv("status", status)}));
}

void case_reuse_pid() {
  // As root, ns_last_pid makes the kernel hand out a chosen pid again.
  for (int attempt = 0; attempt < 20; ++attempt) {
    pid_t first = fork_or_die();
    if (first == 0) _exit(1);
    int first_status = wait_for(first);
    int fd = open("/proc/sys/kernel/ns_last_pid", O_RDWR | O_CLOEXEC);
    if (fd < 0) die("open ns_last_pid");
    if (flock(fd, LOCK_EX) != 0) die("flock");
    std::string last = std::to_string(first - 1);
    if (write(fd, last.data(), last.size()) < 0) die("write ns_last_pid");
    pid_t second = fork_or_die();
    if (second == 0) _exit(2);
    flock(fd, LOCK_UN);
    close(fd);
    int second_status = wait_for(second);
    if (second != first) continue;  // another process took it; try again
    emit(obj({ks("case", "reuse_pid"), kv("parent", getpid()), kv("first", first), kv("first_status", first_status),
              kv("second", second), kv("second_status", second_status)}));
    return;
  }
  std::fprintf(stderr, "ft-workload: could not get the same pid twice\n");
  std::exit(104);
}

void case_hold() {
  // Started before the tracer: waits for a line on stdin, then forks.
  emit(obj({ks("case", "hold"), kv("pid", getpid())}));
  char line[64];
  if (!std::fgets(line, sizeof line, stdin)) std::exit(105);
  pid_t child = fork_or_die();
  if (child == 0) _exit(2);
  int status = wait_for(child);
  emit(obj({ks("case", "hold_child"), kv("parent", getpid()), kv("child", child), kv("status", status)}));
}

const std::map<std::string, std::function<void()>>& cases() {
  static const std::map<std::string, std::function<void()>> all = {
      {"fork_exec", case_fork_exec},
      {"exit_codes", case_exit_codes},
      {"signal", case_signal},
      {"orphan", case_orphan},
      {"threads", case_threads},
      {"thread_exec", case_thread_exec},
      {"thread_exit_group", case_thread_exit_group},
      {"leader_exits_first", case_leader_exits_first},
      {"vfork", case_vfork},
      {"posix_spawn", case_posix_spawn},
      {"reuse_pid", case_reuse_pid},
      {"hold", case_hold},
  };
  return all;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ft-workload CASE|all\ncases:");
    for (const auto& [name, fn] : cases()) std::fprintf(stderr, " %s", name.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }
  std::string which = argv[1];
  if (which == "all") {
    for (const auto& [name, fn] : cases())
      if (name != "hold" && (name != "reuse_pid" || geteuid() == 0)) fn();
    return 0;
  }
  auto it = cases().find(which);
  if (it == cases().end()) {
    std::fprintf(stderr, "ft-workload: unknown case %s\n", which.c_str());
    return 2;
  }
  it->second();
  return 0;
}
