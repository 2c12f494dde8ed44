// The lineage model, fed event sequences for each case of process life.
#include <gtest/gtest.h>

#include "pipeline/pipeline.h"
#include "model/lineage.h"

namespace ft {
namespace {

constexpr uint64_t kMs = 1'000'000;

Event fork_event(uint32_t parent, uint64_t parent_start, uint32_t child, uint64_t ts, uint32_t ppid = 0) {
  Event e;
  e.kind = EventKind::fork;
  e.ts_ns = ts;
  e.pid = e.tid = child;
  e.ppid = ppid ? ppid : parent;
  e.parent_pid = e.parent_tid = parent;
  e.parent_start_ns = parent_start;
  e.start_ns = e.thread_start_ns = ts;
  e.comm = "parent";
  return e;
}

Event thread_event(uint32_t pid, uint64_t start, uint32_t tid, uint64_t ts) {
  Event e;
  e.kind = EventKind::fork;
  e.thread = true;
  e.ts_ns = ts;
  e.pid = pid;
  e.tid = tid;
  e.parent_pid = e.parent_tid = pid;
  e.start_ns = e.parent_start_ns = start;
  e.thread_start_ns = ts;
  return e;
}

Event exec_event(uint32_t pid, uint64_t start, uint32_t ppid, const std::string& file, uint64_t ts,
                 uint32_t old_tid = 0) {
  Event e;
  e.kind = EventKind::exec;
  e.ts_ns = ts;
  e.pid = e.tid = pid;
  e.ppid = ppid;
  e.start_ns = start;
  e.old_tid = old_tid;
  e.filename = file;
  e.argv = {file, "arg"};
  e.comm = file.substr(file.rfind('/') + 1);
  return e;
}

Event exit_event(uint32_t pid, uint64_t start, uint32_t ppid, uint32_t status, uint64_t ts, bool thread = false,
                 uint32_t tid = 0) {
  Event e;
  e.kind = EventKind::exit;
  e.thread = thread;
  e.ts_ns = ts;
  e.pid = pid;
  e.tid = tid ? tid : pid;
  e.ppid = ppid;
  e.start_ns = start;
  e.wait_status = status;
  return e;
}

class ModelTest : public testing::Test {
 protected:
  void SetUp() override {
    // pid 1 and a shell (pid 100) existed before tracing, at /proc's tick precision.
    model.seed({SeedProcess{1, 0, 0, 0, "init", "/sbin/init", {"/sbin/init"}, ""},
                SeedProcess{100, 1, 50 * Lineage::kDefaultProcTickNs, 0, "bash", "/bin/bash", {"bash"}, ""}});
  }
  // The shell's exact kernel start time, which /proc rounded down to ticks.
  const uint64_t shell_start = 50 * Lineage::kDefaultProcTickNs + 1234;
  Lineage model;
};

TEST_F(ModelTest, ForkExecExit) {
  auto child = model.apply(fork_event(100, shell_start, 200, 10 * kMs));
  EXPECT_EQ(child->forked_by, 100u);
  EXPECT_EQ(child->filename, "/bin/bash");  // runs its parent's program until exec
  model.apply(exec_event(200, 10 * kMs, 100, "/usr/bin/make", 11 * kMs));
  EXPECT_EQ(child->filename, "/usr/bin/make");
  EXPECT_EQ(child->execs, 1u);
  auto same = model.apply(exit_event(200, 10 * kMs, 100, 2 << 8, 30 * kMs));
  EXPECT_EQ(same, child);
  EXPECT_TRUE(child->exited);
  EXPECT_EQ(child->wait_status, 2u << 8);
  EXPECT_EQ(child->duration_ns(), 20 * kMs);
  EXPECT_EQ(model.find(200), nullptr);
}

TEST_F(ModelTest, SeededAncestryReachesInit) {
  auto child = model.apply(fork_event(100, shell_start, 200, 10 * kMs));
  auto chain = Lineage::ancestry(*child);
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[0]->pid, 1u);
  EXPECT_EQ(chain[1]->pid, 100u);
  EXPECT_TRUE(chain[1]->seeded);
  // The seeded shell is matched despite /proc's coarser start time.
  EXPECT_EQ(model.find(100)->comm, "bash");
}

TEST_F(ModelTest, ReusedPidIsANewProcess) {
  auto first = model.apply(fork_event(100, shell_start, 300, 10 * kMs));
  model.apply(exit_event(300, 10 * kMs, 100, 1 << 8, 11 * kMs));
  auto second = model.apply(fork_event(100, shell_start, 300, 20 * kMs));
  EXPECT_NE(first, second);
  model.apply(exit_event(300, 20 * kMs, 100, 2 << 8, 21 * kMs));
  EXPECT_EQ(first->wait_status, 1u << 8);  // the old one keeps its own end
  EXPECT_EQ(second->wait_status, 2u << 8);
}

TEST_F(ModelTest, ReusedPidWhoseExitWasLostIsNotMerged) {
  auto first = model.apply(fork_event(100, shell_start, 300, 10 * kMs));
  // Its exit was lost; an exec of pid 300 with another start is someone else.
  auto other = model.apply(exec_event(300, 50 * kMs, 100, "/bin/ls", 51 * kMs));
  EXPECT_NE(first, other);
  EXPECT_EQ(first->filename, "/bin/bash");
  EXPECT_EQ(model.find(300), other);
}

TEST_F(ModelTest, ThreadIsNotAProcess) {
  auto p = model.apply(fork_event(100, shell_start, 200, 10 * kMs));
  size_t live = model.live_count();
  auto same = model.apply(thread_event(200, 10 * kMs, 201, 11 * kMs));
  EXPECT_EQ(same, p);
  EXPECT_EQ(model.live_count(), live);
  EXPECT_EQ(p->live_threads, 2u);
  // A non-leader thread's exit does not end the process.
  model.apply(exit_event(200, 10 * kMs, 100, 0, 12 * kMs, /*thread=*/true, 201));
  EXPECT_FALSE(p->exited);
  EXPECT_EQ(p->live_threads, 1u);
}

TEST_F(ModelTest, LeaderExitsBeforeItsThreads) {
  auto p = model.apply(fork_event(100, shell_start, 200, 10 * kMs));
  model.apply(thread_event(200, 10 * kMs, 201, 11 * kMs));
  model.apply(exit_event(200, 10 * kMs, 100, 0, 12 * kMs, /*thread=*/true, 200));
  EXPECT_FALSE(p->exited);
  EXPECT_EQ(model.find(200), p);
  model.apply(exit_event(200, 10 * kMs, 100, 9 << 8, 20 * kMs, false, 201));
  EXPECT_TRUE(p->exited);
  EXPECT_EQ(p->wait_status, 9u << 8);
}

TEST_F(ModelTest, ExecFromNonLeaderKeepsThePid) {
  auto p = model.apply(fork_event(100, shell_start, 200, 10 * kMs));
  model.apply(thread_event(200, 10 * kMs, 201, 11 * kMs));
  auto same = model.apply(exec_event(200, 10 * kMs, 100, "/bin/true", 12 * kMs, 201));
  EXPECT_EQ(same, p);
  EXPECT_EQ(p->filename, "/bin/true");
  EXPECT_EQ(p->live_threads, 1u);  // exec ends every other thread
}

TEST_F(ModelTest, ExitGroupFromNonLeaderEndsTheProcess) {
  auto p = model.apply(fork_event(100, shell_start, 200, 10 * kMs));
  model.apply(thread_event(200, 10 * kMs, 201, 11 * kMs));
  model.apply(exit_event(200, 10 * kMs, 100, 5 << 8, 12 * kMs, /*thread=*/true, 201));
  model.apply(exit_event(200, 10 * kMs, 100, 5 << 8, 12 * kMs, false, 200));
  EXPECT_TRUE(p->exited);
  EXPECT_EQ(p->wait_status, 5u << 8);
}

TEST_F(ModelTest, OrphanKeepsItsForkerAndShowsTheReparenting) {
  auto child = model.apply(fork_event(100, shell_start, 200, 10 * kMs));
  auto grandchild = model.apply(fork_event(200, 10 * kMs, 201, 11 * kMs));
  model.apply(exit_event(200, 10 * kMs, 100, 0, 12 * kMs));
  model.apply(exit_event(201, 11 * kMs, 1, 7 << 8, 20 * kMs));  // now a child of init
  EXPECT_TRUE(grandchild->reparented);
  EXPECT_EQ(grandchild->ppid, 1u);
  EXPECT_EQ(grandchild->forked_by, 200u);
  EXPECT_EQ(grandchild->parent, child);
  auto chain = Lineage::ancestry(*grandchild);
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_EQ(chain[2]->pid, 200u);  // the real forker, though it exited first
}

TEST_F(ModelTest, CloneParentNamesTheGrandparentAsParent) {
  auto child = model.apply(fork_event(200, 0, 300, 10 * kMs, /*ppid=*/100));
  EXPECT_EQ(child->ppid, 100u);
  EXPECT_EQ(child->forked_by, 200u);
  EXPECT_TRUE(child->reparented);
}

TEST_F(ModelTest, UnknownProcessIsCreatedOnItsFirstEvent) {
  auto p = model.apply(exec_event(777, 5 * kMs, 100, "/bin/sleep", 6 * kMs));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->parent, model.find(100));
}

TEST_F(ModelTest, MemoryIsBoundedByLiveProcesses) {
  size_t baseline = model.live_count();
  std::weak_ptr<Process> first;
  for (uint32_t i = 0; i < 100000; ++i) {
    uint32_t pid = 1000 + i % 30000;
    uint64_t ts = (i + 1) * kMs;
    auto p = model.apply(fork_event(100, shell_start, pid, ts));
    if (i == 0) first = p;
    model.apply(exit_event(pid, ts, 100, 0, ts + 1));
  }
  EXPECT_EQ(model.live_count(), baseline);
  EXPECT_TRUE(first.expired()) << "an exited process with no live descendant must be freed";
}

TEST_F(ModelTest, ExitedAncestorLivesWhileADescendantDoes) {
  std::weak_ptr<Process> parent;
  {
    auto p = model.apply(fork_event(100, shell_start, 200, 10 * kMs));
    parent = p;
    model.apply(fork_event(200, 10 * kMs, 201, 11 * kMs));
    model.apply(exit_event(200, 10 * kMs, 100, 0, 12 * kMs));
  }
  EXPECT_FALSE(parent.expired());
  model.apply(exit_event(201, 11 * kMs, 1, 0, 13 * kMs));
  EXPECT_TRUE(parent.expired());
}

class CountingSink : public Sink {
 public:
  void on_event(const Event& e, const Process&) override { kinds.push_back(e.kind); }
  void on_lost(const Event& e) override { lost += e.lost_count; }
  std::vector<EventKind> kinds;
  uint64_t lost = 0;
};

TEST(PipelineTest, HidesThreadsUnlessAsked) {
  for (bool threads : {false, true}) {
    Pipeline pipeline(threads);
    auto sink = std::make_unique<CountingSink>();
    CountingSink* seen = sink.get();
    pipeline.add_sink(std::move(sink));
    pipeline.feed(fork_event(1, 0, 200, 10 * kMs));
    pipeline.feed(thread_event(200, 10 * kMs, 201, 11 * kMs));
    Event lost;
    lost.kind = EventKind::lost;
    lost.lost_count = 5;
    pipeline.feed(lost);
    EXPECT_EQ(seen->kinds.size(), threads ? 2u : 1u);
    EXPECT_EQ(seen->lost, 5u);
    EXPECT_EQ(pipeline.lost(), 5u);
    EXPECT_EQ(pipeline.events(), 2u);
  }
}

}  // namespace
}  // namespace ft
