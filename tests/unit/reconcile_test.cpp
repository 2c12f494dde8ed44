// Reconciliation after a loss (model/reconcile.h) against a fake /proc: each
// case of issue 14, and the model's handling of the marked events.
#include <gtest/gtest.h>
#include <unistd.h>

#include "pipeline/pipeline.h"
#include "event_builders.h"
#include "host/proc.h"
#include "model/reconcile.h"

namespace ft {
namespace {

using namespace ft::test;

constexpr uint64_t kTick = 10 * kMs;

SeedProcess proc_entry(uint32_t pid, uint32_t ppid, uint64_t start_ns, std::string exe = "/bin/sh",
                       std::vector<std::string> argv = {"sh"}) {
  SeedProcess s;
  s.pid = pid;
  s.ppid = ppid;
  s.start_ns = start_ns / kTick * kTick;  // /proc's precision
  s.comm = argv.empty() ? "?" : argv[0];
  s.filename = std::move(exe);
  s.argv = std::move(argv);
  return s;
}

// A model: init (1), a shell (100) that forked 200 and 300.
struct Fixture {
  Lineage model;
  Id init{1, 1 * kSec}, shell{100, 2 * kSec}, a{200, 5 * kSec + 123}, b{300, 6 * kSec + 456};
  Fixture() {
    model.seed({proc_entry(1, 0, init.start_ns, "/sbin/init", {"init"}),
                proc_entry(100, 1, shell.start_ns, "/bin/sh", {"sh"})});
    model.apply(fork_of(shell, a));
    model.apply(fork_of(shell, b));
  }
  std::vector<SeedProcess> proc_now() const {
    return {proc_entry(1, 0, init.start_ns, "/sbin/init", {"init"}), proc_entry(100, 1, shell.start_ns),
            proc_entry(200, 100, a.start_ns), proc_entry(300, 100, b.start_ns)};
  }
  ReconcileInput input(std::vector<SeedProcess> proc, uint64_t snapshot_ns = 20 * kSec) const {
    ReconcileInput in;
    in.proc = std::move(proc);
    in.snapshot_ns = snapshot_ns;
    in.tick_ns = kTick;
    return in;
  }
};

TEST(UnitReconcile, NothingChangedMeansNoEvents) {
  Fixture f;
  EXPECT_TRUE(reconcile(f.model, f.input(f.proc_now())).empty());
}

TEST(UnitReconcile, AProcessGoneFromProcGetsAnExitWithUnknownStatus) {
  Fixture f;
  auto proc = f.proc_now();
  proc.erase(proc.begin() + 2);  // 200 ended inside the gap
  auto events = reconcile(f.model, f.input(proc));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::exit);
  EXPECT_TRUE(events[0].status_unknown);
  EXPECT_EQ(events[0].pid, 200u);
  EXPECT_EQ(events[0].start_ns, f.a.start_ns);
  EXPECT_EQ(events[0].wait_status, 0u);
  EXPECT_EQ(events[0].ts_ns, 20 * kSec);
}

TEST(UnitReconcile, AZombieHasEnded) {
  Fixture f;
  auto proc = f.proc_now();
  proc[2].zombie = true;
  auto events = reconcile(f.model, f.input(proc));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].pid, 200u);
  EXPECT_TRUE(events[0].status_unknown);
}

TEST(UnitReconcile, AProcessStartedAfterTheSnapshotIsNotEnded) {
  Fixture f;
  Id late{400, 20 * kSec + 5 * kMs};
  f.model.apply(fork_of(f.shell, late));  // drained after the snapshot was read
  EXPECT_TRUE(reconcile(f.model, f.input(f.proc_now(), 20 * kSec)).empty());
}

TEST(UnitReconcile, AnUnknownLiveProcessGetsARecoveredForkAndExec) {
  Fixture f;
  auto proc = f.proc_now();
  proc.push_back(proc_entry(500, 200, 7 * kSec, "/usr/bin/make", {"make", "-j2"}));
  proc.push_back(proc_entry(501, 500, 8 * kSec, "/usr/bin/make", {"make", "-j2"}));  // forked, no exec
  auto events = reconcile(f.model, f.input(proc));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, EventKind::fork);
  EXPECT_TRUE(events[0].recovered);
  EXPECT_EQ(events[0].pid, 500u);
  EXPECT_EQ(events[0].ppid, 200u);
  EXPECT_EQ(events[0].parent_pid, 200u);
  EXPECT_EQ(events[0].parent_start_ns, f.a.start_ns);
  EXPECT_EQ(events[0].start_ns, 7 * kSec);
  EXPECT_EQ(events[1].kind, EventKind::exec);
  EXPECT_TRUE(events[1].recovered);
  EXPECT_EQ(events[1].filename, "/usr/bin/make");
  EXPECT_EQ(events[1].argv, (std::vector<std::string>{"make", "-j2"}));
  EXPECT_EQ(events[2].kind, EventKind::fork);  // 501 runs its parent's program: no exec
  EXPECT_EQ(events[2].pid, 501u);
  EXPECT_EQ(events[2].parent_start_ns, 7 * kSec);
}

// A recovered exec says where and as whom, as /proc does; an exec the model
// saw is compared by its real file, so a child still running it is no exec.
TEST(UnitReconcile, ARecoveredExecHasItsCwdAndCredsAndTheRealFileIsCompared) {
  Fixture f;
  auto proc = f.proc_now();
  SeedProcess cc = proc_entry(500, 200, 7 * kSec, "/usr/bin/x86_64-linux-gnu-gcc-12", {"cc", "-c", "a.c"});
  cc.cwd = "/src/lib";
  cc.has_creds = true;
  cc.uid = cc.euid = 1000;
  cc.gid = 100;
  cc.egid = 5;
  proc.push_back(cc);
  auto events = reconcile(f.model, f.input(proc));
  ASSERT_EQ(events.size(), 2u);
  const Event& exec = events[1];
  EXPECT_EQ(exec.kind, EventKind::exec);
  EXPECT_EQ(exec.exe, "/usr/bin/x86_64-linux-gnu-gcc-12");
  EXPECT_EQ(exec.cwd, "/src/lib");
  EXPECT_TRUE(exec.has_creds);
  EXPECT_EQ(exec.uid, 1000u);
  EXPECT_EQ(exec.euid, 1000u);
  EXPECT_EQ(exec.gid, 100u);
  EXPECT_EQ(exec.egid, 5u);

  // 200 exec'd the compiler as `cc` (the model has the name and the real
  // file); a recovered child of it running that file made no exec of its own.
  Fixture g;
  Event exec_cc = exec_of(g.a, 100, "/usr/bin/cc", {"cc", "-c", "a.c"}, 9 * kSec);
  exec_cc.exe = "/usr/bin/x86_64-linux-gnu-gcc-12";
  g.model.apply(exec_cc);
  auto now = g.proc_now();
  now.push_back(proc_entry(501, 200, 10 * kSec, "/usr/bin/x86_64-linux-gnu-gcc-12", {"cc", "-c", "a.c"}));
  auto later = reconcile(g.model, g.input(now));
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].kind, EventKind::fork);
  EXPECT_EQ(later[0].pid, 501u);
}

TEST(UnitReconcile, ProcSaysWhereAndAsWhomAProcessRuns) {
  SeedProcess self;
  ASSERT_TRUE(read_proc_process(static_cast<uint32_t>(getpid()), self));
  char cwd[4096];
  ASSERT_TRUE(getcwd(cwd, sizeof cwd));
  EXPECT_EQ(self.cwd, cwd);
  ASSERT_TRUE(self.has_creds);
  EXPECT_EQ(self.uid, getuid());
  EXPECT_EQ(self.euid, geteuid());
  EXPECT_EQ(self.gid, getgid());
  EXPECT_EQ(self.egid, getegid());
}

TEST(UnitReconcile, AReusedPidEndsTheOldProcessAndAddsTheNewOne) {
  Fixture f;
  auto proc = f.proc_now();
  proc[3] = proc_entry(300, 100, 9 * kSec, "/bin/sleep", {"sleep", "5"});
  auto events = reconcile(f.model, f.input(proc));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, EventKind::exit);
  EXPECT_TRUE(events[0].status_unknown);
  EXPECT_EQ(events[0].start_ns, f.b.start_ns);
  EXPECT_EQ(events[1].kind, EventKind::fork);
  EXPECT_EQ(events[1].start_ns, 9 * kSec);
  EXPECT_EQ(events[2].kind, EventKind::exec);
}

TEST(UnitReconcile, AnExitDrainedAfterTheSnapshotIsNotAnUnknownProcess) {
  Fixture f;
  auto proc = f.proc_now();
  proc.push_back(proc_entry(600, 100, 10 * kSec));  // in /proc at the snapshot...
  ReconcileInput in = f.input(proc);
  in.exited_since.emplace_back(600, 10 * kSec + 3);  // ...and its exit came in the drain
  EXPECT_TRUE(reconcile(f.model, in).empty());
}

TEST(UnitReconcile, OnlyTracedProcessesCountWhenFiltered) {
  Fixture f;
  auto proc = f.proc_now();
  proc.erase(proc.begin() + 1);                                // the seeded shell is gone: not traced
  proc.push_back(proc_entry(700, 1, 11 * kSec));               // under init: not traced
  proc.push_back(proc_entry(701, 300, 12 * kSec));             // under traced 300
  proc.push_back(proc_entry(702, 701, 13 * kSec));             // under the recovered 701
  ReconcileInput in = f.input(proc);
  in.traced = [](const Process& p) { return !p.seeded; };
  auto events = reconcile(f.model, in);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].pid, 701u);
  EXPECT_EQ(events[1].pid, 702u);
}

TEST(UnitReconcile, TheModelMarksWhatWasRecoveredAndIgnoresTheLateRealFork) {
  Fixture f;
  Pipeline pipeline(false);
  pipeline.model().seed({proc_entry(1, 0, f.init.start_ns, "/sbin/init", {"init"}), proc_entry(100, 1, f.shell.start_ns)});
  pipeline.feed(fork_of(f.shell, f.a));
  auto proc = f.proc_now();
  proc.erase(proc.begin() + 3);
  Id c{800, 14 * kSec + 777};
  proc.push_back(proc_entry(800, 200, c.start_ns, "/bin/cat", {"cat"}));
  auto events = reconcile(pipeline.model(), f.input(proc));
  ASSERT_EQ(events.size(), 2u);  // 800's fork and exec (300 was never in this model)
  for (auto& e : events) pipeline.feed(e);
  ProcessPtr recovered = pipeline.model().find(800);
  ASSERT_TRUE(recovered);
  EXPECT_TRUE(recovered->recovered);
  EXPECT_EQ(recovered->parent->pid, 200u);
  EXPECT_EQ(recovered->filename, "/bin/cat");
  uint64_t before = pipeline.events();
  // The real fork, still on its way during the reconciliation: no duplicate.
  pipeline.feed(fork_of(f.a, c));
  EXPECT_EQ(pipeline.events(), before);
  EXPECT_EQ(pipeline.model().find(800), recovered);
  // Its real exit (exact start) ends the recovered process.
  pipeline.feed(exit_of(c, 200, exited_with(0), 15 * kSec));
  EXPECT_FALSE(pipeline.model().find(800));
  EXPECT_TRUE(recovered->exited);
  EXPECT_FALSE(recovered->status_unknown);
}

TEST(UnitReconcile, AProcessFirstSeenAfterALostForkHasNoCertainForker) {
  Lineage model;
  Id shell{100, 2 * kSec}, lost{200, 3 * kSec};
  model.seed({proc_entry(100, 1, shell.start_ns)});
  ProcessPtr p = model.apply(exec_of(lost, 100, "/bin/true", {"true"}, 4 * kSec));
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->forker_unknown);
  EXPECT_EQ(p->forked_by, 0u);
  ProcessPtr status_unknown = model.apply([&] {
    Event e = exit_of(lost, 100, 0, 5 * kSec);
    e.status_unknown = true;
    return e;
  }());
  EXPECT_TRUE(status_unknown->status_unknown);
}

}  // namespace
}  // namespace ft
