// Root tests: the real BPF programs trace ft-workload, and every event is
// checked against what the workload itself saw (fork() returns, wait4 statuses).
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "attached.h"
#include "probe/probe.h"
#include "run_command.h"

namespace ft::test {
namespace {

using nlohmann::json;

struct Traced {
  std::vector<json> truth;   // the workload's own lines
  std::vector<json> events;  // forktrace's JSON Lines
  Result result;
};

Traced trace_case(const std::string& name, std::vector<std::string> options = {}) {
  std::string out = temp_path(name + ".json");
  std::vector<std::string> argv = {FORKTRACE_BIN, "-q", "--format", "json", "-o", out};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.insert(argv.end(), {"--", FT_WORKLOAD_BIN, name});
  Traced t;
  t.result = run(argv);
  EXPECT_EQ(t.result.exit_code(), 0) << t.result.err;
  t.truth = parse_json_lines(t.result.out);
  t.events = read_json_lines(out);
  return t;
}

std::vector<json> select(const std::vector<json>& events, const std::string& kind, long pid, int thread = -1) {
  std::vector<json> out;
  for (const json& e : events)
    if (e["event"] == kind && e["pid"] == pid && (thread < 0 || e["thread"] == static_cast<bool>(thread)))
      out.push_back(e);
  return out;
}

json one(const std::vector<json>& events, const std::string& kind, long pid, int thread = 0) {
  auto found = select(events, kind, pid, kind == "exec" ? -1 : thread);
  EXPECT_EQ(found.size(), 1u) << kind << " of " << pid;
  return found.empty() ? json::object() : found[0];
}

void expect_status(const json& exit, int status) {
  if (WIFEXITED(status)) {
    EXPECT_EQ(exit["exit_code"], WEXITSTATUS(status)) << exit;
    EXPECT_FALSE(exit.contains("signal")) << exit;
  } else {
    EXPECT_EQ(exit["signal"], WTERMSIG(status)) << exit;
    EXPECT_FALSE(exit.contains("exit_code")) << exit;
  }
  EXPECT_EQ(exit["core_dumped"], WIFSIGNALED(status) && WCOREDUMP(status)) << exit;
  EXPECT_GE(exit["duration_ns"].get<int64_t>(), 0);
}

TEST(Lifecycle, ForkExecExit) {
  FT_REQUIRE_ROOT();
  Traced t = trace_case("fork_exec");
  ASSERT_EQ(t.truth.size(), 1u);
  const json& w = t.truth[0];
  long child = w["child"];
  json fork = one(t.events, "fork", child);
  EXPECT_EQ(fork["ppid"], w["parent"]);
  EXPECT_EQ(fork["parent_tid"], w["parent"]);
  EXPECT_EQ(fork["tid"], child);
  EXPECT_EQ(fork["comm"], "ft-workload");
  json exec = one(t.events, "exec", child);
  EXPECT_EQ(exec["filename"], w["filename"]);
  EXPECT_EQ(exec["argv"], w["argv"]);
  EXPECT_EQ(exec["argv_truncated"], false);
  EXPECT_EQ(exec["ppid"], w["parent"]);
  EXPECT_FALSE(exec.contains("old_tid"));
  json exit = one(t.events, "exit", child);
  EXPECT_EQ(exit["comm"], "true");
  expect_status(exit, w["status"]);
  // In the order they happened.
  EXPECT_LT(fork["ts_ns"].get<int64_t>(), exec["ts_ns"].get<int64_t>());
  EXPECT_LE(exec["ts_ns"].get<int64_t>(), exit["ts_ns"].get<int64_t>());
}

TEST(Lifecycle, ExitCodes) {
  FT_REQUIRE_ROOT();
  Traced t = trace_case("exit_codes");
  ASSERT_EQ(t.truth.size(), 6u);
  for (const json& w : t.truth) {
    json exit = one(t.events, "exit", w["child"]);
    expect_status(exit, w["status"]);
    EXPECT_EQ(exit["exit_code"], w["code"]);
  }
}

TEST(Lifecycle, Signals) {
  FT_REQUIRE_ROOT();
  Traced t = trace_case("signal");
  ASSERT_EQ(t.truth.size(), 3u);
  for (const json& w : t.truth) {
    json exit = one(t.events, "exit", w["child"]);
    expect_status(exit, w["status"]);
    EXPECT_EQ(exit["signal"], w["signal"]);
  }
  EXPECT_EQ(t.truth[2]["core_dumped"], 1) << "the workload's SIGSEGV should have dumped core";
}

TEST(Lifecycle, OrphanIsReparented) {
  FT_REQUIRE_ROOT();
  Traced t = trace_case("orphan");
  ASSERT_EQ(t.truth.size(), 1u);
  const json& w = t.truth[0];
  json fork = one(t.events, "fork", w["grandchild"]);
  EXPECT_EQ(fork["ppid"], w["child"]);
  EXPECT_EQ(fork["parent_pid"], w["child"]);
  json exit = one(t.events, "exit", w["grandchild"]);
  EXPECT_EQ(exit["ppid"], w["new_ppid"]);
  expect_status(exit, w["status"]);
  expect_status(one(t.events, "exit", w["child"]), w["child_status"]);
}

TEST(Lifecycle, OrphanTreeKeepsTheForker) {
  FT_REQUIRE_ROOT();
  std::string out = temp_path("orphan.tree");
  Result r = run({FORKTRACE_BIN, "-q", "--format", "tree", "-o", out, "--", FT_WORKLOAD_BIN, "orphan"});
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  json w = parse_json_lines(r.out).at(0);
  std::string tree = read_file(out);
  std::string grandchild = std::to_string(w["grandchild"].get<long>());
  std::string child = std::to_string(w["child"].get<long>());
  // The grandchild sits under the child that forked it, marked as reparented.
  size_t child_at = tree.find("─ " + child + " ");
  size_t grandchild_at = tree.find("─ " + grandchild + " ");
  ASSERT_NE(child_at, std::string::npos) << tree;
  ASSERT_NE(grandchild_at, std::string::npos) << tree;
  EXPECT_LT(child_at, grandchild_at) << tree;
  EXPECT_NE(tree.find("exit 7", grandchild_at), std::string::npos) << tree;
  EXPECT_NE(tree.find("(reparented to " + std::to_string(w["new_ppid"].get<long>()) + ")", grandchild_at),
            std::string::npos)
      << tree;
}

TEST(Lifecycle, ThreadsHiddenByDefault) {
  FT_REQUIRE_ROOT();
  Traced t = trace_case("threads");
  for (const json& e : t.events) EXPECT_FALSE(e.value("thread", false)) << e;
}

TEST(Lifecycle, ThreadsShownWithFlag) {
  FT_REQUIRE_ROOT();
  Traced t = trace_case("threads", {"--threads"});
  const json& w = t.truth.at(0);
  long pid = w["pid"];
  for (long tid : w["tids"]) {
    json fork;
    json exit;
    for (const json& e : t.events) {
      if (e["tid"] != tid) continue;
      if (e["event"] == "fork") fork = e;
      if (e["event"] == "exit") exit = e;
    }
    ASSERT_FALSE(fork.is_null()) << "no fork for thread " << tid;
    EXPECT_EQ(fork["pid"], pid);
    EXPECT_EQ(fork["thread"], true);
    EXPECT_EQ(fork["parent_tid"], pid);
    // Where sched_process_exit passes no group_dead (5.10, 6.1), a joined
    // thread can read signal->live == 0 after the main thread's _exit and be
    // sent as the process's end too (Programs/ProbeExit): user space turns
    // that repeat into the thread's own exit, so it is never missing.
    ASSERT_FALSE(exit.is_null()) << "no exit for thread " << tid;
    EXPECT_EQ(exit["pid"], pid);
    EXPECT_EQ(exit["thread"], true);
  }
  // The process itself ends once, as a process.
  EXPECT_EQ(select(t.events, "exit", pid, 0).size(), 1u);
}

TEST(Lifecycle, ExecFromNonLeaderThread) {
  FT_REQUIRE_ROOT();
  Traced t = trace_case("thread_exec");
  const json& w = t.truth.at(0);
  json exec = one(t.events, "exec", w["child"]);
  EXPECT_EQ(exec["old_tid"], w["old_tid"]);
  EXPECT_EQ(exec["tid"], w["child"]);  // it took over the leader's id
  EXPECT_EQ(exec["filename"], w["filename"]);
  expect_status(one(t.events, "exit", w["child"]), w["status"]);
}

TEST(Lifecycle, ExitGroupFromNonLeaderThread) {
  FT_REQUIRE_ROOT();
  Traced t = trace_case("thread_exit_group");
  const json& w = t.truth.at(0);
  json exit = one(t.events, "exit", w["child"]);
  expect_status(exit, w["status"]);
  EXPECT_EQ(exit["exit_code"], 5);
}

TEST(Lifecycle, LeaderExitsBeforeItsThread) {
  FT_REQUIRE_ROOT();
  Traced t = trace_case("leader_exits_first", {"--threads"});
  const json& w = t.truth.at(0);
  json exit = one(t.events, "exit", w["child"]);
  expect_status(exit, w["status"]);
  // The leader's own exit is a thread exit, not the end of the process.
  auto thread_exits = select(t.events, "exit", w["child"], 1);
  ASSERT_FALSE(thread_exits.empty());
  EXPECT_EQ(thread_exits[0]["tid"], w["child"]);
  EXPECT_LT(thread_exits[0]["ts_ns"].get<int64_t>(), exit["ts_ns"].get<int64_t>());
}

TEST(Lifecycle, Vfork) {
  FT_REQUIRE_ROOT();
  Traced t = trace_case("vfork");
  ASSERT_EQ(t.truth.size(), 2u);
  const json& exec_case = t.truth[0];
  EXPECT_EQ(one(t.events, "fork", exec_case["child"])["ppid"], exec_case["parent"]);
  EXPECT_EQ(one(t.events, "exec", exec_case["child"])["filename"], exec_case["filename"]);
  expect_status(one(t.events, "exit", exec_case["child"]), exec_case["status"]);
  const json& exit_case = t.truth[1];
  EXPECT_EQ(one(t.events, "fork", exit_case["child"])["ppid"], exit_case["parent"]);
  expect_status(one(t.events, "exit", exit_case["child"]), exit_case["status"]);
}

TEST(Lifecycle, PosixSpawn) {
  FT_REQUIRE_ROOT();
  Traced t = trace_case("posix_spawn");
  const json& w = t.truth.at(0);
  EXPECT_EQ(one(t.events, "fork", w["child"])["ppid"], w["parent"]);
  json exec = one(t.events, "exec", w["child"]);
  EXPECT_EQ(exec["filename"], w["filename"]);
  EXPECT_EQ(exec["argv"], json({"sh", "-c", "exit 6"}));
  expect_status(one(t.events, "exit", w["child"]), w["status"]);
}

TEST(Lifecycle, ReusedPidIsANewProcess) {
  FT_REQUIRE_ROOT();
  std::string tree_out = temp_path("reuse.tree");
  Traced t = trace_case("reuse_pid", {"-w", temp_path("reuse.ftrace")});
  ASSERT_FALSE(t.truth.empty());
  const json& w = t.truth.back();  // after any retries ("reuse_pid_retry") on a busy machine
  ASSERT_EQ(w["first"], w["second"]);
  auto forks = select(t.events, "fork", w["first"], 0);
  auto exits = select(t.events, "exit", w["first"], 0);
  ASSERT_EQ(forks.size(), 2u);
  ASSERT_EQ(exits.size(), 2u);
  expect_status(exits[0], w["first_status"]);
  expect_status(exits[1], w["second_status"]);
  // The tree shows two processes, never one merged.
  Result r = run({FORKTRACE_BIN, "-r", temp_path("reuse.ftrace"), "--format", "tree"});
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  std::string pid = std::to_string(w["first"].get<long>());
  size_t first = r.out.find("─ " + pid + " ");
  ASSERT_NE(first, std::string::npos) << r.out;
  EXPECT_NE(r.out.find("─ " + pid + " ", first + 1), std::string::npos) << r.out;
}

TEST(Lifecycle, ProcessStartedBeforeTracing) {
  FT_REQUIRE_ROOT();
  // ft-workload hold is running before forktrace starts; -p follows it.
  int to_hold[2], from_hold[2];
  ASSERT_EQ(pipe(to_hold), 0);
  ASSERT_EQ(pipe(from_hold), 0);
  pid_t hold = fork();
  if (hold == 0) {
    dup2(to_hold[0], 0);
    dup2(from_hold[1], 1);
    execl(FT_WORKLOAD_BIN, "ft-workload", "hold", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(to_hold[0]);
  close(from_hold[1]);
  FILE* hold_out = fdopen(from_hold[0], "r");
  char line[256];
  ASSERT_TRUE(fgets(line, sizeof line, hold_out));

  std::string out = temp_path("hold.json");
  std::string err = temp_path("hold.err");
  ReadyNotice ready;  // before the tracer starts: it inherits NOTIFY_SOCKET
  pid_t tracer = fork();
  if (tracer == 0) {
    freopen(err.c_str(), "w", stderr);
    std::string pid = std::to_string(hold);
    execl(FORKTRACE_BIN, "forktrace", "--format", "json", "-o", out.c_str(), "-p", pid.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_TRUE(ready.wait(tracer, std::chrono::seconds(60))) << read_file(err);
  ASSERT_EQ(write(to_hold[1], "go\n", 3), 3);
  ASSERT_TRUE(fgets(line, sizeof line, hold_out));
  json w = json::parse(line);
  int status;
  ASSERT_EQ(waitpid(hold, &status, 0), hold);
  // -p ends by itself once the followed processes have all exited.
  ASSERT_EQ(waitpid(tracer, &status, 0), tracer);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(err);
  fclose(hold_out);
  close(to_hold[1]);

  auto events = read_json_lines(out);
  json fork_event = one(events, "fork", w["child"]);
  EXPECT_EQ(fork_event["ppid"], hold);
  expect_status(one(events, "exit", w["child"]), w["status"]);
  EXPECT_EQ(one(events, "exit", hold)["exit_code"], 0);
  // A failure's ancestry begins at the traced command: not at pid 1, not
  // through forktrace or the processes that started it.
  Result failed = run({FORKTRACE_BIN, "-q", "--failed", "--format", "json", "--", "sh", "-c", "sh -c 'exit 3'; true"});
  ASSERT_EQ(failed.exit_code(), 0) << failed.err;
  auto failures = parse_json_lines(failed.out);
  ASSERT_EQ(failures.size(), 1u) << failed.out;
  EXPECT_EQ(failures[0]["exit_code"], 3);
  ASSERT_EQ(failures[0]["ancestry"].size(), 1u) << failures[0];
  EXPECT_EQ(failures[0]["ancestry"][0]["comm"], "sh") << failures[0];
  EXPECT_NE(failures[0]["ancestry"][0]["pid"], 1) << failures[0];
}

TEST(Lifecycle, ExitsWithTheCommandsStatus) {
  FT_REQUIRE_ROOT();
  EXPECT_EQ(run({FORKTRACE_BIN, "-q", "-o", "/dev/null", "--", "sh", "-c", "exit 7"}).exit_code(), 7);
  EXPECT_EQ(run({FORKTRACE_BIN, "-q", "-o", "/dev/null", "--", "sh", "-c", "kill -9 $$"}).exit_code(), 137);
  EXPECT_EQ(run({FORKTRACE_BIN, "-q", "-o", "/dev/null", "--", "true"}).exit_code(), 0);
}

TEST(Lifecycle, CommandRunsAsTheSudoCaller) {
  FT_REQUIRE_ROOT();
  Result r = run({FORKTRACE_BIN, "-q", "-o", "/dev/null", "--", "id", "-u"}, {"SUDO_UID=65534", "SUDO_GID=65534"});
  EXPECT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_EQ(r.out, "65534\n");
  r = run({FORKTRACE_BIN, "-q", "-o", "/dev/null", "--", "id", "-g"}, {"SUDO_UID=65534", "SUDO_GID=65534"});
  EXPECT_EQ(r.out, "65534\n");
}

TEST(Lifecycle, StopsCleanlyOnSigint) {
  FT_REQUIRE_ROOT();
  std::string out = temp_path("sigint.json");
  std::string err = temp_path("sigint.err");
  ReadyNotice ready;  // before the tracer starts: it inherits NOTIFY_SOCKET
  pid_t tracer = fork();
  if (tracer == 0) {
    freopen(err.c_str(), "w", stderr);
    execl(FORKTRACE_BIN, "forktrace", "--format", "json", "-o", out.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_TRUE(ready.wait(tracer, std::chrono::seconds(60))) << read_file(err);
  Result marker = run({"sh", "-c", "exit 42"});
  ASSERT_EQ(marker.exit_code(), 42);
  // Its exit is in the ring buffer now, and forktrace drains that on SIGINT.
  kill(tracer, SIGINT);
  int status;
  ASSERT_EQ(waitpid(tracer, &status, 0), tracer);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::string summary = read_file(err);
  EXPECT_NE(summary.find("events, 0 lost"), std::string::npos) << summary;
  bool seen = false;
  for (const json& e : read_json_lines(out))
    if (e["event"] == "exit" && e.value("exit_code", -1) == 42 && e["comm"] == "sh") seen = true;
  EXPECT_TRUE(seen) << "the whole-machine trace missed a process";
}

}  // namespace
}  // namespace ft::test
