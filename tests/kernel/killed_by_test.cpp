// Root tests of killed_by: the real BPF programs trace ft-workload's
// killed_by case, and each exit's killed_by is checked against the sender or
// reason the workload itself arranged (which process it had send what, the
// limit it set, the cgroup it made), field by field. The replay of the
// recording made on the way says the same.
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "run_command.h"

namespace ft::test {
namespace {

using nlohmann::json;

const TracedCase& killed_run() {
  static TracedCase r = trace_workload_case("killed_by");
  return r;
}

json exit_of(const std::vector<json>& events, long pid) {
  for (const json& e : events)
    if (e["event"] == "exit" && e["pid"] == pid && e["thread"] == false) return e;
  ADD_FAILURE() << "no exit of " << pid;
  return json::object();
}

// The workload's line for `what`, and the exit it is about.
struct Case {
  json truth;
  json exit;
};

std::vector<Case> cases(const std::string& what) {
  const TracedCase& r = killed_run();
  std::vector<Case> out;
  for (const json& w : r.truth) {
    if (w["what"] != what) continue;
    if (w.contains("skipped")) {
      out.push_back({w, json::object()});
      continue;
    }
    long pid = w["child"];
    if (w.contains("victim")) {  // timeout: the command it forked (reparented by its exit)
      long victim = 0;
      for (const json& e : r.events)
        if (e["event"] == "fork" && e["parent_pid"] == pid) victim = e["pid"];
      EXPECT_NE(victim, 0) << "no fork by timeout " << pid;
      pid = victim;
    }
    out.push_back({w, exit_of(r.events, pid)});
  }
  EXPECT_FALSE(out.empty()) << "the workload did no " << what;
  return out;
}

// False where the workload could not do the case here (it says why).
bool expect_killed_by(const std::string& what) {
  for (const Case& c : cases(what)) {
    if (c.truth.contains("skipped")) {
      std::cerr << "skipped " << what << ": " << c.truth["skipped"] << "\n";
      return false;
    }
    SCOPED_TRACE(what);
    const json& e = c.exit;
    EXPECT_TRUE(e.contains("signal")) << e;
    if (!e.contains("killed_by")) {
      ADD_FAILURE() << "no killed_by: " << e;
      continue;
    }
    const json& k = e["killed_by"];
    if (c.truth.contains("kernel")) {
      EXPECT_EQ(k["kernel"], c.truth["kernel"]) << e;
      EXPECT_FALSE(k.contains("pid")) << e;
      if (c.truth.contains("oom_cgroup")) EXPECT_EQ(k["oom_cgroup"], c.truth["oom_cgroup"]) << e;
    } else {
      EXPECT_EQ(k["pid"], c.truth["sender"]) << e;
      EXPECT_EQ(k["comm"], c.truth["sender_comm"]) << e;
      EXPECT_FALSE(k.contains("kernel")) << e;
    }
    if (!c.truth.contains("victim")) EXPECT_EQ(e["signal"], WTERMSIG(c.truth["status"].get<int>())) << e;
  }
  return true;
}

// One run of the workload serves every test of this file (each test runs in
// a process of its own under ctest, so they are few: the CPU-limit cases burn
// two seconds).
TEST(LifecycleKilledBy, SentByAProcess) {
  FT_REQUIRE_ROOT();
  // the parent; a sibling with a comm of its own; abort(), the process
  // itself; a process group's signal; timeout -s KILL
  for (const char* what : {"parent", "sibling", "abort", "process_group"}) expect_killed_by(what);
  if (!expect_killed_by("timeout")) GTEST_SKIP() << "no timeout(1) here";
}

TEST(LifecycleKilledBy, RaisedByTheKernel) {
  FT_REQUIRE_ROOT();
  for (const char* what : {"null_deref", "pipe", "cpu_limit", "cpu_limit_hard", "file_size_limit"})
    expect_killed_by(what);
  if (!expect_killed_by("oom")) GTEST_SKIP() << "no memory cgroup to make here (see the log)";
}

TEST(LifecycleKilledBy, AHandledSigtermLeavesNoneAndReplayAgrees) {
  FT_REQUIRE_ROOT();
  for (const Case& c : cases("handled")) {
    EXPECT_EQ(c.exit["exit_code"], 0) << c.exit;
    EXPECT_FALSE(c.exit.contains("killed_by")) << c.exit;
  }
  const TracedCase& r = killed_run();
  ASSERT_EQ(r.replayed.size(), r.events.size());
  for (size_t i = 0; i < r.events.size(); ++i) EXPECT_EQ(r.replayed[i], r.events[i]) << i;
}

}  // namespace
}  // namespace ft::test
