// Bad input ends with exactly one line on stderr and a non-zero status.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

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

// A kernel without BTF, or with BTF but no BPF ring buffer (5.4 to 5.7), is
// refused in one line naming what is missing and the kernel that has it.
// --test-kernel-btf points the check at another file, as if it were the kernel's.
TEST(Errors, KernelWithoutBtf) {
  FT_REQUIRE_ROOT();  // the check comes after the privilege check
  Result r = run({FORKTRACE_BIN, "--test-kernel-btf", "/nonexistent/vmlinux", "--", "true"});
  expect_one_line_error(r, "this kernel has no BTF (/nonexistent/vmlinux is missing)", 1);
  EXPECT_NE(r.err.find("Linux 5.8 or later built with CONFIG_DEBUG_INFO_BTF=y"), std::string::npos) << r.err;
}

TEST(Errors, KernelWithoutRingBuffer) {
  FT_REQUIRE_ROOT();
  // Raw BTF holding one type, int, and so no enum bpf_map_type with
  // BPF_MAP_TYPE_RINGBUF: what the check sees on a kernel before 5.8.
  const unsigned char btf[] = {
      0x9f, 0xeb, 1, 0,                     // magic, version 1, flags
      24, 0, 0, 0,                          // hdr_len
      0, 0, 0, 0, 16, 0, 0, 0,              // type_off, type_len
      16, 0, 0, 0, 5, 0, 0, 0,              // str_off, str_len
      1, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0,   // "int": name_off 1, BTF_KIND_INT, size 4
      0x20, 0, 0, 0x01,                     // signed, 32 bits
      0, 'i', 'n', 't', 0};
  std::string path = temp_path("no-ringbuf.btf");
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_TRUE(f);
  ASSERT_EQ(std::fwrite(btf, 1, sizeof btf, f), sizeof btf);
  std::fclose(f);
  Result r = run({FORKTRACE_BIN, "--test-kernel-btf", path, "--", "true"});
  unlink(path.c_str());
  expect_one_line_error(r, "this kernel has no BPF ring buffer", 1);
  EXPECT_NE(r.err.find("BPF_MAP_TYPE_RINGBUF): forktrace needs Linux 5.8 or later"), std::string::npos) << r.err;
  // The kernel's own BTF passes the same check (and is what it reads by default).
  Result ok = run({FORKTRACE_BIN, "--test-kernel-btf", "/sys/kernel/btf/vmlinux", "-q", "--", "true"});
  EXPECT_EQ(ok.exit_code(), 0) << ok.err;
}

TEST(Errors, UnprivilegedLiveTracing) {
  FT_REQUIRE_ROOT();  // to switch to an unprivileged user
  // A copy nobody can run, wherever the build tree is (a clone under a 0700
  // directory, such as mktemp -d's, is out of nobody's reach).
  const std::string bin = temp_path("forktrace");
  std::filesystem::copy_file(FORKTRACE_BIN, bin, std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(chmod(bin.c_str(), 0755), 0);
  Result r = run_as_nobody({bin});
  expect_one_line_error(r, "needs root", 1);
  // Replay needs no privileges at all.
  Result replay = run_as_nobody({bin, "-r", "/nonexistent"});
  expect_one_line_error(replay, "cannot read", 1);
  std::filesystem::remove(bin);
}

}  // namespace
}  // namespace ft::test
