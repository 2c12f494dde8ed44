// pipeline/pipeline.h: events → model → views, the one path live tracing and
// replay share. What reaches the sinks, in which state, and in which order;
// and the whole path from kernel bytes to JSON lines.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/pipeline.h"
#include "core/decode.h"
#include "event_builders.h"
#include "views/json_view.h"
#include "views/tree_view.h"

extern "C" {
#include "forktrace.h"
}

namespace ft {
namespace {

using namespace ft::test;

// What a sink saw: the event, and the subject's state when it saw it.
struct Seen {
  EventKind kind;
  bool thread;
  uint32_t pid;
  const Process* process;
  bool exited;
  uint32_t wait_status;
  std::string filename;
  uint32_t live_threads;
  uint32_t tid;
};

class RecordingSink : public Sink {
 public:
  explicit RecordingSink(std::vector<std::string>* log = nullptr, std::string name = "") : log_(log), name_(name) {}
  void on_event(const Event& e, const Process& p) override {
    seen.push_back(Seen{e.kind, e.thread, e.pid, &p, p.exited, p.wait_status, p.filename, p.live_threads, e.tid});
    if (log_) log_->push_back(name_ + " event");
  }
  void on_lost(const Event& e) override {
    lost.push_back(e.lost_count);
    if (log_) log_->push_back(name_ + " lost");
  }
  void finish() override {
    finished++;
    if (log_) log_->push_back(name_ + " finish");
  }
  std::vector<Seen> seen;
  std::vector<uint64_t> lost;
  int finished = 0;

 private:
  std::vector<std::string>* log_;
  std::string name_;
};

class UnitPipeline : public testing::Test {
 protected:
  RecordingSink* attach(Pipeline& p) {
    auto sink = std::make_unique<RecordingSink>();
    RecordingSink* raw = sink.get();
    p.add_sink(std::move(sink));
    p.model().seed({seed_of(1, 0, 0, "init"), seed_of(100, 1, Lineage::kDefaultProcTickNs, "bash", "/bin/bash", {"bash"})});
    return raw;
  }
  Id shell{100, Lineage::kDefaultProcTickNs + 9};
  Id child{200, 10 * kSec};
};

TEST_F(UnitPipeline, SinksSeeTheProcessAfterTheEventWasApplied) {
  Pipeline p(false);
  RecordingSink* sink = attach(p);
  p.feed(fork_of(shell, child));
  p.feed(exec_of(child, 100, "/bin/ls", {"ls"}, 11 * kSec));
  p.feed(exit_of(child, 100, exited_with(3), 12 * kSec, 0, "ls"));
  ASSERT_EQ(sink->seen.size(), 3u);
  EXPECT_EQ(sink->seen[0].kind, EventKind::fork);
  EXPECT_EQ(sink->seen[0].filename, "/bin/bash");
  EXPECT_EQ(sink->seen[1].filename, "/bin/ls");
  EXPECT_FALSE(sink->seen[1].exited);
  EXPECT_TRUE(sink->seen[2].exited);
  EXPECT_EQ(sink->seen[2].wait_status, exited_with(3));
  // One Process object all along.
  EXPECT_EQ(sink->seen[0].process, sink->seen[2].process);
  EXPECT_EQ(p.events(), 3u);
  EXPECT_EQ(p.model().live_count(), 2u);
}

TEST_F(UnitPipeline, ThreadEventsReachTheModelButNotTheViewsUnlessAsked) {
  for (bool threads : {false, true}) {
    SCOPED_TRACE(threads);
    Pipeline p(threads);
    RecordingSink* sink = attach(p);
    p.feed(fork_of(shell, child));
    p.feed(thread_fork_of(child, 100, 201, 11 * kSec));
    p.feed(thread_fork_of(child, 100, 202, 12 * kSec));
    p.feed(thread_exit_of(child, 100, 201, 11 * kSec, 13 * kSec));
    p.feed(exit_of(child, 100, 0, 14 * kSec, 202));
    std::vector<bool> thread_flags;
    for (const Seen& s : sink->seen) thread_flags.push_back(s.thread);
    if (threads) {
      EXPECT_EQ(thread_flags, (std::vector<bool>{false, true, true, true, false}));
      EXPECT_EQ(sink->seen[2].live_threads, 3u);
      EXPECT_EQ(sink->seen[3].live_threads, 2u);
    } else {
      EXPECT_EQ(thread_flags, (std::vector<bool>{false, false}));
    }
    EXPECT_TRUE(sink->seen.back().exited);
    EXPECT_EQ(p.events(), 5u);  // every event is counted, shown or not
  }
}

TEST_F(UnitPipeline, RepeatedProcessExitFromTheSameThreadReachesNoViewAndIsNotCounted) {
  Pipeline p(true);
  RecordingSink* sink = attach(p);
  p.feed(fork_of(shell, child));
  p.feed(exit_of(child, 100, exited_with(1), 11 * kSec, 201));
  p.feed(exit_of(child, 100, exited_with(1), 11 * kSec, 201));
  ASSERT_EQ(sink->seen.size(), 2u);
  EXPECT_TRUE(sink->seen[1].exited);
  EXPECT_EQ(p.events(), 2u);
}

// Without group_dead (5.10, 6.1), a joined thread's exit can read
// signal->live == 0 after the main thread's _exit and come as a second
// process exit: it is that thread's exit, shown with --threads, live and in
// replay alike (both feed the pipeline the same records).
TEST_F(UnitPipeline, RepeatedProcessExitFromAnotherThreadIsThatThreadsExit) {
  for (bool leader_first : {true, false}) {
    SCOPED_TRACE(leader_first);
    Pipeline p(true);
    RecordingSink* sink = attach(p);
    p.feed(fork_of(shell, child));
    p.feed(thread_fork_of(child, 100, 201, 11 * kSec));
    uint32_t first = leader_first ? 200 : 201, second = leader_first ? 201 : 200;
    Event end = exit_of(child, 100, exited_with(3), 12 * kSec, first);
    end.usage = ResourceUsage{};
    p.feed(end);
    Event repeat = exit_of(child, 100, exited_with(3), 12 * kSec + 1, second);
    repeat.usage = ResourceUsage{};
    p.feed(repeat);
    ASSERT_EQ(sink->seen.size(), 4u);
    EXPECT_FALSE(sink->seen[2].thread);
    EXPECT_TRUE(sink->seen[2].exited);
    EXPECT_TRUE(sink->seen[3].thread) << "the second exit is a thread's own";
    EXPECT_EQ(sink->seen[3].tid, 201u) << "the joined thread's, whichever came first";
    EXPECT_EQ(sink->seen[3].process, sink->seen[2].process) << "of the process that ended, not a new one";
    EXPECT_EQ(sink->seen[3].wait_status, exited_with(3));
    EXPECT_EQ(p.events(), 4u);
    EXPECT_EQ(p.model().find(200), nullptr);
  }
}

TEST_F(UnitPipeline, TheThreadExitOfARepeatIsHiddenWithoutThreads) {
  Pipeline p(false);
  RecordingSink* sink = attach(p);
  p.feed(fork_of(shell, child));
  p.feed(thread_fork_of(child, 100, 201, 11 * kSec));
  p.feed(exit_of(child, 100, exited_with(1), 12 * kSec, 200));
  p.feed(exit_of(child, 100, exited_with(1), 12 * kSec, 201));
  ASSERT_EQ(sink->seen.size(), 2u);
  EXPECT_FALSE(sink->seen[1].thread);
  EXPECT_EQ(p.model().live_count(), 2u);  // init and bash: no process invented for the thread
}

TEST_F(UnitPipeline, LostEventsGoToEverySinkAndAreCounted) {
  Pipeline p(false);
  RecordingSink* first = attach(p);
  auto second_owned = std::make_unique<RecordingSink>();
  RecordingSink* second = second_owned.get();
  p.add_sink(std::move(second_owned));
  p.feed(lost_of(5, kSec));
  p.feed(fork_of(shell, child));
  p.feed(lost_of(7, 11 * kSec));
  EXPECT_EQ(first->lost, (std::vector<uint64_t>{5, 7}));
  EXPECT_EQ(second->lost, (std::vector<uint64_t>{5, 7}));
  EXPECT_EQ(first->seen.size(), 1u);
  EXPECT_EQ(second->seen.size(), 1u);
  EXPECT_EQ(p.lost(), 12u);
  EXPECT_EQ(p.events(), 1u);
  EXPECT_EQ(p.model().live_count(), 3u);
}

TEST_F(UnitPipeline, FilterHidesProcessesFromViewsNotFromTheModel) {
  Pipeline p(false);
  RecordingSink* sink = attach(p);
  p.set_filter([](const Event&, const Process& proc) { return proc.filename == "/usr/bin/make"; });
  Id other{300, 20 * kSec};
  p.feed(fork_of(shell, child));  // still bash: hidden
  p.feed(exec_of(child, 100, "/usr/bin/make", {"make"}, 11 * kSec));
  p.feed(fork_of(shell, other));
  p.feed(exit_of(child, 100, 0, 12 * kSec, 0, "make"));
  ASSERT_EQ(sink->seen.size(), 2u);
  EXPECT_EQ(sink->seen[0].kind, EventKind::exec);
  EXPECT_EQ(sink->seen[1].kind, EventKind::exit);
  EXPECT_TRUE(p.model().find(300));
  EXPECT_EQ(p.events(), 4u);
}

TEST_F(UnitPipeline, FinishReachesEverySinkInOrder) {
  std::vector<std::string> log;
  Pipeline p(false);
  p.add_sink(std::make_unique<RecordingSink>(&log, "a"));
  p.add_sink(std::make_unique<RecordingSink>(&log, "b"));
  p.feed(fork_of(shell, child));
  p.feed(lost_of(1, 11 * kSec));
  p.finish();
  EXPECT_EQ(log, (std::vector<std::string>{"a event", "b event", "a lost", "b lost", "a finish", "b finish"}));
}

TEST_F(UnitPipeline, ManyProcessesThroughAJsonViewKeepTheModelBounded) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  Pipeline p(false);
  p.add_sink(std::make_unique<JsonView>(out, ViewOptions{}));
  p.model().seed({seed_of(1, 0, 0, "init")});
  Id init{1, 5};
  std::weak_ptr<Process> first;
  for (uint32_t i = 0; i < 20'000; ++i) {
    Id c{2 + i % 5000, (i + 1) * kMs};
    p.feed(fork_of(init, c));
    if (i == 0) first = p.model().find(c.pid);
    p.feed(exit_of(c, 1, 0, c.start_ns + 1));
  }
  p.finish();
  EXPECT_EQ(p.model().live_count(), 1u);
  EXPECT_TRUE(first.expired()) << "a streaming view keeps nothing";
  EXPECT_EQ(p.events(), 40'000u);
  std::fclose(out);
}

// --- from kernel bytes to JSON lines ---------------------------------------

std::string fork_bytes(uint64_t ts, uint32_t parent, uint64_t parent_start, uint32_t child, uint32_t tid,
                       bool thread, const char* comm) {
  ft_fork_record r;
  std::memset(&r, 0, sizeof r);
  r.head = {ts, FT_RECORD_FORK, sizeof r};
  r.child_start_ns = ts;
  r.parent_start_ns = parent_start;
  r.parent_pid = parent;
  r.parent_tid = parent;
  r.child_pid = child;
  r.child_tid = tid;
  r.child_ppid = thread ? 100 : parent;
  r.flags = thread ? FT_FORK_THREAD : 0;
  std::memcpy(r.comm, comm, std::min(std::strlen(comm), sizeof r.comm));
  return std::string(reinterpret_cast<const char*>(&r), sizeof r);
}

std::string exec_bytes(uint64_t ts, uint32_t pid, uint64_t start, uint32_t old_tid, const std::string& file,
                       const std::string& args) {
  ft_exec_record r;
  std::memset(&r, 0, sizeof r);
  r.head.ts_ns = ts;
  r.head.kind = FT_RECORD_EXEC;
  r.start_ns = start;
  r.pid = r.tid = pid;
  r.old_tid = old_tid;
  r.ppid = 100;
  std::string comm = file.substr(file.rfind('/') + 1);
  std::memcpy(r.comm, comm.data(), std::min(comm.size(), sizeof r.comm));
  r.filename_len = static_cast<uint16_t>(file.size() + 1);
  r.args_len = static_cast<uint16_t>(args.size());
  std::string tail = file + '\0' + args;
  tail.resize((sizeof r + tail.size() + 7) / 8 * 8 - sizeof r, '\0');  // the BPF side's rounding
  r.head.size = static_cast<uint32_t>(sizeof r + tail.size());
  return std::string(reinterpret_cast<const char*>(&r), sizeof r) + tail;
}

std::string exit_bytes(uint64_t ts, uint32_t pid, uint32_t tid, uint64_t start, uint64_t thread_start, uint32_t flags,
                       uint32_t exit_code, uint32_t group_exit_code) {
  ft_exit_record r;
  std::memset(&r, 0, sizeof r);
  r.head = {ts, FT_RECORD_EXIT, sizeof r};
  r.start_ns = thread_start;
  r.process_start_ns = start;
  r.pid = pid;
  r.tid = tid;
  r.ppid = 100;
  r.exit_code = exit_code;
  r.group_exit_code = group_exit_code;
  r.flags = flags;
  std::memcpy(r.comm, "prog", 4);
  return std::string(reinterpret_cast<const char*>(&r), sizeof r);
}

TEST_F(UnitPipeline, KernelRecordsToJsonLines) {
  // The shell (seeded at tick precision) forks 200; 200 starts thread 201,
  // which execs (taking over pid 200) and later 200 starts thread 202, whose
  // exit_group(5) ends the process while 200's own exit_code says 0.
  const uint64_t t0 = 10 * kSec;
  std::vector<std::string> records = {
      fork_bytes(t0, 100, shell.start_ns, 200, 200, false, "bash"),
      fork_bytes(t0 + 1 * kMs, 200, t0, 200, 201, true, "bash"),
      exec_bytes(t0 + 2 * kMs, 200, t0, 201, "/usr/bin/prog", std::string("prog\0--x\0", 9)),
      fork_bytes(t0 + 3 * kMs, 200, t0, 200, 202, true, "prog"),
      exit_bytes(t0 + 4 * kMs, 200, 200, t0, t0 + 1 * kMs, FT_EXIT_GROUP_EXIT, 5 << 8, 5 << 8),
      exit_bytes(t0 + 5 * kMs, 200, 202, t0, t0 + 3 * kMs, FT_EXIT_GROUP_DEAD | FT_EXIT_GROUP_EXIT, 0, 5 << 8),
  };
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  Pipeline p(/*threads=*/true);
  p.add_sink(std::make_unique<JsonView>(out, ViewOptions{TraceClock{1000}, false, true}));
  p.model().seed({seed_of(1, 0, 0, "init"), seed_of(100, 1, Lineage::kDefaultProcTickNs, "bash", "/bin/bash", {"bash"})});
  for (const std::string& bytes : records) {
    std::vector<char> exact(bytes.begin(), bytes.end());
    Event e;
    ASSERT_EQ(decode_record(exact.data(), exact.size(), e), DecodeError::none);
    p.feed(e);
  }
  p.finish();
  std::fflush(out);
  std::rewind(out);
  std::vector<nlohmann::json> j;
  char buf[8192];
  while (std::fgets(buf, sizeof buf, out)) j.push_back(nlohmann::json::parse(buf));
  std::fclose(out);

  ASSERT_EQ(j.size(), 6u);
  EXPECT_EQ(j[0]["event"], "fork");
  EXPECT_EQ(j[0]["ts_ns"], t0 + 1000);
  EXPECT_EQ(j[1]["thread"], true);
  EXPECT_EQ(j[1]["tid"], 201);
  EXPECT_EQ(j[2]["event"], "exec");
  EXPECT_EQ(j[2]["old_tid"], 201);
  EXPECT_EQ(j[2]["pid"], 200);
  EXPECT_EQ(j[2]["argv"], nlohmann::json({"prog", "--x"}));
  EXPECT_EQ(j[4]["event"], "exit");
  EXPECT_EQ(j[4]["thread"], true);
  EXPECT_EQ(j[5]["thread"], false);
  EXPECT_EQ(j[5]["exit_code"], 5);
  EXPECT_EQ(j[5]["duration_ns"], 5 * kMs);
  EXPECT_EQ(p.model().find(200), nullptr);
  EXPECT_EQ(p.model().live_count(), 2u);
}

TEST_F(UnitPipeline, TreeViewKeepsWhatItShowsAndTheModelStillForgets) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  Pipeline p(false);
  p.add_sink(std::make_unique<TreeView>(out, ViewOptions{}));
  p.model().seed({seed_of(1, 0, 0, "init")});
  p.feed(fork_of(Id{1, 0}, child));
  std::weak_ptr<Process> w = p.model().find(200);
  p.feed(exit_of(child, 1, killed_by(9), 11 * kSec));
  EXPECT_EQ(p.model().live_count(), 1u);
  EXPECT_TRUE(w.expired()) << "the tree view keeps a compact copy of what it will print, not the process";
  p.finish();
  std::rewind(out);
  char buf[256] = {};
  ASSERT_TRUE(std::fgets(buf, sizeof buf, out));
  EXPECT_STREQ(buf, "200 [sh]  killed by SIGKILL  1.00s\n");
  std::fclose(out);
}

}  // namespace
}  // namespace ft
