// A recording replays to exactly what the live run printed, in every view.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "run_command.h"

namespace ft::test {
namespace {

struct View {
  const char* name;
  std::vector<std::string> options;
};

class ReplayEqualsLive : public testing::TestWithParam<View> {};

TEST_P(ReplayEqualsLive, ForTheWholeWorkload) {
  FT_REQUIRE_ROOT();
  const View& view = GetParam();
  std::string live = temp_path(std::string("live.") + view.name);
  std::string recording = temp_path(std::string(view.name) + ".ftrace");
  std::vector<std::string> argv = {FORKTRACE_BIN, "-q", "-o", live, "-w", recording};
  argv.insert(argv.end(), view.options.begin(), view.options.end());
  argv.insert(argv.end(), {"--", FT_WORKLOAD_BIN, "all"});
  Result traced = run(argv, {"TZ=UTC"});
  ASSERT_EQ(traced.exit_code(), 0) << traced.err;

  std::vector<std::string> replay = {FORKTRACE_BIN, "-r", recording};
  replay.insert(replay.end(), view.options.begin(), view.options.end());
  Result replayed = run(replay, {"TZ=UTC"});
  ASSERT_EQ(replayed.exit_code(), 0) << replayed.err;
  EXPECT_EQ(replayed.err, "");
  std::string expected = read_file(live);
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(replayed.out, expected);
}

INSTANTIATE_TEST_SUITE_P(
    Views, ReplayEqualsLive,
    testing::Values(View{"text", {"--format", "text"}}, View{"tree", {"--format", "tree"}},
                    View{"json", {"--format", "json"}}, View{"json_threads", {"--format", "json", "--threads"}},
                    View{"failed", {"--format", "json", "--failed"}}, View{"failed_tree", {"--format", "tree", "--failed"}},
                    View{"chrome", {"--format", "chrome"}}, View{"summary", {"--summary"}},
                    View{"html", {"--format", "html"}}, View{"otlp", {"--format", "otlp"}}),
    [](const testing::TestParamInfo<View>& info) { return std::string(info.param.name); });

TEST(Replay, CutOffRecordingReplaysWhatItHas) {
  FT_REQUIRE_ROOT();
  std::string recording = temp_path("cut.ftrace");
  Result traced = run({FORKTRACE_BIN, "-q", "-o", "/dev/null", "-w", recording, "--", FT_WORKLOAD_BIN, "exit_codes"});
  ASSERT_EQ(traced.exit_code(), 0) << traced.err;
  std::string bytes = read_file(recording);
  ASSERT_GT(bytes.size(), 100u);
  ASSERT_EQ(truncate(recording.c_str(), static_cast<off_t>(bytes.size() - 3)), 0);
  Result replayed = run({FORKTRACE_BIN, "-r", recording, "--format", "json"});
  EXPECT_EQ(replayed.exit_code(), 0);
  EXPECT_NE(replayed.err.find("cut off at byte " + std::to_string(bytes.size() - 3)), std::string::npos)
      << replayed.err;
  // Everything but the last record is there.
  size_t lines = std::count(replayed.out.begin(), replayed.out.end(), '\n');
  EXPECT_GT(lines, 10u);
}

TEST(Replay, KilledRecorderIsReportedAsCutOff) {
  FT_REQUIRE_ROOT();
  // SIGKILL leaves the file at a chunk boundary, after the last once-a-second
  // flush: only the missing end record tells it from a whole recording.
  std::string recording = temp_path("killed.ftrace");
  Result traced = run({"timeout", "-s", "KILL", "2.5", FORKTRACE_BIN, "-q", "-o", "/dev/null", "-w", recording, "--",
                       "sh", "-c", std::string("\"$0\" exit_codes; sleep 4"), FT_WORKLOAD_BIN});
  // timeout passes the SIGKILL on to itself, or exits 137.
  ASSERT_TRUE((WIFSIGNALED(traced.status) && WTERMSIG(traced.status) == SIGKILL) || traced.exit_code() == 137)
      << traced.status << " " << traced.err;
  Result replayed = run({FORKTRACE_BIN, "-r", recording, "--format", "json"});
  EXPECT_EQ(replayed.exit_code(), 0) << replayed.err;
  EXPECT_NE(replayed.err.find("no end record"), std::string::npos) << replayed.err;
  size_t lines = std::count(replayed.out.begin(), replayed.out.end(), '\n');
  EXPECT_GT(lines, 10u) << "the flushed records replay";
}

TEST(Replay, ChromeExportIsWellFormed) {
  FT_REQUIRE_ROOT();
  std::string out = temp_path("chrome.json");
  Result r = run({FORKTRACE_BIN, "-q", "--format", "chrome", "-o", out, "--", FT_WORKLOAD_BIN, "all"});
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  nlohmann::json doc = nlohmann::json::parse(read_file(out));
  ASSERT_TRUE(doc["traceEvents"].is_array());
  std::map<int64_t, std::string> names;  // track -> process_name
  size_t slices = 0, failures = 0;
  for (const auto& e : doc["traceEvents"]) {
    ASSERT_TRUE(e.contains("ph") && e.contains("pid")) << e;
    if (e["ph"] == "M" && e["name"] == "process_name") names[e["pid"]] = e["args"]["name"];
    if (e["ph"] == "X") {
      slices++;
      EXPECT_TRUE(e["ts"].is_number() && e["dur"].is_number()) << e;
      EXPECT_GE(e["dur"].get<double>(), 0.0) << e;
      EXPECT_EQ(e["pid"], e["tid"]) << e;
      EXPECT_TRUE(names.count(e["pid"])) << "slice before its track is named: " << e;
      if (e.value("cname", "") == "terrible") failures++;
    }
    EXPECT_NE(e["ph"], "B") << "only complete events are used, so begins always have ends";
  }
  EXPECT_GT(slices, 20u);
  EXPECT_GE(failures, 5u);  // exit 3, 255, SIGKILL, SIGTERM, SIGSEGV...
}

}  // namespace
}  // namespace ft::test
