// The lineage model (model/lineage.h) fed event sequences for every case of
// issue 2: identity, seeding, threads, orphans, CLONE_PARENT, bounded memory.
#include <gtest/gtest.h>
#include <pthread.h>

#include <memory>
#include <vector>

#include "event_builders.h"
#include "model/lineage.h"

namespace ft {
namespace {

using namespace ft::test;

std::vector<uint32_t> pids_of(const std::vector<std::shared_ptr<const Process>>& chain) {
  std::vector<uint32_t> out;
  for (const auto& p : chain) out.push_back(p->pid);
  return out;
}

// init (1), a subreaper (50) and a shell (100) existed before tracing began.
// /proc gave their start times in clock ticks; the kernel's records carry the
// exact nanoseconds, which /proc rounded down.
class UnitLineage : public testing::Test {
 protected:
  void SetUp() override {
    tick = Lineage::kDefaultProcTickNs;
    shell = Id{100, 50 * tick + 1234};
    subreaper = Id{50, 20 * tick + 7};
    model.seed({seed_of(1, 0, 0, "systemd", "/usr/lib/systemd/systemd", {"/sbin/init"}),
                seed_of(50, 1, 20 * tick, "tini", "/usr/bin/tini", {"tini", "--"}),
                seed_of(100, 1, 50 * tick, "bash", "/usr/bin/bash", {"-bash"})});
    baseline = model.live_count();
  }

  uint64_t tick = 0;
  Id shell, subreaper;
  size_t baseline = 0;
  Lineage model;
};

// --- fork, exec, exit -------------------------------------------------------

TEST_F(UnitLineage, ForkExecExit) {
  Id child{200, 10 * kSec};
  ProcessPtr p = model.apply(fork_of(shell, child, 0, "bash"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->pid, 200u);
  EXPECT_EQ(p->start_ns, child.start_ns);
  EXPECT_EQ(p->ppid, 100u);
  EXPECT_EQ(p->forked_by, 100u);
  EXPECT_EQ(p->parent, model.find(100));
  EXPECT_FALSE(p->seeded);
  EXPECT_FALSE(p->reparented);
  EXPECT_EQ(p->filename, "/usr/bin/bash");  // its parent's program until it execs
  EXPECT_EQ(p->argv, std::vector<std::string>{"-bash"});
  EXPECT_EQ(model.live_count(), baseline + 1);
  EXPECT_EQ(model.find(200), p);

  ProcessPtr same = model.apply(exec_of(child, 100, "/usr/bin/make", {"make", "-j8"}, child.start_ns + kMs));
  EXPECT_EQ(same, p);
  EXPECT_EQ(p->filename, "/usr/bin/make");
  EXPECT_EQ(p->argv, (std::vector<std::string>{"make", "-j8"}));
  EXPECT_EQ(p->comm, "make");
  EXPECT_EQ(p->execs, 1u);
  EXPECT_FALSE(p->exited);

  same = model.apply(exit_of(child, 100, exited_with(2), child.start_ns + 250 * kMs, 0, "make"));
  EXPECT_EQ(same, p);
  EXPECT_TRUE(p->exited);
  EXPECT_EQ(p->wait_status, exited_with(2));
  EXPECT_EQ(p->exit_ns, child.start_ns + 250 * kMs);
  EXPECT_EQ(p->duration_ns(), 250 * kMs);
  EXPECT_EQ(model.find(200), nullptr);
  EXPECT_EQ(model.live_count(), baseline);
}

TEST_F(UnitLineage, ExecTwiceKeepsTheProcess) {
  Id child{200, 10 * kSec};
  ProcessPtr p = model.apply(fork_of(shell, child));
  model.apply(exec_of(child, 100, "/bin/sh", {"sh", "-c", "exec ls"}, child.start_ns + 1));
  model.apply(exec_of(child, 100, "/bin/ls", {"ls"}, child.start_ns + 2));
  EXPECT_EQ(model.find(200), p);
  EXPECT_EQ(p->execs, 2u);
  EXPECT_EQ(p->filename, "/bin/ls");
  EXPECT_EQ(model.live_count(), baseline + 1);
}

TEST_F(UnitLineage, LostEventChangesNothing) {
  EXPECT_EQ(model.apply(lost_of(12, 5 * kSec)), nullptr);
  EXPECT_EQ(model.live_count(), baseline);
}

// --- identity is (pid, start_ns) --------------------------------------------

TEST_F(UnitLineage, ReusedPidIsANewProcessAndTheOldKeepsItsState) {
  Id first{300, 10 * kSec}, second{300, 20 * kSec};
  ProcessPtr old = model.apply(fork_of(shell, first));
  model.apply(exec_of(first, 100, "/bin/false", {"false"}, first.start_ns + 1));
  model.apply(exit_of(first, 100, exited_with(1), first.start_ns + 5 * kMs, 0, "false"));

  ProcessPtr fresh = model.apply(fork_of(shell, second));
  EXPECT_NE(fresh, old);
  EXPECT_EQ(model.find(300), fresh);
  model.apply(exec_of(second, 100, "/bin/true", {"true"}, second.start_ns + 1));
  model.apply(exit_of(second, 100, exited_with(0), second.start_ns + 7 * kMs, 0, "true"));

  // The first process is exactly as it ended.
  EXPECT_TRUE(old->exited);
  EXPECT_EQ(old->start_ns, first.start_ns);
  EXPECT_EQ(old->filename, "/bin/false");
  EXPECT_EQ(old->comm, "false");
  EXPECT_EQ(old->wait_status, exited_with(1));
  EXPECT_EQ(old->duration_ns(), 5 * kMs);
  EXPECT_EQ(old->execs, 1u);
  EXPECT_EQ(fresh->filename, "/bin/true");
  EXPECT_EQ(fresh->wait_status, exited_with(0));
  EXPECT_EQ(fresh->duration_ns(), 7 * kMs);
  EXPECT_EQ(fresh->execs, 1u);
}

TEST_F(UnitLineage, ReusedPidWhileTheOldExitWasLostIsNeverMerged) {
  Id first{300, 10 * kSec}, second{300, 20 * kSec};
  ProcessPtr old = model.apply(fork_of(shell, first));
  model.apply(exec_of(first, 100, "/bin/sleep", {"sleep", "1"}, first.start_ns + 1));
  // first's exit was lost; every kind of event of pid 300 with another start
  // is about another process.
  for (const Event& e : {exec_of(second, 100, "/bin/ls", {"ls"}, second.start_ns + 1),
                         exit_of(second, 100, exited_with(4), second.start_ns + 2)}) {
    ProcessPtr p = model.apply(e);
    EXPECT_NE(p, old);
    EXPECT_EQ(p->start_ns, second.start_ns);
  }
  EXPECT_FALSE(old->exited);
  EXPECT_EQ(old->filename, "/bin/sleep");
  EXPECT_EQ(old->execs, 1u);
  EXPECT_EQ(old->wait_status, 0u);

  // A fork reusing the pid replaces the stale entry too.
  Id third{300, 30 * kSec};
  ProcessPtr p3 = model.apply(fork_of(shell, third));
  EXPECT_NE(p3, old);
  EXPECT_EQ(model.find(300), p3);
  EXPECT_EQ(model.live_count(), baseline + 1);
}

TEST_F(UnitLineage, ReusedPidOfAnExitedParentIsNotTheParent) {
  // 200 forks 201 and exits; a new process reuses pid 200. 201's ancestry
  // still names the process that forked it, not the newcomer.
  Id a{200, 10 * kSec}, b{201, 11 * kSec}, reuse{200, 12 * kSec};
  ProcessPtr pa = model.apply(fork_of(shell, a));
  ProcessPtr pb = model.apply(fork_of(a, b));
  model.apply(exit_of(a, 100, 0, 11 * kSec + 5));
  ProcessPtr pr = model.apply(fork_of(shell, reuse));
  model.apply(exit_of(b, 1, 0, 13 * kSec));
  EXPECT_EQ(pb->parent, pa);
  EXPECT_NE(pb->parent, pr);
}

// --- seeded processes -------------------------------------------------------

TEST_F(UnitLineage, SeededProcessIsMatchedByTheExactKernelStart) {
  ProcessPtr seeded = model.find(100);
  ASSERT_TRUE(seeded);
  EXPECT_TRUE(seeded->seeded);
  EXPECT_EQ(seeded->start_ns, 50 * tick);
  EXPECT_EQ(seeded->start_precision_ns, tick);

  // Anything inside the tick /proc rounded down is the same process.
  for (uint64_t start : {50 * tick, 50 * tick + 1, 50 * tick + tick - 1}) {
    ProcessPtr p = model.apply(exec_of(Id{100, start}, 1, "/usr/bin/bash", {"bash"}, 60 * tick));
    EXPECT_EQ(p, seeded) << start;
  }
  EXPECT_EQ(seeded->execs, 3u);
  EXPECT_EQ(model.live_count(), baseline);

  // A start in another tick is a reused pid.
  ProcessPtr other = model.apply(exec_of(Id{100, 51 * tick}, 1, "/bin/ls", {"ls"}, 61 * tick));
  EXPECT_NE(other, seeded);
  EXPECT_EQ(model.live_count(), baseline);
}

// The model reads no files: /proc's tick is given to it (host/proc.h reads
// the machine's), and seeded and recovered processes are matched at it.
TEST(UnitLineageTick, SeededAndRecoveredProcessesTakeTheGivenTick) {
  constexpr uint64_t kTick = 1'000'000'000ull / 1024;  // a machine with USER_HZ 1024
  Lineage model;
  model.set_proc_tick_ns(kTick);
  model.seed({seed_of(1, 0, 0, "init"), seed_of(100, 1, 50 * kTick, "bash", "/bin/bash", {"bash"})});
  EXPECT_EQ(model.find(100)->start_precision_ns, kTick);
  EXPECT_EQ(model.apply(exec_of(Id{100, 50 * kTick + kTick - 1}, 1, "/bin/ls", {"ls"}, 60 * kTick)), model.find(100));
  EXPECT_EQ(model.live_count(), 2u);

  Event fork = fork_of(Id{100, 50 * kTick}, Id{200, 70 * kTick});
  fork.recovered = true;
  EXPECT_EQ(model.apply(fork)->start_precision_ns, kTick);
}

TEST_F(UnitLineage, AncestryOfALaterForkReachesPid1) {
  Id child{200, 10 * kSec}, grandchild{201, 11 * kSec};
  model.apply(fork_of(shell, child));
  ProcessPtr g = model.apply(fork_of(child, grandchild));
  EXPECT_EQ(pids_of(Lineage::ancestry(*g)), (std::vector<uint32_t>{1, 100, 200}));
  EXPECT_TRUE(Lineage::ancestry(*g)[0]->seeded);
  EXPECT_TRUE(Lineage::ancestry(*g)[1]->seeded);
  EXPECT_EQ(Lineage::ancestry(*g)[0]->comm, "systemd");
  EXPECT_EQ(Lineage::ancestry(*g)[1]->comm, "bash");

  // Still complete after the shell and the child exited first.
  model.apply(exit_of(child, 100, 0, 12 * kSec));
  model.apply(exit_of(shell, 1, 0, 13 * kSec, 0, "bash"));
  EXPECT_EQ(pids_of(Lineage::ancestry(*g)), (std::vector<uint32_t>{1, 100, 200}));
  EXPECT_TRUE(Lineage::ancestry(*g)[1]->exited);
}

TEST_F(UnitLineage, SeedsListedChildBeforeParentAreLinked) {
  // At pid wrap-around /proc lists a child (pid 5) before its parent (pid 900).
  Lineage m;
  m.seed({seed_of(5, 900, 3 * tick, "child"), seed_of(900, 1, 2 * tick, "parent"), seed_of(1, 0, 0, "init")});
  ProcessPtr child = m.find(5);
  ASSERT_TRUE(child);
  EXPECT_EQ(pids_of(Lineage::ancestry(*child)), (std::vector<uint32_t>{1, 900}));
  EXPECT_EQ(m.find(1)->parent, nullptr);
}

TEST_F(UnitLineage, SeedReplacesAndAddSeedsKeepsWhatIsKnown) {
  Id child{200, 10 * kSec};
  ProcessPtr p = model.apply(fork_of(shell, child));
  // A later file of a rotated series: 200 is known (kept), 400 is new.
  model.add_seeds({seed_of(200, 100, 10 * kSec, "other"), seed_of(400, 100, 5 * kSec, "late")});
  EXPECT_EQ(model.find(200), p);
  EXPECT_EQ(p->comm, "sh");
  ASSERT_TRUE(model.find(400));
  EXPECT_EQ(model.find(400)->parent, model.find(100));

  std::vector<SeedProcess> snap = model.snapshot();
  ASSERT_EQ(snap.size(), baseline + 2);
  for (size_t i = 1; i < snap.size(); ++i) EXPECT_LT(snap[i - 1].pid, snap[i].pid);

  model.seed({seed_of(1, 0, 0, "init")});
  EXPECT_EQ(model.live_count(), 1u);
  EXPECT_EQ(model.find(200), nullptr);
}

// --- threads ----------------------------------------------------------------

class UnitLineageThreads : public UnitLineage {
 protected:
  void SetUp() override {
    UnitLineage::SetUp();
    proc = model.apply(fork_of(shell, id));
    model.apply(exec_of(id, 100, "/usr/bin/server", {"server"}, id.start_ns + kMs));
    model.apply(thread_fork_of(id, 100, 201, id.start_ns + 2 * kMs));
    model.apply(thread_fork_of(id, 100, 202, id.start_ns + 3 * kMs, 201));
  }
  Id id{200, 10 * kSec};
  ProcessPtr proc;
};

TEST_F(UnitLineageThreads, ThreadForkIsNotANewProcess) {
  EXPECT_EQ(model.live_count(), baseline + 1);
  EXPECT_EQ(model.find(200), proc);
  EXPECT_EQ(model.find(201), nullptr);
  EXPECT_EQ(model.find(202), nullptr);
  EXPECT_EQ(proc->live_threads, 3u);
  EXPECT_EQ(proc->execs, 1u);
  EXPECT_EQ(proc->filename, "/usr/bin/server");
}

TEST_F(UnitLineageThreads, NonLeaderThreadExitDoesNotEndTheProcess) {
  ProcessPtr p = model.apply(thread_exit_of(id, 100, 202, id.start_ns + 3 * kMs, id.start_ns + 4 * kMs));
  EXPECT_EQ(p, proc);
  EXPECT_FALSE(proc->exited);
  EXPECT_EQ(proc->live_threads, 2u);
  EXPECT_EQ(model.find(200), proc);
  EXPECT_EQ(model.live_count(), baseline + 1);
}

TEST_F(UnitLineageThreads, ProcessExitEndsItWithTheWaitStatus) {
  model.apply(thread_exit_of(id, 100, 201, id.start_ns + 2 * kMs, id.start_ns + 5 * kMs));
  model.apply(thread_exit_of(id, 100, 202, id.start_ns + 3 * kMs, id.start_ns + 5 * kMs));
  ProcessPtr p = model.apply(exit_of(id, 100, killed_by(6, true), id.start_ns + 6 * kMs));
  EXPECT_EQ(p, proc);
  EXPECT_TRUE(proc->exited);
  EXPECT_EQ(proc->wait_status, killed_by(6, true));
  EXPECT_EQ(proc->duration_ns(), 6 * kMs);
  EXPECT_EQ(model.find(200), nullptr);
  EXPECT_EQ(model.live_count(), baseline);
}

TEST_F(UnitLineageThreads, ExitGroupFromANonLeaderEndsTheProcessWithItsCode) {
  // Thread 202 calls exit_group(7): the others die first as thread exits,
  // the last one to go (here 202 itself) carries the group's status.
  model.apply(thread_exit_of(id, 100, 200, id.start_ns, id.start_ns + 5 * kMs, exited_with(7)));
  model.apply(thread_exit_of(id, 100, 201, id.start_ns + 2 * kMs, id.start_ns + 5 * kMs, exited_with(7)));
  EXPECT_FALSE(proc->exited);
  model.apply(exit_of(id, 100, exited_with(7), id.start_ns + 6 * kMs, 202, "worker"));
  EXPECT_TRUE(proc->exited);
  EXPECT_EQ(proc->wait_status, exited_with(7));
  EXPECT_EQ(model.find(200), nullptr);
}

TEST_F(UnitLineageThreads, MainThreadExitingFirstDoesNotEndTheProcess) {
  ProcessPtr p = model.apply(thread_exit_of(id, 100, 200, id.start_ns, id.start_ns + 4 * kMs));
  EXPECT_EQ(p, proc);
  EXPECT_FALSE(proc->exited);
  EXPECT_EQ(model.find(200), proc);
  EXPECT_EQ(model.live_count(), baseline + 1);
  // The process still forks and execs under its pid.
  Id kid{300, id.start_ns + 5 * kMs};
  ProcessPtr k = model.apply(fork_of(id, kid, 0, "server", 201));
  EXPECT_EQ(k->parent, proc);
  model.apply(thread_exit_of(id, 100, 201, id.start_ns + 2 * kMs, id.start_ns + 6 * kMs));
  EXPECT_FALSE(proc->exited);
  // The last thread ends it.
  model.apply(exit_of(id, 100, exited_with(3), id.start_ns + 7 * kMs, 202, "worker"));
  EXPECT_TRUE(proc->exited);
  EXPECT_EQ(proc->wait_status, exited_with(3));
  EXPECT_EQ(proc->duration_ns(), 7 * kMs);  // from the process's start, not the thread's
}

TEST_F(UnitLineageThreads, RepeatedProcessExitIsDroppedAndAReusedPidStillExits) {
  // Before the tracepoint passed group_dead, the last two threads exiting at
  // once could both report the process's end.
  ProcessPtr first = model.apply(exit_of(id, 100, exited_with(4), id.start_ns + 6 * kMs, 201, "worker"));
  EXPECT_EQ(first, proc);
  Event repeat = exit_of(id, 100, exited_with(4), id.start_ns + 6 * kMs, 201, "worker");
  EXPECT_FALSE(model.as_thread_exit(repeat)) << "the same thread twice is a repeat";
  EXPECT_EQ(model.apply(repeat), nullptr);
  EXPECT_EQ(proc->wait_status, exited_with(4));
  EXPECT_EQ(model.live_count(), baseline);
  // The same pid with another start is a new process and its exit counts.
  Id reused{200, id.start_ns + kSec};
  ProcessPtr next = model.apply(fork_of(shell, reused));
  EXPECT_EQ(model.apply(exit_of(reused, 100, 0, reused.start_ns + kMs)), next);
  EXPECT_TRUE(next->exited);
}

TEST_F(UnitLineageThreads, RepeatedProcessExitFromAnotherThreadIsThatThreadsExit) {
  model.apply(exit_of(id, 100, exited_with(4), id.start_ns + 6 * kMs, 201, "worker"));
  Event repeat = exit_of(id, 100, exited_with(4), id.start_ns + 6 * kMs, 202, "worker");
  repeat.usage = ResourceUsage{};
  std::optional<Event> thread_exit = model.as_thread_exit(repeat);
  ASSERT_TRUE(thread_exit);
  EXPECT_TRUE(thread_exit->thread);
  EXPECT_EQ(thread_exit->tid, 202u);
  EXPECT_FALSE(thread_exit->usage) << "the usage is the process's, given with its end";
  EXPECT_EQ(model.apply(*thread_exit), proc);
  EXPECT_EQ(model.live_count(), baseline);
  // Not for an event of a live process, nor for other kinds.
  EXPECT_FALSE(model.as_thread_exit(exit_of(shell, 1, 0, id.start_ns + 7 * kMs)));
  EXPECT_FALSE(model.as_thread_exit(exec_of(id, 100, "/bin/true", {"true"}, id.start_ns + 7 * kMs)));
}

TEST_F(UnitLineageThreads, ExecFromANonLeaderKeepsThePid) {
  // de_thread kills the leader and 201; 202 takes over pid 200.
  model.apply(thread_exit_of(id, 100, 200, id.start_ns, id.start_ns + 4 * kMs, killed_by(9)));
  model.apply(thread_exit_of(id, 100, 201, id.start_ns + 2 * kMs, id.start_ns + 4 * kMs, killed_by(9)));
  ProcessPtr p = model.apply(exec_of(id, 100, "/bin/true", {"true"}, id.start_ns + 5 * kMs, 202));
  EXPECT_EQ(p, proc);
  EXPECT_EQ(model.find(200), proc);
  EXPECT_FALSE(proc->exited);
  EXPECT_EQ(proc->filename, "/bin/true");
  EXPECT_EQ(proc->execs, 2u);
  EXPECT_EQ(proc->live_threads, 1u);
  EXPECT_EQ(model.live_count(), baseline + 1);
  model.apply(exit_of(id, 100, exited_with(0), id.start_ns + 6 * kMs, 0, "true"));
  EXPECT_TRUE(proc->exited);
  EXPECT_EQ(proc->wait_status, exited_with(0));
}

TEST_F(UnitLineage, ThreadOfAnUnknownProcessCreatesItOnce) {
  Id unknown{700, 3 * kSec};
  ProcessPtr a = model.apply(thread_fork_of(unknown, 100, 701, 4 * kSec));
  ProcessPtr b = model.apply(thread_fork_of(unknown, 100, 702, 5 * kSec));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a->parent, model.find(100));
  EXPECT_EQ(model.live_count(), baseline + 1);
}

// --- orphans and CLONE_PARENT ------------------------------------------------

TEST_F(UnitLineage, OrphanIsReparentedAndKeepsItsForker) {
  // The double fork of a daemon: 200 forks 201 and exits at once.
  Id mid{200, 10 * kSec}, orphan{201, 11 * kSec};
  ProcessPtr pm = model.apply(fork_of(shell, mid));
  ProcessPtr po = model.apply(fork_of(mid, orphan));
  model.apply(exit_of(mid, 100, 0, 12 * kSec));
  EXPECT_FALSE(po->reparented);
  EXPECT_EQ(po->ppid, 200u);

  ProcessPtr p = model.apply(exec_of(orphan, 1, "/usr/sbin/daemon", {"daemon"}, 13 * kSec));
  EXPECT_EQ(p, po);
  EXPECT_TRUE(po->reparented);
  EXPECT_EQ(po->ppid, 1u);
  EXPECT_EQ(po->forked_by, 200u);
  EXPECT_EQ(po->parent, pm);
  EXPECT_TRUE(po->parent->exited);
  EXPECT_EQ(pids_of(Lineage::ancestry(*po)), (std::vector<uint32_t>{1, 100, 200}));

  model.apply(exit_of(orphan, 1, exited_with(1), 14 * kSec));
  EXPECT_TRUE(po->exited);
  EXPECT_TRUE(po->reparented);
  EXPECT_EQ(po->forked_by, 200u);
}

TEST_F(UnitLineage, OrphanOfASubreaperIsReparentedToIt) {
  Id mid{200, 10 * kSec}, orphan{201, 11 * kSec};
  model.apply(fork_of(subreaper, mid));
  ProcessPtr po = model.apply(fork_of(mid, orphan));
  model.apply(exit_of(mid, 50, 0, 12 * kSec));
  model.apply(exit_of(orphan, 50, killed_by(15), 14 * kSec));
  EXPECT_TRUE(po->reparented);
  EXPECT_EQ(po->ppid, 50u);
  EXPECT_EQ(po->forked_by, 200u);
  EXPECT_EQ(pids_of(Lineage::ancestry(*po)), (std::vector<uint32_t>{1, 50, 200}));
}

TEST_F(UnitLineage, OrphanReparentingSeenOnAThreadFork) {
  // The first event after the parent's exit may be a new thread; its record
  // carries the process's new parent as well.
  Id mid{200, 10 * kSec}, orphan{201, 11 * kSec};
  model.apply(fork_of(shell, mid));
  ProcessPtr po = model.apply(fork_of(mid, orphan));
  model.apply(exit_of(mid, 100, 0, 12 * kSec));
  model.apply(thread_fork_of(orphan, 1, 202, 13 * kSec));
  EXPECT_EQ(po->ppid, 1u);
  EXPECT_TRUE(po->reparented);
  EXPECT_EQ(po->forked_by, 200u);
}

TEST_F(UnitLineage, SeededProcessWhoseParentExitsIsReparented) {
  Id worker{400, 30 * tick + 5};
  model.add_seeds({seed_of(400, 100, 30 * tick, "worker")});
  model.apply(exit_of(shell, 1, 0, 100 * tick, 0, "bash"));
  ProcessPtr p = model.apply(exit_of(worker, 1, 0, 101 * tick, 0, "worker"));
  EXPECT_TRUE(p->reparented);
  EXPECT_EQ(p->forked_by, 100u);
  EXPECT_EQ(p->ppid, 1u);
}

TEST_F(UnitLineage, CloneParentChildIsTheGrandparentsButForkedByTheCaller) {
  Id caller{200, 10 * kSec}, child{201, 11 * kSec};
  ProcessPtr pc = model.apply(fork_of(shell, caller));
  // fork with CLONE_PARENT: the child's real parent is the caller's parent.
  ProcessPtr p = model.apply(fork_of(caller, child, /*ppid=*/100));
  EXPECT_EQ(p->ppid, 100u);
  EXPECT_EQ(p->forked_by, 200u);
  EXPECT_EQ(p->parent, pc);
  EXPECT_TRUE(p->reparented);
  EXPECT_EQ(pids_of(Lineage::ancestry(*p)), (std::vector<uint32_t>{1, 100, 200}));
  // Later events name the same real parent: nothing changes.
  model.apply(exec_of(child, 100, "/bin/true", {"true"}, 12 * kSec));
  EXPECT_EQ(p->ppid, 100u);
  EXPECT_EQ(p->forked_by, 200u);
  EXPECT_EQ(p->parent, pc);
}

TEST_F(UnitLineage, ForkByAnUnknownParentCreatesTheParent) {
  Id unknown{600, 3 * kSec}, child{601, 4 * kSec};
  ProcessPtr c = model.apply(fork_of(unknown, child, 0, "cron"));
  ASSERT_TRUE(c->parent);
  EXPECT_EQ(c->parent->pid, 600u);
  EXPECT_EQ(c->parent->start_ns, unknown.start_ns);
  EXPECT_EQ(model.find(600), c->parent);
  EXPECT_EQ(model.live_count(), baseline + 2);
}

// --- memory stays bounded ----------------------------------------------------

TEST_F(UnitLineage, ManyForkExitCyclesReturnToBaseline) {
  std::vector<std::weak_ptr<Process>> watched;
  for (uint32_t i = 0; i < 50'000; ++i) {
    Id child{1000 + i % 20'000, (i + 1) * kMs};
    ProcessPtr p = model.apply(fork_of(shell, child));
    model.apply(exec_of(child, 100, "/bin/true", {"true"}, child.start_ns + 10));
    model.apply(thread_fork_of(child, 100, 40'000 + i % 1000, child.start_ns + 20));
    model.apply(thread_exit_of(child, 100, 40'000 + i % 1000, child.start_ns + 20, child.start_ns + 30));
    model.apply(exit_of(child, 100, exited_with(static_cast<int>(i % 3)), child.start_ns + 40));
    if (i % 5000 == 0) watched.push_back(p);
  }
  EXPECT_EQ(model.live_count(), baseline);
  for (const auto& w : watched) EXPECT_TRUE(w.expired());
}

TEST_F(UnitLineage, ExitedProcessIsFreedOnceNothingRefersToIt) {
  std::weak_ptr<Process> mid_w, orphan_w, sibling_w;
  Id mid{200, 10 * kSec}, orphan{201, 11 * kSec}, sibling{202, 11 * kSec + 1};
  {
    ProcessPtr m = model.apply(fork_of(shell, mid));
    ProcessPtr o = model.apply(fork_of(mid, orphan));
    ProcessPtr s = model.apply(fork_of(mid, sibling));
    mid_w = m;
    orphan_w = o;
    sibling_w = s;
  }
  model.apply(exit_of(sibling, 200, 0, 11 * kSec + 2));
  EXPECT_TRUE(sibling_w.expired()) << "an exited leaf is dropped at once";
  model.apply(exit_of(mid, 100, 0, 12 * kSec));
  EXPECT_FALSE(mid_w.expired()) << "kept while a live descendant names it";
  model.apply(exit_of(orphan, 1, 0, 13 * kSec));
  EXPECT_TRUE(orphan_w.expired());
  EXPECT_TRUE(mid_w.expired());
  EXPECT_EQ(model.live_count(), baseline);
}

TEST_F(UnitLineage, DeepChainIsFreedWhenItsLastLeafExits) {
  std::vector<std::weak_ptr<Process>> chain;
  Id parent = shell;
  std::vector<Id> ids;
  for (uint32_t i = 0; i < 1000; ++i) {
    Id child{2000 + i, (i + 1) * kMs};
    chain.push_back(model.apply(fork_of(parent, child)));
    ids.push_back(child);
    parent = child;
  }
  // Every ancestor exits first; the leaf keeps the whole chain.
  for (uint32_t i = 0; i + 1 < ids.size(); ++i)
    model.apply(exit_of(ids[i], i == 0 ? 100 : ids[i - 1].pid, 0, 2 * kSec));
  EXPECT_EQ(model.live_count(), baseline + 1);
  for (const auto& w : chain) EXPECT_FALSE(w.expired());
  model.apply(exit_of(ids.back(), 1, 0, 3 * kSec));
  for (const auto& w : chain) EXPECT_TRUE(w.expired());
  EXPECT_EQ(model.live_count(), baseline);
}

// Releases `p` on a thread with a small stack, where a recursion per
// generation would overflow long before it does on the main thread.
void release_on_small_stack(ProcessPtr& p) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t thread;
  auto release = [](void* arg) -> void* {
    static_cast<ProcessPtr*>(arg)->reset();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, release, &p), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

TEST_F(UnitLineage, LongRespawnChainIsReleasedWithoutRecursion) {
  // A script that starts its successor and exits, once a second for days:
  // the newest generation holds every exited one before it, and freeing
  // them must not take a stack frame per generation.
  constexpr uint32_t kGenerations = 50'000;
  Id parent = shell;
  ProcessPtr first, last;
  for (uint32_t i = 0; i < kGenerations; ++i) {
    Id next{1000 + i, (i + 1) * kSec};
    last = model.apply(fork_of(parent, next));
    if (i == 0) first = last;
    if (i > 0) model.apply(exit_of(parent, i == 1 ? 100 : parent.pid - 1, 0, next.start_ns + 1));
    parent = next;
  }
  std::weak_ptr<Process> first_w = first;
  first.reset();
  EXPECT_EQ(Lineage::ancestry(*last).back()->pid, parent.pid - 1);
  model.apply(exit_of(parent, 1, 0, (kGenerations + 1) * kSec));
  EXPECT_EQ(model.live_count(), baseline);
  EXPECT_FALSE(first_w.expired());
  release_on_small_stack(last);
  EXPECT_TRUE(first_w.expired());
}

TEST_F(UnitLineage, LostExitsDoNotGrowTheModelBeyondThePidSpace) {
  std::weak_ptr<Process> first;
  for (uint32_t i = 0; i < 10'000; ++i) {
    Id child{1000 + i % 100, (i + 1) * kMs};
    ProcessPtr p = model.apply(fork_of(shell, child));  // exits never seen
    if (i == 0) first = p;
  }
  EXPECT_EQ(model.live_count(), baseline + 100);
  EXPECT_TRUE(first.expired());
}

}  // namespace
}  // namespace ft
