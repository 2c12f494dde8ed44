// Exec detail (issue 12): the exec and exec_failed records' decoding, argv
// joined from several kernel records, the PATH-search folding, the model's
// cwd/credentials, and the recording's version 3 fields.
#include <gtest/gtest.h>

#include <algorithm>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/pipeline.h"
#include "core/argv_assembly.h"
#include "core/decode.h"
#include "core/errno_label.h"
#include "event_builders.h"
#include "read_all.h"
#include "model/exec_folding.h"
#include "model/lineage.h"
#include <nlohmann/json.hpp>
#include "recording/record_codec.h"
#include "views/json_view.h"
#include "views/text_view.h"
#include "views/tree_view.h"

extern "C" {
#include "forktrace.h"
}

namespace ft {
namespace {

using namespace ft::test;

template <typename Record>
std::string bytes_of(const Record& r) {
  return std::string(reinterpret_cast<const char*>(&r), sizeof r);
}

// Components leaf first, as the BPF walk writes them.
std::string components(std::initializer_list<const char*> leaf_first) {
  std::string out;
  for (const char* c : leaf_first) out += std::string(c) + '\0';
  return out;
}

struct ExecParts {
  std::string filename = std::string("/usr/bin/cc\0", 12);
  std::string interp;
  std::string cwd = components({"build dir", "src", "home"});
  std::string exe = components({"gcc-12", "bin", "usr"});
  std::string args = std::string("cc\0-c\0x.c\0", 10);
  uint32_t args_total = 0;  // 0: args.size()
  uint64_t key = 77;
  uint16_t flags = 0;
};

std::string exec_record(const ExecParts& p) {
  ft_exec_record r;
  std::memset(&r, 0, sizeof r);
  r.head.ts_ns = 9'000;
  r.head.kind = FT_RECORD_EXEC;
  r.start_ns = 8'000;
  r.args_key = p.key;
  r.pid = r.tid = r.old_tid = 42;
  r.ppid = 41;
  r.uid = 1000;
  r.gid = 1001;
  r.euid = 0;
  r.egid = 1001;
  std::memcpy(r.comm, "cc", 2);
  r.filename_len = static_cast<uint16_t>(p.filename.size());
  r.interp_len = static_cast<uint16_t>(p.interp.size());
  r.cwd_len = static_cast<uint16_t>(p.cwd.size());
  r.exe_len = static_cast<uint16_t>(p.exe.size());
  r.args_len = static_cast<uint16_t>(p.args.size());
  r.args_total = p.args_total ? p.args_total : static_cast<uint32_t>(p.args.size());
  r.flags = p.flags;
  std::string tail = p.filename + p.interp + p.cwd + p.exe + p.args;
  r.head.size = static_cast<uint32_t>(sizeof r + tail.size());
  return bytes_of(r) + tail;
}

std::string args_record(uint32_t tid, uint64_t key, uint32_t offset, const std::string& bytes) {
  ft_args_record r;
  std::memset(&r, 0, sizeof r);
  r.head.kind = FT_RECORD_ARGS;
  r.head.size = static_cast<uint32_t>(sizeof r + bytes.size());
  r.args_key = key;
  r.pid = r.tid = tid;
  r.offset = offset;
  r.len = static_cast<uint32_t>(bytes.size());
  return bytes_of(r) + bytes;
}

TEST(UnitExecDetail, ExecRecordCarriesWhereAndAsWhom) {
  ExecParts p;
  p.interp = std::string("/bin/sh\0", 8);
  std::string bytes = exec_record(p);
  Event e;
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  EXPECT_EQ(e.filename, "/usr/bin/cc");
  EXPECT_EQ(e.interpreter, "/bin/sh");
  EXPECT_EQ(e.cwd, "/home/src/build dir");
  EXPECT_EQ(e.exe, "/usr/bin/gcc-12");
  EXPECT_TRUE(e.has_creds);
  EXPECT_EQ(e.uid, 1000u);
  EXPECT_EQ(e.gid, 1001u);
  EXPECT_EQ(e.euid, 0u);
  EXPECT_EQ(e.egid, 1001u);
  EXPECT_EQ(e.argv, (std::vector<std::string>{"cc", "-c", "x.c"}));
  EXPECT_FALSE(e.argv_truncated);
  EXPECT_FALSE(e.cwd_truncated);
}

TEST(UnitExecDetail, PathsFromComponents) {
  EXPECT_EQ(path_from_components("", 0), "");
  std::string root = components({});
  EXPECT_EQ(path_from_components(root.data(), root.size()), "");
  std::string one = components({"tmp"});
  EXPECT_EQ(path_from_components(one.data(), one.size()), "/tmp");
}

TEST(UnitExecDetail, CwdAtTheRoot) {
  ExecParts p;
  p.cwd.clear();  // the walk reached the root at once
  std::string bytes = exec_record(p);
  Event e;
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  EXPECT_EQ(e.cwd, "/");
}

TEST(UnitExecDetail, CutPathsAreFlagged) {
  ExecParts p;
  p.flags = FT_EXEC_CWD_CUT;
  std::string bytes = exec_record(p);
  Event e;
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  EXPECT_TRUE(e.cwd_truncated);
  EXPECT_FALSE(e.exe_truncated);
  EXPECT_FALSE(e.filename_truncated);
  p.flags = FT_EXEC_FILENAME_CUT;
  bytes = exec_record(p);
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  EXPECT_TRUE(e.filename_truncated);
  EXPECT_FALSE(e.cwd_truncated);
}

TEST(UnitExecDetail, LengthsPastTheRecordAreRejected) {
  ExecParts p;
  std::string bytes = exec_record(p);
  auto* r = reinterpret_cast<ft_exec_record*>(bytes.data());
  r->cwd_len = 0xffff;
  Event e;
  EXPECT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::bad_size);
}

TEST(UnitExecDetail, ExecFailedRecord) {
  ft_exec_failed_record r;
  std::memset(&r, 0, sizeof r);
  r.head.ts_ns = 5;
  r.head.kind = FT_RECORD_EXEC_FAILED;
  r.start_ns = 4;
  r.pid = 7;
  r.tid = 8;
  r.ppid = 6;
  r.error = ENOENT;
  std::memcpy(r.comm, "make", 4);
  std::string tail = std::string("/usr/local/bin/cc\0", 18) + components({"b", "a"}) +
                     std::string("cc\0-O2\0", 7);
  r.filename_len = 18;
  r.cwd_len = 4;
  r.args_len = 7;
  r.flags = FT_EXEC_FAILED_ARGS_TRUNCATED;
  r.head.size = static_cast<uint32_t>(sizeof r + tail.size());
  std::string bytes = bytes_of(r) + tail;
  Event e;
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  EXPECT_EQ(e.kind, EventKind::exec_failed);
  EXPECT_EQ(e.pid, 7u);
  EXPECT_EQ(e.tid, 8u);
  EXPECT_EQ(e.exec_errno, ENOENT);
  EXPECT_EQ(e.filename, "/usr/local/bin/cc");
  EXPECT_EQ(e.cwd, "/a/b");
  EXPECT_EQ(e.argv, (std::vector<std::string>{"cc", "-O2"}));
  EXPECT_TRUE(e.argv_truncated);
  EXPECT_FALSE(e.filename_truncated);
  // Shorter than it says: rejected, never read past the end.
  EXPECT_EQ(decode_record(bytes.data(), bytes.size() - 1, e), DecodeError::bad_size);
  reinterpret_cast<ft_exec_failed_record*>(bytes.data())->flags = FT_EXEC_FAILED_FILENAME_CUT;
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  EXPECT_TRUE(e.filename_truncated);
  EXPECT_FALSE(e.argv_truncated);
}

// --- argv in pieces -----------------------------------------------------------

std::string long_argv(size_t bytes) {
  std::string out;
  for (int i = 0; out.size() < bytes; ++i) out += "arg" + std::to_string(i) + '\0';
  out.resize(bytes);
  out.back() = '\0';
  return out;
}

// One label for an errno everywhere: the names the views' own table gave
// (every exec error) stay as they were, a number without a name is E<n>, and
// a named errno the table lacked now has its name there too.
TEST(UnitErrnoLabel, SymbolicNameElseTheNumber) {
  const std::pair<int, const char*> kViewsTable[] = {
      {EPERM, "EPERM"}, {ENOENT, "ENOENT"}, {ESRCH, "ESRCH"}, {EINTR, "EINTR"}, {EIO, "EIO"},
      {ENXIO, "ENXIO"}, {E2BIG, "E2BIG"}, {ENOEXEC, "ENOEXEC"}, {EBADF, "EBADF"}, {ECHILD, "ECHILD"},
      {EAGAIN, "EAGAIN"}, {ENOMEM, "ENOMEM"}, {EACCES, "EACCES"}, {EFAULT, "EFAULT"}, {EBUSY, "EBUSY"},
      {EEXIST, "EEXIST"}, {EXDEV, "EXDEV"}, {ENODEV, "ENODEV"}, {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"},
      {EINVAL, "EINVAL"}, {ENFILE, "ENFILE"}, {EMFILE, "EMFILE"}, {ETXTBSY, "ETXTBSY"}, {EFBIG, "EFBIG"},
      {ENOSPC, "ENOSPC"}, {EROFS, "EROFS"}, {EMLINK, "EMLINK"}, {ENAMETOOLONG, "ENAMETOOLONG"},
      {ENOSYS, "ENOSYS"}, {ELOOP, "ELOOP"}, {ELIBBAD, "ELIBBAD"}, {ELIBACC, "ELIBACC"},
      {EOVERFLOW, "EOVERFLOW"}, {ESTALE, "ESTALE"}, {EDQUOT, "EDQUOT"}, {EOPNOTSUPP, "EOPNOTSUPP"}};
  for (const auto& [number, name] : kViewsTable) EXPECT_EQ(errno_label(number), name) << number;
  EXPECT_EQ(errno_label(99999), "E99999");
  EXPECT_EQ(errno_label(0), "E0");
  EXPECT_EQ(errno_label(-2), "E-2");
  EXPECT_EQ(errno_label(ENOTSOCK), "ENOTSOCK");
}

TEST(UnitArgvAssembly, InOrder) {
  ArgvAssembler a;
  std::string all = long_argv(20000);
  a.add({42, 1, 4096, std::string_view(all).substr(4096, 8192)});
  a.add({42, 1, 12288, std::string_view(all).substr(12288)});
  bool truncated = false;
  EXPECT_EQ(a.take(42, 1, std::string_view(all).substr(0, 4096), 20000, truncated), all);
  EXPECT_FALSE(truncated);
  EXPECT_EQ(a.pending_bytes(), 0u);
}

TEST(UnitArgvAssembly, OutOfOrder) {
  ArgvAssembler a;
  std::string all = long_argv(20000);
  a.add({42, 1, 12288, std::string_view(all).substr(12288)});
  a.add({42, 1, 4096, std::string_view(all).substr(4096, 8192)});
  bool truncated = false;
  EXPECT_EQ(a.take(42, 1, std::string_view(all).substr(0, 4096), 20000, truncated), all);
  EXPECT_FALSE(truncated);
}

TEST(UnitArgvAssembly, LostMiddlePieceTruncatesAtTheGap) {
  ArgvAssembler a;
  std::string all = long_argv(30000);
  a.add({42, 1, 4096, std::string_view(all).substr(4096, 8192)});
  // offset 12288 lost
  a.add({42, 1, 20480, std::string_view(all).substr(20480)});
  bool truncated = false;
  std::string got = a.take(42, 1, std::string_view(all).substr(0, 4096), 30000, truncated);
  EXPECT_TRUE(truncated);
  EXPECT_EQ(got, all.substr(0, 12288));
  EXPECT_EQ(a.pending_bytes(), 0u);
}

TEST(UnitArgvAssembly, PiecesOfAnotherExecAreNotUsed) {
  ArgvAssembler a;
  std::string all = long_argv(10000);
  a.add({42, 1, 4096, std::string_view(all).substr(4096)});  // an exec whose record was lost
  a.add({43, 5, 4096, std::string_view(all).substr(4096)});  // another thread's
  bool truncated = false;
  std::string got = a.take(42, 2, std::string_view(all).substr(0, 4096), 10000, truncated);
  EXPECT_TRUE(truncated);
  EXPECT_EQ(got.size(), 4096u);
  truncated = false;
  EXPECT_EQ(a.take(43, 5, std::string_view(all).substr(0, 4096), 10000, truncated), all);
  EXPECT_FALSE(truncated);
}

TEST(UnitArgvAssembly, RecordAssemblerJoinsKernelRecords) {
  std::string all = long_argv(FT_ARGS_MAX + FT_ARGS_CHUNK + 100);
  ExecParts p;
  p.args = all.substr(0, FT_ARGS_MAX);
  p.args_total = static_cast<uint32_t>(all.size());
  p.key = 9;
  RecordAssembler assembler;
  Event e;
  bool complete = true;
  std::string second = args_record(42, 9, FT_ARGS_MAX + FT_ARGS_CHUNK, all.substr(FT_ARGS_MAX + FT_ARGS_CHUNK));
  std::string first = args_record(42, 9, FT_ARGS_MAX, all.substr(FT_ARGS_MAX, FT_ARGS_CHUNK));
  ASSERT_EQ(assembler.feed(second.data(), second.size(), e, complete), DecodeError::none);
  EXPECT_FALSE(complete);
  ASSERT_EQ(assembler.feed(first.data(), first.size(), e, complete), DecodeError::none);
  EXPECT_FALSE(complete);
  std::string exec = exec_record(p);
  ASSERT_EQ(assembler.feed(exec.data(), exec.size(), e, complete), DecodeError::none);
  ASSERT_TRUE(complete);
  EXPECT_EQ(e.argv, split_nul(all.data(), all.size()));
  EXPECT_FALSE(e.argv_truncated);

  // The same exec without its pieces: truncated, never silently short.
  RecordAssembler alone;
  ASSERT_EQ(alone.feed(exec.data(), exec.size(), e, complete), DecodeError::none);
  EXPECT_TRUE(e.argv_truncated);
  // And decode_record by itself says so too.
  ASSERT_EQ(decode_record(exec.data(), exec.size(), e), DecodeError::none);
  EXPECT_TRUE(e.argv_truncated);
}

TEST(UnitArgvAssembly, KernelCutStaysTruncated) {
  std::string all = long_argv(FT_ARGS_MAX + 10);
  ExecParts p;
  p.args = all.substr(0, FT_ARGS_MAX);
  p.args_total = static_cast<uint32_t>(all.size());
  p.flags = FT_EXEC_ARGS_TRUNCATED;  // longer than --max-args-size
  RecordAssembler assembler;
  std::string piece = args_record(42, p.key, FT_ARGS_MAX, all.substr(FT_ARGS_MAX));
  Event e;
  bool complete;
  assembler.feed(piece.data(), piece.size(), e, complete);
  std::string exec = exec_record(p);
  ASSERT_EQ(assembler.feed(exec.data(), exec.size(), e, complete), DecodeError::none);
  EXPECT_TRUE(e.argv_truncated);
  EXPECT_EQ(e.argv, split_nul(all.data(), all.size()));
}

// --- PATH-search folding ------------------------------------------------------

TEST(UnitExecFolding, MissesOfTheSameNameFold) {
  ExecMissFolder<int> f;
  f.add(10, "/usr/local/bin/cc", 1);
  f.add(10, "/usr/local/sbin/cc", 2);
  f.add(11, "/bin/ld", 3);
  EXPECT_EQ(f.size(), 3u);
  auto outcome = f.on_exec(10, "/usr/bin/cc");
  EXPECT_EQ(outcome.folded, 2u);
  EXPECT_TRUE(outcome.unsatisfied.empty());
  EXPECT_FALSE(f.holds(10));
  EXPECT_TRUE(f.holds(11));
}

TEST(UnitExecFolding, OtherNamesAndExitsAreUnsatisfied) {
  ExecMissFolder<int> f;
  f.add(10, "/a/nosuch", 1);
  f.add(10, "/b/cc", 2);
  auto outcome = f.on_exec(10, "/usr/bin/cc");
  EXPECT_EQ(outcome.folded, 1u);
  EXPECT_EQ(outcome.unsatisfied, std::vector<int>{1});
  f.add(12, "/a/x", 5);
  f.add(12, "/b/x", 6);
  EXPECT_EQ(f.on_exit(12), (std::vector<int>{5, 6}));
  f.add(13, "/a/y", 7);
  f.add(14, "/a/z", 8);
  f.add(13, "/b/y", 9);
  auto left = f.drain();
  ASSERT_EQ(left.size(), 3u);
  EXPECT_EQ(left[0].second, 7);  // in the order they happened
  EXPECT_EQ(left[1].second, 8);
  EXPECT_EQ(left[2].second, 9);
  EXPECT_EQ(f.size(), 0u);
}

struct Story {
  Id sh{100, 1 * kSec}, cc{101, 2 * kSec}, miss{102, 3 * kSec};
  std::vector<Event> events() const {
    Event ok = exec_of(cc, 100, "/usr/bin/cc", {"cc", "-c", "x.c"}, 2 * kSec + 3 * kMs);
    ok.cwd = "/w/sub dir";
    ok.has_creds = true;
    ok.uid = ok.gid = 1000;
    ok.euid = ok.egid = 1000;
    Event sh_exec = exec_of(sh, 1, "/bin/sh", {"sh"}, 1 * kSec + 1);
    sh_exec.cwd = "/w";
    sh_exec.has_creds = true;
    sh_exec.uid = sh_exec.gid = sh_exec.euid = sh_exec.egid = 1000;
    return {
        fork_of({1, 1}, sh),
        sh_exec,
        fork_of(sh, cc),
        failed_exec_of(cc, 100, "/usr/local/bin/cc", ENOENT, 2 * kSec + 1 * kMs),
        failed_exec_of(cc, 100, "/usr/local/sbin/cc", ENOENT, 2 * kSec + 2 * kMs),
        ok,
        exit_of(cc, 100, exited_with(0), 2 * kSec + 9 * kMs),
        fork_of(sh, miss),
        failed_exec_of(miss, 100, "/usr/local/bin/nosuch", ENOENT, 3 * kSec + 1 * kMs),
        failed_exec_of(miss, 100, "/usr/bin/nosuch", EACCES, 3 * kSec + 2 * kMs),
        exit_of(miss, 100, exited_with(127), 3 * kSec + 3 * kMs),
        exit_of(sh, 1, exited_with(127), 4 * kSec),
    };
  }
};

std::string render(std::unique_ptr<Sink> (*make)(std::FILE*, ViewOptions), ViewOptions options,
                   const std::vector<Event>& events = Story().events()) {
  setenv("TZ", "UTC", 1);
  tzset();
  std::FILE* out = std::tmpfile();
  Pipeline pipeline(false);
  pipeline.add_sink(make(out, options));
  for (const Event& e : events) pipeline.feed(e);
  pipeline.finish();
  std::string text = read_all(out);
  std::fclose(out);
  return text;
}

std::unique_ptr<Sink> text_view(std::FILE* out, ViewOptions o) { return std::make_unique<TextView>(out, o); }
std::unique_ptr<Sink> tree_view(std::FILE* out, ViewOptions o) { return std::make_unique<TreeView>(out, o); }
std::unique_ptr<Sink> json_view(std::FILE* out, ViewOptions o) { return std::make_unique<JsonView>(out, o); }

// A filename the kernel side cut (past 1023 bytes) ends in "..." as a cut argv does.
TEST(UnitExecFolding, ACutFilenameEndsInDots) {
  std::vector<Event> events = Story().events();
  for (Event& e : events)
    if (e.filename == "/usr/bin/nosuch" || e.filename == "/bin/sh") e.filename_truncated = true;
  std::string text = render(text_view, ViewOptions{}, events);
  EXPECT_NE(text.find("/usr/bin/nosuch...: EACCES (Permission denied)"), std::string::npos) << text;
  EXPECT_NE(text.find("/bin/sh...  sh  cwd=/w"), std::string::npos) << text;
  EXPECT_NE(text.find("/usr/local/bin/nosuch: ENOENT"), std::string::npos) << text;
}

TEST(UnitExecFolding, TextViewFoldsSatisfiedMissesAndShowsTheRest) {
  std::string text = render(text_view, ViewOptions{});
  EXPECT_EQ(text.find("/usr/local/bin/cc"), std::string::npos) << text;
  EXPECT_NE(text.find("/usr/bin/cc  cc -c x.c  cwd='/w/sub dir'  (2 failed attempts before)"), std::string::npos) << text;
  // Nothing satisfied these two: shown plainly, with the chain, before the exit.
  EXPECT_NE(text.find("exec!     102     100 sh               /usr/local/bin/nosuch: ENOENT (No such file or directory)  x  cwd=/w  sh(1) → sh(100) → sh(102)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("/usr/bin/nosuch: EACCES (Permission denied)"), std::string::npos) << text;
  EXPECT_LT(text.find("/usr/bin/nosuch: EACCES"), text.find("exit 127 after 3.0ms")) << text;
  // The shell's first exec shows where and as whom; cc's only its new cwd.
  EXPECT_NE(text.find("/bin/sh  sh  cwd=/w  uid=1000 gid=1000"), std::string::npos) << text;

  ViewOptions verbose;
  verbose.verbose = true;
  std::string all = render(text_view, verbose);
  EXPECT_NE(all.find("/usr/local/bin/cc: ENOENT"), std::string::npos) << all;

  ViewOptions failed;
  failed.failed_only = true;
  std::string only = render(text_view, failed);
  EXPECT_EQ(only.find("/usr/local/bin/cc"), std::string::npos) << only;
  EXPECT_NE(only.find("/usr/local/bin/nosuch: ENOENT"), std::string::npos) << only;
}

TEST(UnitExecFolding, TreeShowsUnsatisfiedAttempts) {
  std::string tree = render(tree_view, ViewOptions{});
  EXPECT_NE(tree.find("[exec /usr/local/bin/nosuch failed: ENOENT]  [exec /usr/bin/nosuch failed: EACCES]"),
            std::string::npos)
      << tree;
  EXPECT_EQ(tree.find("/usr/local/bin/cc"), std::string::npos) << tree;
  ViewOptions verbose;
  verbose.verbose = true;
  EXPECT_NE(render(tree_view, verbose).find("(2 PATH-search misses)"), std::string::npos);
}

// Past the model's bound (16 kept), every unsatisfied attempt is still counted.
TEST(UnitExecFolding, TreeCountsAttemptsPastTheBound) {
  std::vector<Event> events = Story().events();
  auto exit = std::find_if(events.begin(), events.end(),
                           [](const Event& e) { return e.kind == EventKind::exit && e.pid == 102; });
  ASSERT_NE(exit, events.end());
  Event miss = *std::prev(exit);  // its last failed attempt
  ASSERT_EQ(miss.kind, EventKind::exec_failed);
  std::vector<Event> more;
  for (int i = 0; i < 18; ++i) {
    miss.filename = "/usr/bin/missing" + std::to_string(i);
    miss.argv = {"missing" + std::to_string(i)};
    more.push_back(miss);
  }
  events.insert(exit, more.begin(), more.end());
  std::string tree = render(tree_view, ViewOptions{}, events);
  EXPECT_NE(tree.find("[exec /usr/bin/missing5 failed: EACCES]  [+12 more failed execs]"), std::string::npos)
      << tree;  // 20 in all: 8 shown
  Lineage model;
  ProcessPtr p;
  for (const Event& e : events)
    if (ProcessPtr q = model.apply(e); q && q->pid == 102) p = q;
  ASSERT_TRUE(p);
  EXPECT_EQ(p->unsatisfied_execs.size(), Process::kMaxUnsatisfiedExecs);
  EXPECT_EQ(p->unsatisfied_exec_count, 20u);
}

TEST(UnitExecFolding, JsonKeepsEveryAttempt) {
  std::string json = render(json_view, ViewOptions{});
  size_t n = 0;
  for (size_t at = json.find("\"exec_failed\""); at != std::string::npos; at = json.find("\"exec_failed\"", at + 1)) n++;
  EXPECT_EQ(n, 4u);
  EXPECT_NE(json.find("\"errno\":13,\"error\":\"EACCES\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"cwd\":\"/w/sub dir\",\"uid\":1000,\"gid\":1000,\"euid\":1000,\"egid\":1000"),
            std::string::npos)
      << json;
}

TEST(UnitExecDetail, ModelKeepsWhereAndAsWhom) {
  Lineage model;
  Story story;
  ProcessPtr cc;
  for (const Event& e : story.events()) {
    ProcessPtr p = model.apply(e);
    if (p && p->pid == 101) cc = p;
  }
  ASSERT_TRUE(cc);
  EXPECT_EQ(cc->cwd, "/w/sub dir");
  EXPECT_TRUE(cc->cwd_changed);
  EXPECT_FALSE(cc->creds_changed);  // the same as its parent's
  EXPECT_EQ(cc->uid, 1000u);
  EXPECT_EQ(cc->failed_execs, 2u);
  EXPECT_EQ(cc->folded_exec_misses, 2u);
  EXPECT_TRUE(cc->unsatisfied_execs.empty());
}

TEST(UnitExecDetail, RecordingRoundTripsTheNewFields) {
  Event exec = exec_of({5, 1}, 1, "/tmp/s.sh", {"/bin/sh", "/tmp/s.sh"}, 10);
  exec.cwd = "/tmp/a b";
  exec.exe = "/usr/bin/dash";
  exec.interpreter = "/bin/sh";
  exec.has_creds = true;
  exec.uid = 1000;
  exec.gid = 0;
  exec.euid = 0;
  exec.egid = 5;
  exec.cwd_truncated = true;
  Event root = exec_of({6, 1}, 1, "/bin/true", {"true"}, 11);
  root.has_creds = true;  // all zero: root
  Event failed = failed_exec_of({5, 1}, 1, "/nope", ENOEXEC, 12);
  failed.argv_truncated = true;
  failed.filename_truncated = true;
  RecordEncoder encoder;
  RecordDecoder decoder;
  for (const Event& e : {exec, root, failed}) {
    std::string body;
    encoder.encode(e, body);
    Event got;
    uint64_t dropped = 0;
    ASSERT_EQ(decoder.decode(reinterpret_cast<const uint8_t*>(body.data()), body.size(), got, dropped),
              RecordDecoder::Result::event);
    EXPECT_EQ(got.kind, e.kind);
    EXPECT_EQ(got.cwd, e.cwd);
    EXPECT_EQ(got.exe, e.exe);
    EXPECT_EQ(got.interpreter, e.interpreter);
    EXPECT_EQ(got.has_creds, e.has_creds);
    EXPECT_EQ(got.uid, e.uid);
    EXPECT_EQ(got.gid, e.gid);
    EXPECT_EQ(got.euid, e.euid);
    EXPECT_EQ(got.egid, e.egid);
    EXPECT_EQ(got.exec_errno, e.exec_errno);
    EXPECT_EQ(got.cwd_truncated, e.cwd_truncated);
    EXPECT_EQ(got.filename_truncated, e.filename_truncated);
    EXPECT_EQ(got.argv, e.argv);
    EXPECT_EQ(got.argv_truncated, e.argv_truncated);
  }
}

// A lost exec_failed record is counted in its own kind, and a recording keeps
// the kinds of a loss beside the gap marks.
TEST(UnitExecDetail, LostFailedExecsKeepTheirKindInARecording) {
  Event lost;
  lost.kind = EventKind::lost;
  lost.ts_ns = 20;
  lost.lost_fork = 1;
  lost.lost_exit = 2;
  lost.lost_exec_failed = 4;
  lost.lost_count = 7;
  RecordEncoder encoder;
  RecordDecoder decoder;
  std::string body;
  encoder.encode(lost, body);
  Event got;
  uint64_t dropped = 0;
  ASSERT_EQ(decoder.decode(reinterpret_cast<const uint8_t*>(body.data()), body.size(), got, dropped),
            RecordDecoder::Result::event);
  EXPECT_EQ(got.lost_count, 7u);
  EXPECT_EQ(got.lost_fork, 1u);
  EXPECT_EQ(got.lost_exec, 0u);
  EXPECT_EQ(got.lost_exit, 2u);
  EXPECT_EQ(got.lost_exec_failed, 4u);

  std::FILE* out = std::tmpfile();
  JsonView json(out, ViewOptions{});
  json.on_lost(got);
  json.finish();
  std::rewind(out);
  char line[512] = {};
  ASSERT_TRUE(std::fgets(line, sizeof line, out));
  std::fclose(out);
  EXPECT_EQ(nlohmann::json::parse(line)["kinds"],
            nlohmann::json({{"fork", 1}, {"exec", 0}, {"exit", 2}, {"exec_failed", 4}}));
  EXPECT_EQ(describe_loss(got), "7 events lost in the kernel (ring buffer full): fork 1, exec 0, exit 2, exec_failed 4");
}

// The example in docs/trace-format.md, byte by byte.
TEST(UnitExecDetail, ExecFailedBodyAsDocumented) {
  Event e;
  e.kind = EventKind::exec_failed;
  e.ts_ns = 1000;
  e.pid = e.tid = 4242;
  e.ppid = 1;
  e.start_ns = 500;
  e.comm = "sh";
  e.filename = "/x";
  e.argv = {"x"};
  e.cwd = "/";
  e.exec_errno = ENOENT;
  RecordEncoder encoder;
  std::string body;
  encoder.encode(e, body);
  std::string hex;
  for (unsigned char c : body) hex += (hex.empty() ? "" : " ") + std::string(1, "0123456789abcdef"[c >> 4]) + "0123456789abcdef"[c & 15];
  EXPECT_EQ(hex, "05 b6 82 83 88 10 d0 0f 92 21 01 e8 07 02 73 68 02 2f 78 01 01 78 01 2f 02");
}

}  // namespace
}  // namespace ft
