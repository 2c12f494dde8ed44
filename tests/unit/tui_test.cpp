// The TUI without a terminal: events go through the pipeline into the
// TuiModel, keys are pressed on it, and each frame is compared with a golden
// screen in tests/unit/tui_golden/ (text, then one line per styled range).
// FORKTRACE_UPDATE_GOLDEN=1 rewrites the files; review the diff.
#include <cerrno>
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>

#include "pipeline/pipeline.h"
#include "event_builders.h"
#include "views/tui/output_buffer.h"
#include "views/tui/process_info.h"
#include "views/tui/text.h"
#include "views/tui/tui_model.h"
#include "views/tui/tui_view.h"

namespace ft {
namespace {

using namespace ft::test;
using tui::TuiModel;

constexpr Id kForktrace{50, 1 * kSec};
constexpr Id kMake{100, 2 * kSec};
constexpr Id kLibMake{101, 2 * kSec + 10 * kMs};
constexpr Id kCcA{102, 2 * kSec + 20 * kMs};
constexpr Id kCcB{103, 2 * kSec + 30 * kMs};
constexpr Id kCcMain{104, 3 * kSec};
constexpr Id kTimeout{105, 3 * kSec + 100 * kMs};
constexpr Id kCrash{106, 3 * kSec + 200 * kMs};
constexpr Id kSleep{107, 3 * kSec + 300 * kMs};

std::string golden_dir() { return FORKTRACE_TUI_GOLDEN_DIR; }

class UnitTui : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }

  // `command`: traced as `-- CMD` (the scope names a root whose failure the end explains).
  void start(bool unicode = true, bool has_command = true, bool command = false) {
    tui::TuiOptions o;
    o.scope.filtered = command;
    o.clock = TraceClock{0};
    o.unicode = unicode;
    o.live = false;
    o.has_command = has_command;
    o.title = "make -j2";
    model = std::make_unique<TuiModel>(o);
    pipeline = std::make_unique<Pipeline>(false);
    pipeline->add_sink(std::make_unique<tui::TuiView>(*model));
    pipeline->model().seed({seed_of(kForktrace.pid, 1, kForktrace.start_ns, "forktrace")});
  }
  void feed(const Event& e) { pipeline->feed(e); }
  void spawn(Id parent, Id child, std::vector<std::string> argv, uint64_t exec_after = 1 * kMs) {
    feed(fork_of(parent, child, 0, "make"));
    std::string filename = "/usr/bin/" + argv[0];
    feed(exec_of(child, parent.pid, filename, std::move(argv), child.start_ns + exec_after));
  }
  void end(Id p, uint32_t ppid, uint32_t status, uint64_t after) { feed(exit_of(p, ppid, status, p.start_ns + after)); }

  // A build half-way: a sub-make that finished, a failed compile, a timeout
  // that was killed, a crash, a sleep still running.
  void build(bool finished) {
    spawn(kForktrace, kMake, {"make", "-j2"});
    spawn(kMake, kLibMake, {"make", "-C", "lib"});
    spawn(kLibMake, kCcA, {"cc", "-c", "a.c"});
    spawn(kLibMake, kCcB, {"cc", "-c", "b.c"});
    end(kCcA, kLibMake.pid, exited_with(0), 400 * kMs);
    end(kCcB, kLibMake.pid, exited_with(0), 500 * kMs);
    end(kLibMake, kMake.pid, exited_with(0), 600 * kMs);
    spawn(kMake, kCcMain, {"cc", "-c", "main.c", "-o", "main.o"});
    end(kCcMain, kMake.pid, exited_with(1), 80 * kMs);
    spawn(kMake, kTimeout, {"timeout-test", "--slow"});
    end(kTimeout, kMake.pid, killed_by(15), 250 * kMs);
    spawn(kMake, kCrash, {"crash-test"});
    end(kCrash, kMake.pid, killed_by(11, true), 5 * kMs);
    spawn(kMake, kSleep, {"sleep", "30"});
    if (finished) {
      end(kSleep, kMake.pid, exited_with(0), 1 * kSec);
      end(kMake, kForktrace.pid, exited_with(2), 3 * kSec);
      model->finish("ended: exit 2");
    }
  }

  std::string frame(size_t width = 80, size_t height = 16, uint64_t now = 0) {
    tui::FrameContext c;
    c.width = width;
    c.height = height;
    c.now_ns = now;
    if (!output.empty()) {
      buffer.write(output);
      output.clear();
    }
    c.output = &buffer.lines();
    c.output_name = "output of make -j2";
    c.user_name = [](uint32_t uid) { return uid == 1000 ? std::string("alice") : std::string(); };
    return model->frame(c).dump();
  }
  void keys(const std::string& typed) {
    for (char k : typed) model->key(k == '\r' ? int{tui::kEnter} : int{k});
  }

  void expect_golden(const std::string& name, const std::string& screen) {
    std::string path = golden_dir() + "/" + name + ".txt";
    if (std::getenv("FORKTRACE_UPDATE_GOLDEN")) {
      std::ofstream(path) << screen;
      return;
    }
    std::ifstream in(path);
    ASSERT_TRUE(in) << "no golden screen " << path << " (FORKTRACE_UPDATE_GOLDEN=1 writes it):\n" << screen;
    std::stringstream want;
    want << in.rdbuf();
    EXPECT_EQ(want.str(), screen) << "golden screen " << path;
  }

  std::unique_ptr<TuiModel> model;
  std::unique_ptr<Pipeline> pipeline;
  tui::OutputBuffer buffer;
  std::string output;
};

TEST_F(UnitTui, RunningTree) {
  start();
  build(false);
  // Running processes tick: 2.5 s after the sleep began.
  expect_golden("running", frame(80, 14, kSleep.start_ns + 2500 * kMs));
}

TEST_F(UnitTui, FinishedTreeWithFailures) {
  start();
  build(true);
  expect_golden("finished", frame());
}

TEST_F(UnitTui, CollapsedSubtreeExpandsAndFoldsWithKeys) {
  start();
  build(true);
  std::string folded = frame();
  EXPECT_NE(folded.find("… 2 processes, 0 failed"), std::string::npos) << folded;
  keys("j\r");  // down to make -C lib, unfold
  expect_golden("expanded", frame());
  keys(" ");  // fold again
  EXPECT_EQ(frame().find("cc -c a.c"), std::string::npos);
  keys("l");
  EXPECT_NE(frame().find("cc -c a.c"), std::string::npos);
  keys("h");
  EXPECT_EQ(frame().find("cc -c a.c"), std::string::npos);
}

TEST_F(UnitTui, SearchRevealsAndHighlightsMatches) {
  start();
  build(true);
  keys("/b.c\r");  // inside the folded sub-make: unfolded to show it
  expect_golden("search", frame());
  EXPECT_EQ(model->cursor(), 3u);  // the node of cc -c b.c
  keys("/CC\r");                   // smart case: capitals match exactly
  EXPECT_NE(frame().find("no command line contains \"CC\""), std::string::npos);
  keys("/cc\rn");
  EXPECT_NE(frame().find("match 3 of 3"), std::string::npos) << frame();
  keys("N");
  EXPECT_NE(frame().find("match 2 of 3"), std::string::npos);
}

TEST_F(UnitTui, FailuresOnlyWithAncestry) {
  start();
  build(true);
  keys("f");
  expect_golden("failures", frame());
  keys("f");
  EXPECT_NE(frame().find("sleep 30"), std::string::npos);
}

// issue 24, point 5: `./configure && make` where configure handled 40 failed
// probes (each a subshell whose gcc failed) and then make → make → gcc → cc1
// failed. The first screen shows the cause: configure folded with its
// failures counted, the cause path open, cc1 selected. Replay (live off) and
// the end of a live trace (follow on) open the same way.
class UnitTuiCause : public UnitTui {
 protected:
  Id configure{300, 4 * kSec}, make{600, 9 * kSec}, sub{601, 9 * kSec + 10 * kMs}, gcc{602, 9 * kSec + 20 * kMs},
      cc1{603, 9 * kSec + 30 * kMs}, other{604, 9 * kSec + 40 * kMs};
  Id top{200, 3 * kSec};
  void configure_then_make(bool live) {
    start(true, true, true);
    if (live) {
      tui::TuiOptions o;
      o.clock = TraceClock{0};
      o.live = true;
      o.has_command = true;
      o.title = "sh -c ./configure && make";
      o.scope.filtered = true;
      model = std::make_unique<TuiModel>(o);
      pipeline = std::make_unique<Pipeline>(false);
      pipeline->add_sink(std::make_unique<tui::TuiView>(*model));
      pipeline->model().seed({seed_of(kForktrace.pid, 1, kForktrace.start_ns, "forktrace")});
    }
    spawn(kForktrace, top, {"sh", "-c", "./configure && make"});
    spawn(top, configure, {"sh", "./configure"});
    for (uint32_t i = 0; i < 40; ++i) {
      uint64_t at = configure.start_ns + (10 + 10 * i) * kMs;
      Id shell{310 + 2 * i, at}, probe{311 + 2 * i, at + kMs};
      feed(fork_of(configure, shell, 0, "sh"));
      spawn(shell, probe, {"gcc", "-V"});
      end(probe, shell.pid, exited_with(1), kMs);
      end(shell, configure.pid, exited_with(1), 3 * kMs);
    }
    end(configure, top.pid, exited_with(0), 4 * kSec);
    spawn(top, make, {"make", "-j2"});
    spawn(make, sub, {"make", "-C", "src"});
    spawn(sub, other, {"gcc", "-c", "ok.c"});
    spawn(sub, gcc, {"gcc", "-c", "broken.c"});
    spawn(gcc, cc1, {"cc1", "broken.c", "-o", "/tmp/cc.s"});
    end(other, sub.pid, exited_with(0), 100 * kMs);
    end(cc1, gcc.pid, exited_with(1), 50 * kMs);
    end(gcc, sub.pid, exited_with(1), 80 * kMs);
    end(sub, make.pid, exited_with(2), 200 * kMs);
    end(make, top.pid, exited_with(2), 300 * kMs);
    end(top, kForktrace.pid, exited_with(2), 7 * kSec);
    model->finish("ended: exit 2");
  }
};

TEST_F(UnitTuiCause, OpensOnTheCauseWithHandledProbesFolded) {
  configure_then_make(false);
  std::string screen = frame();
  expect_golden("cause_first", screen);
  ASSERT_NE(model->cause_node(), TuiModel::npos);
  EXPECT_EQ(model->forest().nodes()[model->cause_node()].process->pid, cc1.pid);
  EXPECT_EQ(model->cursor(), model->cause_node());
  // The selected line (the cursor's style) is cc1's.
  tui::FrameContext c;
  c.width = 80;
  c.height = 16;
  tui::Screen s = model->frame(c);
  ASSERT_GE(s.cursor_row, 0);
  EXPECT_NE(s.lines[static_cast<size_t>(s.cursor_row)].text.find("cc1 broken.c"), std::string::npos) << screen;
  // configure's 80 handled failures stay folded, counted.
  EXPECT_NE(screen.find("./configure  exit 0"), std::string::npos) << screen;
  EXPECT_NE(screen.find("80 failed"), std::string::npos) << screen;
  EXPECT_EQ(screen.find("gcc -V"), std::string::npos) << screen;
  // Still a tree to explore: configure opens by hand.
  keys("gj\r");  // each probe's subshell, folded with its failure counted
  EXPECT_NE(frame().find("310 sh ./configure  exit 1 3.0ms  … 1 process, 1 failed"), std::string::npos) << frame();
}

// Failures only, once the trace has ended: the failure path as a tree, then
// configure's 80 handled failures folded into one row per executable
// (analysis::by_executable), not 80 rows above the cause.
TEST_F(UnitTuiCause, FailuresOnlyFoldsHandledFailuresByExecutable) {
  configure_then_make(false);
  keys("f");
  std::string screen = frame();
  expect_golden("failure_groups", screen);
  size_t path = screen.find("600 make -j2"), cause = screen.find("603 cc1 broken.c"),
         gcc = screen.find("▸✗ 40 handled failures: gcc  exit 1"), sh = screen.find("▸✗ 40 handled failures: sh  exit 1");
  ASSERT_NE(cause, std::string::npos) << screen;
  ASSERT_NE(gcc, std::string::npos) << screen;
  ASSERT_NE(sh, std::string::npos) << screen;
  EXPECT_LT(path, cause) << screen;
  EXPECT_LT(cause, gcc) << screen;
  EXPECT_EQ(screen.find("gcc -V"), std::string::npos) << screen;
  EXPECT_EQ(screen.find("300 sh ./configure"), std::string::npos) << screen;  // off the path
  // The cause stays selected.
  EXPECT_EQ(model->cursor(), model->cause_node());
}

// A group opens and folds with the keys that fold a process's children.
TEST_F(UnitTuiCause, AGroupOfHandledFailuresOpensWithTheFoldKeys) {
  configure_then_make(false);
  keys("f");
  keys("G");  // the last row: the second group
  frame();
  ASSERT_NE(model->cursor_group(), TuiModel::npos);
  EXPECT_EQ(model->cursor(), TuiModel::npos);
  keys("k");  // the first group, gcc's (they end first)
  EXPECT_NE(frame().find("40 handled failures: gcc"), std::string::npos);
  size_t group = model->cursor_group();
  ASSERT_NE(group, TuiModel::npos);
  keys("\r");
  std::string open = frame(80, 60);
  EXPECT_NE(open.find("▾✗ 40 handled failures: gcc  exit 1\n├─ ✗ 311 gcc -V  exit 1 1.0ms\n├─ ✗ 313 gcc -V"),
            std::string::npos) << open;
  EXPECT_NE(open.find("└─ ✗ 389 gcc -V  exit 1 1.0ms\n▸✗ 40 handled failures: sh"), std::string::npos) << open;
  EXPECT_EQ(model->cursor_group(), group);  // the selection stays on the group's row
  // Into the group: a process of it, with its details.
  keys("jd");
  EXPECT_EQ(model->forest().nodes()[model->cursor()].process->pid, 311u);
  EXPECT_NE(frame(80, 40).find("details of 311"), std::string::npos);
  keys("d");
  // Left from a process goes to its group's row; Left there folds it.
  keys("h");
  EXPECT_EQ(model->cursor_group(), group);
  EXPECT_NE(frame(80, 60).find("311 gcc -V"), std::string::npos);
  keys("h");
  EXPECT_EQ(frame(80, 60).find("311 gcc -V"), std::string::npos);
  // Right (or Enter) opens it again; Enter folds it.
  keys("l");
  EXPECT_NE(frame(80, 60).find("311 gcc -V"), std::string::npos);
  keys("\r");
  EXPECT_EQ(frame(80, 60).find("311 gcc -V"), std::string::npos);
  // The details of a group's row say what it holds.
  keys("d");
  std::string details = frame(80, 30);
  EXPECT_NE(details.find("details of 40 handled failures"), std::string::npos) << details;
  keys("d");
  // A search finds a process in a folded group and opens it.
  keys("/-V\r");
  std::string found = frame(80, 60);
  EXPECT_NE(found.find("▾✗ 40 handled failures: gcc"), std::string::npos) << found;
  EXPECT_EQ(model->forest().nodes()[model->cursor()].process->pid, 311u);
  // f again: everything, the selection on that process.
  keys("f");
  EXPECT_EQ(model->forest().nodes()[model->cursor()].process->pid, 311u);
  EXPECT_NE(frame(80, 60).find("300 sh ./configure"), std::string::npos);
}

TEST_F(UnitTuiCause, TheEndOfALiveTraceOpensTheSameWay) {
  configure_then_make(true);
  EXPECT_FALSE(model->follow());
  EXPECT_EQ(model->cursor(), model->cause_node());
  EXPECT_NE(frame().find("cc1 broken.c"), std::string::npos);
}

TEST_F(UnitTuiCause, ASelectionTheUserMadeStays) {
  start(true, true, true);
  spawn(kForktrace, top, {"sh", "-c", "false; exit 3"});
  Id f{201, 3 * kSec + kMs};
  spawn(top, f, {"false"});
  end(f, top.pid, exited_with(1), kMs);
  keys("g");  // the user moved: the end does not take the selection away
  end(top, kForktrace.pid, exited_with(3), 10 * kMs);
  model->finish("ended: exit 3");
  EXPECT_EQ(model->forest().nodes()[model->cursor()].process->pid, top.pid);
}

TEST_F(UnitTui, UsageWhereTheTraceHasIt) {
  start();
  spawn(kForktrace, kMake, {"make", "-j2"});
  spawn(kMake, kLibMake, {"make", "-C", "lib"});
  spawn(kLibMake, kCcA, {"cc", "-c", "a.c"});
  auto with_usage = [](Event e, uint64_t user_ms, uint64_t rss_kb) {
    ResourceUsage u;
    u.cpu_user_ns = user_ms * kMs;
    u.cpu_sys_ns = user_ms * kMs / 10;
    u.max_rss_kb = rss_kb;
    e.usage = u;
    return e;
  };
  feed(with_usage(exit_of(kCcA, kLibMake.pid, exited_with(0), kCcA.start_ns + 400 * kMs), 300, 51200));
  feed(with_usage(exit_of(kLibMake, kMake.pid, exited_with(0), kLibMake.start_ns + 600 * kMs), 20, 4096));
  expect_golden("usage", frame(100, 6, kLibMake.start_ns + kSec));
  keys("jd");
  std::string details = frame(100, 24, kLibMake.start_ns + kSec);
  EXPECT_NE(details.find("cpu 22.0ms (user 20.0ms, system 2.0ms)  peak rss 4.0 MiB"), std::string::npos) << details;
  EXPECT_NE(details.find("1 process, 0 running, 0 failed, 352.0ms CPU in all"), std::string::npos) << details;
}

// A command that was not found: the details pane names the attempts nothing
// satisfied, and counts the PATH-search misses before an exec that ran.
TEST_F(UnitTui, FailedExecAttemptsInTheDetails) {
  start();
  spawn(kForktrace, kMake, {"make"});
  Event miss = failed_exec_of(kMake, kForktrace.pid, "/usr/local/bin/make", ENOENT, kMake.start_ns + kMs);
  feed(miss);
  feed(exec_of(kMake, kForktrace.pid, "/usr/bin/make", {"make"}, kMake.start_ns + 2 * kMs));
  spawn(kMake, kCcA, {"make"});
  feed(failed_exec_of(kCcA, kMake.pid, "/usr/bin/nosuch", ENOENT, kCcA.start_ns + kMs));
  end(kCcA, kMake.pid, exited_with(127), 2 * kMs);
  keys("d");
  std::string details = frame(100, 30, kCcA.start_ns + kSec);
  EXPECT_NE(details.find("misses   1 PATH-search misses before the exec that ran"), std::string::npos) << details;
  keys("j");
  details = frame(100, 30, kCcA.start_ns + kSec);
  EXPECT_NE(details.find("exec err /usr/bin/nosuch: ENOENT"), std::string::npos) << details;
}

TEST_F(UnitTui, NarrowTerminal) {
  start();
  build(true);
  expect_golden("narrow40", frame(40, 12));
}

TEST_F(UnitTui, WideTerminal) {
  start();
  build(true);
  keys("j\r");
  expect_golden("wide160", frame(160, 14));
}

TEST_F(UnitTui, LongCommandLineKeepsItsStatusVisible) {
  start();
  std::vector<std::string> argv{"gcc"};
  for (int i = 0; i < 60; ++i) argv.push_back("-I/usr/include/very/long/path/number/" + std::to_string(i));
  spawn(kForktrace, kMake, argv);
  end(kMake, kForktrace.pid, exited_with(4), 2 * kSec);
  expect_golden("long_command", frame(80, 6));
  keys("d");  // the details pane shows all of it
  std::string details = frame(80, 100);
  EXPECT_NE(details.find("number/59"), std::string::npos) << details;
}

TEST_F(UnitTui, NonUtf8AndControlBytes) {
  start();
  spawn(kForktrace, kMake, {"printf", std::string("caf\xc3\xa9 \xff\xfe bad"), "tab\there", "\xe6\xbc\xa2\xe5\xad\x97"});
  end(kMake, kForktrace.pid, exited_with(0), 1 * kMs);
  expect_golden("non_utf8", frame(60, 5));
}

TEST_F(UnitTui, DetailsPane) {
  start();
  build(true);
  keys("G/main\rd");
  expect_golden("details", frame(80, 24));
}

TEST_F(UnitTui, OutputPaneAndHelp) {
  start();
  build(false);
  output = "\x1b[1;32mcompiling\x1b[0m a.c\r\n[ 10%]\r[ 50%]\r[100%] done\r\nwarning: x\n";
  keys("o");
  expect_golden("output_pane", frame(60, 14, kSleep.start_ns + kSec));
  keys("?");
  expect_golden("help", frame(100, 20));
  keys("x");  // any key closes the help
  EXPECT_EQ(frame(100, 20).find(" Keys"), std::string::npos);
}

TEST_F(UnitTui, AsciiWithoutUnicodeLocale) {
  start(false);
  build(true);
  expect_golden("ascii", frame());
}

TEST_F(UnitTui, PauseHoldsNewProcessesBackAndStopsTheClock) {
  start();
  build(false);
  frame(80, 16, kSleep.start_ns + kSec);
  keys("p");
  std::string paused = frame(80, 16, kSleep.start_ns + kSec);
  Id late{200, kSleep.start_ns + 2 * kSec};
  spawn(kMake, late, {"late-arrival"});
  std::string later = frame(80, 16, kSleep.start_ns + 5 * kSec);
  EXPECT_EQ(later, paused);
  EXPECT_NE(paused.find("PAUSED"), std::string::npos);
  keys("p");
  EXPECT_NE(frame(80, 16, kSleep.start_ns + 5 * kSec).find("late-arrival"), std::string::npos);
}

TEST_F(UnitTui, FollowSelectsTheNewestProcessUntilTheUserMoves) {
  start();
  build(false);
  keys("F");
  frame();
  EXPECT_EQ(model->cursor(), 7u);  // sleep 30, the newest
  keys("k");
  EXPECT_FALSE(model->follow());
  Id late{200, kSleep.start_ns + 2 * kSec};
  spawn(kMake, late, {"late-arrival"});
  frame();
  EXPECT_EQ(model->cursor(), 6u);
}

TEST_F(UnitTui, ScrollingKeepsTheCursorOnScreen) {
  start();
  spawn(kForktrace, kMake, {"make"});
  for (uint32_t i = 0; i < 40; ++i)
    spawn(kMake, Id{300 + i, kMake.start_ns + (i + 1) * kMs}, {"job", std::to_string(i)});
  keys("G");
  std::string bottom = frame(60, 10);
  EXPECT_NE(bottom.find("job 39"), std::string::npos);
  EXPECT_EQ(bottom.find("job 30"), std::string::npos);
  keys("g");
  EXPECT_NE(frame(60, 10).find("job 0 "), std::string::npos);
}

TEST_F(UnitTui, QuitAndCtrlC) {
  start();
  build(false);
  EXPECT_EQ(model->key('q'), tui::Action::quit);
  EXPECT_EQ(model->key(tui::kCtrlC), tui::Action::interrupt);  // to the command, while it runs
  model->finish("ended: exit 0");
  EXPECT_EQ(model->key(tui::kCtrlC), tui::Action::quit);
  start(true, false);  // no command: Ctrl-C quits
  EXPECT_EQ(model->key(tui::kCtrlC), tui::Action::quit);
}

TEST(UnitTuiText, SanitizeFitAndWidth) {
  using namespace tui;
  EXPECT_EQ(sanitize("a\x01" "b\xff" "c\xc3"), "a\\x01b\\xffc\\xc3");
  EXPECT_EQ(sanitize("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(sanitize("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate is not UTF-8
  EXPECT_EQ(display_width("\xe6\xbc\xa2\xe5\xad\x97"), 4u);
  EXPECT_EQ(display_width("e\xcc\x81"), 1u);
  EXPECT_EQ(fit("abcdef", 4), "abc…");
  EXPECT_EQ(fit("abcdef", 4, false), "abc~");
  EXPECT_EQ(fit("abc", 3), "abc");
  EXPECT_EQ(fit("\xe6\xbc\xa2\xe5\xad\x97x", 4), "\xe6\xbc\xa2…");
}

TEST(UnitTuiOutput, LinesCarriageReturnsAndEscapes) {
  tui::OutputBuffer b(3);
  b.write("one\ntw");
  b.write("o\r\nthree\x1b]0;title\x07\n\x1b[31mred\x1b[0m\n");
  b.write("10%\r20%\r30%");
  std::deque<std::string> want{"three", "red", "30%"};
  EXPECT_EQ(b.lines(), want);
  b.write("\b\b!\n\xff\n");
  std::deque<std::string> after{"red", "3!", "\\xff"};
  EXPECT_EQ(b.lines(), after);
}


// The details pane: what the process cost, and where and as whom it ran, only
// where the trace knows it.
TEST(UnitTuiFields, UsageAndExecDetailWhereKnown) {
  Process p;
  EXPECT_FALSE(tui::usage_of(p));
  EXPECT_FALSE(tui::exec_info_of(p).uid);
  ResourceUsage usage;
  usage.cpu_user_ns = 2'000'000;
  usage.cpu_sys_ns = 500'000;
  usage.max_rss_kb = 4096;
  p.usage = usage;
  p.cwd = "/src";
  p.has_creds = true;
  p.uid = 1000;
  p.euid = 0;
  auto u = tui::usage_of(p);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->cpu_ns(), 2'500'000u);
  EXPECT_EQ(u->peak_rss_kb, 4096u);
  p.usage->program_max_rss_kb = 1024;  // the program's own, where the kernel gives it
  EXPECT_EQ(tui::usage_of(p)->peak_rss_kb, 1024u);
  tui::ExecInfo info = tui::exec_info_of(p);
  EXPECT_EQ(info.cwd, "/src");
  EXPECT_EQ(info.uid, 1000u);
  EXPECT_EQ(info.euid, 0u);
}

}  // namespace
}  // namespace ft
