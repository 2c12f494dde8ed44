// Kernel records (bpf/forktrace.h) built by hand, byte for byte, decoded into
// Events; and raw wait statuses decoded as wait(2) reads them. Every buffer a
// test hands to the decoder is a heap block of exactly the size it claims, so
// an over-read shows up under AddressSanitizer.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/decode.h"
#include "core/exit_status.h"

extern "C" {
#include "forktrace.h"
}

namespace ft {
namespace {

// Exactly `bytes.size()` bytes on the heap, nothing after them.
class Exact {
 public:
  explicit Exact(const std::string& bytes, size_t size) : size_(size), data_(new char[size ? size : 1]) {
    std::memcpy(data_.get(), bytes.data(), std::min(size, bytes.size()));
  }
  explicit Exact(const std::string& bytes) : Exact(bytes, bytes.size()) {}
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  size_t size_;
  std::unique_ptr<char[]> data_;
};

DecodeError decode(const std::string& bytes, Event& out) {
  Exact exact(bytes);
  return decode_record(exact.data(), exact.size(), out);
}

template <typename Record>
std::string bytes_of(const Record& r) {
  return std::string(reinterpret_cast<const char*>(&r), sizeof r);
}

void set_comm(char (&comm)[FT_COMM_LEN], const std::string& s) {
  std::memset(comm, 0, sizeof comm);
  std::memcpy(comm, s.data(), std::min(s.size(), sizeof comm));
}

ft_fork_record fork_record() {
  ft_fork_record r;
  std::memset(&r, 0, sizeof r);
  r.head.ts_ns = 5'000'000'123;
  r.head.kind = FT_RECORD_FORK;
  r.head.size = sizeof r;
  r.child_start_ns = 5'000'000'100;
  r.parent_start_ns = 1'000'000'000;
  r.cgroup_id = 4242;
  r.parent_pid = 100;
  r.parent_tid = 103;
  r.child_pid = 200;
  r.child_tid = 200;
  r.child_ppid = 100;
  set_comm(r.comm, "bash");
  return r;
}

ft_exit_record exit_record() {
  ft_exit_record r;
  std::memset(&r, 0, sizeof r);
  r.head.ts_ns = 9'000'000'000;
  r.head.kind = FT_RECORD_EXIT;
  r.head.size = sizeof r;
  r.start_ns = 6'000'000'000;
  r.process_start_ns = 5'000'000'000;
  r.cgroup_id = 77;
  r.pid = 200;
  r.tid = 200;
  r.ppid = 100;
  r.flags = FT_EXIT_GROUP_DEAD;
  set_comm(r.comm, "make");
  return r;
}

struct ExecSpec {
  std::string filename = "/usr/bin/gcc";
  bool filename_nul = true;
  std::string args = std::string("gcc\0-c\0x.c\0", 11);
  std::string env;
  uint8_t flags = 0;
  uint32_t pid = 300, tid = 300, old_tid = 300, ppid = 200;
  size_t padding = 0;  // bytes after the tail, as the BPF side's 8-byte rounding adds
};

std::string exec_bytes(const ExecSpec& s) {
  ft_exec_record r;
  std::memset(&r, 0, sizeof r);
  r.head.ts_ns = 7'000'000'000;
  r.head.kind = FT_RECORD_EXEC;
  r.start_ns = 6'500'000'000;
  r.cgroup_id = 31;
  r.pid = s.pid;
  r.tid = s.tid;
  r.old_tid = s.old_tid;
  r.ppid = s.ppid;
  set_comm(r.comm, "gcc");
  std::string tail = s.filename;
  if (s.filename_nul) tail += '\0';
  r.filename_len = static_cast<uint16_t>(tail.size());
  tail += s.args;
  r.args_len = static_cast<uint16_t>(s.args.size());
  tail += s.env;
  r.env_len = static_cast<uint16_t>(s.env.size());
  r.flags = s.flags;
  tail += std::string(s.padding, '\xAA');  // garbage the decoder must not read as argv
  r.head.size = static_cast<uint32_t>(sizeof r + tail.size());
  return bytes_of(r) + tail;
}

// --- layout -------------------------------------------------------------------

TEST(UnitDecodeLayout, RecordsMatchTheAbi) {
  EXPECT_EQ(sizeof(ft_record_head), 16u);
  EXPECT_EQ(sizeof(ft_fork_record), 88u);
  EXPECT_EQ(sizeof(ft_exec_record), 112u);
  EXPECT_EQ(sizeof(ft_exec_failed_record), 72u);
  EXPECT_EQ(sizeof(ft_args_record), 40u);
  EXPECT_EQ(sizeof(ft_exit_record), 192u);
  EXPECT_EQ(offsetof(ft_exit_record, usage), size_t{FT_EXIT_RECORD_BASE});
  EXPECT_EQ(offsetof(ft_exec_record, data), sizeof(ft_exec_record));
}

// --- fork -------------------------------------------------------------------

TEST(UnitDecode, ForkOfAProcess) {
  Event e;
  e.argv = {"stale"};  // whatever the Event held before is replaced
  e.filename = "stale";
  e.wait_status = 99;
  ASSERT_EQ(decode(bytes_of(fork_record()), e), DecodeError::none);
  EXPECT_EQ(e.kind, EventKind::fork);
  EXPECT_FALSE(e.thread);
  EXPECT_EQ(e.ts_ns, 5'000'000'123u);
  EXPECT_EQ(e.pid, 200u);
  EXPECT_EQ(e.tid, 200u);
  EXPECT_EQ(e.ppid, 100u);
  EXPECT_EQ(e.start_ns, 5'000'000'100u);
  EXPECT_EQ(e.thread_start_ns, 5'000'000'100u);
  EXPECT_EQ(e.cgroup_id, 4242u);
  EXPECT_EQ(e.comm, "bash");
  EXPECT_EQ(e.parent_pid, 100u);
  EXPECT_EQ(e.parent_tid, 103u);
  EXPECT_EQ(e.parent_start_ns, 1'000'000'000u);
  EXPECT_TRUE(e.argv.empty());
  EXPECT_TRUE(e.filename.empty());
  EXPECT_EQ(e.wait_status, 0u);
  EXPECT_EQ(e.old_tid, 0u);
}

TEST(UnitDecode, ForkOfAThreadBelongsToTheParentsProcess) {
  ft_fork_record r = fork_record();
  r.flags = FT_FORK_THREAD;
  r.child_pid = 100;
  r.child_tid = 104;
  r.child_ppid = 1;  // CLONE_THREAD: the process's parent
  Event e;
  ASSERT_EQ(decode(bytes_of(r), e), DecodeError::none);
  EXPECT_TRUE(e.thread);
  EXPECT_EQ(e.pid, 100u);
  EXPECT_EQ(e.tid, 104u);
  EXPECT_EQ(e.ppid, 1u);
  EXPECT_EQ(e.start_ns, 1'000'000'000u);  // the process's identity, not the thread's start
  EXPECT_EQ(e.thread_start_ns, 5'000'000'100u);
  EXPECT_EQ(e.parent_tid, 103u);
}

TEST(UnitDecode, ForkAndExecCarryThePidInsideAContainer) {
  ft_fork_record f = fork_record();
  Event e;
  ASSERT_EQ(decode(bytes_of(f), e), DecodeError::none);
  EXPECT_EQ(e.nspid, 0u);  // the first PID namespace
  f.child_nspid = 1;       // a container's first process
  ASSERT_EQ(decode(bytes_of(f), e), DecodeError::none);
  EXPECT_EQ(e.nspid, 1u);
}

TEST(UnitDecode, ForkWithCloneParent) {
  ft_fork_record r = fork_record();
  r.child_ppid = 50;  // the forker's parent became the child's parent
  Event e;
  ASSERT_EQ(decode(bytes_of(r), e), DecodeError::none);
  EXPECT_EQ(e.ppid, 50u);
  EXPECT_EQ(e.parent_pid, 100u);
}

TEST(UnitDecode, CommOfSixteenBytesWithoutNul) {
  ft_fork_record r = fork_record();
  std::memcpy(r.comm, "abcdefghijklmnop", FT_COMM_LEN);
  Event e;
  ASSERT_EQ(decode(bytes_of(r), e), DecodeError::none);
  EXPECT_EQ(e.comm, "abcdefghijklmnop");
  // Bytes after the NUL are not part of it.
  std::memcpy(r.comm, "ab\0defghijklmnop", FT_COMM_LEN);
  ASSERT_EQ(decode(bytes_of(r), e), DecodeError::none);
  EXPECT_EQ(e.comm, "ab");
}

// --- exec -------------------------------------------------------------------

TEST(UnitDecode, ExecWithTrailingNul) {
  Event e;
  ASSERT_EQ(decode(exec_bytes({}), e), DecodeError::none);
  EXPECT_EQ(e.kind, EventKind::exec);
  EXPECT_FALSE(e.thread);
  EXPECT_EQ(e.ts_ns, 7'000'000'000u);
  EXPECT_EQ(e.pid, 300u);
  EXPECT_EQ(e.tid, 300u);
  EXPECT_EQ(e.ppid, 200u);
  EXPECT_EQ(e.start_ns, 6'500'000'000u);
  EXPECT_EQ(e.cgroup_id, 31u);
  EXPECT_EQ(e.comm, "gcc");
  EXPECT_EQ(e.filename, "/usr/bin/gcc");
  EXPECT_EQ(e.argv, (std::vector<std::string>{"gcc", "-c", "x.c"}));
  EXPECT_FALSE(e.argv_truncated);
  EXPECT_EQ(e.old_tid, 0u);  // the leader called exec
  EXPECT_TRUE(e.env.empty());
}

TEST(UnitDecode, ExecArgvWithoutTrailingNul) {
  ExecSpec s;
  s.args = std::string("gcc\0-c\0x.c", 10);
  Event e;
  ASSERT_EQ(decode(exec_bytes(s), e), DecodeError::none);
  EXPECT_EQ(e.argv, (std::vector<std::string>{"gcc", "-c", "x.c"}));
}

TEST(UnitDecode, ExecEmptyAndEmptyStringArguments) {
  ExecSpec s;
  s.args = "";
  Event e;
  ASSERT_EQ(decode(exec_bytes(s), e), DecodeError::none);
  EXPECT_TRUE(e.argv.empty());
  // execve("prog", {"prog", "", "x"}): empty arguments are arguments.
  s.args = std::string("prog\0\0x\0", 8);
  ASSERT_EQ(decode(exec_bytes(s), e), DecodeError::none);
  EXPECT_EQ(e.argv, (std::vector<std::string>{"prog", "", "x"}));
}

TEST(UnitDecode, ExecTruncatedArgv) {
  ExecSpec s;
  s.args = std::string("cc\0-o\0a-very-long-na", 20);  // cut inside the last one
  s.flags = FT_EXEC_ARGS_TRUNCATED;
  Event e;
  ASSERT_EQ(decode(exec_bytes(s), e), DecodeError::none);
  EXPECT_TRUE(e.argv_truncated);
  EXPECT_EQ(e.argv, (std::vector<std::string>{"cc", "-o", "a-very-long-na"}));
  EXPECT_FALSE(e.env_truncated);
}

TEST(UnitDecode, ExecMaximalArgv) {
  ExecSpec s;
  s.args.clear();
  while (s.args.size() + 10 <= FT_ARGS_MAX) s.args += std::string("argument\0", 9);
  s.flags = FT_EXEC_ARGS_TRUNCATED;
  Event e;
  ASSERT_EQ(decode(exec_bytes(s), e), DecodeError::none);
  EXPECT_EQ(e.argv.size(), s.args.size() / 9);
  EXPECT_TRUE(e.argv_truncated);
}

TEST(UnitDecode, ExecPaddingAfterTheTailIsNotArgv) {
  ExecSpec s;
  s.padding = 5;  // the BPF side rounds every record up to 8 bytes
  Event e;
  ASSERT_EQ(decode(exec_bytes(s), e), DecodeError::none);
  EXPECT_EQ(e.argv, (std::vector<std::string>{"gcc", "-c", "x.c"}));
  EXPECT_TRUE(e.env.empty());
}

TEST(UnitDecode, ExecFilenameWithoutNulAndEmptyFilename) {
  ExecSpec s;
  s.filename_nul = false;  // a filename cut at FT_FILENAME_MAX
  Event e;
  ASSERT_EQ(decode(exec_bytes(s), e), DecodeError::none);
  EXPECT_EQ(e.filename, "/usr/bin/gcc");
  EXPECT_EQ(e.argv, (std::vector<std::string>{"gcc", "-c", "x.c"}));
  s.filename = "";  // bpf_probe_read_kernel_str failed: no filename at all
  ASSERT_EQ(decode(exec_bytes(s), e), DecodeError::none);
  EXPECT_EQ(e.filename, "");
  EXPECT_EQ(e.argv, (std::vector<std::string>{"gcc", "-c", "x.c"}));
}

TEST(UnitDecode, ExecEnvironmentFollowsArgv) {
  ExecSpec s;
  s.env = std::string("BUILD_ID=42\0", 12);
  s.flags = FT_EXEC_ENV_TRUNCATED;
  Event e;
  ASSERT_EQ(decode(exec_bytes(s), e), DecodeError::none);
  EXPECT_EQ(e.argv, (std::vector<std::string>{"gcc", "-c", "x.c"}));
  EXPECT_EQ(e.env, std::vector<std::string>{"BUILD_ID=42"});
  EXPECT_TRUE(e.env_truncated);
  EXPECT_FALSE(e.argv_truncated);
}

TEST(UnitDecode, ExecFromANonLeaderThread) {
  ExecSpec s;
  s.old_tid = 305;  // the thread that called exec; now the leader of pid 300
  Event e;
  ASSERT_EQ(decode(exec_bytes(s), e), DecodeError::none);
  EXPECT_EQ(e.pid, 300u);
  EXPECT_EQ(e.tid, 300u);
  EXPECT_EQ(e.old_tid, 305u);
}

TEST(UnitDecode, ExecBinaryBytesAreKept) {
  ExecSpec s;
  s.filename = "/tmp/\xff\xfe";
  s.args = std::string("\x01\x7f\xff\0", 4);
  Event e;
  ASSERT_EQ(decode(exec_bytes(s), e), DecodeError::none);
  EXPECT_EQ(e.filename, "/tmp/\xff\xfe");
  EXPECT_EQ(e.argv, std::vector<std::string>{"\x01\x7f\xff"});
}

// --- exit -------------------------------------------------------------------

TEST(UnitDecode, ExitOfAProcess) {
  ft_exit_record r = exit_record();
  r.exit_code = 3 << 8;
  Event e;
  ASSERT_EQ(decode(bytes_of(r), e), DecodeError::none);
  EXPECT_EQ(e.kind, EventKind::exit);
  EXPECT_FALSE(e.thread);
  EXPECT_EQ(e.ts_ns, 9'000'000'000u);
  EXPECT_EQ(e.pid, 200u);
  EXPECT_EQ(e.tid, 200u);
  EXPECT_EQ(e.ppid, 100u);
  EXPECT_EQ(e.start_ns, 5'000'000'000u);         // the process's start: its identity
  EXPECT_EQ(e.thread_start_ns, 6'000'000'000u);  // the exiting thread's
  EXPECT_EQ(e.cgroup_id, 77u);
  EXPECT_EQ(e.comm, "make");
  EXPECT_EQ(e.wait_status, 3u << 8);
}

TEST(UnitDecode, ExitOfOneThread) {
  ft_exit_record r = exit_record();
  r.tid = 201;
  r.flags = 0;  // other threads live on
  Event e;
  ASSERT_EQ(decode(bytes_of(r), e), DecodeError::none);
  EXPECT_TRUE(e.thread);
  EXPECT_EQ(e.tid, 201u);
  // The leader exiting before its threads is a thread exit too.
  r.tid = 200;
  ASSERT_EQ(decode(bytes_of(r), e), DecodeError::none);
  EXPECT_TRUE(e.thread);
  EXPECT_EQ(e.tid, 200u);
}

TEST(UnitDecode, ExitStatusIsTheGroupsOnceGroupExitIsSet) {
  ft_exit_record r = exit_record();
  r.tid = 202;               // the last thread out
  r.exit_code = SIGKILL;     // it was killed by the group exit
  r.group_exit_code = 7 << 8;  // exit_group(7) from another thread
  r.flags = FT_EXIT_GROUP_DEAD | FT_EXIT_GROUP_EXIT;
  Event e;
  ASSERT_EQ(decode(bytes_of(r), e), DecodeError::none);
  EXPECT_FALSE(e.thread);
  EXPECT_EQ(e.wait_status, 7u << 8);

  r.flags = FT_EXIT_GROUP_DEAD;  // no group exit: the task's own code
  ASSERT_EQ(decode(bytes_of(r), e), DecodeError::none);
  EXPECT_EQ(e.wait_status, static_cast<uint32_t>(SIGKILL));

  r.flags = FT_EXIT_GROUP_DEAD | FT_EXIT_GROUP_EXIT;  // a fatal signal to the group
  r.exit_code = 0;
  r.group_exit_code = SIGSEGV | 0x80;
  ASSERT_EQ(decode(bytes_of(r), e), DecodeError::none);
  EXPECT_EQ(e.wait_status, static_cast<uint32_t>(SIGSEGV | 0x80));
}

// --- malformed records --------------------------------------------------------

TEST(UnitDecodeErrors, EveryTruncationOfEveryKindIsAnError) {
  ExecSpec with_env;
  with_env.env = std::string("A=b\0", 4);
  std::vector<std::string> records = {bytes_of(fork_record()), exec_bytes({}), exec_bytes(with_env),
                                      bytes_of(exit_record())};
  for (const std::string& full : records) {
    Event e;
    ASSERT_EQ(decode(full, e), DecodeError::none);
    for (size_t cut = 0; cut < full.size(); ++cut) {
      Exact exact(full, cut);
      DecodeError err = decode_record(exact.data(), cut, e);
      EXPECT_NE(err, DecodeError::none) << "kind " << static_cast<int>(full[8]) << " cut at " << cut;
      if (cut < sizeof(ft_record_head)) EXPECT_EQ(err, DecodeError::too_short) << cut;
      else EXPECT_EQ(err, DecodeError::bad_size) << cut;
    }
  }
}

TEST(UnitDecodeErrors, HeadSizeSmallerThanTheKindsRecord) {
  for (std::string full : {bytes_of(fork_record()), exec_bytes({}), bytes_of(exit_record())}) {
    for (uint32_t claimed : {0u, 1u, 15u, 16u, 40u, 71u}) {
      ft_record_head head;
      std::memcpy(&head, full.data(), sizeof head);
      head.size = claimed;
      std::memcpy(full.data(), &head, sizeof head);
      Event e;
      EXPECT_EQ(decode(full, e), DecodeError::bad_size) << "kind " << head.kind << " size " << claimed;
    }
  }
}

TEST(UnitDecodeErrors, HeadSizeLargerThanTheBuffer) {
  ft_fork_record r = fork_record();
  r.head.size = sizeof r + 1;
  Event e;
  EXPECT_EQ(decode(bytes_of(r), e), DecodeError::bad_size);
  r.head.size = 0xffffffffu;
  EXPECT_EQ(decode(bytes_of(r), e), DecodeError::bad_size);
}

TEST(UnitDecodeErrors, ExecLengthsBeyondTheRecord) {
  std::string full = exec_bytes({});
  auto with = [&](auto change) {
    std::string bytes = full;
    ft_exec_record r;
    std::memcpy(&r, bytes.data(), sizeof r);
    change(r);
    std::memcpy(bytes.data(), &r, sizeof r);
    Event e;
    return decode(bytes, e);
  };
  EXPECT_EQ(with([](ft_exec_record& r) { r.filename_len = 0xffff; }), DecodeError::bad_size);
  EXPECT_EQ(with([](ft_exec_record& r) { r.args_len = 0xffff; }), DecodeError::bad_size);
  EXPECT_EQ(with([](ft_exec_record& r) { r.env_len = 0xffff; }), DecodeError::bad_size);
  EXPECT_EQ(with([](ft_exec_record& r) { r.args_len++; }), DecodeError::bad_size);
  EXPECT_EQ(with([](ft_exec_record& r) { r.filename_len = r.args_len = r.env_len = 0xffff; }),
            DecodeError::bad_size);
  // The head claims less than the tail needs, though the buffer holds it.
  EXPECT_EQ(with([](ft_exec_record& r) { r.head.size--; }), DecodeError::bad_size);
}

TEST(UnitDecodeErrors, UnknownKinds) {
  for (uint32_t kind : {0u, 4u, 99u, 0xffffffffu}) {
    ft_exit_record r = exit_record();
    r.head.kind = kind;
    Event e;
    EXPECT_EQ(decode(bytes_of(r), e), DecodeError::unknown_kind) << kind;
  }
}

TEST(UnitDecodeErrors, UnalignedBufferDecodes) {
  std::string bytes = std::string(1, '\0') + exec_bytes({});
  Exact exact(bytes);
  Event e;
  ASSERT_EQ(decode_record(exact.data() + 1, exact.size() - 1, e), DecodeError::none);
  EXPECT_EQ(e.argv, (std::vector<std::string>{"gcc", "-c", "x.c"}));
}

TEST(UnitDecodeErrors, EveryErrorIsDescribed) {
  for (DecodeError err : {DecodeError::none, DecodeError::too_short, DecodeError::unknown_kind,
                          DecodeError::bad_size})
    EXPECT_FALSE(describe(err).empty());
  EXPECT_NE(describe(DecodeError::bad_size), describe(DecodeError::too_short));
}

// --- wait statuses (core/exit_status.h) --------------------------------------

TEST(UnitExitStatus, EveryExitCodeAsWaitSeesIt) {
  for (int code = 0; code <= 255; ++code) {
    uint32_t raw = static_cast<uint32_t>(code) << 8;
    ASSERT_TRUE(WIFEXITED(static_cast<int>(raw)));
    ExitStatus s = decode_wait_status(raw);
    ASSERT_TRUE(s.exit_code.has_value()) << code;
    EXPECT_EQ(*s.exit_code, code);
    EXPECT_FALSE(s.signal.has_value());
    EXPECT_FALSE(s.core_dumped);
    EXPECT_EQ(s.failed(), code != 0);
    EXPECT_EQ(describe(s), "exit " + std::to_string(code));
    EXPECT_EQ(shell_status(s), code);
  }
}

TEST(UnitExitStatus, EverySignalWithAndWithoutCore) {
  for (int sig = 1; sig < 65; ++sig) {
    for (bool core : {false, true}) {
      uint32_t raw = static_cast<uint32_t>(sig) | (core ? 0x80u : 0u);
      ASSERT_TRUE(WIFSIGNALED(static_cast<int>(raw))) << sig;
      ExitStatus s = decode_wait_status(raw);
      EXPECT_FALSE(s.exit_code.has_value());
      ASSERT_TRUE(s.signal.has_value());
      EXPECT_EQ(*s.signal, sig);
      EXPECT_EQ(s.core_dumped, core);
      EXPECT_TRUE(s.failed());
      EXPECT_EQ(shell_status(s), 128 + sig);
      std::string text = describe(s);
      EXPECT_EQ(text, core ? signal_name(sig) + " (core dumped)" : "killed by " + signal_name(sig));
    }
  }
}

TEST(UnitExitStatus, SignalNames) {
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
  EXPECT_EQ(describe(decode_wait_status(SIGKILL)), "killed by SIGKILL");
  EXPECT_EQ(describe(decode_wait_status(SIGSEGV | 0x80)), "SIGSEGV (core dumped)");
  EXPECT_EQ(describe(decode_wait_status(3 << 8)), "exit 3");
  for (int sig = 1; sig < 65; ++sig) EXPECT_EQ(signal_name(sig).rfind("SIG", 0), 0u) << sig;
}

}  // namespace
}  // namespace ft
