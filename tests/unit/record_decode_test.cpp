// Kernel records to Events: every kind, and every malformed size rejected.
#include <gtest/gtest.h>

#include <cstring>

#include "core/decode.h"

extern "C" {
#include "forktrace.h"
}

namespace ft {
namespace {

std::string exec_bytes(const std::string& filename, const std::string& args, uint8_t flags = 0,
                       uint32_t old_tid = 42) {
  ft_exec_record r = {};
  r.head.ts_ns = 1000;
  r.head.kind = FT_RECORD_EXEC;
  r.start_ns = 900;
  r.pid = 42;
  r.tid = 42;
  r.old_tid = old_tid;
  r.ppid = 1;
  std::strcpy(r.comm, "make");
  r.filename_len = static_cast<uint16_t>(filename.size() + 1);
  r.args_len = static_cast<uint16_t>(args.size());
  r.flags = flags;
  r.head.size = static_cast<uint32_t>(sizeof r + filename.size() + 1 + args.size());
  std::string bytes(reinterpret_cast<const char*>(&r), sizeof r);
  bytes += filename;
  bytes += '\0';
  bytes += args;
  return bytes;
}

TEST(Decode, Fork) {
  ft_fork_record r = {};
  r.head = {500, FT_RECORD_FORK, sizeof r};
  r.child_start_ns = 490;
  r.parent_start_ns = 100;
  r.cgroup_id = 9;
  r.parent_pid = 10;
  r.parent_tid = 11;
  r.child_pid = 20;
  r.child_tid = 20;
  r.child_ppid = 10;
  std::memcpy(r.comm, "0123456789abcdef", 16);  // no NUL: exactly 16 bytes
  Event e;
  ASSERT_EQ(decode_record(&r, sizeof r, e), DecodeError::none);
  EXPECT_EQ(e.kind, EventKind::fork);
  EXPECT_FALSE(e.thread);
  EXPECT_EQ(e.pid, 20u);
  EXPECT_EQ(e.ppid, 10u);
  EXPECT_EQ(e.parent_tid, 11u);
  EXPECT_EQ(e.start_ns, 490u);
  EXPECT_EQ(e.parent_start_ns, 100u);
  EXPECT_EQ(e.cgroup_id, 9u);
  EXPECT_EQ(e.comm, "0123456789abcdef");

  r.flags = FT_FORK_THREAD;
  r.child_pid = 10;
  r.child_tid = 12;
  ASSERT_EQ(decode_record(&r, sizeof r, e), DecodeError::none);
  EXPECT_TRUE(e.thread);
  EXPECT_EQ(e.pid, 10u);
  EXPECT_EQ(e.tid, 12u);
  EXPECT_EQ(e.start_ns, 100u);  // a thread belongs to the parent's process
  EXPECT_EQ(e.thread_start_ns, 490u);
}

TEST(Decode, ExecArgv) {
  std::string args("make\0-j8\0all\0", 13);
  std::string bytes = exec_bytes("/usr/bin/make", args);
  Event e;
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  EXPECT_EQ(e.filename, "/usr/bin/make");
  EXPECT_EQ(e.argv, (std::vector<std::string>{"make", "-j8", "all"}));
  EXPECT_FALSE(e.argv_truncated);
  EXPECT_EQ(e.old_tid, 0u);  // the leader called exec
}

TEST(Decode, ExecTruncatedArgvAndNonLeader) {
  std::string args("gcc\0-c\0very-lo", 15);  // cut inside the last argument
  std::string bytes = exec_bytes("/usr/bin/gcc", args, FT_EXEC_ARGS_TRUNCATED, 43);
  Event e;
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  EXPECT_EQ(e.argv, (std::vector<std::string>{"gcc", "-c", "very-lo"}));
  EXPECT_TRUE(e.argv_truncated);
  EXPECT_EQ(e.old_tid, 43u);
}

TEST(Decode, ExecTailLongerThanRecordIsRejected) {
  std::string bytes = exec_bytes("/bin/true", std::string("true\0", 5));
  Event e;
  for (size_t cut = 0; cut < bytes.size(); ++cut)
    EXPECT_NE(decode_record(bytes.data(), cut, e), DecodeError::none) << cut;
  auto* r = reinterpret_cast<ft_exec_record*>(bytes.data());
  r->args_len = 60000;  // claims more than the record holds
  EXPECT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::bad_size);
}

TEST(Decode, ExitStatusFollowsTheKernelsWaitRule) {
  ft_exit_record r = {};
  r.head = {700, FT_RECORD_EXIT, sizeof r};
  r.pid = r.tid = 20;
  r.exit_code = 0;               // this thread's own code
  r.group_exit_code = 5 << 8;    // exit_group(5) from another thread
  r.flags = FT_EXIT_GROUP_DEAD | FT_EXIT_GROUP_EXIT;
  Event e;
  ASSERT_EQ(decode_record(&r, sizeof r, e), DecodeError::none);
  EXPECT_FALSE(e.thread);
  EXPECT_EQ(e.wait_status, 5u << 8);
  r.flags = FT_EXIT_GROUP_DEAD;  // a plain exit: the task's own code
  r.exit_code = 3 << 8;
  ASSERT_EQ(decode_record(&r, sizeof r, e), DecodeError::none);
  EXPECT_EQ(e.wait_status, 3u << 8);
  r.flags = 0;  // other threads live on
  ASSERT_EQ(decode_record(&r, sizeof r, e), DecodeError::none);
  EXPECT_TRUE(e.thread);
}

TEST(Decode, BadRecords) {
  Event e;
  uint8_t small[8] = {};
  EXPECT_EQ(decode_record(small, sizeof small, e), DecodeError::too_short);
  ft_record_head head = {1, 99, sizeof head};
  EXPECT_EQ(decode_record(&head, sizeof head, e), DecodeError::unknown_kind);
  head = {1, FT_RECORD_EXIT, sizeof head};  // an exit record's head alone
  EXPECT_EQ(decode_record(&head, sizeof head, e), DecodeError::bad_size);
  head.size = 4096;  // larger than the bytes given
  EXPECT_EQ(decode_record(&head, sizeof head, e), DecodeError::bad_size);
}

}  // namespace
}  // namespace ft
