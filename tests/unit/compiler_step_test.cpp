// analysis/compiler_step.h on real command lines: what gcc 12 and clang 14
// on Debian 12 run (the cc1, as and collect2 lines are `gcc -###` output),
// and what make, CMake and configure pass them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analysis/compiler_step.h"

namespace ft::test {
namespace {

using analysis::CompilerStep;
using analysis::CompilerTool;
using analysis::DriverAction;
using Strings = std::vector<std::string_view>;

CompilerStep step(std::initializer_list<std::string_view> argv) {
  std::vector<std::string_view> v(argv);
  return analysis::compiler_step(v);
}

TEST(UnitCompilerStep, DriverNames) {
  for (std::string_view name : {"gcc", "cc", "g++", "c++", "clang", "clang++", "/usr/bin/gcc", "gcc-12",
                                "x86_64-linux-gnu-gcc-12", "x86_64-linux-gnu-g++", "/usr/bin/clang++-14",
                                "clang-14", "arm-none-eabi-gcc", "g++-12.2", "gcc12"})
    EXPECT_EQ(analysis::compiler_tool(name), CompilerTool::driver) << name;
  for (std::string_view name : {"cc1", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1plus", "cc1obj", "lto1"})
    EXPECT_EQ(analysis::compiler_tool(name), CompilerTool::compiler) << name;
  for (std::string_view name : {"as", "/usr/bin/x86_64-linux-gnu-as"})
    EXPECT_EQ(analysis::compiler_tool(name), CompilerTool::assembler) << name;
  for (std::string_view name : {"/usr/lib/gcc/x86_64-linux-gnu/12/collect2", "ld", "/usr/bin/ld.bfd", "ld.gold",
                                "x86_64-linux-gnu-ld", "x86_64-linux-gnu-ld.bfd", "ld.lld", "mold"})
    EXPECT_EQ(analysis::compiler_tool(name), CompilerTool::linker) << name;
  for (std::string_view name : {"make", "sh", "gcc-ar", "x86_64-linux-gnu-gcc-ar-12", "gcc-nm-12", "clang-tidy",
                                "clang-format", "cpp", "clang-cpp", "ccache", "tcc", "ar", "ranlib", "cmake", ""})
    EXPECT_EQ(analysis::compiler_tool(name), CompilerTool::none) << name;
}

TEST(UnitCompilerStep, CompileOnlyWithOutput) {
  CompilerStep s = step({"gcc", "-O2", "-Wall", "-I", "include", "-DX=1", "-c", "-o", "obj/a.o", "src/a.c"});
  EXPECT_EQ(s.tool, CompilerTool::driver);
  EXPECT_EQ(s.action, DriverAction::compile);
  EXPECT_EQ(s.sources, Strings{"src/a.c"});
  EXPECT_EQ(s.inputs, Strings{"src/a.c"});
  EXPECT_EQ(s.output, "obj/a.o");
  EXPECT_TRUE(s.compiles());
  EXPECT_FALSE(s.links_only());
  EXPECT_FALSE(s.response_file);
  // Joined -o; no -o at all.
  EXPECT_EQ(step({"cc", "-c", "-oa.o", "a.c"}).output, "a.o");
  CompilerStep none = step({"cc", "-c", "a.c"});
  EXPECT_EQ(none.output, "");
  EXPECT_TRUE(none.compiles());
}

// What CMake's Makefile generator runs for GoogleTest.
TEST(UnitCompilerStep, CMakeCompileWithDepFile) {
  CompilerStep s = step({"/usr/bin/c++", "-I/tmp/g/googletest/include", "-I/tmp/g/googletest", "-O0", "-Wfatal-errors",
                         "-Wall", "-Wshadow", "-Wno-error=dangling-else", "-DGTEST_HAS_PTHREAD=1", "-fexceptions",
                         "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers", "-MD", "-MT",
                         "googletest/CMakeFiles/gtest.dir/src/gtest-all.cc.o", "-MF",
                         "CMakeFiles/gtest.dir/src/gtest-all.cc.o.d", "-o", "CMakeFiles/gtest.dir/src/gtest-all.cc.o",
                         "-c", "/tmp/g/googletest/src/gtest-all.cc"});
  EXPECT_EQ(s.action, DriverAction::compile);
  EXPECT_EQ(s.sources, Strings{"/tmp/g/googletest/src/gtest-all.cc"});
  EXPECT_EQ(s.output, "CMakeFiles/gtest.dir/src/gtest-all.cc.o");
  // -MD and -MMD take no value in the driver; -MF, -MT and -MQ do.
  CompilerStep mmd = step({"gcc", "-MMD", "-MP", "-MQ", "x.o", "-MF", "x.d", "-c", "x.c"});
  EXPECT_EQ(mmd.sources, Strings{"x.c"});
  EXPECT_EQ(mmd.inputs, Strings{"x.c"});
}

TEST(UnitCompilerStep, SeveralSourcesCompiledAndLinked) {
  CompilerStep s = step({"gcc", "-o", "prog", "main.c", "util.c", "lib/x.cpp", "old.o", "libz.a", "-lm", "-L", "lib"});
  EXPECT_EQ(s.action, DriverAction::link);
  EXPECT_EQ(s.sources, (Strings{"main.c", "util.c", "lib/x.cpp"}));
  EXPECT_EQ(s.inputs, (Strings{"main.c", "util.c", "lib/x.cpp", "old.o", "libz.a"}));
  EXPECT_EQ(s.output, "prog");
  EXPECT_TRUE(s.compiles());
  EXPECT_FALSE(s.links_only());
}

TEST(UnitCompilerStep, LinkOnly) {
  CompilerStep s = step({"/usr/bin/c++", "-O0", "CMakeFiles/t.dir/t.cc.o", "-o", "t", "lib/libgtest.a", "-pthread"});
  EXPECT_EQ(s.action, DriverAction::link);
  EXPECT_TRUE(s.sources.empty());
  EXPECT_EQ(s.inputs, (Strings{"CMakeFiles/t.dir/t.cc.o", "lib/libgtest.a"}));
  EXPECT_EQ(s.output, "t");
  EXPECT_TRUE(s.links_only());
  EXPECT_FALSE(s.compiles());
}

TEST(UnitCompilerStep, LanguageByOption) {
  // -x c makes any name a C source until -x none.
  CompilerStep s = step({"gcc", "-x", "c", "gen.inc", "-xc++", "t.tpl", "-x", "none", "a.o", "b.c", "-c"});
  EXPECT_EQ(s.sources, (Strings{"gen.inc", "t.tpl", "b.c"}));
  EXPECT_EQ(s.inputs, (Strings{"gen.inc", "t.tpl", "a.o", "b.c"}));
  // Standard input is an input, not a source file a tool could open again.
  CompilerStep stdin_source = step({"gcc", "-x", "c", "-c", "-", "-o", "x.o"});
  EXPECT_EQ(stdin_source.inputs, Strings{"-"});
  EXPECT_TRUE(stdin_source.sources.empty());
  EXPECT_FALSE(stdin_source.compiles());
}

TEST(UnitCompilerStep, PreprocessOnly) {
  EXPECT_EQ(step({"gcc", "-E", "a.c", "-o", "a.i"}).action, DriverAction::preprocess);
  EXPECT_FALSE(step({"gcc", "-E", "a.c"}).compiles());
  // -M and -MM imply -E, even with -c: gcc writes the rule and compiles nothing.
  EXPECT_EQ(step({"gcc", "-M", "a.c"}).action, DriverAction::preprocess);
  EXPECT_EQ(step({"gcc", "-c", "-MM", "-o", "a.d", "a.c"}).action, DriverAction::preprocess);
  EXPECT_FALSE(step({"gcc", "-c", "-MM", "a.c"}).compiles());
  // -MD/-MMD are side outputs of a real compile.
  EXPECT_EQ(step({"gcc", "-c", "-MD", "a.c"}).action, DriverAction::compile);
  // configure's `$CC -E conftest.c` (its CPP check).
  CompilerStep cpp = step({"gcc", "-E", "conftest.c"});
  EXPECT_EQ(cpp.sources, Strings{"conftest.c"});
  EXPECT_FALSE(cpp.compiles());
}

TEST(UnitCompilerStep, OtherActions) {
  EXPECT_EQ(step({"gcc", "-S", "a.c"}).action, DriverAction::assemble_only);
  EXPECT_TRUE(step({"gcc", "-S", "a.c"}).compiles());
  EXPECT_EQ(step({"clang", "-fsyntax-only", "a.c"}).action, DriverAction::syntax_only);
  EXPECT_TRUE(step({"clang", "-fsyntax-only", "a.c"}).compiles());
  EXPECT_EQ(step({"gcc", "-###", "-c", "a.c"}).action, DriverAction::query);
  EXPECT_FALSE(step({"gcc", "-###", "-c", "a.c"}).compiles());
  EXPECT_EQ(step({"gcc", "--version"}).action, DriverAction::query);
  EXPECT_EQ(step({"gcc", "-print-prog-name=cc1"}).action, DriverAction::query);
  EXPECT_EQ(step({"gcc", "-dumpmachine"}).action, DriverAction::query);
  // -v with something to compile still compiles.
  EXPECT_EQ(step({"gcc", "-v", "-c", "a.c"}).action, DriverAction::compile);
  // Assembler sources go through the driver too.
  EXPECT_EQ(step({"gcc", "-c", "start.S", "-o", "start.o"}).sources, Strings{"start.S"});
}

TEST(UnitCompilerStep, ResponseFileKeptUnread) {
  CompilerStep s = step({"g++", "@CMakeFiles/t.dir/includes_CXX.rsp", "-c", "t.cc", "-o", "t.o"});
  EXPECT_TRUE(s.response_file);
  EXPECT_EQ(s.sources, Strings{"t.cc"});
  EXPECT_EQ(s.inputs, Strings{"t.cc"});
  // Everything in the file: nothing seen.
  CompilerStep hidden = step({"gcc", "@args"});
  EXPECT_TRUE(hidden.response_file);
  EXPECT_TRUE(hidden.inputs.empty());
  EXPECT_FALSE(hidden.compiles());
}

TEST(UnitCompilerStep, CompilerProper) {
  CompilerStep s = step({"/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "-quiet", "-imultiarch", "x86_64-linux-gnu", "-MD",
                         "a.d", "-MF", "a.d", "-MQ", "a.o", "a.c", "-quiet", "-dumpbase", "a.c", "-dumpbase-ext", ".c",
                         "-mtune=generic", "-march=x86-64", "-fasynchronous-unwind-tables", "-o", "/tmp/ccfDnUgk.s"});
  EXPECT_EQ(s.tool, CompilerTool::compiler);
  EXPECT_EQ(s.sources, Strings{"a.c"});
  EXPECT_EQ(s.inputs, Strings{"a.c"});
  EXPECT_EQ(s.output, "/tmp/ccfDnUgk.s");
  EXPECT_FALSE(s.compiles());  // only a driver's compile counts
  // GCC before 11: -auxbase.
  CompilerStep old = step({"cc1plus", "-quiet", "-D_GNU_SOURCE", "x.cc", "-quiet", "-dumpbase", "x.cc", "-auxbase-strip",
                           "x.o", "-O2", "-o", "/tmp/ccA.s"});
  EXPECT_EQ(old.sources, Strings{"x.cc"});
  // clang runs itself as its compiler proper.
  CompilerStep cc1 = step({"/usr/lib/llvm-14/bin/clang", "-cc1", "-triple", "x86_64-pc-linux-gnu", "-emit-obj",
                           "-main-file-name", "a.c", "-o", "a.o", "-x", "c", "a.c"});
  EXPECT_EQ(cc1.tool, CompilerTool::compiler);
  EXPECT_FALSE(cc1.compiles());
  EXPECT_EQ(step({"/usr/lib/llvm-14/bin/clang", "-cc1as", "-o", "a.o", "a.s"}).tool, CompilerTool::assembler);
}

TEST(UnitCompilerStep, AssemblerAndLinker) {
  CompilerStep as = step({"as", "--64", "-o", "a.o", "/tmp/ccfDnUgk.s"});
  EXPECT_EQ(as.tool, CompilerTool::assembler);
  EXPECT_EQ(as.inputs, Strings{"/tmp/ccfDnUgk.s"});
  EXPECT_EQ(as.output, "a.o");
  EXPECT_FALSE(as.compiles());
  CompilerStep ld = step({"/usr/lib/gcc/x86_64-linux-gnu/12/collect2", "-plugin",
                          "/usr/lib/gcc/x86_64-linux-gnu/12/liblto_plugin.so",
                          "-plugin-opt=/usr/lib/gcc/x86_64-linux-gnu/12/lto-wrapper", "--build-id", "--eh-frame-hdr",
                          "-m", "elf_x86_64", "--hash-style=gnu", "--as-needed", "-dynamic-linker",
                          "/lib64/ld-linux-x86-64.so.2", "-pie", "-z", "now", "-o", "prog",
                          "/usr/lib/x86_64-linux-gnu/Scrt1.o", "-L/usr/lib/gcc/x86_64-linux-gnu/12", "a.o", "-lgcc",
                          "-lc", "/usr/lib/x86_64-linux-gnu/crtn.o"});
  EXPECT_EQ(ld.tool, CompilerTool::linker);
  EXPECT_EQ(ld.inputs, (Strings{"/usr/lib/x86_64-linux-gnu/Scrt1.o", "a.o", "/usr/lib/x86_64-linux-gnu/crtn.o"}));
  EXPECT_TRUE(ld.sources.empty());
  EXPECT_EQ(ld.output, "prog");
  EXPECT_FALSE(ld.compiles());
  EXPECT_FALSE(ld.links_only());  // a driver's word
}

TEST(UnitCompilerStep, UnderAWrapper) {
  CompilerStep s = step({"/usr/bin/ccache", "/usr/bin/c++", "-O2", "-c", "x.cc", "-o", "x.o"});
  EXPECT_EQ(s.tool, CompilerTool::driver);
  EXPECT_EQ(s.program, 1u);
  EXPECT_EQ(s.sources, Strings{"x.cc"});
  EXPECT_EQ(s.output, "x.o");
  EXPECT_TRUE(s.compiles());
  EXPECT_EQ(step({"distcc", "gcc", "-c", "a.c"}).program, 1u);
  EXPECT_EQ(step({"gcc", "-c", "a.c"}).program, 0u);
  // ccache's own options, or a wrapped non-compiler: nothing.
  EXPECT_EQ(step({"ccache", "-s"}).tool, CompilerTool::none);
  EXPECT_EQ(step({"ccache"}).tool, CompilerTool::none);
  EXPECT_EQ(step({"ccache", "make"}).tool, CompilerTool::none);
}

TEST(UnitCompilerStep, LtoIsNotASource) {
  // What lto-wrapper runs at an -flto link: -x lto inputs are objects.
  CompilerStep s = step({"gcc", "-xlto", "-c", "/tmp/ccA.ltrans0.o", "-o", "/tmp/ccA.ltrans0.ltrans.o"});
  EXPECT_TRUE(s.sources.empty());
  EXPECT_FALSE(s.compiles());
  EXPECT_EQ(step({"gcc", "-x", "assembler-with-cpp", "-c", "start.asm"}).sources, Strings{"start.asm"});
  EXPECT_EQ(step({"gcc", "-x", "c++-header", "pch.hpp"}).sources, Strings{"pch.hpp"});
}

TEST(UnitCompilerStep, NotACompiler) {
  CompilerStep s = step({"make", "-C", "build", "all.c"});
  EXPECT_EQ(s.tool, CompilerTool::none);
  EXPECT_TRUE(s.inputs.empty());
  EXPECT_EQ(analysis::compiler_step({}).tool, CompilerTool::none);
}

TEST(UnitCompilerStep, ConfigureProbes) {
  EXPECT_TRUE(analysis::is_configure_probe("conftest.c"));
  EXPECT_TRUE(analysis::is_configure_probe("conftest.cpp"));
  EXPECT_TRUE(analysis::is_configure_probe("/tmp/build/conftest.cc"));
  EXPECT_FALSE(analysis::is_configure_probe("conftest.o"));
  EXPECT_FALSE(analysis::is_configure_probe("myconftest.c"));
  EXPECT_FALSE(analysis::is_configure_probe("conftest_helper.c"));
  // config.guess (seen in GNU patch 2.7.6's and gzip 1.12's real configure).
  EXPECT_TRUE(analysis::is_configure_probe("/tmp/cgtWbqAB/dummy.c"));
  EXPECT_FALSE(analysis::is_configure_probe("dummy.c"));
  EXPECT_FALSE(analysis::is_configure_probe("src/dummy.c"));
}

TEST(UnitCompilerStep, SourceSuffixes) {
  for (std::string_view s : {"a.c", "a.cc", "a.cpp", "a.cxx", "a.C", "a.c++", "a.i", "a.ii", "a.m", "a.mm", "a.S", "a.s"})
    EXPECT_TRUE(analysis::is_source_file(s)) << s;
  for (std::string_view s : {"a.o", "a.a", "a.so", "a.h", "a", ".c", "dir.c/a", "a.d"})
    EXPECT_FALSE(analysis::is_source_file(s)) << s;
}

}  // namespace
}  // namespace ft::test
