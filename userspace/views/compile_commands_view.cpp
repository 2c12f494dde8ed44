#include "views/compile_commands_view.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "analysis/compiler_step.h"

namespace ft {

CompileCommandsView::CompileCommandsView(std::FILE* out, ViewOptions options, const TraceStore* store)
    : EndOfTraceView(store, options.scope), out_(out), options_(options) {}

void CompileCommandsView::finish() {
  using Json = nlohmann::ordered_json;
  const analysis::Trace& t = trace();
  // Each entry is written as soon as it is made, not gathered into one JSON
  // tree of the whole database first (a build of 80,000 compiles would hold
  // its argvs twice); the bytes are those of the whole array's dump(2).
  bool first = true;
  auto emit = [&](const Json& entry) {
    // Bytes that are not UTF-8 (argv is bytes) become U+FFFD: the file stays JSON.
    std::string text = entry.dump(2, ' ', false, Json::error_handler_t::replace);
    std::string indented = first ? "[\n  " : ",\n  ";
    first = false;
    for (char c : text) {
      indented += c;
      if (c == '\n') indented += "  ";  // a JSON string holds no raw newline
    }
    std::fwrite(indented.data(), 1, indented.size(), out_);
  };
  // Whether a step runs a compiler driver, directly or under a wrapper
  // (ccache gcc ...): a driver below another one is the same compile seen
  // again (the compiler ccache runs, the real gcc behind ccache's `gcc`
  // symlink, the gcc that lto-wrapper runs at an -flto link), never an entry.
  std::vector<std::string_view> argv;
  auto read = [&](const analysis::Step& s) {
    const analysis::ArgvView view = t.argv(s);
    argv.assign(view.begin(), view.end());
    return analysis::compiler_step(argv);
  };
  std::vector<bool> driver(t.steps.size());
  for (size_t i = 0; i < t.steps.size(); ++i) {
    const analysis::Step& s = t.steps[i];
    if (s.context || s.argv.count == 0) continue;
    const analysis::ArgvView view = t.argv(s);
    std::string_view program = view[0];
    if (view.size() > 1 && analysis::compiler_tool(program) == analysis::CompilerTool::none) program = view[1];
    driver[i] = analysis::compiler_tool(program) == analysis::CompilerTool::driver && read(s).tool == analysis::CompilerTool::driver;
  }
  auto below_a_driver = [&](const analysis::Step& s) {
    for (uint32_t up = s.parent; up != analysis::kNone; up = t.steps[up].parent)
      if (driver[up]) return true;
    return false;
  };
  for (size_t i = 0; i < t.steps.size(); ++i) {
    const analysis::Step& s = t.steps[i];
    if (!driver[i] || s.argv_truncated || s.cwd == 0 || below_a_driver(s)) continue;
    const analysis::CompilerStep step = read(s);
    if (step.sources.empty()) continue;
    if (!step.compiles() && !(options_.compile_commands_all && step.action == analysis::DriverAction::preprocess))
      continue;
    const std::vector<std::string_view> arguments(argv.begin() + static_cast<std::ptrdiff_t>(step.program), argv.end());
    for (std::string_view source : step.sources) {
      if (!options_.compile_commands_all && analysis::is_configure_probe(source)) continue;
      Json entry;
      entry["directory"] = t.str(s.cwd);
      entry["file"] = source;
      entry["arguments"] = arguments;
      if (!step.output.empty()) entry["output"] = step.output;
      emit(entry);
    }
  }
  std::fputs(first ? "[]\n" : "\n]\n", out_);
  std::fflush(out_);
}

}  // namespace ft
