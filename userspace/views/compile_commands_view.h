// `--format compile-commands`: a JSON compilation database
// (compile_commands.json, https://clang.llvm.org/docs/JSONCompilationDatabase.html)
// written when the trace ends, live or on replay, byte for byte the same.
// One entry per source file a compiler driver compiled (analysis/compiler_step.h
// reads the argv): `directory` (the driver's cwd at its exec), `file` (the
// source as written in argv), `arguments` (the driver's argv exactly as it ran,
// `@file` response files unexpanded), `output` (its -o, where given). Left out
// unless `all`: preprocess-only runs (-E, -M, -MM) and configure's probes
// (conftest.c ...). Always left out: link-only runs (no source), queries
// (--version, -###), the compiler proper (cc1, cc1plus, clang -cc1), as and
// collect2/ld, a driver below another driver or a wrapper's (ccache's own
// compiler runs), and a driver whose argv was truncated or whose cwd is
// unknown (a recording before format version 3): its entry would be wrong.
// Under a wrapper (ccache gcc ...) the arguments start at the compiler.
#pragma once

#include <cstdio>

#include "views/trace_store.h"
#include "views/view_options.h"

namespace ft {

class CompileCommandsView : public EndOfTraceView {
 public:
  // `store`: the run's shared store (views/trace_store.h); null: its own.
  CompileCommandsView(std::FILE* out, ViewOptions options, const TraceStore* store = nullptr);
  void finish() override;

 private:
  std::FILE* out_;
  ViewOptions options_;
};

}  // namespace ft
