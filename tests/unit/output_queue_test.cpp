// The views' output queue (app/output_queue.h) and the pipeline's gate
// (pipeline/pipeline.h): a stalled reader never blocks the writer of events;
// beyond the bound events are dropped whole for the views and accounted for.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "app/output_queue.h"
#include "pipeline/pipeline.h"
#include "event_builders.h"
#include "views/json_view.h"

namespace ft {
namespace {

using namespace ft::test;

std::string read_all(int fd) {
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

class RecordingSink : public Sink {
 public:
  explicit RecordingSink(std::vector<Event>& out) : out_(out) {}
  void on_event(const Event& e, const Process&) override { out_.push_back(e); }
  void on_lost(const Event& e) override { out_.push_back(e); }

 private:
  std::vector<Event>& out_;
};

TEST(UnitOutputQueue, AStalledReaderFillsTheQueueToItsBoundAndLosesNothing) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  std::string error;
  constexpr size_t kBound = 256 * 1024;
  auto queue = OutputQueue::start(p[1], true, "the pipe", kBound, false, error);
  ASSERT_TRUE(queue) << error;
  // Nobody reads: the pipe takes its 64 KiB, the queue the rest, and writing
  // never blocks.
  std::string expected;
  for (int i = 0; queue->has_room(); ++i) {
    std::string line = "line " + std::to_string(i) + "\n";
    std::fputs(line.c_str(), queue->file());
    expected += line;
    if (i % 100 == 0) std::fflush(queue->file());
    ASSERT_LT(expected.size(), 16u << 20) << "the bound never took effect";
  }
  EXPECT_GE(queue->queued_bytes(), kBound);
  EXPECT_LT(queue->queued_bytes(), kBound + 32 * 1024);  // one FILE buffer's worth over at most
  std::string got;
  std::thread reader([&] { got = read_all(p[0]); });
  ASSERT_TRUE(queue->close(error)) << error;
  reader.join();
  close(p[0]);
  EXPECT_EQ(got, expected);
  EXPECT_GE(queue->peak_bytes(), kBound);
  EXPECT_EQ(queue->queued_bytes(), 0u);
}

TEST(UnitOutputQueue, AReaderThatGoesAwayIsAnErrorNotAHang) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  signal(SIGPIPE, SIG_IGN);
  close(p[0]);
  std::string error;
  auto queue = OutputQueue::start(p[1], true, "standard output", 1 << 20, false, error);
  ASSERT_TRUE(queue) << error;
  for (int i = 0; i < 10000; ++i) std::fputs("a line of output\n", queue->file());
  EXPECT_FALSE(queue->close(error));
  EXPECT_EQ(error, "cannot write standard output: Broken pipe");
}

TEST(UnitPipelineGate, WithoutRoomEventsAreDroppedWholeForTheViewsAndReportedOnceRoomReturns) {
  Pipeline pipeline(false);
  std::vector<Event> view, metrics;
  pipeline.add_view(std::make_unique<RecordingSink>(view));
  pipeline.add_sink(std::make_unique<RecordingSink>(metrics));
  bool room = true;
  pipeline.set_view_room([&] { return room; });
  Id parent{100, 1 * kSec}, a{200, 2 * kSec}, b{201, 3 * kSec};
  pipeline.feed(fork_of(parent, a));
  room = false;
  pipeline.feed(exec_of(a, 100, "/bin/true", {"true"}, 2 * kSec + 1));
  pipeline.feed(exit_of(a, 100, 0, 2 * kSec + 2));
  Event kernel_loss;
  kernel_loss.kind = EventKind::lost;
  kernel_loss.ts_ns = 2 * kSec + 3;
  kernel_loss.lost_count = 4;
  kernel_loss.lost_fork = 4;
  pipeline.feed(kernel_loss);
  room = true;
  pipeline.feed(fork_of(parent, b));

  ASSERT_EQ(view.size(), 3u);
  EXPECT_EQ(view[0].kind, EventKind::fork);
  EXPECT_EQ(view[1].kind, EventKind::lost);
  EXPECT_EQ(view[1].lost_count, 6u);   // 2 dropped for the views + 4 in the kernel
  EXPECT_EQ(view[1].lost_output, 2u);
  EXPECT_EQ(view[1].lost_fork, 4u);
  EXPECT_EQ(view[1].lost_exec, 1u);
  EXPECT_EQ(view[1].lost_exit, 1u);
  EXPECT_EQ(view[2].pid, b.pid);
  EXPECT_EQ(metrics.size(), 5u);  // every event
  EXPECT_EQ(pipeline.not_shown(), 2u);
  EXPECT_EQ(pipeline.lost(), 4u);
  EXPECT_EQ(pipeline.events(), 4u);
  EXPECT_FALSE(pipeline.model().find(a.pid));  // the model saw the exit
}

TEST(UnitPipelineGate, WhatIsHeldBackAtTheEndIsReportedAtFinish) {
  Pipeline pipeline(false);
  std::vector<Event> view;
  pipeline.add_view(std::make_unique<RecordingSink>(view));
  pipeline.set_view_room([] { return false; });
  Id parent{100, 1 * kSec}, a{200, 2 * kSec};
  pipeline.feed(fork_of(parent, a));
  EXPECT_TRUE(view.empty());
  pipeline.finish();
  ASSERT_EQ(view.size(), 1u);
  EXPECT_EQ(view[0].lost_count, 1u);
  EXPECT_EQ(view[0].lost_output, 1u);
}

}  // namespace
}  // namespace ft
