// A recording replays to exactly what the live run printed, in every view.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
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
                    View{"html", {"--format", "html"}}, View{"otlp", {"--format", "otlp"}},
                    View{"perfetto", {"--format", "perfetto"}}),
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
  // flush: only the missing end record tells it from a whole recording. The
  // recorder is killed once the workload's records are in the file, however
  // slow the machine (an emulated guest takes seconds to load the programs):
  // the traced shell writes a marker after the workload, then waits on its
  // stdin, which this test holds open until the kill.
  std::string recording = temp_path("killed.ftrace");
  std::string marker = temp_path("killed.done");
  unlink(marker.c_str());
  int hold[2];
  ASSERT_EQ(pipe2(hold, O_CLOEXEC), 0);
  pid_t recorder = fork();
  ASSERT_GE(recorder, 0);
  if (recorder == 0) {
    dup2(hold[0], 0);
    close(hold[0]);
    close(hold[1]);
    execl(FORKTRACE_BIN, "forktrace", "-q", "-o", "/dev/null", "-w", recording.c_str(), "--", "sh", "-c",
          "\"$0\" exit_codes; : > \"$1\"; read -r _", FT_WORKLOAD_BIN, marker.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(hold[0]);
  auto replay_lines = [&] {
    Result r = run({FORKTRACE_BIN, "-r", recording, "--format", "json"});
    return static_cast<size_t>(std::count(r.out.begin(), r.out.end(), '\n'));
  };
  // The workload is done, and its records flushed: they replay from the unfinished file.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (access(marker.c_str(), F_OK) != 0 && std::chrono::steady_clock::now() < deadline) usleep(50'000);
  EXPECT_EQ(access(marker.c_str(), F_OK), 0) << "the workload did not finish in time";
  size_t flushed = 0;
  while ((flushed = replay_lines()) <= 10 && std::chrono::steady_clock::now() < deadline) usleep(200'000);
  EXPECT_GT(flushed, 10u) << "the records were not flushed within two minutes";
  ASSERT_EQ(kill(recorder, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(recorder, &status, 0), recorder);
  close(hold[1]);  // the traced shell reads end of file and exits
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;

  Result replayed = run({FORKTRACE_BIN, "-r", recording, "--format", "json"});
  EXPECT_EQ(replayed.exit_code(), 0) << replayed.err;
  EXPECT_NE(replayed.err.find("no end record"), std::string::npos) << replayed.err;
  size_t lines = std::count(replayed.out.begin(), replayed.out.end(), '\n');
  EXPECT_GE(lines, flushed) << "the flushed records replay";
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
