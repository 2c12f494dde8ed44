// The views (views/*): the JSON Lines contract of INTERFACE.md key by key and
// type by type, the text view's lines, the tree view's indentation and
// --failed pruning, and the text helpers they share. Output goes to a tmpfile.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "pipeline/pipeline.h"
#include "event_builders.h"
#include "read_all.h"
#include "format/text.h"
#include "views/json_view.h"
#include "views/summary_view.h"
#include "views/text_view.h"
#include "views/tree_view.h"

namespace ft {
namespace {

using namespace ft::test;
using Json = nlohmann::json;

// 2023-11-14 22:13:20 UTC: boot time 0 on the wall clock.
constexpr int64_t kBootEpochNs = 1'700'000'000'000'000'000;

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

std::set<std::string> keys_of(const Json& j) {
  std::set<std::string> out;
  for (const auto& [key, value] : j.items()) out.insert(key);
  return out;
}

const std::set<std::string> kCommon = {"event", "ts_ns", "pid", "tid", "ppid", "comm"};

std::set<std::string> common_and(std::initializer_list<std::string> more) {
  std::set<std::string> out = kCommon;
  out.insert(more.begin(), more.end());
  return out;
}

void expect_common_types(const Json& j) {
  EXPECT_TRUE(j["event"].is_string()) << j;
  EXPECT_TRUE(j["ts_ns"].is_number_integer()) << j;
  EXPECT_TRUE(j["pid"].is_number_integer()) << j;
  EXPECT_TRUE(j["tid"].is_number_integer()) << j;
  EXPECT_TRUE(j["ppid"].is_number_integer()) << j;
  EXPECT_TRUE(j["comm"].is_string()) << j;
}

// A model with init and a shell, a pipeline into one view, and its output.
class ViewTest : public ViewOutputTest {
 protected:

  void start(std::unique_ptr<Sink> view, bool threads = false) {
    pipeline = std::make_unique<Pipeline>(threads);
    pipeline->add_sink(std::move(view));
    pipeline->model().seed({seed_of(1, 0, 0, "systemd", "/sbin/init", {"/sbin/init"}),
                            seed_of(100, 1, Lineage::kDefaultProcTickNs, "bash", "/bin/bash", {"bash"})});
  }
  ViewOptions options(bool failed_only = false, bool threads = false) {
    return ViewOptions{TraceClock{kBootEpochNs}, failed_only, threads};
  }
  std::vector<Json> json_lines() {
    std::vector<Json> lines;
    for (const std::string& line : split_lines(read_all(out))) lines.push_back(Json::parse(line));
    return lines;
  }

  // make (200) runs two shells; the first one's compiler fails.
  //   200 make -j2          exit 2
  //   ├─ 201 sh -c 'cc a.c'   exit 1
  //   │  └─ 203 cc a.c          exit 1
  //   └─ 202 sh -c 'cc b.c'   exit 0
  //      └─ 204 cc b.c          exit 0
  void feed_build() {
    Id shell{100, Lineage::kDefaultProcTickNs + 5};
    Id make{200, 10 * kSec}, sh1{201, 10 * kSec + kMs}, sh2{202, 10 * kSec + 2 * kMs};
    Id cc1{203, 10 * kSec + 3 * kMs}, cc2{204, 10 * kSec + 4 * kMs};
    Pipeline& p = *pipeline;
    p.feed(fork_of(shell, make, 0, "bash"));
    p.feed(exec_of(make, 100, "/usr/bin/make", {"make", "-j2"}, make.start_ns + kMs / 2));
    p.feed(fork_of(make, sh1, 0, "make"));
    p.feed(exec_of(sh1, 200, "/bin/sh", {"sh", "-c", "cc a.c"}, sh1.start_ns + 10 * kUs));
    p.feed(fork_of(make, sh2, 0, "make"));
    p.feed(exec_of(sh2, 200, "/bin/sh", {"sh", "-c", "cc b.c"}, sh2.start_ns + 10 * kUs));
    p.feed(fork_of(sh1, cc1, 0, "sh"));
    p.feed(exec_of(cc1, 201, "/usr/bin/cc", {"cc", "a.c"}, cc1.start_ns + 10 * kUs));
    p.feed(fork_of(sh2, cc2, 0, "sh"));
    p.feed(exec_of(cc2, 202, "/usr/bin/cc", {"cc", "b.c"}, cc2.start_ns + 10 * kUs));
    p.feed(exit_of(cc1, 201, exited_with(1), cc1.start_ns + 20 * kMs, 0, "cc"));
    p.feed(exit_of(sh1, 200, exited_with(1), sh1.start_ns + 25 * kMs, 0, "sh"));
    p.feed(exit_of(cc2, 202, exited_with(0), cc2.start_ns + 30 * kMs, 0, "cc"));
    p.feed(exit_of(sh2, 200, exited_with(0), sh2.start_ns + 35 * kMs, 0, "sh"));
    p.feed(exit_of(make, 100, exited_with(2), make.start_ns + 1500 * kMs, 0, "make"));
    p.finish();
  }

  std::unique_ptr<Pipeline> pipeline;
};

// --- JSON Lines -------------------------------------------------------------

using UnitJsonView = ViewTest;

TEST_F(UnitJsonView, ForkKeysAndTypes) {
  start(std::make_unique<JsonView>(out, options()));
  Id shell{100, Lineage::kDefaultProcTickNs + 5}, child{200, 10 * kSec};
  pipeline->feed(fork_of(shell, child, 0, "bash", 101));
  pipeline->finish();
  auto j = json_lines();
  ASSERT_EQ(j.size(), 1u);
  expect_common_types(j[0]);
  EXPECT_EQ(keys_of(j[0]), common_and({"parent_tid", "thread", "parent_pid"}));
  EXPECT_EQ(j[0]["event"], "fork");
  EXPECT_EQ(j[0]["ts_ns"], kBootEpochNs + static_cast<int64_t>(10 * kSec));
  EXPECT_EQ(j[0]["pid"], 200);
  EXPECT_EQ(j[0]["tid"], 200);
  EXPECT_EQ(j[0]["ppid"], 100);
  EXPECT_EQ(j[0]["comm"], "bash");
  EXPECT_EQ(j[0]["parent_tid"], 101);
  EXPECT_EQ(j[0]["parent_pid"], 100);
  EXPECT_EQ(j[0]["thread"], false);
}

TEST_F(UnitJsonView, ThreadForkAndThreadExitWithThreads) {
  start(std::make_unique<JsonView>(out, options(false, true)), /*threads=*/true);
  Id shell{100, Lineage::kDefaultProcTickNs + 5}, child{200, 10 * kSec};
  pipeline->feed(fork_of(shell, child));
  pipeline->feed(thread_fork_of(child, 100, 205, child.start_ns + kMs, 200));
  pipeline->feed(thread_exit_of(child, 100, 205, child.start_ns + kMs, child.start_ns + 4 * kMs));
  pipeline->finish();
  auto j = json_lines();
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(keys_of(j[1]), common_and({"parent_tid", "thread"}));
  EXPECT_EQ(j[1]["thread"], true);
  EXPECT_EQ(j[1]["pid"], 200);  // a thread of the parent's process
  EXPECT_EQ(j[1]["tid"], 205);
  EXPECT_EQ(j[1]["parent_tid"], 200);
  EXPECT_EQ(keys_of(j[2]), common_and({"thread", "exit_code", "core_dumped", "duration_ns"}));
  EXPECT_EQ(j[2]["thread"], true);
  EXPECT_EQ(j[2]["tid"], 205);
  EXPECT_EQ(j[2]["duration_ns"], 3 * kMs);  // the thread's own life
}

TEST_F(UnitJsonView, ExecKeysAndOldTidOnlyWhenSet) {
  start(std::make_unique<JsonView>(out, options()));
  Id child{200, 10 * kSec};
  pipeline->feed(exec_of(child, 100, "/bin/ls", {"ls", "-l", "a b"}, 11 * kSec));
  Event truncated = exec_of(child, 100, "/usr/bin/env", {"env", "x"}, 12 * kSec, /*old_tid=*/207);
  truncated.argv_truncated = true;
  pipeline->feed(truncated);
  pipeline->feed(exec_of(child, 100, "/bin/true", {}, 13 * kSec));
  pipeline->finish();
  auto j = json_lines();
  ASSERT_EQ(j.size(), 3u);
  for (const Json& line : j) {
    expect_common_types(line);
    EXPECT_TRUE(line["filename"].is_string());
    EXPECT_TRUE(line["argv"].is_array());
    for (const Json& arg : line["argv"]) EXPECT_TRUE(arg.is_string());
    EXPECT_TRUE(line["argv_truncated"].is_boolean());
  }
  EXPECT_EQ(keys_of(j[0]), common_and({"filename", "argv", "argv_truncated"}));
  EXPECT_EQ(j[0]["event"], "exec");
  EXPECT_EQ(j[0]["filename"], "/bin/ls");
  EXPECT_EQ(j[0]["argv"], Json({"ls", "-l", "a b"}));
  EXPECT_EQ(j[0]["argv_truncated"], false);
  EXPECT_EQ(j[0]["comm"], "ls");
  EXPECT_EQ(keys_of(j[1]), common_and({"filename", "argv", "argv_truncated", "old_tid"}));
  EXPECT_EQ(j[1]["old_tid"], 207);
  EXPECT_EQ(j[1]["pid"], 200);
  EXPECT_EQ(j[1]["argv_truncated"], true);
  EXPECT_EQ(j[2]["argv"], Json::array());
}

TEST_F(UnitJsonView, ExitCodeOrSignalNeverBoth) {
  start(std::make_unique<JsonView>(out, options()));
  Id shell{100, Lineage::kDefaultProcTickNs + 5};
  struct Case {
    uint32_t status;
    Json exit_code, signal;
    bool core;
  };
  std::vector<Case> cases = {{exited_with(0), 0, nullptr, false},
                             {exited_with(3), 3, nullptr, false},
                             {exited_with(255), 255, nullptr, false},
                             {killed_by(9), nullptr, 9, false},
                             {killed_by(15), nullptr, 15, false},
                             {killed_by(11, true), nullptr, 11, true}};
  for (size_t i = 0; i < cases.size(); ++i) {
    Id child{static_cast<uint32_t>(300 + i), (10 + i) * kSec};
    pipeline->feed(fork_of(shell, child));
    pipeline->feed(exit_of(child, 100, cases[i].status, child.start_ns + (i + 1) * kMs));
  }
  pipeline->finish();
  auto j = json_lines();
  ASSERT_EQ(j.size(), 2 * cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const Json& e = j[2 * i + 1];
    SCOPED_TRACE(e.dump());
    expect_common_types(e);
    EXPECT_EQ(e["event"], "exit");
    EXPECT_EQ(e["thread"], false);
    EXPECT_TRUE(e["core_dumped"].is_boolean());
    EXPECT_EQ(e["core_dumped"], cases[i].core);
    EXPECT_TRUE(e["duration_ns"].is_number_integer());
    EXPECT_EQ(e["duration_ns"], (i + 1) * kMs);
    if (cases[i].exit_code.is_null()) {
      EXPECT_EQ(keys_of(e), common_and({"thread", "signal", "core_dumped", "duration_ns"}));
      EXPECT_EQ(e["signal"], cases[i].signal);
    } else {
      EXPECT_EQ(keys_of(e), common_and({"thread", "exit_code", "core_dumped", "duration_ns"}));
      EXPECT_EQ(e["exit_code"], cases[i].exit_code);
    }
  }
}

TEST_F(UnitJsonView, LostHasExactlyEventTsAndCount) {
  start(std::make_unique<JsonView>(out, options()));
  pipeline->feed(lost_of(17, 3 * kSec));
  pipeline->finish();
  auto j = json_lines();
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(keys_of(j[0]), (std::set<std::string>{"event", "ts_ns", "count"}));
  EXPECT_EQ(j[0]["event"], "lost");
  EXPECT_EQ(j[0]["ts_ns"], kBootEpochNs + static_cast<int64_t>(3 * kSec));
  EXPECT_EQ(j[0]["count"], 17);
  EXPECT_TRUE(j[0]["count"].is_number_integer());
}

TEST_F(UnitJsonView, InvalidUtf8DoesNotThrow) {
  start(std::make_unique<JsonView>(out, options()));
  Id shell{100, Lineage::kDefaultProcTickNs + 5}, child{200, 10 * kSec};
  Event fork = fork_of(shell, child, 0, "a\xff\xfe");
  Event exec = exec_of(child, 100, "/tmp/\xc3", {"\xe2\x82", "ok", std::string("nul\0in", 6)}, 11 * kSec);
  exec.comm = "\x80";
  exec.cgroup = "/x\xff";
  Event exit = exit_of(child, 100, 0, 12 * kSec, 0, "\xc0\xaf");
  EXPECT_NO_THROW(pipeline->feed(fork));
  EXPECT_NO_THROW(pipeline->feed(exec));
  EXPECT_NO_THROW(pipeline->feed(exit));
  pipeline->finish();
  auto j = json_lines();  // every line still parses
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["comm"], "a\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(j[1]["filename"], "/tmp/\xef\xbf\xbd");
  EXPECT_EQ(j[1]["argv"][1], "ok");
  EXPECT_EQ(j[1]["argv"][2], std::string("nul\0in", 6));
  EXPECT_TRUE(j[1]["cgroup"].is_string());
  EXPECT_TRUE(j[2]["comm"].is_string());
}

TEST_F(UnitJsonView, FormatIsOneLineForEveryEvent) {
  JsonView view(out, options());
  Process p;
  Event e = exec_of(Id{5, 1}, 1, "/bin/x\ny", {"a\nb", "\t"}, 2);
  std::string line = view.format(e, p);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(Json::parse(line)["filename"], "/bin/x\ny");
}

TEST_F(UnitJsonView, FailedShowsOnlyFailedExitsWithAncestry) {
  start(std::make_unique<JsonView>(out, options(/*failed_only=*/true)));
  feed_build();
  auto j = json_lines();
  ASSERT_EQ(j.size(), 3u);  // cc a.c, sh -c 'cc a.c', make
  std::vector<int> pids;
  for (const Json& e : j) {
    EXPECT_EQ(e["event"], "exit");
    EXPECT_TRUE(e["ancestry"].is_array());
    for (const Json& a : e["ancestry"]) {
      EXPECT_EQ(keys_of(a), (std::set<std::string>{"pid", "comm"}));
      EXPECT_TRUE(a["pid"].is_number_integer());
      EXPECT_TRUE(a["comm"].is_string());
    }
    pids.push_back(e["pid"]);
  }
  EXPECT_EQ(pids, (std::vector<int>{203, 201, 200}));
  EXPECT_EQ(j[0]["exit_code"], 1);
  // Up to pid 1, through the shell that existed before tracing.
  EXPECT_EQ(j[0]["ancestry"],
            Json::parse(R"([{"pid":1,"comm":"systemd"},{"pid":100,"comm":"bash"},)"
                        R"({"pid":200,"comm":"make"},{"pid":201,"comm":"sh"}])"));
  EXPECT_EQ(j[2]["ancestry"].size(), 2u);
}

TEST_F(UnitJsonView, FailedKeepsLostLines) {
  start(std::make_unique<JsonView>(out, options(/*failed_only=*/true)));
  pipeline->feed(lost_of(3, kSec));
  pipeline->finish();
  auto j = json_lines();
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["event"], "lost");
}

// --- text -------------------------------------------------------------------

using UnitTextView = ViewTest;

TEST_F(UnitTextView, OneLinePerEvent) {
  start(std::make_unique<TextView>(out, options()));
  feed_build();
  auto lines = split_lines(read_all(out));
  ASSERT_EQ(lines.size(), 16u);  // header + 15 events
  EXPECT_EQ(lines[0], "TIME            EVENT     PID    PPID COMM             DETAILS");
  EXPECT_EQ(lines[1], "22:13:30.000000 fork      200     100 bash");
  EXPECT_EQ(lines[2], "22:13:30.000500 exec      200     100 make             /usr/bin/make  make -j2");
  EXPECT_EQ(lines[4], "22:13:30.001010 exec      201     200 sh               /bin/sh  sh -c 'cc a.c'");
  EXPECT_EQ(lines[11], "22:13:30.023000 exit      203     201 cc               exit 1 after 20.0ms");
  EXPECT_EQ(lines[15], "22:13:31.500000 exit      200     100 make             exit 2 after 1.50s");
  for (const std::string& line : lines) EXPECT_NE(line.back(), ' ') << line;
}

TEST_F(UnitTextView, StatusesInWords) {
  start(std::make_unique<TextView>(out, options()));
  std::vector<uint32_t> statuses = {exited_with(0), exited_with(3), killed_by(9), killed_by(11, true)};
  for (size_t i = 0; i < statuses.size(); ++i) {
    Id child{static_cast<uint32_t>(300 + i), (10 + i) * kSec};
    pipeline->feed(exit_of(child, 100, statuses[i], child.start_ns + 350 * kUs));
  }
  pipeline->finish();
  auto lines = split_lines(read_all(out));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_TRUE(lines[1].ends_with("exit 0 after 350us")) << lines[1];
  EXPECT_TRUE(lines[2].ends_with("exit 3 after 350us")) << lines[2];
  EXPECT_TRUE(lines[3].ends_with("killed by SIGKILL after 350us")) << lines[3];
  EXPECT_TRUE(lines[4].ends_with("SIGSEGV (core dumped) after 350us")) << lines[4];
}

TEST_F(UnitTextView, ThreadsCloneParentNonLeaderExecAndLost) {
  start(std::make_unique<TextView>(out, options(false, true)), /*threads=*/true);
  Id shell{100, Lineage::kDefaultProcTickNs + 5}, a{200, 10 * kSec}, b{201, 11 * kSec};
  pipeline->feed(fork_of(shell, a));
  pipeline->feed(thread_fork_of(a, 100, 202, 10 * kSec + kMs, 200));
  pipeline->feed(fork_of(a, b, /*ppid=*/100));  // CLONE_PARENT
  pipeline->feed(exec_of(a, 100, "/bin/true", {"true"}, 12 * kSec, /*old_tid=*/202));
  pipeline->feed(thread_exit_of(a, 100, 203, 10 * kSec, 13 * kSec));
  pipeline->feed(lost_of(4, 14 * kSec));
  pipeline->finish();
  auto lines = split_lines(read_all(out));
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_TRUE(lines[2].ends_with("thread 202 started by 200")) << lines[2];
  EXPECT_TRUE(lines[3].ends_with("forked by 200")) << lines[3];
  EXPECT_TRUE(lines[4].ends_with("/bin/true  true  (by thread 202)")) << lines[4];
  EXPECT_TRUE(lines[5].ends_with("thread 203 ended")) << lines[5];
  EXPECT_EQ(lines[6], "22:13:34.000000 lost        -       - -                4 events lost in the kernel (ring buffer full)");
}

TEST_F(UnitTextView, ControlBytesStayOnOneLine) {
  start(std::make_unique<TextView>(out, options()));
  Id child{200, 10 * kSec};
  pipeline->feed(exec_of(child, 100, "/tmp/a\nb", {"x\ny", "\x1b[31m"}, 11 * kSec));
  pipeline->finish();
  auto lines = split_lines(read_all(out));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("/tmp/a\\x0ab"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("\\x1b"), std::string::npos) << lines[1];
}

TEST_F(UnitTextView, FailedShowsOnlyFailedExitsWithAncestry) {
  start(std::make_unique<TextView>(out, options(/*failed_only=*/true)));
  feed_build();
  auto lines = split_lines(read_all(out));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_TRUE(lines[1].ends_with("exit 1 after 20.0ms  systemd(1) → bash(100) → make(200) → sh(201) → cc(203)"))
      << lines[1];
  EXPECT_TRUE(lines[2].ends_with("systemd(1) → bash(100) → make(200) → sh(201)")) << lines[2];
  EXPECT_TRUE(lines[3].ends_with("exit 2 after 1.50s  systemd(1) → bash(100) → make(200)")) << lines[3];
}

// --failed at the end of a failed `-- CMD` (issue 24, point 5): the lines
// stream as they happen; then the failure path alone, in the order it ended
// (analysis::propagated_first), and the handled failures counted.
TEST_F(UnitTextView, FailedEndsWithTheFailurePathThenTheHandledCounted) {
  ViewOptions o = options(/*failed_only=*/true);
  o.scope.filtered = true;
  start(std::make_unique<TextView>(out, o));
  Id shell{100, Lineage::kDefaultProcTickNs + 5}, top{200, 10 * kSec}, probe{201, 11 * kSec}, cc{202, 12 * kSec};
  Id probe2{203, 11 * kSec + 500 * kMs};
  pipeline->feed(fork_of(shell, top, 0, "bash"));
  pipeline->feed(fork_of(top, probe));
  pipeline->feed(exit_of(probe, 200, exited_with(1), 11 * kSec + kMs));
  pipeline->feed(fork_of(top, probe2));
  pipeline->feed(exit_of(probe2, 200, exited_with(1), 11 * kSec + 600 * kMs));
  pipeline->feed(fork_of(top, cc));  // after both: top went on from them
  // The step that broke it could not run its program: its attempt goes with it.
  pipeline->feed(failed_exec_of(cc, 200, "/usr/bin/no-such-cc", ENOENT, 12 * kSec + kMs));
  pipeline->feed(exit_of(cc, 200, exited_with(127), 12 * kSec + 20 * kMs));
  pipeline->feed(exit_of(top, 100, exited_with(127), 13 * kSec));
  pipeline->finish();
  std::vector<std::string> lines = split_lines(read_all(out));
  ASSERT_EQ(lines.size(), 12u) << read_all(out);
  // As they happened: probe, probe2, cc's attempt and exit, top.
  EXPECT_NE(lines[1].find("exit      201"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("exit      203"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("exec!     202"), std::string::npos) << lines[3];
  EXPECT_NE(lines[4].find("exit      202"), std::string::npos) << lines[4];
  EXPECT_NE(lines[5].find("exit      200"), std::string::npos) << lines[5];
  EXPECT_EQ(lines[6], "");
  EXPECT_EQ(lines[7], "failure path (2 of 4 failures, in the order they ended):");
  EXPECT_EQ(lines[8], lines[3]);  // the same lines: cc's attempt, its exit, then the command's
  EXPECT_EQ(lines[9], lines[4]);
  EXPECT_EQ(lines[10], lines[5]);
  EXPECT_EQ(lines[11], "handled, above (a parent went on after them): 2 bash (exit 1)");
}

// Nothing more where the lines above are the failure path already, or where
// the command succeeded.
TEST_F(UnitTextView, FailedAddsNothingWhereEveryFailureIsOnThePathOrTheCommandSucceeded) {
  for (bool root_fails : {true, false}) {
    ViewOptions o = options(/*failed_only=*/true);
    o.scope.filtered = true;
    start(std::make_unique<TextView>(out, o));
    Id shell{100, Lineage::kDefaultProcTickNs + 5}, top{200, 10 * kSec}, cc{202, 12 * kSec};
    pipeline->feed(fork_of(shell, top, 0, "bash"));
    pipeline->feed(fork_of(top, cc));
    pipeline->feed(exit_of(cc, 200, exited_with(1), 12 * kSec + kMs));
    if (!root_fails) pipeline->feed(fork_of(top, Id{203, 12 * kSec + 2 * kMs}));
    pipeline->feed(exit_of(top, 100, exited_with(root_fails ? 1 : 0), 13 * kSec));
    pipeline->finish();
    std::string all = read_all(out);
    EXPECT_EQ(all.find("failure path"), std::string::npos) << all;
    EXPECT_EQ(split_lines(all).size(), root_fails ? 3u : 2u) << all;
    ASSERT_EQ(ftruncate(fileno(out), 0), 0);
    std::rewind(out);
  }
}

// --- tree -------------------------------------------------------------------

using UnitTreeView = ViewTest;

TEST_F(UnitTreeView, Indentation) {
  start(std::make_unique<TreeView>(out, options()));
  feed_build();
  EXPECT_EQ(read_all(out),
            "200 make -j2  exit 2  1.50s  [5 processes, 3 failed]\n"
            "├─ 201 sh -c 'cc a.c'  exit 1  25.0ms  [2 processes, 2 failed]\n"
            "│  └─ 203 cc a.c  exit 1  20.0ms\n"
            "└─ 202 sh -c 'cc b.c'  exit 0  35.0ms  [2 processes]\n"
            "   └─ 204 cc b.c  exit 0  30.0ms\n");
}

TEST_F(UnitTreeView, DeepChainPrintsWithoutRecursionAndBoundedIndentation) {
  // A respawn chain: each generation forks the next and exits.
  start(std::make_unique<TreeView>(out, options()));
  constexpr uint32_t kGenerations = 200000;
  Id parent{100, Lineage::kDefaultProcTickNs + 5};
  for (uint32_t i = 0; i < kGenerations; ++i) {
    Id child{1000 + i, 10 * kSec + i * kUs};
    pipeline->feed(fork_of(parent, child, 0, "sh"));
    if (i > 0) pipeline->feed(exit_of(parent, 0, 0, child.start_ns + 1, 0, "sh"));
    parent = child;
  }
  pipeline->finish();
  std::vector<std::string> lines = split_lines(read_all(out));
  ASSERT_EQ(lines.size(), kGenerations);
  EXPECT_EQ(lines[0].rfind("1000 ", 0), 0u) << lines[0];
  EXPECT_EQ(lines[2], "   └─ 1002 bash  exit 0  1us  [199998 processes]") << lines[2];  // bash's argv, inherited
  size_t longest = 0;
  for (const std::string& line : lines) longest = std::max(longest, line.size());
  EXPECT_LT(longest, 400u);
  EXPECT_NE(lines.back().find("[depth 199999] 200999 bash  running"), std::string::npos) << lines.back();
}

TEST_F(UnitTreeView, FailedPrunesSubtreesWithoutFailures) {
  start(std::make_unique<TreeView>(out, options(/*failed_only=*/true)));
  feed_build();
  EXPECT_EQ(read_all(out),
            "200 make -j2  exit 2  1.50s  [5 processes, 3 failed]\n"
            "└─ 201 sh -c 'cc a.c'  exit 1  25.0ms  [2 processes, 2 failed]\n"
            "   └─ 203 cc a.c  exit 1  20.0ms\n");
}

// issue 24, point 5: with a traced command that failed, the cause path is marked.
TEST_F(UnitTreeView, MarksTheCausePathOfAFailedCommand) {
  ViewOptions o = options(/*failed_only=*/true);
  o.scope.filtered = true;
  start(std::make_unique<TreeView>(out, o));
  feed_build();
  EXPECT_EQ(read_all(out),
            "▶ 200 make -j2  exit 2  1.50s  [5 processes, 3 failed]\n"
            "└─ ▶ 201 sh -c 'cc a.c'  exit 1  25.0ms  [2 processes, 2 failed]\n"
            "   └─ ▶ 203 cc a.c  exit 1  20.0ms\n");
}

// --failed: a failure the command went on from comes after the failure path.
TEST_F(UnitTreeView, FailedListsTheFailurePathFirst) {
  ViewOptions o = options(/*failed_only=*/true);
  o.scope.filtered = true;
  start(std::make_unique<TreeView>(out, o));
  Id shell{100, Lineage::kDefaultProcTickNs + 5}, top{200, 10 * kSec}, probe{201, 11 * kSec}, cc{202, 12 * kSec};
  pipeline->feed(fork_of(shell, top));
  pipeline->feed(fork_of(top, probe));
  pipeline->feed(exit_of(probe, 200, exited_with(1), 11 * kSec + kMs));
  pipeline->feed(fork_of(top, cc));
  pipeline->feed(exit_of(cc, 200, exited_with(1), 12 * kSec + kMs));
  pipeline->feed(exit_of(top, 100, exited_with(1), 13 * kSec));
  pipeline->finish();
  EXPECT_EQ(read_all(out),
            "▶ 200 bash  exit 1  3.00s  [3 processes, 3 failed]\n"
            "├─ ▶ 202 bash  exit 1  1.0ms\n"
            "└─ 201 bash  exit 1  1.0ms\n");
}

TEST_F(UnitTreeView, FailedKeepsSuccessfulAncestorsOfAFailure) {
  start(std::make_unique<TreeView>(out, options(/*failed_only=*/true)));
  Id shell{100, Lineage::kDefaultProcTickNs + 5}, ok_root{200, 10 * kSec}, ok_mid{201, 11 * kSec}, bad{202, 12 * kSec};
  Id fine{300, 13 * kSec};
  pipeline->feed(fork_of(shell, ok_root));
  pipeline->feed(fork_of(ok_root, ok_mid));
  pipeline->feed(fork_of(ok_mid, bad));
  pipeline->feed(exit_of(bad, 201, killed_by(9), 12 * kSec + kMs));
  pipeline->feed(exit_of(ok_mid, 200, 0, 14 * kSec));
  pipeline->feed(exit_of(ok_root, 100, 0, 15 * kSec));
  pipeline->feed(fork_of(shell, fine));
  pipeline->feed(exit_of(fine, 100, 0, 16 * kSec));
  pipeline->finish();
  EXPECT_EQ(read_all(out),
            "200 bash  exit 0  5.00s  [3 processes, 1 failed]\n"
            "└─ 201 bash  exit 0  3.00s  [2 processes, 1 failed]\n"
            "   └─ 202 bash  killed by SIGKILL  1.0ms\n");
}

TEST_F(UnitTreeView, OrphanShowsItsReparentingUnderItsForker) {
  start(std::make_unique<TreeView>(out, options()));
  Id shell{100, Lineage::kDefaultProcTickNs + 5}, mid{200, 10 * kSec}, orphan{201, 11 * kSec};
  pipeline->feed(fork_of(shell, mid));
  pipeline->feed(exec_of(mid, 100, "/usr/bin/daemonize", {"daemonize"}, 10 * kSec + kMs));
  pipeline->feed(fork_of(mid, orphan, 0, "daemonize"));
  pipeline->feed(exit_of(mid, 100, 0, 12 * kSec, 0, "daemonize"));
  pipeline->feed(exec_of(orphan, 1, "/usr/sbin/sshd", {"sshd", "-D"}, 13 * kSec));
  pipeline->finish();
  EXPECT_EQ(read_all(out),
            "200 daemonize  exit 0  2.00s  [2 processes]\n"
            "└─ 201 sshd -D  running  (reparented to 1)\n");
}

TEST_F(UnitTreeView, UnexecedChildShowsItsParentsCommandAndLostEventsAreNoted) {
  start(std::make_unique<TreeView>(out, options()));
  Id shell{100, Lineage::kDefaultProcTickNs + 5}, child{200, 10 * kSec};
  Id unknown{700, 3 * kSec};
  pipeline->feed(fork_of(shell, child));
  pipeline->feed(exit_of(unknown, 1, exited_with(1), 4 * kSec, 0, "mystery"));
  pipeline->feed(lost_of(6, 5 * kSec));
  pipeline->finish();
  EXPECT_EQ(read_all(out),
            // A whole-machine tree begins at the oldest known ancestor where it branches.
            "1 /sbin/init  running  [2 processes, 1 failed]\n"
            "├─ 100 bash  running  [1 process]\n"
            "│  └─ 200 bash  running\n"
            "└─ 700 [mystery]  exit 1  1.00s  ? its fork was not seen: parent uncertain\n"
            "(6 events lost in the kernel: the tree may be incomplete)\n");
}

TEST_F(UnitTreeView, ProcessFollowedWithDashPHoldsTheChildrenItForked) {
  // `forktrace -p 100 --format tree`: the shell existed before tracing, so
  // its first event (its exit) comes after its children's.
  start(std::make_unique<TreeView>(out, options()));
  Id shell{100, Lineage::kDefaultProcTickNs + 5}, a{200, 10 * kSec}, b{201, 11 * kSec}, c{202, 11 * kSec + 1};
  pipeline->feed(fork_of(shell, a, 0, "bash"));
  pipeline->feed(fork_of(a, c, 0, "bash"));
  pipeline->feed(fork_of(shell, b, 0, "bash"));
  pipeline->feed(exit_of(c, 200, exited_with(1), 12 * kSec));
  pipeline->feed(exit_of(a, 100, 0, 13 * kSec));
  pipeline->feed(exit_of(b, 100, 0, 14 * kSec));
  pipeline->feed(exit_of(shell, 1, 0, 15 * kSec, 0, "bash"));
  pipeline->finish();
  std::string all = read_all(out);
  EXPECT_EQ(all,
            "100 bash  exit 0  14.99s  [4 processes, 1 failed]\n"  // seeded: its start is /proc's, at tick precision
            "├─ 200 bash  exit 0  3.00s  [2 processes, 1 failed]\n"
            "│  └─ 202 bash  exit 1  1.00s\n"
            "└─ 201 bash  exit 0  3.00s\n");
}

TEST_F(UnitTreeView, FailedAfterAParentArrivedLate) {
  start(std::make_unique<TreeView>(out, options(/*failed_only=*/true)));
  Id shell{100, Lineage::kDefaultProcTickNs + 5}, a{200, 10 * kSec}, b{201, 11 * kSec};
  pipeline->feed(fork_of(shell, a, 0, "bash"));
  pipeline->feed(fork_of(shell, b, 0, "bash"));
  pipeline->feed(exit_of(a, 100, killed_by(15), 13 * kSec));
  pipeline->feed(exit_of(b, 100, 0, 14 * kSec));
  pipeline->feed(exit_of(shell, 1, 0, 15 * kSec, 0, "bash"));
  pipeline->finish();
  EXPECT_EQ(read_all(out),
            "100 bash  exit 0  14.99s  [3 processes, 1 failed]\n"
            "└─ 200 bash  killed by SIGTERM  3.00s\n");
}

TEST_F(UnitTreeView, ThreadsAreNotNodes) {
  start(std::make_unique<TreeView>(out, options(false, true)), /*threads=*/true);
  Id shell{100, Lineage::kDefaultProcTickNs + 5}, child{200, 10 * kSec};
  pipeline->feed(fork_of(shell, child));
  pipeline->feed(thread_fork_of(child, 100, 201, 11 * kSec));
  pipeline->feed(thread_exit_of(child, 100, 200, 10 * kSec, 12 * kSec));  // the leader first
  pipeline->feed(exit_of(child, 100, exited_with(4), 13 * kSec, 201));
  pipeline->finish();
  EXPECT_EQ(read_all(out), "200 bash  exit 4  3.00s\n");
}

// make with 7 successful compiles, one failed one, and a deep chain under it.
void feed_wide_build(Pipeline& p) {
  Id shell{100, Lineage::kDefaultProcTickNs + 5}, make{200, 10 * kSec};
  p.feed(fork_of(shell, make, 0, "bash"));
  p.feed(exec_of(make, 100, "/usr/bin/make", {"make"}, make.start_ns + 1));
  uint32_t pid = 300;
  for (int i = 0; i < 7; ++i) {
    Id cc{pid++, 11 * kSec + i * kMs};
    p.feed(fork_of(make, cc, 0, "make"));
    p.feed(exec_of(cc, 200, "/usr/bin/cc", {"cc", "-c", std::to_string(i) + ".c"}, cc.start_ns + 1));
    p.feed(exit_of(cc, 200, 0, cc.start_ns + 100 * kMs, 0, "cc"));
  }
  Id sh{pid++, 12 * kSec}, inner{pid++, 12 * kSec + kMs}, bad{pid++, 12 * kSec + 2 * kMs}, ok{pid++, 12 * kSec + 3 * kMs};
  p.feed(fork_of(make, sh, 0, "make"));
  p.feed(exec_of(sh, 200, "/bin/sh", {"sh", "-c", "x"}, sh.start_ns + 1));
  p.feed(fork_of(sh, inner, 0, "sh"));
  p.feed(fork_of(inner, bad, 0, "sh"));
  p.feed(exec_of(bad, inner.pid, "/usr/bin/false", {"false"}, bad.start_ns + 1));
  p.feed(exit_of(bad, inner.pid, exited_with(1), bad.start_ns + kMs, 0, "false"));
  p.feed(fork_of(inner, ok, 0, "sh"));
  p.feed(exit_of(ok, inner.pid, 0, ok.start_ns + kMs, 0, "sh"));
  p.feed(exit_of(inner, sh.pid, exited_with(1), inner.start_ns + 5 * kMs, 0, "sh"));
  p.feed(exit_of(sh, 200, exited_with(1), sh.start_ns + 6 * kMs, 0, "sh"));
  p.feed(exit_of(make, 100, exited_with(2), 13 * kSec, 0, "make"));
  p.finish();
}

TEST_F(UnitTreeView, RepeatedSuccessfulSiblingsFold) {
  start(std::make_unique<TreeView>(out, options()));
  feed_wide_build(*pipeline);
  EXPECT_EQ(read_all(out),
            "200 make  exit 2  3.00s  [12 processes, 4 failed]\n"
            "├─ 7 × cc …  all exit 0  700.0ms in all\n"
            "└─ 307 sh -c x  exit 1  6.0ms  [4 processes, 3 failed]\n"
            "   └─ 308 sh -c x  exit 1  5.0ms  [3 processes, 2 failed]\n"
            "      ├─ 309 false  exit 1  1.0ms\n"
            "      └─ 310 sh -c x  exit 0  1.0ms\n");
}

TEST_F(UnitTreeView, MaxDepthSummarisesButKeepsFailuresAndTheirPath) {
  ViewOptions o = options();
  o.max_depth = 1;
  start(std::make_unique<TreeView>(out, o));
  feed_wide_build(*pipeline);
  EXPECT_EQ(read_all(out),
            "200 make  exit 2  3.00s  [12 processes, 4 failed]\n"
            "├─ 7 × cc …  all exit 0  700.0ms in all\n"
            "└─ 307 sh -c x  exit 1  6.0ms  [4 processes, 3 failed]\n"
            "   └─ 308 sh -c x  exit 1  5.0ms  [3 processes, 2 failed]\n"
            "      ├─ 309 false  exit 1  1.0ms\n"
            "      └─ … 1 process below --max-depth, all exit 0\n");
}

TEST_F(UnitTreeView, ColoursOutcomesWhenAsked) {
  ViewOptions o = options(/*failed_only=*/true);
  o.color = true;
  start(std::make_unique<TreeView>(out, o));
  feed_build();
  std::string all = read_all(out);
  EXPECT_NE(all.find("\033[1;31mexit 1\033[0m"), std::string::npos) << all;
  EXPECT_NE(all.find("\033[1;31mexit 2\033[0m"), std::string::npos) << all;
}

// --- format helpers ---------------------------------------------------------

TEST(UnitFormat, Durations) {
  EXPECT_EQ(format_duration(0), "0us");
  EXPECT_EQ(format_duration(350 * kUs), "350us");
  EXPECT_EQ(format_duration(2800 * kUs), "2.8ms");
  EXPECT_EQ(format_duration(1230 * kMs), "1.23s");
  EXPECT_EQ(format_duration(125 * kSec), "2m05s");
  EXPECT_EQ(format_duration((3 * 3600 + 12 * 60 + 7) * kSec), "3h12m");
  // Never a value that reads as the next unit.
  EXPECT_EQ(format_duration(999'949'999), "999.9ms");
  EXPECT_EQ(format_duration(999'999'999), "1.00s");
  EXPECT_EQ(format_duration(kSec), "1.00s");
  EXPECT_EQ(format_duration(59'994'999'999), "59.99s");
  EXPECT_EQ(format_duration(59'999'999'999), "1m00s");
  EXPECT_EQ(format_duration(60 * kSec), "1m00s");
  EXPECT_EQ(format_duration(3600 * kSec - 1), "59m59s");
  EXPECT_EQ(format_duration(3600 * kSec), "1h00m");
  for (uint64_t ns = 0; ns < 4000 * kSec; ns = ns * 3 / 2 + 997) {
    std::string text = format_duration(ns);
    EXPECT_EQ(text.find("1000."), std::string::npos) << ns;
    EXPECT_EQ(text.find("60.00s"), std::string::npos) << ns;
  }
}

TEST(UnitFormat, Commands) {
  EXPECT_EQ(format_command({"ls", "-l"}, false), "ls -l");
  EXPECT_EQ(format_command({"sh", "-c", "echo 'hi' $x"}, false), "sh -c 'echo '\\''hi'\\'' $x'");
  EXPECT_EQ(format_command({"a", ""}, false), "a ''");
  EXPECT_EQ(format_command({"a"}, true), "a...");
  EXPECT_EQ(format_command({}, true), "...");
  EXPECT_EQ(format_command({"x\ny"}, false), "'x\\x0ay'");
}

// The Perfetto export builds command lines with append_command_arg: the same
// bytes as format_command, argument by argument, on random arguments of
// special, control, quote, UTF-8 and plain bytes (and empty ones).
TEST(UnitFormat, AppendCommandArgIsFormatCommandsQuoting) {
  const std::string alphabet = std::string("ab-_/.=0 \t\n'\"\\$`*?[]{}()<>|&;#~\x01\x1f\x7f\xc3\xa9", 36) + '\0';
  std::srand(25);
  for (int i = 0; i < 50'000; ++i) {
    std::string arg;
    for (int n = std::rand() % 12; n > 0; --n) arg += alphabet[static_cast<size_t>(std::rand()) % alphabet.size()];
    std::string out = "x ";
    append_command_arg(out, arg);
    ASSERT_EQ(out, format_command({"x", arg}, false)) << printable(arg);
  }
}

TEST(UnitFormat, PrintableAndBasename) {
  EXPECT_EQ(printable("plain"), "plain");
  EXPECT_EQ(printable(std::string("a\0b\x7f", 4)), "a\\x00b\\x7f");
  EXPECT_EQ(printable("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 passes through
  EXPECT_EQ(basename_of("/usr/bin/gcc"), "gcc");
  EXPECT_EQ(basename_of("gcc"), "gcc");
  EXPECT_EQ(basename_of("/"), "");
}

}  // namespace
}  // namespace ft

namespace ft {
namespace {

using namespace ft::test;

// Issue 14: what forktrace rebuilt from /proc after a loss is marked in every view.
Event recovered(Event e) {
  e.recovered = true;
  return e;
}

Event unknown_exit(Id p, uint32_t ppid, uint64_t ts) {
  Event e = exit_of(p, ppid, 0, ts);
  e.status_unknown = true;
  return e;
}

std::string run_views(std::unique_ptr<Sink> view, const std::vector<Event>& events, std::FILE* out) {
  Pipeline pipeline(false);
  pipeline.add_view(std::move(view));
  for (const Event& e : events) pipeline.feed(e);
  pipeline.finish();
  std::fflush(out);
  std::rewind(out);
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, out)) > 0) text.append(buf, n);
  return text;
}

std::vector<Event> gap_story() {
  Id shell{100, Lineage::kDefaultProcTickNs + 5}, gone{200, 10 * kSec}, found{300, 12 * kSec};
  Event lost = lost_of(5, 11 * kSec);
  lost.lost_fork = 2;
  lost.lost_exit = 3;
  return {fork_of(shell, gone), lost, unknown_exit(gone, 100, 13 * kSec),
          recovered(fork_of(shell, found)), recovered(exec_of(found, 100, "/bin/sleep", {"sleep", "9"}, 13 * kSec))};
}

TEST(UnitGapMarks, JsonMarksRecoveredEventsAndUnknownStatuses) {
  std::FILE* out = std::tmpfile();
  ViewOptions options{TraceClock{}, false, false};
  auto lines = nlohmann::json::array();
  std::string text = run_views(std::make_unique<JsonView>(out, options), gap_story(), out);
  std::fclose(out);
  std::vector<nlohmann::json> j;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    j.push_back(nlohmann::json::parse(text.substr(start, nl - start)));
  ASSERT_EQ(j.size(), 5u);
  EXPECT_FALSE(j[0].contains("recovered"));
  EXPECT_EQ(j[1]["kinds"], nlohmann::json({{"fork", 2}, {"exec", 0}, {"exit", 3}}));
  EXPECT_EQ(j[2]["status_unknown"], true);
  EXPECT_FALSE(j[2].contains("exit_code") || j[2].contains("signal") || j[2].contains("duration_ns"));
  EXPECT_EQ(j[3]["recovered"], true);
  EXPECT_EQ(j[4]["recovered"], true);
  EXPECT_EQ(j[4]["argv"], nlohmann::json({"sleep", "9"}));
}

TEST(UnitGapMarks, TextAndTreeAndSummaryShowTheGap) {
  ViewOptions options{TraceClock{}, false, false};
  std::FILE* out = std::tmpfile();
  std::string text = run_views(std::make_unique<TextView>(out, options), gap_story(), out);
  std::fclose(out);
  EXPECT_NE(text.find("5 events lost in the kernel (ring buffer full): fork 2, exec 0, exit 3"), std::string::npos)
      << text;
  EXPECT_NE(text.find("? ended while events were lost: status unknown"), std::string::npos) << text;
  EXPECT_NE(text.find("/bin/sleep  sleep 9  [recovered from /proc]"), std::string::npos) << text;

  out = std::tmpfile();
  std::string tree = run_views(std::make_unique<TreeView>(out, options), gap_story(), out);
  std::fclose(out);
  EXPECT_NE(tree.find("200 [sh]  ended ?  (status unknown: its exit was lost)"), std::string::npos) << tree;
  EXPECT_NE(tree.find("300 sleep 9  running  ? recovered from /proc after lost events"), std::string::npos) << tree;

  out = std::tmpfile();
  std::string summary = run_views(std::make_unique<SummaryView>(out, options), gap_story(), out);
  std::fclose(out);
  EXPECT_NE(summary.find("uncertain      2 processes: 1 recovered from /proc, 1 ended with status unknown"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("gaps           "), std::string::npos) << summary;
}

}  // namespace
}  // namespace ft
