// The JSON view keeps the contract in INTERFACE.md, key by key.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>

#include "pipeline/pipeline.h"
#include "views/json_view.h"

namespace ft {
namespace {

class JsonViewTest : public testing::Test {
 protected:
  std::vector<nlohmann::json> lines() {
    std::fflush(out_);
    std::rewind(out_);
    std::vector<nlohmann::json> result;
    char buf[65536];
    while (std::fgets(buf, sizeof buf, out_)) result.push_back(nlohmann::json::parse(buf));
    return result;
  }
  void SetUp() override { out_ = std::tmpfile(); }
  void TearDown() override { std::fclose(out_); }
  std::FILE* out_ = nullptr;
};

Event make(EventKind kind, uint32_t pid, uint64_t ts) {
  Event e;
  e.kind = kind;
  e.pid = e.tid = pid;
  e.ppid = 1;
  e.ts_ns = ts;
  e.start_ns = e.thread_start_ns = 100;
  e.comm = "c\xff";  // invalid UTF-8 must not throw
  return e;
}

TEST_F(JsonViewTest, KeysPerEvent) {
  Pipeline pipeline(false);
  pipeline.add_sink(std::make_unique<JsonView>(out_, ViewOptions{TraceClock{1'000'000'000}, false, false}));
  Event fork = make(EventKind::fork, 10, 150);
  fork.parent_pid = fork.parent_tid = 1;
  pipeline.feed(fork);
  Event exec = make(EventKind::exec, 10, 160);
  exec.filename = "/bin/sh";
  exec.argv = {"sh", "-c", "x"};
  exec.old_tid = 11;
  pipeline.feed(exec);
  Event exit = make(EventKind::exit, 10, 200);
  exit.wait_status = 11 | 0x80;
  pipeline.feed(exit);
  Event lost;
  lost.kind = EventKind::lost;
  lost.ts_ns = 300;
  lost.lost_count = 7;
  pipeline.feed(lost);
  pipeline.finish();

  auto j = lines();
  ASSERT_EQ(j.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    for (const char* key : {"event", "ts_ns", "pid", "tid", "ppid", "comm"}) EXPECT_TRUE(j[i].contains(key)) << key;
    EXPECT_TRUE(j[i]["ts_ns"].is_number_integer());
  }
  EXPECT_EQ(j[0]["event"], "fork");
  EXPECT_EQ(j[0]["ts_ns"], 1'000'000'150);  // wall clock: boot ts + offset
  EXPECT_EQ(j[0]["parent_tid"], 1);
  EXPECT_EQ(j[0]["thread"], false);
  EXPECT_EQ(j[0]["comm"], "c\xef\xbf\xbd");  // U+FFFD
  EXPECT_EQ(j[1]["event"], "exec");
  EXPECT_EQ(j[1]["filename"], "/bin/sh");
  EXPECT_EQ(j[1]["argv"], nlohmann::json({"sh", "-c", "x"}));
  EXPECT_EQ(j[1]["argv_truncated"], false);
  EXPECT_EQ(j[1]["old_tid"], 11);
  EXPECT_EQ(j[2]["event"], "exit");
  EXPECT_EQ(j[2]["signal"], 11);
  EXPECT_FALSE(j[2].contains("exit_code"));
  EXPECT_EQ(j[2]["core_dumped"], true);
  EXPECT_EQ(j[2]["duration_ns"], 100);
  EXPECT_EQ(j[2]["thread"], false);
  EXPECT_EQ(j[3], nlohmann::json({{"event", "lost"}, {"ts_ns", 1'000'000'300}, {"count", 7}}));
}

TEST_F(JsonViewTest, FailedOnlyShowsFailuresWithAncestry) {
  Pipeline pipeline(false);
  pipeline.add_sink(std::make_unique<JsonView>(out_, ViewOptions{TraceClock{}, true, false}));
  Event parent = make(EventKind::fork, 10, 150);
  parent.parent_pid = parent.parent_tid = 1;
  pipeline.feed(parent);
  Event child = make(EventKind::fork, 11, 160);
  child.ppid = child.parent_pid = child.parent_tid = 10;
  child.parent_start_ns = 100;
  child.start_ns = 160;
  pipeline.feed(child);
  Event ok = make(EventKind::exit, 10, 170);
  Event bad = make(EventKind::exit, 11, 180);
  bad.ppid = 10;
  bad.start_ns = 160;
  bad.wait_status = 2 << 8;
  pipeline.feed(bad);
  pipeline.feed(ok);
  pipeline.finish();
  auto j = lines();
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["pid"], 11);
  EXPECT_EQ(j[0]["exit_code"], 2);
  // pid 1 (known only as the forker's parent) → pid 10 → the failed pid 11.
  ASSERT_EQ(j[0]["ancestry"].size(), 2u);
  EXPECT_EQ(j[0]["ancestry"][0]["pid"], 1);
  EXPECT_EQ(j[0]["ancestry"][1]["pid"], 10);
  EXPECT_EQ(j[0]["ancestry"][1]["comm"], "c\xef\xbf\xbd");
}

}  // namespace
}  // namespace ft
