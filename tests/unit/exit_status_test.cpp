#include <gtest/gtest.h>

#include "core/exit_status.h"

namespace ft {
namespace {

TEST(ExitStatus, NormalExit) {
  ExitStatus s = decode_wait_status(3 << 8);
  EXPECT_EQ(s.exit_code, 3);
  EXPECT_FALSE(s.signal);
  EXPECT_TRUE(s.failed());
  EXPECT_EQ(describe(s), "exit 3");
  EXPECT_EQ(shell_status(s), 3);
}

TEST(ExitStatus, ZeroIsSuccess) {
  ExitStatus s = decode_wait_status(0);
  EXPECT_EQ(s.exit_code, 0);
  EXPECT_FALSE(s.failed());
  EXPECT_EQ(describe(s), "exit 0");
}

TEST(ExitStatus, KilledBySignal) {
  ExitStatus s = decode_wait_status(9);
  EXPECT_FALSE(s.exit_code);
  EXPECT_EQ(s.signal, 9);
  EXPECT_FALSE(s.core_dumped);
  EXPECT_TRUE(s.failed());
  EXPECT_EQ(describe(s), "killed by SIGKILL");
  EXPECT_EQ(shell_status(s), 137);
}

TEST(ExitStatus, CoreDump) {
  ExitStatus s = decode_wait_status(11 | 0x80);
  EXPECT_EQ(s.signal, 11);
  EXPECT_TRUE(s.core_dumped);
  EXPECT_EQ(describe(s), "SIGSEGV (core dumped)");
}

TEST(ExitStatus, Exit255) {
  EXPECT_EQ(decode_wait_status(255 << 8).exit_code, 255);
}

TEST(ExitStatus, UnnamedSignal) { EXPECT_EQ(signal_name(63), "SIG63"); }

}  // namespace
}  // namespace ft
