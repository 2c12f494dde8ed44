// The command line parsed once into typed values (app/options.h), and the
// table of views (app/view_table.h) that --format, --help and make_views read.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/filters.h"
#include "app/options.h"
#include "app/view_table.h"

namespace ft {
namespace {

std::optional<int> parse(std::vector<std::string> args, Options& o) {
  args.insert(args.begin(), "forktrace");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return parse_options(static_cast<int>(argv.size()), argv.data(), o);
}

TEST(UnitOptions, CompileCommands) {
  Options o;
  ASSERT_EQ(parse({"-r", "x", "--format", "compile-commands", "-o", "cc.json", "--compile-commands-all"}, o),
            std::nullopt);
  EXPECT_EQ(o.format, Format::compile_commands);
  EXPECT_TRUE(o.compile_commands_all);
  EXPECT_TRUE(view_kind(Format::compile_commands).reads_store);
  Options plain;
  ASSERT_EQ(parse({"-r", "x", "--format", "compile-commands"}, plain), std::nullopt);
  EXPECT_FALSE(plain.compile_commands_all);
  Options wrong;
  testing::internal::CaptureStderr();
  EXPECT_EQ(parse({"-r", "x", "--compile-commands-all"}, wrong), 2);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("--compile-commands-all applies to --format compile-commands"),
            std::string::npos);
}

TEST(UnitOptions, Perfetto) {
  Options o;
  ASSERT_EQ(parse({"-r", "x", "--format", "perfetto", "-o", "t.pftrace"}, o), std::nullopt);
  EXPECT_EQ(o.format, Format::perfetto);
  EXPECT_TRUE(view_kind(Format::perfetto).reads_store);
  EXPECT_TRUE(view_kind(Format::perfetto).history) << "a slice per program needs every program a process ran";
  Options with_summary;
  testing::internal::CaptureStderr();
  EXPECT_EQ(parse({"-r", "x", "--format", "perfetto", "-o", "t.pftrace", "--summary"}, with_summary), 2);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("--summary cannot share its output"), std::string::npos);
}

TEST(UnitOptions, ChoicesBecomeTypedValues) {
  Options o;
  ASSERT_EQ(parse({"-r", "x", "--format", "chrome", "--color", "never", "--exec-failures-hook", "sys_exit"}, o),
            std::nullopt);
  EXPECT_EQ(o.format, Format::chrome);
  EXPECT_TRUE(o.format_given);
  EXPECT_EQ(o.color, ColorChoice::never);
  EXPECT_EQ(o.exec_failures, ExecFailureHook::sys_exit);

  Options defaults;
  ASSERT_EQ(parse({"-r", "x"}, defaults), std::nullopt);
  EXPECT_EQ(defaults.format, Format::text);
  EXPECT_FALSE(defaults.format_given);
  EXPECT_EQ(defaults.color, ColorChoice::automatic);
  EXPECT_EQ(defaults.exec_failures, ExecFailureHook::automatic);

  Options off;
  ASSERT_EQ(parse({"-r", "x", "--exec-failures-hook", "tracepoint", "--no-exec-failures"}, off), std::nullopt);
  EXPECT_EQ(off.exec_failures, ExecFailureHook::off);

  Options bad;
  EXPECT_EQ(parse({"-r", "x", "--format", "JSON"}, bad), 2);  // names are exact, as they always were
}

TEST(UnitViewTable, EveryFormatHasOneEntryByItsOwnName) {
  std::set<std::string> names;
  for (const ViewKind& kind : view_kinds()) {
    EXPECT_TRUE(names.insert(kind.name).second) << kind.name;
    EXPECT_EQ(&view_kind(kind.format), &kind) << kind.name;
    EXPECT_NE(kind.make, nullptr) << kind.name;
    EXPECT_TRUE(kind.reads_store || !kind.history) << kind.name;
    Options o;
    ASSERT_EQ(parse({"-r", "x", "--format", kind.name}, o), std::nullopt) << kind.name;
    EXPECT_EQ(o.format, kind.format);
  }
  EXPECT_EQ(names.size(), 8u);
}

// Found by options_fuzz: an argument holding a newline made the error two
// lines. Control characters of the arguments an error quotes are escaped.
TEST(UnitOptions, ErrorIsOneLineWhateverTheArguments) {
  std::vector<std::string> args = {"forktrace", "-r", "t.ftrace", "--f-\n-max-depth", "6"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  Options o;
  std::ostringstream out, err;
  EXPECT_EQ(parse_options(static_cast<int>(argv.size()), argv.data(), o, out, err), 2);
  std::string line = err.str();
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  EXPECT_NE(line.find("--f-\\x0a-max-depth"), std::string::npos) << line;
  EXPECT_TRUE(out.str().empty());

  std::vector<std::string> mode = {"forktrace", "--file-mode", "06\x1b[2J40"};
  argv.clear();
  for (std::string& a : mode) argv.push_back(a.data());
  Options m;
  std::ostringstream out2, err2;
  EXPECT_EQ(parse_options(static_cast<int>(argv.size()), argv.data(), m, out2, err2), 2);
  EXPECT_NE(err2.str().find("'06\\x1b[2J40'"), std::string::npos) << err2.str();
  EXPECT_EQ(err2.str().find('\x1b'), std::string::npos);
}

// --help goes to the stream given, not standard output: the fuzzer parses
// every word without printing or exiting.
TEST(UnitOptions, HelpToTheStreamGiven) {
  std::vector<std::string> args = {"forktrace", "--help"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  Options o;
  std::ostringstream out, err;
  testing::internal::CaptureStdout();
  EXPECT_EQ(parse_options(static_cast<int>(argv.size()), argv.data(), o, out, err), 0);
  EXPECT_TRUE(testing::internal::GetCapturedStdout().empty());
  EXPECT_NE(out.str().find("--format"), std::string::npos);
}

// --cgroup PATH: the cgroup itself and those below it, never a sibling that
// shares its prefix; an empty path (options refuse it) matches nothing.
TEST(UnitCgroupFilter, WithinThePathAndBelowIt) {
  EXPECT_TRUE(cgroup_within("/ci/job-42", "/ci/job-42"));
  EXPECT_TRUE(cgroup_within("/ci/job-42/step", "/ci/job-42/"));
  EXPECT_FALSE(cgroup_within("/ci/job-420", "/ci/job-42"));
  EXPECT_TRUE(cgroup_within("/anything", "/"));
  EXPECT_FALSE(cgroup_within("", "/"));
  EXPECT_FALSE(cgroup_within("/ci", ""));
  EXPECT_FALSE(cgroup_within("", ""));
}

}  // namespace
}  // namespace ft
