// Root tests (issue 23): once attached, a live forktrace keeps only
// CAP_SYS_PTRACE (and CAP_KILL with -- CMD) in every one of its threads, with
// an empty bounding set beyond those and no_new_privs; what it starts keeps
// every privilege the caller had; and tracing, rotation and stopping the
// command still work after the drop. (A forced loss still reconciles from
// /proc: gap_test.cpp checks the recovered exec's exe and cwd, which other
// processes' /proc entries give only with CAP_SYS_PTRACE.)
#include <fcntl.h>
#include <netinet/in.h>
#include <pty.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "attached.h"
#include "host/privileges.h"
#include "run_command.h"

namespace ft::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

struct Caps {
  uint64_t inh = 0, prm = 0, eff = 0, bnd = 0, amb = 0;
  bool no_new_privs = false;
  bool read = false;
};

Caps read_caps(const std::string& status) {
  Caps c;
  std::ifstream in(status);
  std::string line;
  auto hex = [](const std::string& l) { return std::stoull(l.substr(l.find(':') + 1), nullptr, 16); };
  while (std::getline(in, line)) {
    if (line.rfind("CapInh:", 0) == 0) c.inh = hex(line);
    if (line.rfind("CapPrm:", 0) == 0) c.prm = hex(line);
    if (line.rfind("CapEff:", 0) == 0) c.eff = hex(line), c.read = true;
    if (line.rfind("CapBnd:", 0) == 0) c.bnd = hex(line);
    if (line.rfind("CapAmb:", 0) == 0) c.amb = hex(line);
    if (line.rfind("NoNewPrivs:", 0) == 0) c.no_new_privs = line.find('1') != std::string::npos;
  }
  return c;
}

std::string describe(const Caps& c) {
  std::ostringstream s;
  s << std::hex << "inh " << c.inh << " prm " << c.prm << " eff " << c.eff << " bnd " << c.bnd << " amb " << c.amb
    << " no_new_privs " << c.no_new_privs;
  return s.str();
}

constexpr uint64_t kPtrace = uint64_t{1} << kCapSysPtrace;
constexpr uint64_t kKill = uint64_t{1} << kCapKill;

bool dropped_to(const Caps& c, uint64_t kept) {
  return c.read && c.prm == kept && c.eff == kept && c.inh == 0 && c.amb == 0 && c.bnd == kept && c.no_new_privs;
}

// Waits until every thread of `tracer` has given up all but `kept` (at most
// 60 s: the BPF load comes first); empty on success, else what was found.
// `threads` gets how many threads were checked.
std::string wait_for_drop(pid_t tracer, uint64_t kept, size_t* threads = nullptr) {
  std::string last;
  for (auto deadline = std::chrono::steady_clock::now() + 60s; std::chrono::steady_clock::now() < deadline;) {
    siginfo_t exited{};
    if (waitid(P_PID, static_cast<id_t>(tracer), &exited, WEXITED | WNOHANG | WNOWAIT) == 0 && exited.si_pid == tracer)
      return "forktrace exited";
    bool all = true;
    size_t n = 0;
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(tracer) + "/task", ec)) {
      Caps c = read_caps(task.path().string() + "/status");
      if (!c.read) continue;
      n++;
      if (!dropped_to(c, kept)) {
        all = false;
        last = "thread " + task.path().filename().string() + ": " + describe(c);
      }
    }
    if (all && n > 0) {
      if (threads) *threads = n;
      return "";
    }
    std::this_thread::sleep_for(10ms);
  }
  return "not dropped within 60 s; " + last;
}

// The test's own privileges as a process it starts sees them.
std::string own_privileges() {
  return run({"sh", "-c", "grep -E '^(Cap|NoNewPrivs)' /proc/self/status"}).out;
}

// forktrace with `args`, standard input from a pipe (returned in `input`),
// standard output into `stdout_path`.
pid_t start_forktrace(const std::vector<std::string>& args, int& input, const std::string& stdout_path,
                      const std::vector<std::string>& env = {}) {
  int p[2];
  if (pipe(p) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);  // a job of its own, as a shell starts it: Ctrl-C goes to the group
    dup2(p[0], 0);
    close(p[0]);
    close(p[1]);
    int fd = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    close(fd);
    for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    static std::string bin = FORKTRACE_BIN;
    argv.push_back(bin.data());
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(FORKTRACE_BIN, argv.data());
    _exit(127);
  }
  close(p[0]);
  input = p[1];
  return pid;
}

int wait_status(pid_t pid, std::chrono::seconds timeout) {
  for (auto deadline = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < deadline;) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(10ms);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

bool has_exec_of(const std::vector<json>& events, const std::string& path, const std::string& arg) {
  for (const json& e : events)
    if (e["event"] == "exec" && e["filename"] == path && e["argv"].size() >= 2 && e["argv"][1] == arg &&
        !e.value("recovered", false))
      return true;
  return false;
}

TEST(Privileges, CommandModeKeepsPtraceAndKillAndTheCommandKeepsEverything) {
  FT_REQUIRE_ROOT();
  std::string out = temp_path("priv_cmd.json"), rec = temp_path("priv_cmd.ftrace"), caps = temp_path("priv_cmd.caps");
  int input = -1;
  // The command waits for the test before it runs anything, so what it
  // starts starts after forktrace gave up its privileges.
  std::string script = "read go; grep -E '^(Cap|NoNewPrivs)' /proc/self/status >'" + caps + "'; exec \"$0\" fork_exec";
  pid_t tracer = start_forktrace({"-q", "--format", "json", "-o", out, "-w", rec, "--", "sh", "-c", script, FT_WORKLOAD_BIN},
                                 input, "/dev/null");
  ASSERT_GT(tracer, 0);
  size_t threads = 0;
  std::string why = wait_for_drop(tracer, kPtrace | kKill, &threads);
  EXPECT_EQ(why, "");
  EXPECT_GE(threads, 3u) << "the output queue's and the recorder's threads too";
  ASSERT_EQ(write(input, "\n", 1), 1);
  close(input);
  int status = wait_status(tracer, 60s);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  // The command's own processes: every capability the caller had, its
  // bounding set, and no no_new_privs.
  EXPECT_EQ(read_file(caps), own_privileges());
  // Events of what ran after the drop.
  auto events = read_json_lines(out);
  EXPECT_TRUE(has_exec_of(events, FT_WORKLOAD_BIN, "fork_exec"));
  bool child_exit = false;
  for (const json& e : events) child_exit = child_exit || (e["event"] == "exit" && e["comm"] == "true");
  EXPECT_TRUE(child_exit) << "the workload's child's exit";
  Result replay = run({FORKTRACE_BIN, "-r", rec, "--format", "json"});
  EXPECT_EQ(replay.out, read_file(out));
}

TEST(Privileges, FollowedPidModeKeepsOnlyPtrace) {
  FT_REQUIRE_ROOT();
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t target = fork();
  if (target == 0) {
    dup2(go[0], 0);
    close(go[0]);
    close(go[1]);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execl("/bin/sh", "sh", "-c", "read go; exec \"$0\" fork_exec", FT_WORKLOAD_BIN, static_cast<char*>(nullptr));
    _exit(127);
  }
  close(go[0]);
  std::string out = temp_path("priv_pid.json");
  int input = -1;
  pid_t tracer = start_forktrace({"-q", "--format", "json", "-o", out, "-p", std::to_string(target)}, input, "/dev/null");
  ASSERT_GT(tracer, 0);
  close(input);
  EXPECT_EQ(wait_for_drop(tracer, kPtrace), "");
  ASSERT_EQ(write(go[1], "\n", 1), 1);
  close(go[1]);
  waitpid(target, nullptr, 0);
  int status = wait_status(tracer, 60s);  // -p ends once its processes have
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_TRUE(has_exec_of(read_json_lines(out), FT_WORKLOAD_BIN, "fork_exec"));
}

int free_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

// GET /metrics over plain HTTP/1.0; the body, or "".
std::string scrape(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  std::string text;
  if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    std::string request = "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (write(s, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buf[65536];
      ssize_t n;
      while ((n = read(s, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    }
  }
  close(s);
  return text;
}

// Whole machine, as the service runs: rotating recordings in a directory
// forktrace made, metrics; files are still created and rotated after the drop.
TEST(Privileges, ServiceModeKeepsOnlyPtraceAndStillRotates) {
  FT_REQUIRE_ROOT();
  std::string dir = temp_path("priv_series");
  std::filesystem::remove_all(dir);
  int port = free_port();
  int input = -1;
  pid_t tracer = start_forktrace({"-q", "-o", "/dev/null", "-w", dir + "/", "--rotate-age", "1", "--metrics",
                                  "127.0.0.1:" + std::to_string(port), "--job-env", "FT_PRIV_JOB"},
                                 input, "/dev/null");
  ASSERT_GT(tracer, 0);
  close(input);
  size_t threads = 0;
  EXPECT_EQ(wait_for_drop(tracer, kPtrace, &threads), "");
  EXPECT_GE(threads, 3u) << "the recorder's and the metrics server's threads too";
  Result w = run({"sh", "-c", "sleep 1.2; \"$0\" fork_exec; sleep 1.2; \"$0\" fork_exec", FT_WORKLOAD_BIN},
                 {"FT_PRIV_JOB=priv42"});
  ASSERT_EQ(w.exit_code(), 0) << w.err;
  EXPECT_NE(scrape(port).find("forktrace_execs_seen_total"), std::string::npos) << "metrics after the drop";
  kill(tracer, SIGTERM);
  int status = wait_status(tracer, 60s);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  size_t files = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    files++;
    struct stat st {};
    stat(f.path().c_str(), &st);
    EXPECT_EQ(st.st_mode & 07777, 0600u) << f.path();
  }
  EXPECT_GE(files, 3u) << "rotation after the drop";
  Result replay = run({FORKTRACE_BIN, "-r", dir, "--job", "priv42", "--format", "json"});
  ASSERT_EQ(replay.exit_code(), 0) << replay.err;
  auto events = parse_json_lines(replay.out);
  size_t execs = 0;
  for (const json& e : events)
    if (e["event"] == "exec" && e["filename"] == FT_WORKLOAD_BIN) execs++;
  EXPECT_EQ(execs, 2u);
}

// A directory root does not own would need CAP_DAC_OVERRIDE at each rotation:
// refused at start, in one line.
TEST(Privileges, RotatingDirectoryRootCannotWriteIsRefused) {
  FT_REQUIRE_ROOT();
  std::string dir = temp_path("priv_not_roots");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directory(dir);
  ASSERT_EQ(chown(dir.c_str(), 65534, 65534), 0);
  chmod(dir.c_str(), 0755);
  Result r = run({FORKTRACE_BIN, "-q", "-o", "/dev/null", "-w", dir, "--", "true"});
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("CAP_DAC_OVERRIDE"), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

// The command runs as another user (sudo's caller): only CAP_KILL lets
// forktrace pass SIGTERM on to it.
TEST(Privileges, SigtermStillEndsACommandOfAnotherUser) {
  FT_REQUIRE_ROOT();
  int input = -1;
  pid_t tracer = start_forktrace({"-q", "-o", "/dev/null", "--", "sleep", "100"}, input, "/dev/null",
                                 {"SUDO_UID=65534", "SUDO_GID=65534"});
  ASSERT_GT(tracer, 0);
  close(input);
  EXPECT_EQ(wait_for_drop(tracer, kPtrace | kKill), "");
  kill(tracer, SIGTERM);
  int status = wait_status(tracer, 20s);
  ASSERT_TRUE(WIFEXITED(status)) << "forktrace did not end: " << status;
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM) << "the command ended by the SIGTERM passed on";
}

// Ctrl-C: the terminal signals the whole job; the command ends, and forktrace with its status.
TEST(Privileges, CtrlCStillEndsTheCommand) {
  FT_REQUIRE_ROOT();
  int input = -1;
  pid_t tracer = start_forktrace({"-q", "-o", "/dev/null", "--", "sleep", "100"}, input, "/dev/null",
                                 {"SUDO_UID=65534", "SUDO_GID=65534"});
  ASSERT_GT(tracer, 0);
  close(input);
  EXPECT_EQ(wait_for_drop(tracer, kPtrace | kKill), "");
  kill(-tracer, SIGINT);
  int status = wait_status(tracer, 20s);
  ASSERT_TRUE(WIFEXITED(status)) << "forktrace did not end: " << status;
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);
}

// --tui on a pseudo-terminal: the UI thread drops too, and q still ends a
// command of another user (SIGHUP to its group needs CAP_KILL).
TEST(Privileges, TuiDropsInEveryThreadAndQuitEndsTheCommand) {
  FT_REQUIRE_ROOT();
  int master = -1;
  winsize size{40, 120, 0, 0};
  pid_t tracer = forkpty(&master, nullptr, nullptr, &size);
  ASSERT_GE(tracer, 0);
  if (tracer == 0) {
    setenv("TERM", "xterm-256color", 1);
    setenv("SUDO_UID", "65534", 1);
    setenv("SUDO_GID", "65534", 1);
    execl(FORKTRACE_BIN, "forktrace", "--tui", "--", "sleep", "100", static_cast<char*>(nullptr));
    _exit(127);
  }
  std::atomic<bool> done{false};
  std::thread drain([&] {
    char buf[4096];
    while (!done && read(master, buf, sizeof buf) > 0) {
    }
  });
  size_t threads = 0;
  EXPECT_EQ(wait_for_drop(tracer, kPtrace | kKill, &threads), "");
  EXPECT_GE(threads, 2u) << "the UI thread too";
  int status = -1;
  for (int i = 0; i < 200; ++i) {  // q; and q again once the trace has ended
    if (i % 20 == 0) (void)!write(master, "q", 1);
    if (waitpid(tracer, &status, WNOHANG) == tracer) break;
    std::this_thread::sleep_for(50ms);
  }
  done = true;
  if (waitpid(tracer, &status, WNOHANG) == 0) {
    kill(tracer, SIGKILL);
    waitpid(tracer, &status, 0);
    ADD_FAILURE() << "forktrace --tui did not quit";
  }
  close(master);
  drain.join();
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGHUP) << "the command ended by the hang-up";
}

}  // namespace
}  // namespace ft::test
