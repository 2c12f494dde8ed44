// The live path's objects (app/live/): intake's order of work, the periodic
// scheduler, the traced command, the end-of-run lines. No kernel needed.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstring>
#include <string>
#include <vector>

#include "app/live/intake.h"
#include "app/live/periodic.h"
#include "app/live/shutdown.h"
#include "app/live/traced_command.h"
#include "pipeline/pipeline.h"
#include "event_builders.h"
#include "forktrace.h"

namespace ft {
namespace {

using namespace ft::test;

class FakeRecorder : public Recorder {
 public:
  void write(const Event& e) override { events.push_back(e); }
  void tick(uint64_t) override { ticks++; }
  bool close(std::string&) override { return true; }
  uint64_t bytes_written() const override { return 0; }
  uint64_t records_dropped() const override { return 0; }
  bool failed() const override { return failing; }
  std::string error() const override { return "disk full"; }
  std::vector<Event> events;
  int ticks = 0;
  bool failing = false;
};

class CollectingSink : public Sink {
 public:
  explicit CollectingSink(std::vector<Event>& out) : out_(out) {}
  void on_event(const Event& e, const Process&) override { out_.push_back(e); }
  void on_lost(const Event& e) override { out_.push_back(e); }

 private:
  std::vector<Event>& out_;
};

TEST(UnitIntake, TimestampsNeverGoBackAndTheRecordingGetsWhatTheViewsGet) {
  Pipeline pipeline(false);
  std::vector<Event> shown;
  pipeline.add_sink(std::make_unique<CollectingSink>(shown));
  FakeRecorder recorder;
  Intake intake(pipeline, nullptr, &recorder, nullptr, "");
  Id parent{100, 1 * kSec}, a{200, 5 * kSec}, b{201, 4 * kSec};
  Event first = fork_of(parent, a), second = fork_of(parent, b);
  intake.deliver(first);
  intake.deliver(second);
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[1].ts_ns, 5 * kSec);  // raised to its predecessor's
  ASSERT_EQ(recorder.events.size(), 2u);
  EXPECT_EQ(recorder.events[1].ts_ns, 5 * kSec);
}

TEST(UnitIntake, DecodesRecordsAndCountsMalformedOnes) {
  Pipeline pipeline(false);
  std::vector<Event> shown;
  pipeline.add_sink(std::make_unique<CollectingSink>(shown));
  Intake intake(pipeline, nullptr, nullptr, nullptr, "");
  ft_fork_record r;
  std::memset(&r, 0, sizeof r);
  r.head.ts_ns = 7 * kSec;
  r.head.kind = FT_RECORD_FORK;
  r.head.size = sizeof r;
  r.child_start_ns = 7 * kSec;
  r.parent_pid = 1;
  r.child_pid = r.child_tid = 300;
  r.child_ppid = 1;
  intake.on_record(&r, sizeof r);
  intake.on_record(&r, 3);
  EXPECT_EQ(intake.decode_errors(), 1u);
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].pid, 300u);
}

TEST(UnitIntake, LossesAreReportedAsTheirIncrease) {
  Pipeline pipeline(false);
  std::vector<Event> shown;
  pipeline.add_sink(std::make_unique<CollectingSink>(shown));
  FakeRecorder recorder;
  Intake intake(pipeline, nullptr, &recorder, nullptr, "");
  EXPECT_FALSE(intake.report_lost(LostCounts{}, 1 * kSec));
  EXPECT_TRUE(intake.report_lost(LostCounts{3, 0, 2}, 2 * kSec));
  EXPECT_FALSE(intake.report_lost(LostCounts{3, 0, 2}, 3 * kSec));
  EXPECT_TRUE(intake.report_lost(LostCounts{4, 1, 7}, 4 * kSec));
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[0].lost_count, 5u);
  EXPECT_EQ(shown[0].lost_fork, 3u);
  EXPECT_EQ(shown[0].lost_exit, 2u);
  EXPECT_EQ(shown[1].lost_count, 7u);
  EXPECT_EQ(shown[1].lost_fork, 1u);
  EXPECT_EQ(shown[1].lost_exec, 1u);
  EXPECT_EQ(shown[1].lost_exit, 5u);
  EXPECT_EQ(recorder.events.size(), 2u);
  EXPECT_EQ(pipeline.lost(), 12u);
}

TEST(UnitIntake, KeepsTheFollowedSet) {
  Pipeline pipeline(false);
  FollowedProcesses followed;
  Intake intake(pipeline, nullptr, nullptr, &followed, "");
  Id root{100, 1 * kSec}, child{200, 2 * kSec};
  followed.add(root.pid, root.start_ns);
  Event fork = fork_of(root, child), exit_root = exit_of(root, 1, 0, 3 * kSec), exit_child = exit_of(child, 1, 0, 4 * kSec);
  intake.deliver(fork);
  intake.deliver(exit_root);
  EXPECT_FALSE(followed.empty());
  intake.deliver(exit_child);
  EXPECT_TRUE(followed.empty());
}

TEST(UnitPeriodic, EachTaskRunsAtItsOwnIntervalInOrder) {
  PeriodicWork work(0);
  std::vector<std::string> ran;
  work.every(kSec, [&](uint64_t) { ran.push_back("second"); });
  work.every(0, [&](uint64_t) { ran.push_back("turn"); });
  work.every(3 * kSec, [&](uint64_t) { ran.push_back("three"); });
  work.run_due(kSec / 2);
  EXPECT_EQ(ran, (std::vector<std::string>{"turn"}));
  ran.clear();
  work.run_due(kSec);
  EXPECT_EQ(ran, (std::vector<std::string>{"second", "turn"}));
  ran.clear();
  work.run_due(kSec + kSec / 2);
  EXPECT_EQ(ran, (std::vector<std::string>{"turn"}));
  ran.clear();
  work.run_due(3 * kSec);
  EXPECT_EQ(ran, (std::vector<std::string>{"second", "turn", "three"}));
}

TEST(UnitPeriodic, TrimsOnlyAfterASpikeHasHalved) {
  SpikeTrim trim;
  EXPECT_FALSE(trim.due(100));
  EXPECT_FALSE(trim.due(10));  // below the smallest spike worth it
  EXPECT_FALSE(trim.due(4000));
  EXPECT_FALSE(trim.due(2500));
  EXPECT_TRUE(trim.due(1999));
  EXPECT_FALSE(trim.due(1500));  // the new peak is 1999
  EXPECT_TRUE(trim.due(900));
}

TEST(UnitPeriodic, ARecordingFailureIsReportedOncePerFailure) {
  FakeRecorder recorder;
  RecordingWatch watch(recorder);
  std::vector<std::string> reports;
  auto report = [&](const std::string& m) { reports.push_back(m); };
  watch.tick(1, report);
  recorder.failing = true;
  watch.tick(2, report);
  watch.tick(3, report);
  recorder.failing = false;
  watch.tick(4, report);
  recorder.failing = true;
  watch.tick(5, report);
  EXPECT_EQ(recorder.ticks, 5);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0], "disk full; tracing goes on, recording stopped");
}

std::optional<int> wait_for_exit(TracedCommand& command) {
  for (int i = 0; i < 1000; ++i) {
    if (auto status = command.poll_exit()) return status;
    usleep(10'000);
  }
  return std::nullopt;
}

TEST(UnitTracedCommand, FollowsItselfOnlyWhileForkingAndEndsWithTheCommandsStatus) {
  std::vector<std::string> calls;
  TracedCommand::Follow follow{[&](uint32_t pid, std::string&) {
                                 calls.push_back("trace " + std::to_string(pid));
                                 return true;
                               },
                               [&](uint32_t pid) { calls.push_back("untrace " + std::to_string(pid)); }};
  std::string error;
  int fail_status = 0;
  auto command = TracedCommand::start({"/bin/sh", "-c", "exit 3"}, follow, error, fail_status);
  ASSERT_TRUE(command) << error;
  std::string self = std::to_string(getpid());
  EXPECT_EQ(calls, (std::vector<std::string>{"trace " + self, "untrace " + self}));
  EXPECT_EQ(wait_for_exit(*command), 3);
}

TEST(UnitTracedCommand, ACommandThatCannotRunEndsWith127) {
  std::string error;
  int fail_status = 0;
  auto command = TracedCommand::start({"/nonexistent/forktrace-test"}, {}, error, fail_status);
  EXPECT_FALSE(command);
  EXPECT_EQ(fail_status, 127);
  EXPECT_NE(error.find("cannot run /nonexistent/forktrace-test"), std::string::npos) << error;
}

TEST(UnitTracedCommand, SigtermIsPassedOnOnceAndCtrlCIsNot) {
  std::string error;
  int fail_status = 0;
  auto command = TracedCommand::start({"/bin/sleep", "30"}, {}, error, fail_status);
  ASSERT_TRUE(command) << error;
  command->forward_stop(SIGINT);  // the terminal delivers Ctrl-C itself
  usleep(50'000);
  EXPECT_FALSE(command->poll_exit());
  command->forward_stop(SIGTERM);
  command->forward_stop(SIGTERM);
  EXPECT_EQ(wait_for_exit(*command), 128 + SIGTERM);
}

TEST(UnitShutdown, EndOfRunLines) {
  RunTotals t;
  t.events = 10;
  EXPECT_EQ(end_of_run_messages(t, false), (std::vector<std::string>{"10 events, 0 lost"}));
  t.lost = 6;
  t.lost_fork = 1;
  t.lost_exec = 2;
  t.lost_exit = 3;
  EXPECT_EQ(end_of_run_messages(t, false),
            (std::vector<std::string>{"10 events, 6 lost (fork 1, exec 2, exit 3)"}));
  EXPECT_TRUE(end_of_run_messages(t, true).empty());
  t = RunTotals{};
  t.records_not_recorded = 3;
  t.decode_errors = 1;
  auto lines = end_of_run_messages(t, true);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "3 events were not recorded: the disk could not keep up");
  EXPECT_EQ(lines[1], "1 malformed records from the kernel were skipped");
  // A failed recording: its cause and what it missed, in one line.
  t = RunTotals{};
  t.records_not_recorded = 5;
  t.recording_error = "cannot write r.ftrace: No space left on device";
  EXPECT_EQ(end_of_run_messages(t, true),
            (std::vector<std::string>{"cannot write r.ftrace: No space left on device; 5 events were not recorded"}));
}

// forktrace -- CMD: CMD's status, unless forktrace's own output failed: then
// 125 where CMD succeeded, and CMD's failure where it failed.
TEST(UnitShutdown, FinalStatus) {
  EXPECT_EQ(final_status(0, true, false), 0);
  EXPECT_EQ(final_status(3, true, false), 3);
  EXPECT_EQ(final_status(0, true, true), kOwnFailureStatus);
  EXPECT_EQ(kOwnFailureStatus, 125);
  EXPECT_EQ(final_status(3, true, true), 3);
  EXPECT_EQ(final_status(130, true, true), 130);
  EXPECT_EQ(final_status(0, false, true), 1);  // no command: an error, as before
  EXPECT_EQ(final_status(0, false, false), 0);
}

}  // namespace
}  // namespace ft
