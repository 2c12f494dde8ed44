#include "analysis/compiler_step.h"

#include <algorithm>
#include <array>

namespace ft::analysis {
namespace {

std::string_view basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "gcc-12" → "gcc", "clang++-14.0.6" → "clang++", "gcc12" → "gcc": a trailing
// version, with or without a dash, as Debian's and upstream's names have it.
std::string_view without_version(std::string_view name) {
  size_t end = name.size();
  while (end > 0 && (is_digit(name[end - 1]) || name[end - 1] == '.')) --end;
  if (end == name.size() || end == 0 || !is_digit(name[end])) return name;
  if (name[end - 1] == '-') --end;
  return end == 0 ? name : name.substr(0, end);
}

// "x86_64-linux-gnu-gcc" → "gcc": a cross or multiarch triplet before the name.
std::string_view without_triplet(std::string_view name) {
  size_t dash = name.rfind('-');
  return dash == std::string_view::npos || dash == 0 ? name : name.substr(dash + 1);
}

template <size_t N>
bool one_of(std::string_view s, const std::array<std::string_view, N>& names) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

constexpr std::array<std::string_view, 6> kDrivers = {"gcc", "g++", "cc", "c++", "clang", "clang++"};
constexpr std::array<std::string_view, 5> kCompilers = {"cc1", "cc1plus", "cc1obj", "cc1objplus", "lto1"};
constexpr std::array<std::string_view, 4> kWrappers = {"ccache", "sccache", "distcc", "icecc"};
// The -x languages gcc and clang compile from source (not `lto`, `ir`, `none`).
constexpr std::array<std::string_view, 18> kSourceLanguages = {
    "c", "c++", "c-header", "c++-header", "c++-system-header", "c++-user-header", "cpp-output", "c++-cpp-output",
    "objective-c", "objective-c++", "objective-c-header", "objective-c++-header", "objc-cpp-output",
    "objc++-cpp-output", "objective-c-cpp-output", "objective-c++-cpp-output", "assembler", "assembler-with-cpp"};
constexpr std::array<std::string_view, 7> kLinkers = {"collect2", "ld", "ld.bfd", "ld.gold", "ld.lld", "lld", "mold"};

// Options whose value is the next argument when given alone ("-I dir"); their
// joined forms ("-Idir", "--param=x") are one argument.
constexpr std::array<std::string_view, 43> kDriverSeparate = {
    "-o", "-x", "-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros", "-iprefix", "-iwithprefix",
    "-iwithprefixbefore", "-isysroot", "-imultilib", "-imultiarch", "-D", "-U", "-A", "-L", "-l", "-MF", "-MT",
    "-MQ", "-MJ", "-Xlinker", "-Xassembler", "-Xpreprocessor", "-Xclang", "-mllvm", "-aux-info", "--param", "-T",
    "-u", "-e", "-z", "-target", "--sysroot", "-arch", "-B", "-dumpbase", "-dumpbase-ext", "-dumpdir", "-G",
    "--output"};
// cc1 also takes these with a value: the driver passes `-MD FILE` (its spec's
// `%{MD:-MD %{!o:%b.d}%{o*:%.d%*}}`), `-auxbase` before GCC 11.
constexpr std::array<std::string_view, 5> kCompilerSeparate = {"-MD", "-MMD", "-auxbase", "-auxbase-strip",
                                                               "-main-file-name"};
constexpr std::array<std::string_view, 4> kAssemblerSeparate = {"-o", "-I", "--defsym", "-march"};
constexpr std::array<std::string_view, 25> kLinkerSeparate = {
    "-o", "-plugin", "-m", "-dynamic-linker", "-z", "-L", "-l", "-T", "-e", "-u", "-soname", "-h", "-rpath",
    "-rpath-link", "-y", "-Y", "-Map", "--version-script", "--dynamic-list", "-b", "-a", "-F", "-f", "-P",
    "--sysroot"};

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool takes_value(CompilerTool tool, std::string_view arg) {
  switch (tool) {
    case CompilerTool::driver:
      return one_of(arg, kDriverSeparate);
    case CompilerTool::compiler:
      return one_of(arg, kDriverSeparate) || one_of(arg, kCompilerSeparate);
    case CompilerTool::assembler:
      return one_of(arg, kAssemblerSeparate);
    case CompilerTool::linker:
      return one_of(arg, kLinkerSeparate);
    case CompilerTool::none:
      break;
  }
  return false;
}

// A driver option that asks only for information when there is nothing to compile.
bool is_query_option(std::string_view arg) {
  return arg == "--version" || arg == "--help" || arg == "-v" || arg == "-dumpversion" || arg == "-dumpfullversion" ||
         arg == "-dumpmachine" || arg == "-dumpspecs" || starts_with(arg, "-print-") || starts_with(arg, "--print-");
}

}  // namespace

bool CompilerStep::compiles() const {
  return tool == CompilerTool::driver && !sources.empty() && action != DriverAction::preprocess &&
         action != DriverAction::query;
}

bool CompilerStep::links_only() const {
  return tool == CompilerTool::driver && action == DriverAction::link && !inputs.empty() && sources.empty();
}

CompilerTool compiler_tool(std::string_view program) {
  std::string_view name = basename(program);
  if (one_of(name, kCompilers)) return CompilerTool::compiler;
  std::string_view bare = without_triplet(without_version(name));
  if (one_of(bare, kDrivers)) return CompilerTool::driver;
  if (name == "as" || bare == "as") return CompilerTool::assembler;
  if (one_of(name, kLinkers) || one_of(without_triplet(name), kLinkers)) return CompilerTool::linker;
  return CompilerTool::none;
}

bool is_source_file(std::string_view path) {
  static constexpr std::array<std::string_view, 20> kSuffixes = {
      ".c",  ".i",   ".ii", ".cc",  ".cp", ".cxx", ".cpp", ".CPP", ".c++", ".C",
      ".m",  ".mi",  ".mm", ".M",   ".mii", ".s",  ".S",   ".sx",  ".cppm", ".ixx"};
  std::string_view name = basename(path);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  return one_of(name.substr(dot), kSuffixes);
}

bool is_configure_probe(std::string_view source) {
  std::string_view name = basename(source);
  if (starts_with(name, "conftest.") && is_source_file(name)) return true;
  // config.guess compiles $tmp/dummy.c in a directory it made: ${TMPDIR}/cgXXXXXX.
  if (name != "dummy.c" || name.size() == source.size()) return false;
  std::string_view dir = source.substr(0, source.size() - name.size() - 1);
  return starts_with(basename(dir), "cg");
}

CompilerStep compiler_step(std::span<const std::string_view> argv) {
  CompilerStep step;
  if (argv.empty()) return step;
  if (one_of(basename(argv[0]), kWrappers)) {
    if (argv.size() < 2 || compiler_tool(argv[1]) == CompilerTool::none) return step;
    step = compiler_step(argv.subspan(1));
    step.program = 1;
    return step;
  }
  step.tool = compiler_tool(argv[0]);
  // clang runs itself as its compiler proper and its assembler.
  if (step.tool == CompilerTool::driver && argv.size() > 1) {
    if (argv[1] == "-cc1") step.tool = CompilerTool::compiler;
    else if (argv[1] == "-cc1as") step.tool = CompilerTool::assembler;
  }
  if (step.tool == CompilerTool::none) return step;
  bool driver = step.tool == CompilerTool::driver;
  bool preprocess = false, assemble_only = false, compile = false, syntax_only = false, dry_run = false;
  bool query_option = false;
  std::string_view language;  // -x's, "" for "by suffix"
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string_view arg = argv[i];
    if (arg.empty()) continue;
    if (arg[0] == '@' && arg.size() > 1) {
      step.response_file = true;
      continue;
    }
    if (arg[0] != '-' || arg == "-") {  // an input ("-": standard input)
      step.inputs.push_back(arg);
      bool source = step.tool == CompilerTool::compiler || step.tool == CompilerTool::assembler ||
                    (driver && (language.empty() ? is_source_file(arg) : one_of(language, kSourceLanguages)));
      if (source && arg != "-") step.sources.push_back(arg);
      continue;
    }
    if (takes_value(step.tool, arg)) {
      std::string_view value = i + 1 < argv.size() ? argv[++i] : std::string_view{};
      if (arg == "-o" || arg == "--output") step.output = value;
      if (driver && arg == "-x") language = value == "none" ? std::string_view{} : value;
      continue;
    }
    if (starts_with(arg, "-o") && arg != "-o") {
      step.output = arg.substr(2);
      continue;
    }
    if (starts_with(arg, "--output=")) {
      step.output = arg.substr(9);
      continue;
    }
    if (!driver) continue;
    if (starts_with(arg, "-x")) {
      language = arg.substr(2) == "none" ? std::string_view{} : arg.substr(2);
    } else if (arg == "-E" || arg == "-M" || arg == "-MM") {
      preprocess = true;
    } else if (arg == "-S") {
      assemble_only = true;
    } else if (arg == "-c") {
      compile = true;
    } else if (arg == "-fsyntax-only") {
      syntax_only = true;
    } else if (arg == "-###") {
      dry_run = true;
    } else if (is_query_option(arg)) {
      query_option = true;
    }
  }
  if (driver) {
    if (dry_run || (query_option && step.inputs.empty())) step.action = DriverAction::query;
    else if (preprocess) step.action = DriverAction::preprocess;
    else if (syntax_only) step.action = DriverAction::syntax_only;
    else if (assemble_only) step.action = DriverAction::assemble_only;
    else if (compile) step.action = DriverAction::compile;
    else step.action = DriverAction::link;
  }
  return step;
}

}  // namespace ft::analysis
