// `--format compile-commands` (views/compile_commands_view.*) on a small
// synthetic build: one entry per compiled source of a compiler driver, the
// driver's argv as it ran and its cwd; link-only runs, the compiler proper,
// as and collect2 never; preprocess-only runs and configure's probes only
// with --compile-commands-all; a truncated argv or an unknown cwd never.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "event_builders.h"
#include "pipeline/pipeline.h"
#include "read_all.h"
#include "views/compile_commands_view.h"

namespace ft {
namespace {

using namespace ft::test;
using Json = nlohmann::json;

class UnitCompileCommandsView : public ViewOutputTest {
 protected:

  // make (in /w) runs each command through its own child; `cwd` is where it ran.
  void run(const std::vector<std::string>& argv, const std::string& cwd = "/w/src", bool truncated = false,
           std::vector<std::vector<std::string>> children = {}) {
    Id p{next_pid_++, 10 * kSec + next_pid_ * kMs};
    pipeline->feed(fork_of(make_, p, 0, "make"));
    Event e = exec_of(p, make_.pid, "/usr/bin/" + argv[0], argv, p.start_ns + 10 * kUs);
    e.cwd = cwd;
    e.argv_truncated = truncated;
    pipeline->feed(e);
    for (const auto& child_argv : children) {
      Id c{next_pid_++, p.start_ns + next_pid_ * kUs};
      pipeline->feed(fork_of(p, c, 0, argv[0]));
      Event ce = exec_of(c, p.pid, child_argv[0], child_argv, c.start_ns + kUs);
      ce.cwd = cwd;
      pipeline->feed(ce);
      pipeline->feed(exit_of(c, p.pid, exited_with(0), c.start_ns + kMs));
    }
    pipeline->feed(exit_of(p, make_.pid, exited_with(0), p.start_ns + 50 * kMs));
  }

  Json build(bool all) {
    pipeline = std::make_unique<Pipeline>(false);
    ViewOptions o;
    o.compile_commands_all = all;
    pipeline->add_sink(std::make_unique<CompileCommandsView>(out, o));
    Id tracer{100, 5 * kSec};
    pipeline->feed(fork_of(tracer, make_, 0, "forktrace"));
    Event e = exec_of(make_, 100, "/usr/bin/make", {"make", "-j2"}, make_.start_ns + kMs);
    e.cwd = "/w";
    pipeline->feed(e);
    run({"gcc", "-O2", "-c", "-o", "a.o", "a.c"}, "/w/src", false,
        {{"/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "-quiet", "a.c", "-dumpbase", "a.c", "-o", "/tmp/cc1.s"},
         {"/usr/bin/as", "--64", "-o", "a.o", "/tmp/cc1.s"}});
    run({"x86_64-linux-gnu-gcc-12", "main.c", "util.c", "-o", "prog"}, "/w");
    run({"gcc", "-E", "x.c"});
    run({"gcc", "-c", "-M", "y.c"});
    run({"gcc", "-c", "conftest.c"}, "/w");
    run({"g++", "-c", "conftest.cpp", "-o", "conftest.o"}, "/w");
    run({"gcc", "a.o", "-o", "prog"}, "/w", false,
        {{"/usr/lib/gcc/x86_64-linux-gnu/12/collect2", "-o", "prog", "a.o"}});
    run({"c++", "@flags.rsp", "-c", "r.cc", "-o", "r.o"});
    run({"gcc", "-c", "long.c", "-DX"}, "/w", true /* truncated */);
    run({"clang", "-c", "c.c"}, "/w/c", false,
        {{"/usr/lib/llvm-14/bin/clang", "-cc1", "-emit-obj", "-o", "c.o", "-x", "c", "c.c"}});
    run({"sh", "-c", "gcc -c q.c"});
    // ccache runs the compiler: one entry, ccache's, without ccache.
    run({"ccache", "cc", "-c", "w.c", "-o", "w.o"}, "/w/src", false,
        {{"/usr/bin/cc", "-c", "w.c", "-o", "w.o"}});
    // ccache behind a `gcc` symlink (/usr/lib/ccache/gcc) runs the real gcc: the build's gcc counts.
    run({"gcc", "-c", "m.c"}, "/w/src", false, {{"/usr/bin/gcc", "-c", "m.c"}});
    run({"gcc", "--version"});
    Event end = exit_of(make_, 100, exited_with(0), make_.start_ns + 10 * kSec);
    pipeline->feed(end);
    pipeline->finish();
    std::string text = read_all(out);
    EXPECT_EQ(text.back(), '\n');
    return Json::parse(text);
  }

  std::unique_ptr<Pipeline> pipeline;
  Id make_{200, 10 * kSec};
  uint32_t next_pid_ = 300;
};

TEST_F(UnitCompileCommandsView, OneEntryPerCompiledSource) {
  Json db = build(false);
  ASSERT_TRUE(db.is_array());
  Json expected = Json::parse(R"([
    {"directory": "/w/src", "file": "a.c", "arguments": ["gcc", "-O2", "-c", "-o", "a.o", "a.c"], "output": "a.o"},
    {"directory": "/w", "file": "main.c", "arguments": ["x86_64-linux-gnu-gcc-12", "main.c", "util.c", "-o", "prog"],
     "output": "prog"},
    {"directory": "/w", "file": "util.c", "arguments": ["x86_64-linux-gnu-gcc-12", "main.c", "util.c", "-o", "prog"],
     "output": "prog"},
    {"directory": "/w/src", "file": "r.cc", "arguments": ["c++", "@flags.rsp", "-c", "r.cc", "-o", "r.o"],
     "output": "r.o"},
    {"directory": "/w/c", "file": "c.c", "arguments": ["clang", "-c", "c.c"]},
    {"directory": "/w/src", "file": "w.c", "arguments": ["cc", "-c", "w.c", "-o", "w.o"], "output": "w.o"},
    {"directory": "/w/src", "file": "m.c", "arguments": ["gcc", "-c", "m.c"]}
  ])");
  EXPECT_EQ(db, expected) << db.dump(2);
}

TEST_F(UnitCompileCommandsView, AllKeepsPreprocessingAndConfigureProbes) {
  Json db = build(true);
  std::vector<std::string> files;
  for (const Json& e : db) files.push_back(e["file"]);
  EXPECT_EQ(files, (std::vector<std::string>{"a.c", "main.c", "util.c", "x.c", "y.c", "conftest.c", "conftest.cpp",
                                             "r.cc", "c.c", "w.c", "m.c"}));
  EXPECT_FALSE(db[3].contains("output")) << "-E without -o";
  EXPECT_EQ(db[6]["output"], "conftest.o");
}

// A recording before format version 3 has no cwd: no entry can say where it ran.
TEST_F(UnitCompileCommandsView, UnknownDirectoryLeavesTheEntryOut) {
  pipeline = std::make_unique<Pipeline>(false);
  pipeline->add_sink(std::make_unique<CompileCommandsView>(out, ViewOptions{}));
  Id cc{300, 10 * kSec};
  pipeline->feed(fork_of({100, 5 * kSec}, cc, 0, "sh"));
  pipeline->feed(exec_of(cc, 100, "/usr/bin/gcc", {"gcc", "-c", "a.c"}, cc.start_ns + kMs));
  pipeline->feed(exit_of(cc, 100, exited_with(0), cc.start_ns + 2 * kMs));
  pipeline->finish();
  EXPECT_EQ(read_all(out), "[]\n");
}

TEST_F(UnitCompileCommandsView, EmptyTraceIsAnEmptyDatabase) {
  pipeline = std::make_unique<Pipeline>(false);
  pipeline->add_sink(std::make_unique<CompileCommandsView>(out, ViewOptions{}));
  pipeline->finish();
  EXPECT_EQ(read_all(out), "[]\n");
}

}  // namespace
}  // namespace ft
