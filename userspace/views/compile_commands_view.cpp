#include "views/compile_commands_view.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "analysis/compiler_step.h"

namespace ft {

CompileCommandsView::CompileCommandsView(std::FILE* out, ViewOptions options, const TraceStore* store)
    : out_(out), options_(options), store_(store, options.scope) {}

void CompileCommandsView::on_event(const Event& e, const Process& p) { store_.on_event(e, p); }

void CompileCommandsView::on_lost(const Event& e) { store_.on_lost(e); }

void CompileCommandsView::finish() {
  using Json = nlohmann::ordered_json;
  const analysis::Trace& t = store_.trace();
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
  std::vector<std::string_view> argv;
  for (const analysis::Step& s : t.steps) {
    if (s.context || s.argv.count == 0 || s.argv_truncated || s.cwd == 0) continue;
    const analysis::ArgvView view = t.argv(s);
    argv.assign(view.begin(), view.end());
    const analysis::CompilerStep step = analysis::compiler_step(argv);
    if (step.tool != analysis::CompilerTool::driver || step.sources.empty()) continue;
    if (!step.compiles() && !(options_.compile_commands_all && step.action == analysis::DriverAction::preprocess))
      continue;
    for (std::string_view source : step.sources) {
      if (!options_.compile_commands_all && analysis::is_configure_probe(source)) continue;
      Json entry;
      entry["directory"] = t.str(s.cwd);
      entry["file"] = source;
      entry["arguments"] = argv;
      if (!step.output.empty()) entry["output"] = step.output;
      emit(entry);
    }
  }
  std::fputs(first ? "[]\n" : "\n]\n", out_);
  std::fflush(out_);
}

}  // namespace ft
