// What a compiler toolchain's command line says: whether a program is a
// compiler driver (gcc, cc, g++, c++, clang, clang++, with a target triplet
// prefix or a version suffix: x86_64-linux-gnu-gcc-12), a compiler proper
// (cc1, cc1plus), an assembler (as) or a linker (collect2, ld); what it does
// (a driver: compile, preprocess only, link only...); its input files, the
// source files among them, and its -o output. The one place that reads a
// compiler's argv: the compile-commands export and the build report's
// `inputs`/`output` use it. Pure: no file is read, so a response file's
// (`@file`) contents are not seen (`response_file` says there was one).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace ft::analysis {

enum class CompilerTool : uint8_t {
  none,       // not a compiler toolchain program
  driver,     // gcc, cc, g++, c++, clang, clang++ (and triplet/versioned names)
  compiler,   // the compiler proper the driver runs: cc1, cc1plus, cc1obj, cc1objplus, lto1
  assembler,  // as
  linker,     // collect2, ld, ld.bfd, ld.gold, ld.lld, mold
};

// What a driver was asked to do, from its options, as gcc decides it.
enum class DriverAction : uint8_t {
  link,           // no -c, -S, -E: compile any sources, then link (link only when there are none)
  compile,        // -c: to object files
  assemble_only,  // -S: to assembler source
  syntax_only,    // -fsyntax-only: check, write nothing
  preprocess,     // -E, or -M/-MM (which imply -E in gcc and clang, even with -c)
  query,          // -### (prints the commands, runs nothing), -dump*/-print-* and --version without inputs
};

struct CompilerStep {
  CompilerTool tool = CompilerTool::none;
  DriverAction action = DriverAction::link;      // drivers only
  std::vector<std::string_view> inputs;          // every input file, as written (sources, objects, archives)
  std::vector<std::string_view> sources;         // the inputs in a source language (by -x or by suffix)
  std::string_view output;                       // -o's value (the last one); "" when not given
  bool response_file = false;                    // an @file argument: more inputs may be in it
  // Where the toolchain program's own argv begins: 0, or 1 under a compiler
  // wrapper that runs it (`ccache gcc -c a.c`, also sccache, distcc, icecc).
  size_t program = 0;

  // A driver that compiled source files (to objects, to assembler, a syntax
  // check, or on its way to a link).
  bool compiles() const;
  // A driver that only linked: inputs, none of them a source.
  bool links_only() const;
};

// What kind of program a name is: the basename of the program as run
// ("/usr/bin/x86_64-linux-gnu-gcc-12" → driver).
CompilerTool compiler_tool(std::string_view program);

// argv[0] names the program (compiler_tool() of its basename); the rest is read
// as that program reads it. A wrapper (ccache, sccache, distcc, icecc) followed
// by a toolchain program is read as that program (`program` 1). Anything else:
// tool `none`.
CompilerStep compiler_step(std::span<const std::string_view> argv);

// Whether a file name has a suffix gcc compiles as a source language (C, C++,
// Objective-C/C++, preprocessed C/C++, assembler).
bool is_source_file(std::string_view path);

// configure's probes: conftest.c, conftest.cpp, conftest.cc ... (autoconf's
// conftest.$ac_ext), in any directory, and config.guess's dummy.c in the
// cgXXXXXX directory it makes.
bool is_configure_probe(std::string_view source);

}  // namespace ft::analysis
