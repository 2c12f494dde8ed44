// Bad input ends with exactly one line on stderr and a non-zero status.
#include <unistd.h>

#include "run_command.h"

namespace ft::test {
namespace {

void expect_one_line_error(const Result& r, const std::string& needle, int code = -2) {
  if (code != -2) {
    EXPECT_EQ(r.exit_code(), code) << r.err;
  } else {
    EXPECT_NE(r.exit_code(), 0) << r.err;
  }
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("forktrace: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

TEST(Errors, UnknownOption) {
  expect_one_line_error(run({FORKTRACE_BIN, "--no-such-option"}), "--no-such-option", 2);
}

TEST(Errors, BadFormat) { expect_one_line_error(run({FORKTRACE_BIN, "--format", "xml"}), "xml", 2); }

TEST(Errors, NothingAfterDoubleDash) { expect_one_line_error(run({FORKTRACE_BIN, "--"}), "command", 2); }

TEST(Errors, MissingRecording) {
  expect_one_line_error(run({FORKTRACE_BIN, "-r", "/nonexistent/trace.ftrace"}), "No such file or directory", 1);
}

TEST(Errors, NotARecording) {
  expect_one_line_error(run({FORKTRACE_BIN, "-r", "/etc/hostname"}), "not a forktrace recording", 1);
}

TEST(Errors, PidThatDoesNotExist) {
  FT_REQUIRE_ROOT();
  expect_one_line_error(run({FORKTRACE_BIN, "-p", "4000000"}), "no such process", 1);
}

TEST(Errors, CommandThatDoesNotExist) {
  FT_REQUIRE_ROOT();
  expect_one_line_error(run({FORKTRACE_BIN, "-q", "--", "/nonexistent/cmd"}), "cannot run", 127);
}

TEST(Errors, UnprivilegedLiveTracing) {
  FT_REQUIRE_ROOT();  // to switch to an unprivileged user
  Result r = run_as_nobody({FORKTRACE_BIN});
  expect_one_line_error(r, "needs root", 1);
  // Replay needs no privileges at all.
  Result replay = run_as_nobody({FORKTRACE_BIN, "-r", "/nonexistent"});
  expect_one_line_error(replay, "cannot read", 1);
}

}  // namespace
}  // namespace ft::test
