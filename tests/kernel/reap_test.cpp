// Root tests of reap events: the real BPF programs trace ft-workload's
// reaping case, and each reap is checked against what the workload itself
// did (who waited for what, for how long, with SIGCHLD ignored), field by
// field. The replay of the recording made on the way says the same, and the
// summary lists the zombie left unreaped.
#include <iostream>
#include <string>
#include <vector>

#include "run_command.h"

namespace ft::test {
namespace {

using nlohmann::json;

struct ReapRun : TracedCase {
  json summary;  // the replay's --summary --format json
};

const ReapRun& reap_run() {
  static ReapRun r = [] {
    ReapRun k{trace_workload_case("reaping"), {}};
    Result summary = run({FORKTRACE_BIN, "-r", k.recording, "--summary", "--format", "json"});
    EXPECT_EQ(summary.exit_code(), 0) << summary.err;
    std::vector<json> lines = parse_json_lines(summary.out);
    if (!lines.empty()) k.summary = lines.back();
    return k;
  }();
  return r;
}

const json& truth(const std::string& what) {
  for (const json& w : reap_run().truth)
    if (w["what"] == what) return w;
  static const json none = json::object();
  ADD_FAILURE() << "the workload did no " << what;
  return none;
}

std::vector<json> reaps_of(const std::vector<json>& events, long pid) {
  std::vector<json> out;
  for (const json& e : events)
    if (e["event"] == "reap" && e["pid"] == pid) out.push_back(e);
  return out;
}

json only_reap_of(long pid) {
  std::vector<json> reaps = reaps_of(reap_run().events, pid);
  EXPECT_EQ(reaps.size(), 1u) << "reaps of " << pid;
  return reaps.empty() ? json::object() : reaps[0];
}

TEST(LifecycleReap, ParentThatWaitsLate) {
  FT_REQUIRE_ROOT();
  const json& w = truth("late_wait");
  json r = only_reap_of(w["child"]);
  EXPECT_EQ(r["reaper_pid"], w["reaper"]) << r;
  EXPECT_EQ(r["reaper_comm"], "ft-workload") << r;
  EXPECT_EQ(r["autoreaped"], false) << r;
  EXPECT_GE(r["zombie_ns"].get<long long>(), w["min_zombie_ns"].get<long long>()) << r;
  EXPECT_LE(r["zombie_ns"].get<long long>(), w["max_zombie_ns"].get<long long>()) << r;
  EXPECT_EQ(r["ppid"], w["reaper"]) << r;
}

TEST(LifecycleReap, OrphanReapedBySubreaperWithWaitid) {
  FT_REQUIRE_ROOT();
  const json& w = truth("subreaper");
  if (w.contains("skipped")) GTEST_SKIP() << w["skipped"];
  json r = only_reap_of(w["child"]);
  EXPECT_EQ(r["reaper_pid"], w["reaper"]) << r;
  EXPECT_EQ(r["autoreaped"], false) << r;
  EXPECT_NE(r["reaper_pid"], w["forked_by"]) << r;
}

TEST(LifecycleReap, SigchldIgnoredIsAutoreaped) {
  FT_REQUIRE_ROOT();
  const json& w = truth("sigchld_ignored");
  json r = only_reap_of(w["child"]);
  EXPECT_EQ(r["autoreaped"], true) << r;
  EXPECT_EQ(r["reaper_pid"], w["reaper"]) << r;
  EXPECT_EQ(r["reaper_comm"], w["reaper_comm"]) << r;
  EXPECT_EQ(r["zombie_ns"], 0) << r;
}

// Never by its parent, the workload; the summary lists it where no one reaped
// it before the trace ended (init here may never have).
TEST(LifecycleReap, ZombieLeftAtTheEnd) {
  FT_REQUIRE_ROOT();
  const json& w = truth("left_unreaped");
  std::vector<json> reaps = reaps_of(reap_run().events, w["child"]);
  for (const json& r : reaps) EXPECT_NE(r["reaper_pid"], w["parent"]) << r;
  const json& summary = reap_run().summary;
  ASSERT_TRUE(summary.contains("zombies")) << summary;
  bool listed = false;
  for (const json& z : summary["zombies"]) {
    if (z["pid"] != w["child"]) continue;
    listed = true;
    EXPECT_EQ(z["reaped"], !reaps.empty()) << z;
  }
  if (reaps.empty()) EXPECT_TRUE(listed) << "never reaped, not in zombies: " << summary["zombies"];
}

TEST(LifecycleReap, ReplaySaysTheSame) {
  FT_REQUIRE_ROOT();
  const ReapRun& r = reap_run();
  std::vector<json> live, replayed;
  for (const json& e : r.events)
    if (e["event"] == "reap") live.push_back(e);
  for (const json& e : r.replayed)
    if (e["event"] == "reap") replayed.push_back(e);
  EXPECT_GE(live.size(), 4u);
  EXPECT_EQ(live, replayed);
}

}  // namespace
}  // namespace ft::test
