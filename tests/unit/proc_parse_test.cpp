// The /proc parsers (host/proc.h) on the files' text, apart from reading
// them: what tests/fuzz/proc_fuzz.cpp runs on arbitrary bytes.
#include <gtest/gtest.h>

#include <string>

#include "host/proc.h"

namespace ft {
namespace {

TEST(UnitProcParse, Stat) {
  SeedProcess p;
  std::string stat = "123 (a (b) c) S 7 123 123 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 500 1000 10";
  ASSERT_TRUE(parse_proc_stat(stat, 123, p));
  EXPECT_EQ(p.pid, 123u);
  EXPECT_EQ(p.comm, "a (b) c");
  EXPECT_EQ(p.ppid, 7u);
  EXPECT_FALSE(p.zombie);
  EXPECT_EQ(p.start_ns, 500 * proc_tick_ns());
  EXPECT_FALSE(parse_proc_stat("123 (a) S 7", 123, p));
  EXPECT_FALSE(parse_proc_stat("", 123, p));
}

// Found by proc_fuzz: a stat ending at comm's ')' threw std::out_of_range
// (substr past the end), out of read_proc_processes() and so out of start-up.
TEST(UnitProcParse, StatEndingAtComm) {
  SeedProcess p;
  EXPECT_FALSE(parse_proc_stat("123 (a)", 123, p));
  EXPECT_FALSE(parse_proc_stat("123 (a) ", 123, p));
  EXPECT_FALSE(parse_proc_stat(")(", 123, p));
}

TEST(UnitProcParse, StatusCgroupCmdlineMounts) {
  SeedProcess p;
  parse_proc_status_creds("Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t100\t5\t5\t5\n", p);
  ASSERT_TRUE(p.has_creds);
  EXPECT_EQ(p.uid, 1000u);
  EXPECT_EQ(p.euid, 0u);
  EXPECT_EQ(p.gid, 100u);
  EXPECT_EQ(p.egid, 5u);
  SeedProcess none;
  parse_proc_status_creds("Uid:\t1\t1\t1\t1\n", none);
  EXPECT_FALSE(none.has_creds);
  EXPECT_EQ(parse_proc_cgroup_v2("1:name=systemd:/x\n0::/system.slice/a.service\n"),
            std::vector<std::string>{"/system.slice/a.service"});
  EXPECT_EQ(parse_proc_cmdline(std::string("ls\0-l\0", 6)), (std::vector<std::string>{"ls", "-l"}));
  EXPECT_EQ(parse_proc_cmdline(std::string("ls\0-l", 5)), (std::vector<std::string>{"ls", "-l"}));
  EXPECT_EQ(parse_cgroup2_mount("proc /proc proc rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n"), "/sys/fs/cgroup");
  EXPECT_EQ(parse_cgroup2_mount("proc /proc proc rw 0 0\n"), "");
}

}  // namespace
}  // namespace ft
