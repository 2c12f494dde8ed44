// The analyses of analysis/ on small synthetic builds with known answers:
// the root, the cause of a cascade, handled and propagated failures, commands
// not found, the critical path, per-executable roll-ups, subtree totals.
#include <gtest/gtest.h>

#include <algorithm>

#include "analysis/build_report.h"
#include "analysis/diff.h"
#include "analysis/trace.h"
#include "core/errno_label.h"
#include "event_builders.h"
#include "views/report_json.h"
#include "views/report_text.h"

namespace ft::test {
namespace {

using analysis::kNone;
using analysis::Trace;
using analysis::TraceScope;

// Processes alive before tracing: init, a shell, and forktrace started from it.
constexpr Id kInit{1, 1 * kSec};
constexpr Id kShell{50, 2 * kSec};
constexpr Id kTracer{100, 3 * kSec};

TraceScope command_scope() {
  TraceScope s;
  s.filtered = true;
  s.traced_command = {"make"};
  return s;
}

// A build told as a story: spawn (fork + exec), exit; fed through the real
// model into a TraceBuilder, as the pipeline does.
class Story {
 public:
  explicit Story(TraceScope scope = command_scope()) : builder_(scope) {
    model_.seed({seed_of(kInit.pid, 0, kInit.start_ns, "init", "/sbin/init", {"/sbin/init"}),
                 seed_of(kShell.pid, kInit.pid, kShell.start_ns, "bash", "/bin/bash", {"bash"}),
                 seed_of(kTracer.pid, kShell.pid, kTracer.start_ns, "forktrace", "/usr/bin/forktrace",
                         {"forktrace", "--", "make"})});
  }

  // `parent` forks at `at` and the child execs argv[0] (a path or a name in /usr/bin).
  Id spawn(Id parent, uint64_t at, std::vector<std::string> argv) {
    Id child{next_pid_++, at};
    feed(fork_of(parent, child));
    std::string file = argv[0].find('/') == std::string::npos ? "/usr/bin/" + argv[0] : argv[0];
    feed(exec_of(child, parent.pid, file, std::move(argv), at + 1));
    return child;
  }
  // The same, the exec running in `cwd`.
  Id spawn_in(Id parent, uint64_t at, std::string cwd, std::vector<std::string> argv) {
    Id child{next_pid_++, at};
    feed(fork_of(parent, child));
    std::string file = argv[0].find('/') == std::string::npos ? "/usr/bin/" + argv[0] : argv[0];
    Event e = exec_of(child, parent.pid, file, std::move(argv), at + 1);
    e.cwd = std::move(cwd);
    feed(e);
    return child;
  }
  // Only a fork (forktrace's own child before it execs the command).
  Id fork(Id parent, uint64_t at, std::string comm) {
    Id child{next_pid_++, at};
    feed(fork_of(parent, child, 0, std::move(comm)));
    return child;
  }
  void exec(Id p, uint32_t ppid, uint64_t at, std::vector<std::string> argv) {
    std::string file = "/usr/bin/" + argv[0];
    feed(exec_of(p, ppid, file, std::move(argv), at));
  }
  void fail_exec(Id p, uint32_t ppid, uint64_t at, std::string filename, std::vector<std::string> argv, int error) {
    Event e = failed_exec_of(p, ppid, std::move(filename), error, at);
    e.argv = std::move(argv);
    feed(e);
  }
  void exit(Id p, uint64_t at, uint32_t status = exited_with(0), uint64_t cpu_ns = 0, uint64_t rss_kb = 0) {
    ProcessPtr process = model_.find(p.pid);
    Event e = exit_of(p, process ? process->ppid : 0, status, at);
    if (cpu_ns || rss_kb) {
      ResourceUsage u;
      u.cpu_user_ns = cpu_ns;
      u.max_rss_kb = rss_kb;
      e.usage = u;
    }
    feed(e);
  }
  Trace trace() { return builder_.take(); }

 private:
  void feed(const Event& e) {
    ProcessPtr p = model_.apply(e);
    if (p) builder_.on_event(e, *p);
  }
  Lineage model_;
  analysis::TraceBuilder builder_;
  uint32_t next_pid_ = 200;
};

uint32_t step_with_pid(const Trace& t, uint32_t pid) {
  for (uint32_t i = 0; i < t.steps.size(); ++i)
    if (t.steps[i].pid == pid) return i;
  return kNone;
}

std::vector<uint32_t> pids_of(const Trace& t, const std::vector<uint32_t>& steps) {
  std::vector<uint32_t> out;
  for (uint32_t s : steps) out.push_back(t.steps[s].pid);
  return out;
}

// The GoogleTest build of the issue: make → make → sh → c++ → cc1plus fails,
// and the failure climbs back up to the top make.
struct Cascade {
  Id top, sub, sh, cxx, cc1plus, other;
  Trace trace;
};

Cascade cascade() {
  Story s;
  Cascade c;
  // forktrace's own child, which then execs the traced command.
  c.top = s.fork(kTracer, 10 * kSec, "forktrace");
  s.exec(c.top, kTracer.pid, 10 * kSec + kMs, {"make", "-j2"});
  c.sub = s.spawn(c.top, 11 * kSec, {"make", "-f", "CMakeFiles/Makefile2", "all"});
  c.other = s.spawn(c.sub, 12 * kSec, {"sh", "-c", "c++ -c gtest_main.cc"});
  c.sh = s.spawn(c.sub, 12 * kSec + kMs, {"sh", "-c", "c++ -c gtest-all.cc"});
  c.cxx = s.spawn(c.sh, 12 * kSec + 2 * kMs, {"c++", "-c", "gtest-all.cc"});
  c.cc1plus = s.spawn(c.cxx, 12 * kSec + 3 * kMs, {"/usr/lib/gcc/x86_64-linux-gnu/12/cc1plus", "-quiet", "gtest-all.cc"});
  s.exit(c.cc1plus, 14 * kSec, exited_with(1), 1800 * kMs, 200'000);
  s.exit(c.cxx, 14 * kSec + kMs, exited_with(1), 5 * kMs, 2'000);
  s.exit(c.sh, 14 * kSec + 2 * kMs, exited_with(1));
  s.exit(c.other, 15 * kSec, exited_with(0), 2500 * kMs, 150'000);
  s.exit(c.sub, 15 * kSec + kMs, exited_with(2));
  s.exit(c.top, 15 * kSec + 2 * kMs, exited_with(2));
  c.trace = s.trace();
  return c;
}

TEST(AnalysisExecutable, NamedAsRunExceptAnFexecvesDescriptor) {
  Trace t;
  analysis::Step s;
  s.comm = t.intern("cc");
  EXPECT_EQ(analysis::executable_of(t, s), "cc");
  s.filename = t.intern("/usr/bin/cc");
  s.exe = t.intern("/usr/bin/x86_64-linux-gnu-gcc-12");
  EXPECT_EQ(analysis::executable_of(t, s), "cc");  // as the build named it
  s.filename = t.intern("/dev/fd/4");
  s.exe = t.intern("/usr/bin/true");
  EXPECT_EQ(analysis::executable_of(t, s), "true");
  // The Chrome trace and the HTML report keep the descriptor's name.
  EXPECT_EQ(analysis::executable_name("/dev/fd/4", "/usr/bin/true", "true", false), "4");
  s.exe = 0;
  EXPECT_EQ(analysis::executable_of(t, s), "4");  // nothing better known
}

TEST(AnalysisStore, StringsAreStoredOnce) {
  Trace t;
  analysis::StrId a = t.intern("-Iinclude");
  EXPECT_EQ(t.intern("-Iinclude"), a);
  EXPECT_NE(t.intern("-Isrc"), a);
  EXPECT_EQ(t.intern(""), 0u);
  EXPECT_EQ(t.str(a), "-Iinclude");
  size_t before = t.strings.size();
  analysis::StrSpan one = t.intern_argv({"cc", "-Iinclude", "-c", "a.c"});
  analysis::StrSpan two = t.intern_argv({"cc", "-Iinclude", "-c", "b.c"});
  EXPECT_EQ(t.strings.size(), before + 4);  // cc, -c, a.c, b.c: -Iinclude was there
  EXPECT_EQ(t.argv(one).strings(), (std::vector<std::string>{"cc", "-Iinclude", "-c", "a.c"}));
  EXPECT_FALSE(t.argv(one) == t.argv(two));
  // A long string, and many: views taken earlier stay valid as the pool grows.
  std::string_view first = t.str(a);
  std::string big(100'000, 'x');
  analysis::StrId b = t.intern(big);
  for (int i = 0; i < 20'000; ++i) t.intern("arg" + std::to_string(i));
  EXPECT_EQ(first, "-Iinclude");
  EXPECT_EQ(first.data(), t.str(a).data());
  EXPECT_EQ(t.str(b), big);
  Trace moved = std::move(t);
  EXPECT_EQ(moved.str(a).data(), first.data());
  EXPECT_EQ(moved.intern("arg19999"), moved.intern("arg19999"));
}

TEST(AnalysisStore, OneStepPerProcessEvenWhenItsAddressIsReused) {
  // The builder keeps no Process: an exited one may be freed and its address
  // reused by the next. That is a new process, a new step.
  Lineage model;
  analysis::TraceBuilder builder(TraceScope{});
  for (uint32_t i = 0; i < 50; ++i) {
    Id p{1000 + i, (10 + i) * kSec};
    ProcessPtr started = model.apply(fork_of(Id{1, kSec}, p, 1, "sh"));
    builder.on_event(fork_of(Id{1, kSec}, p, 1, "sh"), *started);
    ProcessPtr ended = model.apply(exit_of(p, 1, exited_with(0), (10 + i) * kSec + kMs));
    builder.on_event(exit_of(p, 1, exited_with(0), (10 + i) * kSec + kMs), *ended);
  }
  const Trace& t = builder.trace();
  ASSERT_EQ(t.steps.size(), 51u);  // pid 1, known only as their parent, and the 50
  EXPECT_TRUE(t.steps[0].context);
  for (uint32_t i = 0; i < 50; ++i) {
    EXPECT_EQ(t.steps[i + 1].pid, 1000 + i);
    EXPECT_TRUE(t.steps[i + 1].exited);
    EXPECT_EQ(t.steps[i + 1].seen, i);
    EXPECT_EQ(t.steps[i + 1].parent, 0u);
  }
}

TEST(AnalysisRoot, TracedCommandIsTheRootAndTheTracerIsNoStep) {
  Cascade c = cascade();
  const Trace& t = c.trace;
  EXPECT_EQ(step_with_pid(t, kTracer.pid), kNone);
  EXPECT_EQ(step_with_pid(t, kShell.pid), kNone);
  EXPECT_EQ(step_with_pid(t, kInit.pid), kNone);
  uint32_t root = analysis::find_root(t);
  ASSERT_NE(root, kNone);
  EXPECT_EQ(t.steps[root].pid, c.top.pid);
  EXPECT_EQ(t.argv(t.steps[root]).strings(), (std::vector<std::string>{"make", "-j2"}));  // not forktrace's pre-exec argv
}

TEST(AnalysisRoot, WholeMachineTraceStartsAtTheOldestKnownAncestor) {
  Story s(TraceScope{});
  Id job = s.spawn(kShell, 10 * kSec, {"false"});
  s.exit(job, 11 * kSec, exited_with(1));
  Trace t = s.trace();
  EXPECT_EQ(analysis::find_root(t), kNone);
  analysis::BuildReport r = analysis::analyze_build(t);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(pids_of(t, r.failures[0].chain), (std::vector<uint32_t>{kInit.pid, kShell.pid}));
  EXPECT_TRUE(r.cause.empty());
}

TEST(AnalysisRoot, FollowedPidIsTheRootAndItsAncestorsAreNotSteps) {
  TraceScope scope;
  scope.filtered = true;
  scope.followed_pids = {kShell.pid};
  Story s(scope);
  Id job = s.spawn(kShell, 10 * kSec, {"false"});
  s.exit(job, 11 * kSec, exited_with(1));
  Trace t = s.trace();
  uint32_t root = analysis::find_root(t);
  ASSERT_NE(root, kNone);
  EXPECT_EQ(t.steps[root].pid, kShell.pid);
  EXPECT_EQ(step_with_pid(t, kInit.pid), kNone);
  analysis::BuildReport r = analysis::analyze_build(t);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(pids_of(t, r.failures[0].chain), (std::vector<uint32_t>{kShell.pid}));
}

TEST(AnalysisRoot, FollowedPidsFromForktracesCommandLine) {
  EXPECT_EQ(analysis::followed_pids_in({"forktrace", "-p", "12", "--pid=13", "-p14", "--pid", "15", "-w", "x"}),
            (std::vector<uint32_t>{12, 13, 14, 15}));
  EXPECT_TRUE(analysis::followed_pids_in({"forktrace", "--", "sh", "-p", "3"}).empty());
}

TEST(AnalysisCause, CascadeEndsAtTheDeepestFailure) {
  Cascade c = cascade();
  const Trace& t = c.trace;
  std::vector<uint32_t> cause = analysis::cause_chain(t, analysis::find_root(t));
  EXPECT_EQ(pids_of(t, cause), (std::vector<uint32_t>{c.top.pid, c.sub.pid, c.sh.pid, c.cxx.pid, c.cc1plus.pid}));
}

TEST(AnalysisCause, EmptyWhenTheRootSucceeded) {
  Story s;
  Id top = s.spawn(kTracer, 10 * kSec, {"sh", "-c", "false || true"});
  Id f = s.spawn(top, 10 * kSec + kMs, {"false"});
  s.exit(f, 10 * kSec + 2 * kMs, exited_with(1));
  s.exit(top, 10 * kSec + 3 * kMs);
  Trace t = s.trace();
  EXPECT_TRUE(analysis::cause_chain(t, analysis::find_root(t)).empty());
}

// GNU hello's make -j2 after a fresh copy: a $(shell cat .prev-version) fails
// at parse time (make goes on), then the recipe running `missing aclocal`
// exits 127 and make fails: the cause is the later one, although the earlier
// chain is deeper.
TEST(AnalysisCause, FollowsTheFailedChildThatEndedLastNotTheDeeperEarlierOne) {
  Story s;
  Id top = s.spawn(kTracer, 10 * kSec, {"make", "-j2"});
  Id shell = s.spawn(top, 10 * kSec + kMs, {"/bin/bash", "-c", "cat ./.prev-version 2>/dev/null"});
  Id cat = s.spawn(shell, 10 * kSec + 2 * kMs, {"cat", "./.prev-version"});
  s.exit(cat, 10 * kSec + 3 * kMs, exited_with(1));
  s.exit(shell, 10 * kSec + 4 * kMs, exited_with(1));
  Id recipe = s.spawn(top, 10 * kSec + 10 * kMs, {"/bin/bash", "build-aux/missing", "aclocal-1.14", "-I", "m4"});
  s.exit(recipe, 10 * kSec + 20 * kMs, exited_with(127));
  s.exit(top, 10 * kSec + 30 * kMs, exited_with(2));
  Trace t = s.trace();
  EXPECT_EQ(pids_of(t, analysis::cause_chain(t, analysis::find_root(t))),
            (std::vector<uint32_t>{top.pid, recipe.pid}));
}

TEST(AnalysisCause, PrefersTheDeeperOfTwoFailedChildren) {
  Story s;
  Id top = s.spawn(kTracer, 10 * kSec, {"make", "-k"});
  Id shallow = s.spawn(top, 10 * kSec + kMs, {"false"});
  Id sh = s.spawn(top, 10 * kSec + 2 * kMs, {"sh", "-c", "cc x.c"});
  Id cc = s.spawn(sh, 10 * kSec + 3 * kMs, {"cc", "x.c"});
  s.exit(shallow, 10 * kSec + 4 * kMs, exited_with(1));
  s.exit(cc, 10 * kSec + 5 * kMs, exited_with(1));
  s.exit(sh, 10 * kSec + 6 * kMs, exited_with(1));
  s.exit(top, 10 * kSec + 7 * kMs, exited_with(2));
  Trace t = s.trace();
  EXPECT_EQ(pids_of(t, analysis::cause_chain(t, analysis::find_root(t))),
            (std::vector<uint32_t>{top.pid, sh.pid, cc.pid}));
}

TEST(AnalysisFailures, HandledApartFromPropagatedGroupedWithCounts) {
  Story s;
  Id top = s.spawn(kTracer, 10 * kSec, {"sh", "-c", "./configure && make"});
  Id configure = s.spawn(top, 10 * kSec + kMs, {"sh", "./configure"});
  // configure's probes: failures it expects and handles.
  for (int i = 0; i < 3; ++i) {
    Id probe = s.spawn(configure, 10 * kSec + (2 + i) * kMs, {"gcc", "conftest.c", "-lfoo" + std::to_string(i)});
    s.exit(probe, 10 * kSec + (2 + i) * kMs + kUs, exited_with(1));
  }
  s.exit(configure, 10 * kSec + 10 * kMs);
  Id make = s.spawn(top, 11 * kSec, {"make"});
  Id cc = s.spawn(make, 11 * kSec + kMs, {"gcc", "-c", "hello.c"});
  s.exit(cc, 11 * kSec + 2 * kMs, exited_with(1));
  s.exit(make, 11 * kSec + 3 * kMs, exited_with(2));
  s.exit(top, 11 * kSec + 4 * kMs, exited_with(2));
  Trace t = s.trace();
  analysis::BuildReport r = analysis::analyze_build(t);

  ASSERT_EQ(r.failures.size(), 6u);  // 3 probes, cc, make, and the root
  ASSERT_EQ(r.handled.size(), 2u);
  EXPECT_EQ(r.handled[0].executable, "gcc");
  EXPECT_EQ(r.handled[0].status, "exit 1");
  EXPECT_EQ(r.handled[0].steps.size(), 3u);
  EXPECT_EQ(r.handled[1].executable, "sh");  // the root's own failure: nothing above it
  ASSERT_EQ(r.propagated.size(), 2u);
  std::vector<std::string> names{r.propagated[0].executable, r.propagated[1].executable};
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"gcc", "make"}));
  for (const analysis::Failure& f : r.failures) {
    ASSERT_FALSE(f.chain.empty() && f.step != r.root);
    if (f.step != r.root) {
      EXPECT_EQ(f.chain.front(), r.root) << "every chain starts at the traced command";
    }
  }
  EXPECT_EQ(pids_of(t, r.cause), (std::vector<uint32_t>{top.pid, make.pid, cc.pid}));
}

// The TUI's failures-only view (issue 24, point 5): one group per executable,
// its statuses most frequent first, its steps in the order they ended.
TEST(AnalysisFailures, ByExecutableMergesStatusesInEndOrder) {
  Story s;
  Id top = s.spawn(kTracer, 10 * kSec, {"sh", "-c", "tests"});
  std::vector<Id> runs;
  int statuses[] = {3, 255, 3, 9};
  for (int i = 0; i < 4; ++i) {
    Id run = s.spawn(top, 10 * kSec + (1 + i) * kMs, {"ft-workload", std::to_string(i)});
    s.exit(run, 10 * kSec + (10 - i) * kMs, exited_with(statuses[i]));  // the last started ends first
    runs.push_back(run);
  }
  Id sh = s.spawn(top, 10 * kSec + 20 * kMs, {"sh", "-c", "exit 6"});
  s.exit(sh, 10 * kSec + 21 * kMs, exited_with(6));
  s.exit(top, 10 * kSec + 30 * kMs);
  Trace t = s.trace();
  auto handled = analysis::group_failures(t, analysis::find_failures(t, analysis::find_root(t))).second;
  ASSERT_EQ(handled.size(), 4u);  // exit 3 ×2, exit 255, exit 9, sh exit 6
  std::vector<analysis::FailureGroup> groups = analysis::by_executable(t, handled);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].executable, "ft-workload");
  EXPECT_FALSE(groups[0].propagated);
  EXPECT_EQ(groups[0].status.substr(0, 8), "exit 3, ");  // the most frequent first
  EXPECT_NE(groups[0].status.find("exit 255"), std::string::npos);
  EXPECT_NE(groups[0].status.find("exit 9"), std::string::npos);
  EXPECT_EQ(pids_of(t, groups[0].steps), (std::vector<uint32_t>{runs[3].pid, runs[2].pid, runs[1].pid, runs[0].pid}));
  EXPECT_EQ(groups[1].executable, "sh");
  EXPECT_EQ(groups[1].status, "exit 6");
}

// The failure path (issue 24): a failure propagated only where the root's
// failure came through it, each parent failing because of the one below.
std::vector<uint32_t> propagated_pids(const Trace& t, const analysis::BuildReport& r) {
  std::vector<uint32_t> out;
  for (const analysis::Failure& f : r.failures)
    if (f.propagated) out.push_back(t.steps[f.step].pid);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(AnalysisFailurePath, ProbesInFailingSubshellsUnderASucceedingConfigureAreHandled) {
  Story s;
  Id top = s.spawn(kTracer, 10 * kSec, {"sh", "-c", "./configure && make"});
  Id configure = s.spawn(top, 10 * kSec + kMs, {"sh", "./configure"});
  // Each probe: a subshell that fails because its compiler did.
  for (int i = 0; i < 3; ++i) {
    uint64_t at = 10 * kSec + (10 + 10 * i) * kMs;
    Id sub = s.fork(configure, at, "sh");
    Id gcc = s.spawn(sub, at + kMs, {"gcc", "-V"});
    s.exit(gcc, at + 2 * kMs, exited_with(1));
    s.exit(sub, at + 3 * kMs, exited_with(1));
  }
  s.exit(configure, 10 * kSec + 100 * kMs);
  Id make = s.spawn(top, 11 * kSec, {"make"});
  Id cc = s.spawn(make, 11 * kSec + kMs, {"gcc", "-c", "hello.c"});
  s.exit(cc, 11 * kSec + 2 * kMs, exited_with(1));
  s.exit(make, 11 * kSec + 3 * kMs, exited_with(2));
  s.exit(top, 11 * kSec + 4 * kMs, exited_with(2));
  Trace t = s.trace();
  analysis::BuildReport r = analysis::analyze_build(t);
  EXPECT_EQ(r.failures.size(), 9u);  // 3 subshells, 3 probes, cc, make, the root
  EXPECT_EQ(propagated_pids(t, r), (std::vector<uint32_t>{make.pid, cc.pid}));
  EXPECT_EQ(pids_of(t, r.cause), (std::vector<uint32_t>{top.pid, make.pid, cc.pid}));
}

// What the views lead with (issue 24, point 5): the path to cc1 is marked,
// configure's probes and their subshells are not, and --failed's order puts
// the propagated failures first.
TEST(AnalysisFailurePath, LeadsThroughTheCauseNotThroughHandledProbes) {
  Story s;
  Id top = s.spawn(kTracer, 10 * kSec, {"sh", "-c", "./configure && make"});
  Id configure = s.spawn(top, 10 * kSec + kMs, {"sh", "./configure"});
  std::vector<Id> probes;
  for (int i = 0; i < 3; ++i) {
    uint64_t at = 10 * kSec + (10 + 10 * i) * kMs;
    Id sub = s.fork(configure, at, "sh");
    Id gcc = s.spawn(sub, at + kMs, {"gcc", "-V"});
    s.exit(gcc, at + 2 * kMs, exited_with(1));
    s.exit(sub, at + 3 * kMs, exited_with(1));
    probes.push_back(sub);
    probes.push_back(gcc);
  }
  s.exit(configure, 10 * kSec + 100 * kMs);
  Id make = s.spawn(top, 11 * kSec, {"make"});
  Id gcc = s.spawn(make, 11 * kSec + kMs, {"gcc", "-c", "hello.c"});
  Id cc1 = s.spawn(gcc, 11 * kSec + 2 * kMs, {"cc1", "hello.c"});
  s.exit(cc1, 11 * kSec + 3 * kMs, exited_with(1));
  s.exit(gcc, 11 * kSec + 4 * kMs, exited_with(1));
  s.exit(make, 11 * kSec + 5 * kMs, exited_with(2));
  s.exit(top, 11 * kSec + 6 * kMs, exited_with(2));
  Trace t = s.trace();
  uint32_t root = analysis::find_root(t);
  analysis::FailurePath path = analysis::failure_path(t, root);
  EXPECT_EQ(pids_of(t, path.cause), (std::vector<uint32_t>{top.pid, make.pid, gcc.pid, cc1.pid}));
  ASSERT_EQ(path.leads.size(), t.steps.size());
  for (Id on : {top, make, gcc, cc1}) EXPECT_TRUE(path.leads[step_with_pid(t, on.pid)]) << on.pid;
  EXPECT_FALSE(path.leads[step_with_pid(t, configure.pid)]);
  for (Id p : probes) EXPECT_FALSE(path.leads[step_with_pid(t, p.pid)]) << p.pid;

  std::vector<analysis::Failure> ordered = analysis::propagated_first(analysis::find_failures(t, root), root);
  std::vector<uint32_t> order;
  for (const analysis::Failure& f : ordered) order.push_back(t.steps[f.step].pid);
  // The path (the propagated failures and the root they reach), then the
  // handled ones, each in the order they ended.
  EXPECT_EQ(order, (std::vector<uint32_t>{cc1.pid, gcc.pid, make.pid, top.pid, probes[1].pid, probes[0].pid,
                                          probes[3].pid, probes[2].pid, probes[5].pid, probes[4].pid}));

  // A trace that succeeded leads nowhere.
  Story ok;
  Id fine = ok.spawn(kTracer, 10 * kSec, {"sh", "-c", "false || true"});
  Id f = ok.spawn(fine, 10 * kSec + kMs, {"false"});
  ok.exit(f, 10 * kSec + 2 * kMs, exited_with(1));
  ok.exit(fine, 10 * kSec + 3 * kMs);
  Trace t2 = ok.trace();
  analysis::FailurePath none = analysis::failure_path(t2, analysis::find_root(t2));
  EXPECT_TRUE(none.cause.empty());
  EXPECT_EQ(std::count(none.leads.begin(), none.leads.end(), true), 0);
}

TEST(AnalysisFailurePath, AFailingConfigureFailedBecauseOfItsLastProbeOnly) {
  Story s;
  Id configure = s.spawn(kTracer, 10 * kSec, {"sh", "./configure"});
  std::vector<Id> probes;
  for (int i = 0; i < 3; ++i) {
    uint64_t at = 10 * kSec + (10 + 10 * i) * kMs;
    Id sub = s.fork(configure, at, "sh");
    Id gcc = s.spawn(sub, at + kMs, {"gcc", "conftest.c"});
    s.exit(gcc, at + 2 * kMs, exited_with(1));
    s.exit(sub, at + 3 * kMs, exited_with(1));
    probes.push_back(sub);
    probes.push_back(gcc);
  }
  // "error: C compiler cannot create executables": it cleans up, then exits.
  Id rm = s.spawn(configure, 10 * kSec + 50 * kMs, {"rm", "-f", "conftest.c"});
  s.exit(rm, 10 * kSec + 51 * kMs);
  s.exit(configure, 10 * kSec + 52 * kMs, exited_with(1));
  Trace t = s.trace();
  analysis::BuildReport r = analysis::analyze_build(t);
  // The last probe's status was passed on after the clean-up; the earlier
  // probes are ones it went on from, though they failed with the same status.
  EXPECT_EQ(propagated_pids(t, r), (std::vector<uint32_t>{probes[4].pid, probes[5].pid}));
  EXPECT_EQ(pids_of(t, r.cause), (std::vector<uint32_t>{configure.pid, probes[4].pid, probes[5].pid}));
}

TEST(AnalysisFailurePath, OrTrueThenMoreThenExit9IsHandled) {
  // sh -c 'cmd || true; echo done >log; /bin/cp a b; exit 9'
  Story s;
  Id sh = s.spawn(kTracer, 10 * kSec, {"sh", "-c", "cmd || true; cp a b; exit 9"});
  Id cmd = s.spawn(sh, 10 * kSec + kMs, {"cmd"});
  s.exit(cmd, 10 * kSec + 2 * kMs, exited_with(1));
  Id cp = s.spawn(sh, 10 * kSec + 3 * kMs, {"cp", "a", "b"});
  s.exit(cp, 10 * kSec + 4 * kMs);
  s.exit(sh, 10 * kSec + 5 * kMs, exited_with(9));
  Trace t = s.trace();
  analysis::BuildReport r = analysis::analyze_build(t);
  EXPECT_TRUE(propagated_pids(t, r).empty());
  EXPECT_EQ(pids_of(t, r.cause), (std::vector<uint32_t>{sh.pid}));  // the shell's own failure
}

TEST(AnalysisFailurePath, ACleanUpThatPassesTheStatusOnPropagates) {
  // depcomp, libtool: cc ... || { stat=$?; rm -f "$tmp"; exit $stat; }
  Story s;
  Id sh = s.spawn(kTracer, 10 * kSec, {"sh", "depcomp", "gcc", "-c", "x.c"});
  Id cc = s.spawn(sh, 10 * kSec + kMs, {"gcc", "-c", "x.c"});
  s.exit(cc, 10 * kSec + 2 * kMs, exited_with(1));
  Id rm = s.spawn(sh, 10 * kSec + 3 * kMs, {"rm", "-f", "x.Tpo"});
  s.exit(rm, 10 * kSec + 4 * kMs);
  s.exit(sh, 10 * kSec + 5 * kMs, exited_with(1));
  Trace t = s.trace();
  analysis::BuildReport r = analysis::analyze_build(t);
  EXPECT_EQ(propagated_pids(t, r), (std::vector<uint32_t>{cc.pid}));
  EXPECT_EQ(pids_of(t, r.cause), (std::vector<uint32_t>{sh.pid, cc.pid}));
}

TEST(AnalysisFailurePath, MakeJ2WithTwoCompilesFailingInParallelPropagatesBoth) {
  Story s;
  Id make = s.spawn(kTracer, 10 * kSec, {"make", "-j2"});
  Id a = s.spawn(make, 10 * kSec + kMs, {"sh", "-c", "gcc -c a.c"});
  Id b = s.spawn(make, 10 * kSec + 2 * kMs, {"sh", "-c", "gcc -c b.c"});
  Id cca = s.spawn(a, 10 * kSec + 3 * kMs, {"gcc", "-c", "a.c"});
  Id ccb = s.spawn(b, 10 * kSec + 4 * kMs, {"gcc", "-c", "b.c"});
  s.exit(cca, 10 * kSec + 5 * kMs, exited_with(1));
  s.exit(a, 10 * kSec + 6 * kMs, exited_with(1));
  s.exit(ccb, 10 * kSec + 7 * kMs, exited_with(1));
  s.exit(b, 10 * kSec + 8 * kMs, exited_with(1));
  s.exit(make, 10 * kSec + 9 * kMs, exited_with(2));
  Trace t = s.trace();
  analysis::BuildReport r = analysis::analyze_build(t);
  std::vector<uint32_t> want{a.pid, b.pid, cca.pid, ccb.pid};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(propagated_pids(t, r), want);
  EXPECT_EQ(pids_of(t, r.cause), (std::vector<uint32_t>{make.pid, b.pid, ccb.pid}));  // the last to end
}

TEST(AnalysisFailurePath, MakeJ2FinishesTheOtherJobsRecipeAfterAFailedCompile) {
  // GNU patch's src/ under make -j2: inp.c fails while patch.c compiles; make
  // then runs patch.o's second recipe line (mv -f .deps/patch.Tpo ...).
  Story s;
  Id make = s.spawn(kTracer, 10 * kSec, {"make", "all"});
  Id inp = s.spawn(make, 10 * kSec + kMs, {"/bin/bash", "-c", "gcc -c -o inp.o inp.c"});
  Id patch = s.spawn(make, 10 * kSec + 2 * kMs, {"/bin/bash", "-c", "gcc -c -o patch.o patch.c"});
  s.exit(inp, 10 * kSec + 200 * kMs, exited_with(1));
  s.exit(patch, 10 * kSec + 1300 * kMs);
  Id mv = s.spawn(make, 10 * kSec + 1301 * kMs, {"/bin/bash", "-c", "mv -f .deps/patch.Tpo .deps/patch.Po"});
  s.exit(mv, 10 * kSec + 1320 * kMs);
  s.exit(make, 10 * kSec + 1321 * kMs, exited_with(2));
  Trace t = s.trace();
  analysis::BuildReport r = analysis::analyze_build(t);
  EXPECT_EQ(propagated_pids(t, r), (std::vector<uint32_t>{inp.pid}));
  EXPECT_EQ(pids_of(t, r.cause), (std::vector<uint32_t>{make.pid, inp.pid}));
}

TEST(AnalysisFailurePath, MakeKWithTwoFailuresBetweenSuccessesPropagatesBoth) {
  Story s;
  Id make = s.spawn(kTracer, 10 * kSec, {"make", "-k"});
  std::vector<Id> jobs;
  for (int i = 0; i < 4; ++i) {
    Id job = s.spawn(make, 10 * kSec + (10 * i + 1) * kMs, {"gcc", "-c", "f" + std::to_string(i) + ".c"});
    s.exit(job, 10 * kSec + (10 * i + 5) * kMs, exited_with(i % 2 ? 0 : 1));
    jobs.push_back(job);
  }
  s.exit(make, 10 * kSec + 50 * kMs, exited_with(2));
  Trace t = s.trace();
  analysis::BuildReport r = analysis::analyze_build(t);
  EXPECT_EQ(propagated_pids(t, r), (std::vector<uint32_t>{jobs[0].pid, jobs[2].pid}));
}

TEST(AnalysisFailurePath, MakeWithoutKWentOnFromAShellCallAtParseTime) {
  // $(shell cat .prev-version) fails while make reads its makefile; a recipe fails later.
  Story s;
  Id make = s.spawn(kTracer, 10 * kSec, {"make", "-j2"});
  Id call = s.spawn(make, 10 * kSec + kMs, {"/bin/sh", "-c", "cat .prev-version"});
  s.exit(call, 10 * kSec + 2 * kMs, exited_with(1));
  Id recipe = s.spawn(make, 10 * kSec + 3 * kMs, {"/bin/sh", "-c", "gcc -c x.c"});
  s.exit(recipe, 10 * kSec + 4 * kMs, exited_with(1));
  s.exit(make, 10 * kSec + 5 * kMs, exited_with(2));
  Trace t = s.trace();
  EXPECT_EQ(propagated_pids(t, analysis::analyze_build(t)), (std::vector<uint32_t>{recipe.pid}));
}

TEST(AnalysisFailurePath, KeepGoingReachesTheMakesBelowThroughTheirRecipeShells) {
  // make -kj4 → sh -c 'make -C lib' → make -C lib, which has -k only in MAKEFLAGS.
  Story s;
  Id top = s.spawn(kTracer, 10 * kSec, {"make", "-kj4"});
  Id recipe = s.spawn(top, 10 * kSec + kMs, {"/bin/sh", "-c", "make -C lib"});
  Id sub = s.spawn(recipe, 10 * kSec + 2 * kMs, {"make", "-C", "lib"});
  Id a = s.spawn(sub, 10 * kSec + 3 * kMs, {"gcc", "-c", "a.c"});
  s.exit(a, 10 * kSec + 4 * kMs, exited_with(1));
  Id b = s.spawn(sub, 10 * kSec + 5 * kMs, {"gcc", "-c", "b.c"});  // started after a failed
  s.exit(b, 10 * kSec + 6 * kMs, exited_with(1));
  s.exit(sub, 10 * kSec + 7 * kMs, exited_with(2));
  s.exit(recipe, 10 * kSec + 8 * kMs, exited_with(2));
  s.exit(top, 10 * kSec + 9 * kMs, exited_with(2));
  Trace t = s.trace();
  std::vector<uint32_t> want{recipe.pid, sub.pid, a.pid, b.pid};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(propagated_pids(t, analysis::analyze_build(t)), want);
}

TEST(AnalysisFailurePath, AFailureInsideACommandSubstitutionTheCallerWentOnFromIsHandled) {
  // sh -c 'v=$(git describe); cc -c x.c'  with both failing
  Story s;
  Id sh = s.spawn(kTracer, 10 * kSec, {"sh", "-c", "v=$(git describe); cc -c x.c"});
  Id sub = s.fork(sh, 10 * kSec + kMs, "sh");
  Id git = s.spawn(sub, 10 * kSec + 2 * kMs, {"git", "describe"});
  s.exit(git, 10 * kSec + 3 * kMs, exited_with(128));
  s.exit(sub, 10 * kSec + 4 * kMs, exited_with(128));
  Id cc = s.spawn(sh, 10 * kSec + 5 * kMs, {"cc", "-c", "x.c"});
  s.exit(cc, 10 * kSec + 6 * kMs, exited_with(1));
  s.exit(sh, 10 * kSec + 7 * kMs, exited_with(1));
  Trace t = s.trace();
  analysis::BuildReport r = analysis::analyze_build(t);
  EXPECT_EQ(propagated_pids(t, r), (std::vector<uint32_t>{cc.pid}));
  EXPECT_EQ(pids_of(t, r.cause), (std::vector<uint32_t>{sh.pid, cc.pid}));
}

TEST(AnalysisFailurePath, AKilledChildsStatusPassedOnAs128PlusItsSignal) {
  Story s;
  Id sh = s.spawn(kTracer, 10 * kSec, {"sh", "-c", "cc -c x.c; rm -f x.o"});
  Id cc = s.spawn(sh, 10 * kSec + kMs, {"cc", "-c", "x.c"});
  s.exit(cc, 10 * kSec + 2 * kMs, killed_by(9));
  Id rm = s.spawn(sh, 10 * kSec + 3 * kMs, {"rm", "-f", "x.o"});
  s.exit(rm, 10 * kSec + 4 * kMs);
  s.exit(sh, 10 * kSec + 5 * kMs, exited_with(128 + 9));
  Trace t = s.trace();
  EXPECT_EQ(propagated_pids(t, analysis::analyze_build(t)), (std::vector<uint32_t>{cc.pid}));
}

TEST(AnalysisFailurePath, NotFoundOnTheFailurePathComesFirst) {
  Story s;
  Id top = s.spawn(kTracer, 10 * kSec, {"sh", "-c", "./configure && make"});
  Id configure = s.spawn(top, 10 * kSec + kMs, {"sh", "./configure"});
  // config.guess's probes, twice each: handled.
  for (int i = 0; i < 4; ++i) {
    Id probe = s.fork(configure, 10 * kSec + (10 + 10 * i) * kMs, "sh");
    std::string name = i % 2 ? "/bin/machine" : "/usr/convex/getsysinfo";
    s.fail_exec(probe, configure.pid, 10 * kSec + (11 + 10 * i) * kMs, name, {name}, ENOENT);
    s.exit(probe, 10 * kSec + (12 + 10 * i) * kMs, exited_with(127));
  }
  s.exit(configure, 10 * kSec + 100 * kMs);
  Id make = s.spawn(top, 11 * kSec, {"make"});
  Id cc = s.fork(make, 11 * kSec + kMs, "make");
  s.fail_exec(cc, make.pid, 11 * kSec + 2 * kMs, "/usr/bin/x86_64-w64-mingw32-gcc", {"x86_64-w64-mingw32-gcc"}, ENOENT);
  s.exit(cc, 11 * kSec + 3 * kMs, exited_with(127));
  s.exit(make, 11 * kSec + 4 * kMs, exited_with(2));
  s.exit(top, 11 * kSec + 5 * kMs, exited_with(2));
  Trace t = s.trace();
  analysis::BuildReport r = analysis::analyze_build(t);
  ASSERT_EQ(r.not_found.size(), 3u);
  EXPECT_EQ(r.not_found[0].command, "x86_64-w64-mingw32-gcc");
  EXPECT_TRUE(r.not_found[0].propagated);
  EXPECT_FALSE(r.not_found[1].propagated);
  EXPECT_FALSE(r.not_found[2].propagated);
  EXPECT_EQ(r.not_found[1].count, 2u);
  EXPECT_EQ(report_to_json(t, r)["not_found"][0]["propagated"], true);
}

TEST(AnalysisFailurePath, WholeMachineTracesStartAPathAtEachProcessWhoseParentIsNotTraced) {
  TraceScope whole;
  Story s(whole);
  // make started from the tracer's shell (a context step, with no events of its own).
  Id make = s.spawn(kShell, 10 * kSec, {"make"});
  Id cc = s.spawn(make, 10 * kSec + kMs, {"gcc", "-c", "x.c"});
  s.exit(cc, 10 * kSec + 2 * kMs, exited_with(1));
  s.exit(make, 10 * kSec + 3 * kMs, exited_with(2));
  // A configure that succeeded, its probe's subshell failing because of its gcc.
  Id configure = s.spawn(kShell, 11 * kSec, {"sh", "./configure"});
  Id sub = s.fork(configure, 11 * kSec + kMs, "sh");
  Id gcc = s.spawn(sub, 11 * kSec + 2 * kMs, {"gcc", "-V"});
  s.exit(gcc, 11 * kSec + 3 * kMs, exited_with(1));
  s.exit(sub, 11 * kSec + 4 * kMs, exited_with(1));
  s.exit(configure, 11 * kSec + 5 * kMs);
  Trace t = s.trace();
  EXPECT_EQ(propagated_pids(t, analysis::analyze_build(t)), (std::vector<uint32_t>{cc.pid}));
}

// Where and on what (issue 24, point 2).
TEST(AnalysisStepPlace, RelativeDirFromTheRootsDirectory) {
  EXPECT_EQ(analysis::relative_dir("/b", "/b"), "");
  EXPECT_EQ(analysis::relative_dir("/b/lib", "/b"), "lib/");
  EXPECT_EQ(analysis::relative_dir("/b/lib/x", "/b/"), "lib/x/");
  EXPECT_EQ(analysis::relative_dir("/bin", "/b"), "/bin");  // not below it
  EXPECT_EQ(analysis::relative_dir("/tmp", "/"), "tmp/");
  EXPECT_EQ(analysis::relative_dir("/tmp", ""), "/tmp");
}

TEST(AnalysisStepPlace, MakeAndNinjaWorkWhereTheirDashCSays) {
  Story s;
  Id top = s.spawn_in(kTracer, 10 * kSec, "/home/u", {"make", "-C", "/b"});
  Id lib = s.spawn_in(top, 10 * kSec + kMs, "/b", {"make", "-C", "lib", "all"});
  Id two = s.spawn_in(top, 10 * kSec + 2 * kMs, "/b", {"gmake", "-Csub", "--directory=../x/", "all"});
  Id ninja = s.spawn_in(top, 10 * kSec + 3 * kMs, "/b", {"ninja", "-C", "build"});
  Id sh = s.spawn_in(top, 10 * kSec + 4 * kMs, "/b", {"sh", "-C", "x"});  // not a build driver
  Trace t = s.trace();
  auto cwd = [&](Id p) { return analysis::step_place(t, step_with_pid(t, p.pid)).cwd; };
  EXPECT_EQ(cwd(top), "/b");
  EXPECT_EQ(cwd(lib), "/b/lib");
  EXPECT_EQ(cwd(two), "/b/x");
  EXPECT_EQ(cwd(ninja), "/b/build");
  EXPECT_EQ(cwd(sh), "/b");
}

TEST(AnalysisStepPlace, TheCauseSaysWhereAndOnWhat) {
  Story s;
  Id top = s.spawn_in(kTracer, 10 * kSec, "/b", {"sh", "-c", "make"});
  Id make = s.spawn_in(top, 10 * kSec + kMs, "/b", {"make"});
  Id sub = s.spawn_in(make, 10 * kSec + 2 * kMs, "/b", {"make", "-C", "lib", "all"});
  Id gcc = s.spawn_in(sub, 10 * kSec + 3 * kMs, "/b/lib", {"gcc", "-I.", "-O2", "-c", "-o", "fsync.o", "fsync.c"});
  Id cc1 = s.spawn_in(gcc, 10 * kSec + 4 * kMs, "/b/lib",
                      {"/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "-quiet", "-I", ".", "fsync.c", "-quiet", "-dumpbase",
                       "fsync.c", "-dumpbase-ext", ".c", "-mtune=generic", "-O2", "-o", "/tmp/ccA1b2.s"});
  s.exit(cc1, 10 * kSec + 5 * kMs, exited_with(1));
  s.exit(gcc, 10 * kSec + 6 * kMs, exited_with(1));
  s.exit(sub, 10 * kSec + 7 * kMs, exited_with(2));
  s.exit(make, 10 * kSec + 8 * kMs, exited_with(2));
  s.exit(top, 10 * kSec + 9 * kMs, exited_with(2));
  Trace t = s.trace();
  analysis::BuildReport r = analysis::analyze_build(t);
  ASSERT_EQ(pids_of(t, r.cause), (std::vector<uint32_t>{top.pid, make.pid, sub.pid, gcc.pid, cc1.pid}));

  nlohmann::ordered_json j = report_to_json(t, r);
  const auto& last = j["cause"][4];
  EXPECT_EQ(last["cwd"], "/b/lib");
  EXPECT_EQ(last["inputs"], nlohmann::ordered_json::array({"fsync.c"}));
  EXPECT_EQ(last["output"], "/tmp/ccA1b2.s");
  EXPECT_EQ(j["cause"][3]["inputs"], nlohmann::ordered_json::array({"fsync.c"}));
  EXPECT_EQ(j["cause"][3]["output"], "fsync.o");
  EXPECT_FALSE(j["cause"][2].contains("inputs"));  // make is no toolchain program
  EXPECT_EQ(j["cause"][2]["cwd"], "/b/lib");
  for (const auto& f : j["failures"]) EXPECT_TRUE(f.contains("cwd")) << f.dump();

  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  print_report(out, t, r);
  std::fclose(out);
  std::string report(text, size);
  std::free(text);
  EXPECT_NE(report.find("Why it failed: sh → make → make → gcc → cc1 (exit 1)  in lib/\n"), std::string::npos) << report;
  EXPECT_NE(report.find("→ cc1 fsync.c → /tmp/ccA1b2.s  exit 1  in lib/  (pid"), std::string::npos) << report;
  EXPECT_NE(report.find("→ gcc fsync.c → fsync.o  exit 1  in lib/"), std::string::npos) << report;
  size_t cause = report.find("Why it failed");
  std::string cause_section = report.substr(cause, report.find("\n\n", cause) - cause);
  EXPECT_EQ(cause_section.find("-dumpbase"), std::string::npos) << "the compiler's long command line is left to the JSON";
}

TEST(AnalysisNotFound, FromExit127WithTheShellsCommand) {
  Story s;
  Id top = s.spawn(kTracer, 10 * kSec, {"make"});
  for (int i = 0; i < 2; ++i) {
    Id sh = s.spawn(top, 10 * kSec + (1 + i) * kMs, {"sh", "-c", "gtar -cf x.tar src"});
    s.exit(sh, 10 * kSec + (1 + i) * kMs + kUs, exited_with(127));
  }
  // A shell passing on its child's 127 is not a second miss.
  Id outer = s.spawn(top, 10 * kSec + 5 * kMs, {"sh", "-c", "sh -c nosuch; exit $?"});
  Id inner = s.spawn(outer, 10 * kSec + 6 * kMs, {"sh", "-c", "nosuch"});
  s.exit(inner, 10 * kSec + 7 * kMs, exited_with(127));
  s.exit(outer, 10 * kSec + 8 * kMs, exited_with(127));
  s.exit(top, 10 * kSec + 9 * kMs, exited_with(2));
  Trace t = s.trace();
  std::vector<analysis::NotFound> nf = analysis::find_not_found(t);
  ASSERT_EQ(nf.size(), 2u);
  EXPECT_EQ(nf[0].command, "gtar");
  EXPECT_EQ(nf[0].count, 2u);
  EXPECT_EQ(nf[0].error, "exit 127");
  EXPECT_EQ(nf[1].command, "nosuch");
  EXPECT_EQ(nf[1].count, 1u);
}

TEST(AnalysisNotFound, PathSearchMissesThatFoundItLaterAreLeftOut) {
  Story s;
  Id sh = s.spawn(kTracer, 10 * kSec, {"sh", "-c", "cc x.c; env make; nosuch"});
  // cc: two PATH misses, then found.
  Id cc = s.fork(sh, 10 * kSec + kMs, "sh");
  s.fail_exec(cc, sh.pid, 10 * kSec + 2 * kMs, "/usr/local/sbin/cc", {"cc", "x.c"}, ENOENT);
  s.fail_exec(cc, sh.pid, 10 * kSec + 3 * kMs, "/usr/local/bin/cc", {"cc", "x.c"}, ENOENT);
  s.exec(cc, sh.pid, 10 * kSec + 4 * kMs, {"cc", "x.c"});
  s.exit(cc, 11 * kSec);
  // A wrapper: the shell's search for env misses, env's search for make
  // misses, then make runs. env was found, though it is no longer running.
  Id env = s.fork(sh, 11 * kSec + kMs, "sh");
  s.fail_exec(env, sh.pid, 11 * kSec + 2 * kMs, "/usr/local/bin/env", {"env", "make"}, ENOENT);
  s.exec(env, sh.pid, 11 * kSec + 3 * kMs, {"env", "make"});
  s.fail_exec(env, sh.pid, 11 * kSec + 4 * kMs, "/usr/local/bin/make", {"make"}, ENOENT);
  s.exec(env, sh.pid, 11 * kSec + 5 * kMs, {"make"});
  s.exit(env, 12 * kSec);
  // nosuch: every attempt failed; the child kept the shell's program.
  Id miss = s.fork(sh, 12 * kSec + kMs, "sh");
  s.fail_exec(miss, sh.pid, 12 * kSec + 2 * kMs, "/usr/local/bin/nosuch", {"nosuch"}, ENOENT);
  s.fail_exec(miss, sh.pid, 12 * kSec + 3 * kMs, "/usr/bin/nosuch", {"nosuch"}, EACCES);
  s.exit(miss, 12 * kSec + 4 * kMs, exited_with(126));
  s.exit(sh, 13 * kSec, exited_with(126));
  Trace t = s.trace();
  ASSERT_TRUE(t.has_exec_failures);
  std::vector<analysis::NotFound> nf = analysis::find_not_found(t);
  ASSERT_EQ(nf.size(), 1u);
  EXPECT_EQ(nf[0].command, "nosuch");
  EXPECT_EQ(nf[0].error, "EACCES");  // the last attempt's
  EXPECT_EQ(nf[0].count, 1u);
  const analysis::Step& wrapper = t.steps[step_with_pid(t, env.pid)];
  EXPECT_EQ(wrapper.unsatisfied_execs.count, 0u);
  EXPECT_EQ(wrapper.folded_exec_misses, 2u);
  EXPECT_EQ(t.steps[step_with_pid(t, miss.pid)].unsatisfied_execs.count, 2u);
}

// The report names an errno as every view does (core/errno_label.h): a
// number without a symbolic name is "E<n>" (it said "errno <n>" here alone).
TEST(AnalysisNotFound, AnErrnoWithoutANameIsLabelledAsInTheViews) {
  Story s;
  Id sh = s.spawn(kTracer, 10 * kSec, {"sh", "-c", "odd"});
  Id miss = s.fork(sh, 10 * kSec + kMs, "sh");
  s.fail_exec(miss, sh.pid, 10 * kSec + 2 * kMs, "/usr/bin/odd", {"odd"}, 4095);
  s.exit(miss, 10 * kSec + 3 * kMs, exited_with(126));
  s.exit(sh, 11 * kSec, exited_with(126));
  Trace t = s.trace();
  std::vector<analysis::NotFound> nf = analysis::find_not_found(t);
  ASSERT_EQ(nf.size(), 1u);
  EXPECT_EQ(nf[0].error, "E4095");
  EXPECT_EQ(nf[0].error, errno_label(4095));
}

TEST(AnalysisCriticalPath, ParallelChildrenOfDifferentLengthsTheLongestBinds) {
  Story s;
  Id top = s.spawn(kTracer, 10 * kSec, {"make", "-j3"});
  Id a = s.spawn(top, 10 * kSec + kMs, {"cc", "a.c"});
  Id b = s.spawn(top, 10 * kSec + 2 * kMs, {"cc", "b.c"});
  Id c = s.spawn(top, 10 * kSec + 3 * kMs, {"cc", "c.c"});
  Id b1 = s.spawn(b, 10 * kSec + 4 * kMs, {"cc1", "b.c"});
  s.exit(a, 11 * kSec);
  s.exit(c, 12 * kSec);
  s.exit(b1, 12 * kSec + 900 * kMs);
  s.exit(b, 13 * kSec);
  Id link = s.spawn(top, 13 * kSec + kMs, {"ld", "-o", "app"});  // after all three: in series
  s.exit(link, 13 * kSec + 500 * kMs);
  s.exit(top, 13 * kSec + 600 * kMs);
  Trace t = s.trace();
  EXPECT_EQ(pids_of(t, analysis::critical_path(t, analysis::find_root(t))),
            (std::vector<uint32_t>{top.pid, b.pid, b1.pid, link.pid}));
}

TEST(AnalysisCriticalPath, SequentialChildrenAllBind) {
  Story s;
  Id top = s.spawn(kTracer, 10 * kSec, {"sh", "-c", "a; b; c"});
  std::vector<uint32_t> expected{top.pid};
  for (int i = 0; i < 3; ++i) {
    Id x = s.spawn(top, 10 * kSec + (i * 100 + 1) * kMs, {"step" + std::to_string(i)});
    s.exit(x, 10 * kSec + (i * 100 + 90) * kMs);
    expected.push_back(x.pid);
  }
  s.exit(top, 10 * kSec + 400 * kMs);
  Trace t = s.trace();
  EXPECT_EQ(pids_of(t, analysis::critical_path(t, analysis::find_root(t))), expected);
}

// As --summary shows it: configure's short probes (under 2% of the build's
// 10 s, each with a compiler beneath it) fold into one row at their depth;
// the long steps keep theirs.
TEST(AnalysisCriticalPath, ShortStepsFoldIntoOneRowAtTheirDepth) {
  Story s;
  Id top = s.spawn(kTracer, 10 * kSec, {"sh", "-c", "./configure && make"});
  Id configure = s.spawn(top, 10 * kSec + kMs, {"sh", "./configure"});
  for (int i = 0; i < 5; ++i) {
    uint64_t at = 10 * kSec + (10 + i * 20) * kMs;
    Id probe = s.spawn(configure, at, {"cc", "conftest.c"});
    Id cc1 = s.spawn(probe, at + kMs, {"cc1", "conftest.c"});
    s.exit(cc1, at + 8 * kMs);
    s.exit(probe, at + 10 * kMs);
  }
  s.exit(configure, 12 * kSec);
  Id make = s.spawn(top, 12 * kSec + kMs, {"make"});
  Id cc = s.spawn(make, 12 * kSec + 100 * kMs, {"cc", "-c", "big.c"});
  s.exit(cc, 19 * kSec + 900 * kMs);
  s.exit(make, 19 * kSec + 950 * kMs);
  s.exit(top, 20 * kSec);
  Trace t = s.trace();
  std::vector<uint32_t> path = analysis::critical_path(t, analysis::find_root(t));
  ASSERT_EQ(path.size(), 14u) << testing::PrintToString(pids_of(t, path));  // top, configure, 5 × (probe, cc1), make, cc
  auto rows = analysis::critical_path_rows(t, path, 0.02);
  ASSERT_EQ(rows.size(), 5u);
  std::vector<std::pair<uint32_t, size_t>> shown;  // pid and depth of each row
  for (const auto& r : rows) shown.emplace_back(t.steps[r.step].pid, r.depth);
  uint32_t first_probe = configure.pid + 1;
  EXPECT_EQ(shown, (std::vector<std::pair<uint32_t, size_t>>{
                       {top.pid, 0}, {configure.pid, 1}, {first_probe, 2}, {make.pid, 1}, {cc.pid, 2}}));
  EXPECT_EQ(rows[2].folded, 5u);  // the probes; their cc1s are inside them
  EXPECT_EQ(rows[2].took_ns, 5 * 10 * kMs);  // from each fork to its exit
  EXPECT_EQ(rows[2].at_ns, 10 * kSec + 10 * kMs);
  EXPECT_EQ(rows[4].took_ns, 7 * kSec + 800 * kMs);
  for (size_t i : {0, 1, 3, 4}) EXPECT_EQ(rows[i].folded, 0u) << i;
  // Nothing folds at 0.
  EXPECT_EQ(analysis::critical_path_rows(t, path, 0).size(), path.size());
}

TEST(AnalysisExecutables, WallTimeIsNotASumOfNestedRunsAndCpuIsSummed) {
  Story s;
  Id top = s.spawn(kTracer, 10 * kSec, {"bash", "build.sh"});
  Id inner = s.spawn(top, 11 * kSec, {"bash", "step.sh"});
  Id innermost = s.spawn(inner, 12 * kSec, {"bash", "-c", "true"});
  Id cc1 = s.spawn(innermost, 12 * kSec + kMs, {"cc1", "a.c"});
  Id cc2 = s.spawn(top, 15 * kSec, {"cc1", "b.c"});
  s.exit(cc1, 13 * kSec, exited_with(0), 700 * kMs, 90'000);
  s.exit(innermost, 13 * kSec + kMs, exited_with(0), 1 * kMs, 3'000);
  s.exit(inner, 14 * kSec, exited_with(0), 2 * kMs, 3'000);
  s.exit(cc2, 16 * kSec, exited_with(1), 800 * kMs, 120'000);
  s.exit(top, 20 * kSec, exited_with(1), 3 * kMs, 4'000);
  Trace t = s.trace();
  ASSERT_TRUE(t.has_usage);
  std::vector<analysis::ExecutableStats> x = analysis::per_executable(t);
  ASSERT_EQ(x.size(), 2u);
  EXPECT_EQ(x[0].name, "cc1");  // the most CPU first
  EXPECT_EQ(x[0].runs, 2u);
  EXPECT_EQ(x[0].failed, 1u);
  EXPECT_EQ(x[0].cpu_ns, 1500 * kMs);
  EXPECT_EQ(x[0].max_rss_kb, 120'000u);
  EXPECT_EQ(x[0].wall_ns, 1999 * kMs);  // two separate runs: 12.001..13 and 15..16
  EXPECT_EQ(x[1].name, "bash");
  EXPECT_EQ(x[1].runs, 3u);
  EXPECT_EQ(x[1].wall_ns, 10 * kSec);  // not 10 + 3 + 1 s: the nested runs count once
  EXPECT_EQ(x[1].max_ns, 10 * kSec);

  analysis::BuildReport r = analysis::analyze_build(t);
  EXPECT_EQ(r.totals.processes, 5u);
  EXPECT_EQ(r.totals.failed, 2u);
  EXPECT_EQ(r.totals.cpu_ns, 1506 * kMs);
  EXPECT_EQ(r.totals.max_rss_kb, 120'000u);
  ASSERT_FALSE(r.subtrees.empty());
  EXPECT_EQ(r.subtrees[0].step, r.root);
  std::vector<analysis::Totals> totals = analysis::subtree_totals(t);
  EXPECT_EQ(totals[step_with_pid(t, inner.pid)].processes, 3u);
  EXPECT_EQ(totals[step_with_pid(t, inner.pid)].cpu_ns, 703 * kMs);
}

TEST(AnalysisExecutables, NoUsageIsSaidNotGuessed) {
  Cascade c = cascade();
  analysis::Trace t = std::move(c.trace);
  for (auto& s : t.steps) s.usage.reset();
  t.has_usage = false;
  analysis::BuildReport r = analysis::analyze_build(t);
  nlohmann::ordered_json j = report_to_json(t, r);
  EXPECT_FALSE(j["has_usage"].get<bool>());
  EXPECT_TRUE(j["executables"][0]["cpu_ns"].is_null());
  EXPECT_TRUE(j["root"]["subtree"]["cpu_ns"].is_null());
}

TEST(AnalysisSlowest, LeavesLongestFirst) {
  Cascade c = cascade();
  std::vector<uint32_t> slowest = analysis::slowest_steps(c.trace, 2);
  EXPECT_EQ(pids_of(c.trace, slowest), (std::vector<uint32_t>{c.other.pid, c.cc1plus.pid}));
}

TEST(AnalysisReportJson, HasTheContractsKeys) {
  Cascade c = cascade();
  analysis::BuildReport r = analysis::analyze_build(c.trace);
  nlohmann::ordered_json j = report_to_json(c.trace, r);
  for (const char* key : {"root", "cause", "failures", "not_found", "critical_path", "executables"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["root"]["pid"], c.top.pid);
  EXPECT_EQ(j["root"]["exit_code"], 2);
  EXPECT_EQ(j["root"]["subtree"]["processes"], 6);
  EXPECT_EQ(j["root"]["subtree"]["failed"], 5);
  EXPECT_EQ(j["root"]["subtree"]["max_rss_kb"], 200'000);
  EXPECT_EQ(j["cause"].back()["pid"], c.cc1plus.pid);
  EXPECT_EQ(j["cause"].back()["cpu_ns"], 1800 * kMs);
  EXPECT_EQ(j["cause"].back()["argv"][2], "gtest-all.cc");
  for (const auto& f : j["failures"]) {
    EXPECT_TRUE(f.contains("chain"));
    EXPECT_TRUE(f.contains("propagated"));
    EXPECT_TRUE(f.contains("duration_ns"));
    if (f["pid"] != c.top.pid) {
      EXPECT_EQ(f["chain"][0], c.top.pid);
    }
  }
  bool cc1plus = false;
  for (const auto& x : j["executables"]) {
    for (const char* key : {"name", "runs", "failed", "cpu_ns", "max_rss_kb", "wall_ns"}) EXPECT_TRUE(x.contains(key));
    if (x["name"] == "cc1plus") cc1plus = x["cpu_ns"] == 1800 * kMs;
  }
  EXPECT_TRUE(cc1plus);
}


// --- diff -------------------------------------------------------------------

struct Job {
  std::string file;
  uint64_t took;        // wall time of the compile
  int status = 0;
  std::string opt = "-O2";
  uint64_t cpu = 0;
};

// make -j2 compiling `jobs` in the given order (as -j interleaves them), then linking.
Trace build(const std::vector<Job>& jobs) {
  Story s;
  Id top = s.spawn(kTracer, 10 * kSec, {"make", "-j2"});
  uint64_t at = 10 * kSec + kMs;
  bool failed = false;
  for (const Job& j : jobs) {
    Id sh = s.spawn(top, at, {"sh", "-c", "cc " + j.opt + " -c " + j.file});
    Id cc = s.spawn(sh, at + kUs, {"cc", j.opt, "-c", j.file});
    s.exit(cc, at + j.took, exited_with(j.status), j.cpu, j.cpu ? 1000 : 0);
    s.exit(sh, at + j.took + kUs, exited_with(j.status));
    failed |= j.status != 0;
    at += kMs;
  }
  if (!failed) {
    Id ld = s.spawn(top, at + 2 * kSec, {"ld", "-o", "app"});
    s.exit(ld, at + 2 * kSec + 10 * kMs);
  }
  s.exit(top, at + 3 * kSec, exited_with(failed ? 2 : 0));
  return s.trace();
}

std::vector<std::string> argvs(const Trace& t, const std::vector<uint32_t>& steps) {
  std::vector<std::string> out;
  for (uint32_t s : steps) {
    std::string a;
    for (std::string_view x : t.argv(t.steps[s])) a += (a.empty() ? "" : " ") + std::string(x);
    out.push_back(a);
  }
  return out;
}

TEST(AnalysisDiff, SameBuildInAnotherMakeJOrderHasNoDifferences) {
  Trace base = build({{"a.c", 100 * kMs}, {"b.c", 200 * kMs}, {"c.c", 300 * kMs}});
  Trace next = build({{"c.c", 300 * kMs}, {"a.c", 100 * kMs}, {"b.c", 200 * kMs}});
  analysis::Difference d = analysis::diff_builds(base, next);
  EXPECT_TRUE(d.added.empty());
  EXPECT_TRUE(d.removed.empty());
  EXPECT_TRUE(d.changed.empty());
  EXPECT_TRUE(d.new_failures.empty());
  EXPECT_TRUE(d.fixed.empty());
  EXPECT_TRUE(d.slower.empty());
  EXPECT_EQ(d.matched, next.steps.size());
  // Each step is matched with the same command, whatever its pid.
  std::vector<uint32_t> to_base = analysis::match_steps(base, next);
  for (uint32_t n = 0; n < next.steps.size(); ++n) {
    ASSERT_NE(to_base[n], kNone);
    EXPECT_EQ(base.argv(base.steps[to_base[n]]).strings(), next.argv(next.steps[n]).strings());
  }
}

TEST(AnalysisDiff, KnownDifferencesAcrossAReordering) {
  Trace base = build({{"a.c", 100 * kMs, 0, "-O2", 90 * kMs},
                      {"b.c", 200 * kMs},
                      {"c.c", 300 * kMs},
                      {"old.c", 50 * kMs, 1}});
  // Reordered; a.c slower with more CPU, b.c built with other flags, c.c
  // now fails, old.c (which failed) is gone, new.c is new.
  Trace next = build({{"new.c", 70 * kMs},
                      {"c.c", 300 * kMs, 1},
                      {"b.c", 200 * kMs, 0, "-O0"},
                      {"a.c", 900 * kMs, 0, "-O2", 850 * kMs}});
  analysis::Difference d = analysis::diff_builds(base, next);

  EXPECT_EQ(argvs(next, d.added), (std::vector<std::string>{"sh -c cc -O2 -c new.c"}));
  EXPECT_EQ(argvs(base, d.removed), (std::vector<std::string>{"sh -c cc -O2 -c old.c"}));
  std::vector<std::string> changed;
  for (const auto& p : d.changed) changed.push_back(argvs(next, {p.next})[0]);
  std::sort(changed.begin(), changed.end());
  EXPECT_EQ(changed, (std::vector<std::string>{"cc -O0 -c b.c", "sh -c cc -O0 -c b.c"}));
  for (const auto& p : d.changed) EXPECT_EQ(executable_of(base, base.steps[p.base]), executable_of(next, next.steps[p.next]));

  std::vector<std::string> failures;
  for (const auto& p : d.new_failures) failures.push_back(argvs(next, {p.next})[0]);
  std::sort(failures.begin(), failures.end());
  EXPECT_EQ(failures, (std::vector<std::string>{"cc -O2 -c c.c", "sh -c cc -O2 -c c.c"}));  // make failed in both
  EXPECT_TRUE(d.fixed.empty()) << "old.c's failure is gone with old.c, not fixed";

  ASSERT_EQ(d.slower.size(), 2u);  // a.c's compile and its shell
  size_t cc = argvs(next, {d.slower[0].steps.next})[0] == "cc -O2 -c a.c" ? 0 : 1;
  const analysis::SlowerStep& slow = d.slower[cc];
  EXPECT_EQ(argvs(next, {slow.steps.next})[0], "cc -O2 -c a.c");
  EXPECT_EQ(slow.base_ns, 100 * kMs - kUs);
  EXPECT_EQ(slow.next_ns, 900 * kMs - kUs);
  ASSERT_TRUE(slow.cpu_change_ns.has_value());
  EXPECT_EQ(*slow.cpu_change_ns, static_cast<int64_t>(760 * kMs));

  // And back: what failed is fixed.
  analysis::Difference back = analysis::diff_builds(next, base);
  std::vector<std::string> fixed;
  for (const auto& p : back.fixed) fixed.push_back(argvs(base, {p.next})[0]);
  std::sort(fixed.begin(), fixed.end());
  EXPECT_EQ(fixed, (std::vector<std::string>{"cc -O2 -c c.c", "sh -c cc -O2 -c c.c"}));

  nlohmann::ordered_json j = diff_to_json(base, next, d);
  for (const char* key : {"added", "removed", "changed", "new_failures", "fixed", "slower"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["slower"][cc]["base_duration_ns"], 100 * kMs - kUs);
  EXPECT_EQ(j["slower"][cc]["new_duration_ns"], 900 * kMs - kUs);
  EXPECT_EQ(j["slower"][cc]["cpu_change_ns"], 760 * kMs);
}

TEST(AnalysisDiff, RepeatedIdenticalCommandsPairInOrder) {
  Trace base = build({{"x.c", 100 * kMs}, {"x.c", 100 * kMs}, {"y.c", 100 * kMs}});
  Trace next = build({{"x.c", 100 * kMs}, {"y.c", 100 * kMs}});
  analysis::Difference d = analysis::diff_builds(base, next);
  EXPECT_TRUE(d.added.empty());
  EXPECT_EQ(argvs(base, d.removed), (std::vector<std::string>{"sh -c cc -O2 -c x.c"}));
}

}  // namespace
}  // namespace ft::test
