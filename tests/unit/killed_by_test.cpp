// Why a process died (killed_by): the kernel's facts classified against the
// wait status, the exit record's kill tail decoded, the recording's version 4
// field, and what every view prints of it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/decode.h"
#include "core/killed_by.h"
#include "event_builders.h"
#include "format/json_line.h"
#include "pipeline/pipeline.h"
#include "read_all.h"
#include "recording/record_codec.h"
#include "recording/trace_reader.h"
#include "recording/trace_writer.h"
#include "service/metrics.h"
#include "views/json_view.h"
#include "views/summary_view.h"
#include "views/text_view.h"
#include "views/tree_view.h"

extern "C" {
#include "forktrace.h"
}

namespace ft {
namespace {

using namespace ft::test;
using Json = nlohmann::json;

constexpr int kSiUser = 0, kSiKernel = 0x80, kSiTkill = -6, kSiTimer = -2, kSegvMaperr = 1;

ExitStatus signaled(int sig, bool core = false) { return decode_wait_status(killed_by(sig, core)); }

RawKill raw(int sig, int si_code, uint32_t flags = 0, uint32_t sender = 4312, std::string comm = "timeout") {
  RawKill r;
  r.signal = sig;
  r.si_code = si_code;
  r.flags = flags;
  r.sender_pid = sender;
  r.sender_comm = std::move(comm);
  return r;
}

// --- classification ------------------------------------------------------------

TEST(KilledByClassify, ProcessesByKillTkillAndSigqueue) {
  auto k = classify_kill(raw(SIGKILL, kSiUser), 500, signaled(SIGKILL));
  ASSERT_TRUE(k);
  EXPECT_EQ(*k, (KilledBy{KillSource::process, 4312, "timeout", ""}));
  // abort(): the process's own thread, by tgkill.
  k = classify_kill(raw(SIGABRT, kSiTkill, 0, 500, "prog"), 500, signaled(SIGABRT, true));
  ASSERT_TRUE(k);
  EXPECT_EQ(*k, (KilledBy{KillSource::process, 500, "prog", ""}));
  k = classify_kill(raw(SIGTERM, -1 /* SI_QUEUE */), 500, signaled(SIGTERM));
  ASSERT_TRUE(k);
  EXPECT_EQ(k->source, KillSource::process);
}

TEST(KilledByClassify, TheKernelsOwnReasons) {
  auto source = [](RawKill r, int sig, uint32_t pid = 500) {
    auto k = classify_kill(r, pid, signaled(sig));
    return k ? k->source : static_cast<KillSource>(0);
  };
  EXPECT_EQ(source(raw(SIGSEGV, kSegvMaperr, 0, 500), SIGSEGV), KillSource::fault);
  EXPECT_EQ(source(raw(SIGSEGV, kSiKernel, 0, 500), SIGSEGV), KillSource::fault);  // x86 #GP: force_sig
  EXPECT_EQ(source(raw(SIGBUS, 2 /* BUS_ADRERR */, 0, 500), SIGBUS), KillSource::fault);
  EXPECT_EQ(source(raw(SIGPIPE, 0, FT_KILL_NOINFO, 500), SIGPIPE), KillSource::pipe);
  EXPECT_EQ(source(raw(SIGXFSZ, 0, FT_KILL_NOINFO, 500), SIGXFSZ), KillSource::file_size_limit);
  EXPECT_EQ(source(raw(SIGXCPU, 0, FT_KILL_PRIV, 500), SIGXCPU), KillSource::cpu_limit);
  EXPECT_EQ(source(raw(SIGKILL, 0, FT_KILL_PRIV, 500), SIGKILL), KillSource::cpu_limit);  // hard limit: self
  EXPECT_EQ(source(raw(SIGKILL, 0, FT_KILL_PRIV, 77), SIGKILL), KillSource::other);
  EXPECT_EQ(source(raw(SIGHUP, 0, FT_KILL_PRIV, 77), SIGHUP), KillSource::other);   // a terminal's hangup
  EXPECT_EQ(source(raw(SIGALRM, kSiTimer, 0, 77), SIGALRM), KillSource::other);     // a POSIX timer
  EXPECT_EQ(source(raw(SIGHUP, 0, FT_KILL_NOINFO, 77), SIGHUP), KillSource::other);
  // A SIGSEGV that a process sent is that process's, not a fault.
  EXPECT_EQ(source(raw(SIGSEGV, kSiUser, 0, 77), SIGSEGV), KillSource::process);
}

TEST(KilledByClassify, OomNamesItsCgroup) {
  RawKill r = raw(SIGKILL, 0, FT_KILL_PRIV | FT_KILL_OOM, 900, "stress");
  r.oom_cgroup = "/ci/job-42";
  auto k = classify_kill(r, 500, signaled(SIGKILL));
  ASSERT_TRUE(k);
  EXPECT_EQ(*k, (KilledBy{KillSource::oom, 0, "", "/ci/job-42"}));
}

TEST(KilledByClassify, NoneWhereNoSignalKilledOrAnotherDid) {
  EXPECT_FALSE(classify_kill(raw(SIGTERM, kSiUser), 500, decode_wait_status(exited_with(0))));  // handled
  EXPECT_FALSE(classify_kill(raw(SIGTERM, kSiUser), 500, signaled(SIGKILL)));  // the SIGKILL was not seen
}

TEST(KilledByDescribe, TheIssuesWords) {
  KilledBy timeout{KillSource::process, 4312, "timeout", ""};
  KilledBy oom{KillSource::oom, 0, "", "/ci/job-42"};
  KilledBy fault{KillSource::fault, 0, "", ""};
  EXPECT_EQ(describe(signaled(SIGKILL), &timeout), "killed by SIGKILL from timeout(4312)");
  EXPECT_EQ(describe(signaled(SIGKILL), &oom), "killed by SIGKILL: out of memory in /ci/job-42");
  EXPECT_EQ(describe(signaled(SIGSEGV), &fault), "killed by SIGSEGV (fault)");
  EXPECT_EQ(describe(signaled(SIGSEGV, true), &fault), "SIGSEGV (fault, core dumped)");
  KilledBy self{KillSource::process, 500, "prog", ""};
  EXPECT_EQ(describe(signaled(SIGABRT, true), &self), "SIGABRT (core dumped) from prog(500)");
  KilledBy machine_oom{KillSource::oom, 0, "", ""};
  EXPECT_EQ(describe(signaled(SIGKILL), &machine_oom), "killed by SIGKILL: out of memory");
  EXPECT_EQ(describe(signaled(SIGKILL), nullptr), "killed by SIGKILL");
  EXPECT_EQ(describe(decode_wait_status(exited_with(1)), &timeout), "exit 1");
}

TEST(KilledByJson, TheContractsObjects) {
  EXPECT_EQ(killed_by_json({KillSource::process, 4312, "timeout", ""}), R"({"pid":4312,"comm":"timeout"})");
  EXPECT_EQ(killed_by_json({KillSource::oom, 0, "", "/ci/job-42"}), R"({"kernel":"oom","oom_cgroup":"/ci/job-42"})");
  EXPECT_EQ(killed_by_json({KillSource::oom, 0, "", ""}), R"({"kernel":"oom"})");
  EXPECT_EQ(killed_by_json({KillSource::fault, 0, "", ""}), R"({"kernel":"fault"})");
  EXPECT_EQ(killed_by_json({KillSource::cpu_limit, 0, "", ""}), R"({"kernel":"cpu_limit"})");
  EXPECT_EQ(killed_by_json({KillSource::file_size_limit, 0, "", ""}), R"({"kernel":"file_size_limit"})");
  EXPECT_EQ(killed_by_json({KillSource::pipe, 0, "", ""}), R"({"kernel":"pipe"})");
  EXPECT_EQ(killed_by_json({KillSource::other, 0, "", ""}), R"({"kernel":"other"})");
}

// --- the exit record's kill tail -------------------------------------------------

std::string exit_record(uint32_t wait_status, const ft_kill* kill, bool group_dead = true) {
  ft_exit_record r{};
  r.head.kind = FT_RECORD_EXIT;
  r.head.ts_ns = 5 * kSec;
  r.pid = r.tid = 500;
  r.ppid = 1;
  r.start_ns = r.process_start_ns = 4 * kSec;
  r.exit_code = wait_status;
  r.flags = (group_dead ? FT_EXIT_GROUP_DEAD : 0) | FT_EXIT_USAGE | (kill ? FT_EXIT_KILL : 0);
  std::memcpy(r.comm, "sleep", 6);
  std::string bytes(reinterpret_cast<const char*>(&r), sizeof r);
  if (kill) bytes.append(reinterpret_cast<const char*>(kill), sizeof *kill);
  ft_record_head* head = reinterpret_cast<ft_record_head*>(bytes.data());
  head->size = static_cast<uint32_t>(bytes.size());
  return bytes;
}

TEST(KilledByDecode, ProcessSenderFromTheRecord) {
  ft_kill k{};
  k.target_start_ns = 4 * kSec;
  k.signal = SIGKILL;
  k.si_code = kSiUser;
  k.sender_pid = 4312;
  std::memcpy(k.sender_comm, "timeout", 8);
  std::string bytes = exit_record(killed_by(SIGKILL), &k);
  Event e;
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  ASSERT_TRUE(e.killed_by);
  EXPECT_EQ(*e.killed_by, (KilledBy{KillSource::process, 4312, "timeout", ""}));
  // Cut short: the kill tail is checked before it is read.
  EXPECT_EQ(decode_record(bytes.data(), bytes.size() - 1, e), DecodeError::bad_size);
  // A handled signal and a normal exit: none.
  bytes = exit_record(exited_with(0), &k);
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  EXPECT_FALSE(e.killed_by);
  // Without the tail, none.
  bytes = exit_record(killed_by(SIGKILL), nullptr);
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  EXPECT_FALSE(e.killed_by);
}

TEST(KilledByDecode, OomCgroupFromItsComponents) {
  ft_kill k{};
  k.signal = SIGKILL;
  k.flags = FT_KILL_PRIV | FT_KILL_OOM | FT_KILL_GROUP;
  k.memcg_id = 4242;
  const char components[] = "job-42\0ci";  // leaf first, each with its NUL
  std::memcpy(k.oom_cgroup, components, sizeof components);
  k.cgroup_len = sizeof components;
  std::string bytes = exit_record(killed_by(SIGKILL), &k);
  Event e;
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  ASSERT_TRUE(e.killed_by);
  EXPECT_EQ(*e.killed_by, (KilledBy{KillSource::oom, 0, "", "/ci/job-42"}));
  // A walk cut at its bound says so.
  k.flags |= FT_KILL_CGROUP_CUT;
  bytes = exit_record(killed_by(SIGKILL), &k);
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  EXPECT_EQ(e.killed_by->oom_cgroup, ".../ci/job-42");
  // A machine-wide OOM: no memory cgroup at its limit.
  k.memcg_id = 0;
  k.cgroup_len = 0;
  bytes = exit_record(killed_by(SIGKILL), &k);
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  EXPECT_EQ(*e.killed_by, (KilledBy{KillSource::oom, 0, "", ""}));
}

// --- the recording (version 4, bit 53) ---------------------------------------------

TEST(KilledByRecording, EverySourceRoundTrips) {
  std::vector<KilledBy> kills = {{KillSource::process, 4312, "timeout", ""},
                                 {KillSource::process, 7, std::string("n\xff\0x", 4), ""},
                                 {KillSource::oom, 0, "", "/ci/job-42"},
                                 {KillSource::oom, 0, "", ""},
                                 {KillSource::fault, 0, "", ""},
                                 {KillSource::cpu_limit, 0, "", ""},
                                 {KillSource::file_size_limit, 0, "", ""},
                                 {KillSource::pipe, 0, "", ""},
                                 {KillSource::other, 0, "", ""}};
  std::vector<Event> events;
  for (size_t i = 0; i < kills.size(); ++i) {
    Event e = exit_of({static_cast<uint32_t>(300 + i), kSec}, 1, killed_by(SIGKILL), 2 * kSec + i);
    e.killed_by = kills[i];
    events.push_back(e);
  }
  events.push_back(exit_of({400, kSec}, 1, killed_by(SIGKILL), 3 * kSec));  // none
  std::string path = testing::TempDir() + "killed_by_test.ftrace";
  std::string error;
  TraceHeader header;
  auto writer = TraceWriter::open(path, header, error);
  ASSERT_TRUE(writer) << error;
  for (const Event& e : events) writer->write(e);
  ASSERT_TRUE(writer->close(error)) << error;
  std::ifstream in(path, std::ios::binary);
  auto reader = TraceReader::from_memory(std::string(std::istreambuf_iterator<char>(in), {}), error);
  ASSERT_TRUE(reader) << error;
  EXPECT_EQ(reader->header().version, kTraceFormatVersion);
  Event got;
  for (const Event& want : events) {
    ASSERT_EQ(reader->next(got), TraceReader::Status::event);
    EXPECT_EQ(got.killed_by, want.killed_by) << got.pid;
    EXPECT_EQ(got.wait_status, want.wait_status);
  }
  EXPECT_EQ(reader->next(got), TraceReader::Status::end);
}

// docs/trace-format.md's example, byte by byte.
TEST(KilledByRecording, TheDocumentedBody) {
  Event e = exit_of({4313, 500}, 4312, killed_by(SIGKILL), 1000, 0, "sleep");
  e.thread_start_ns = 0;
  e.killed_by = KilledBy{KillSource::process, 4312, "timeout", ""};
  std::string body;
  RecordEncoder().encode(e, body);
  const unsigned char want[] = {0x03, 0xb6, 0x82, 0xa0, 0x80, 0x80, 0x80, 0x80, 0x10, 0xd0, 0x0f, 0xd9, 0x21,
                                0xd8, 0x21, 0xe8, 0x07, 0x05, 's',  'l',  'e',  'e',  'p',  0x09, 0x01, 0xd8,
                                0x21, 0x07, 't',  'i',  'm',  'e',  'o',  'u',  't'};
  EXPECT_EQ(body, std::string(reinterpret_cast<const char*>(want), sizeof want));
  Event got;
  uint64_t dropped = 0;
  ASSERT_EQ(RecordDecoder().decode(reinterpret_cast<const uint8_t*>(body.data()), body.size(), got, dropped),
            RecordDecoder::Result::event);
  EXPECT_EQ(got.killed_by, e.killed_by);
  // An unknown source is malformed, never guessed.
  body[24] = 0x08;
  EXPECT_EQ(RecordDecoder().decode(reinterpret_cast<const uint8_t*>(body.data()), body.size(), got, dropped),
            RecordDecoder::Result::malformed);
}

// --- the views ------------------------------------------------------------------

class KilledByViews : public ViewOutputTest {
 protected:

  // sh (200) runs timeout (201), which runs sleep (202), killed by timeout
  // after 300 s; sh then exits 137. A stress (203) dies of OOM in
  // /ci/job-42 after 41.2 s, a crash (204) of a fault after 3 ms, and a
  // server (205) handles its SIGTERM and exits 0.
  std::string run(std::unique_ptr<Sink> view) {
    Pipeline p(false);
    p.add_sink(std::move(view));
    p.model().seed({seed_of(100, 1, Lineage::kDefaultProcTickNs, "bash", "/bin/bash", {"bash"})});
    Id shell{100, Lineage::kDefaultProcTickNs + 5};
    Id sh{200, 10 * kSec}, timeout{201, 10 * kSec + kMs}, sleep{202, 10 * kSec + 2 * kMs};
    Id stress{203, 10 * kSec + 3 * kMs}, crash{204, 10 * kSec + 4 * kMs};
    p.feed(fork_of(shell, sh, 0, "bash"));
    p.feed(exec_of(sh, 100, "/bin/sh", {"sh", "-c", "timeout 300 sleep 1000"}, sh.start_ns + kUs));
    p.feed(fork_of(sh, timeout));
    p.feed(exec_of(timeout, 200, "/usr/bin/timeout", {"timeout", "300", "sleep", "1000"}, timeout.start_ns + kUs));
    p.feed(fork_of(timeout, sleep, 0, "timeout"));
    p.feed(exec_of(sleep, 201, "/bin/sleep", {"sleep", "1000"}, sleep.start_ns + kUs));
    p.feed(fork_of(sh, stress));
    p.feed(exec_of(stress, 200, "/usr/bin/stress", {"stress", "--vm", "1"}, stress.start_ns + kUs));
    p.feed(fork_of(sh, crash));
    p.feed(exec_of(crash, 200, "/usr/bin/crash", {"crash"}, crash.start_ns + kUs));
    Event e = exit_of(crash, 200, killed_by(SIGSEGV), crash.start_ns + 3 * kMs, 0, "crash");
    e.killed_by = KilledBy{KillSource::fault, 0, "", ""};
    p.feed(e);
    e = exit_of(stress, 200, killed_by(SIGKILL), stress.start_ns + 41'200 * kMs, 0, "stress");
    e.killed_by = KilledBy{KillSource::oom, 0, "", "/ci/job-42"};
    p.feed(e);
    e = exit_of(sleep, 201, killed_by(SIGKILL), sleep.start_ns + 300 * kSec, 0, "sleep");
    e.killed_by = KilledBy{KillSource::process, 201, "timeout", ""};
    p.feed(e);
    p.feed(exit_of(timeout, 200, exited_with(137), timeout.start_ns + 300 * kSec + kMs, 0, "timeout"));
    p.feed(exit_of(sh, 100, exited_with(137), sh.start_ns + 300 * kSec + 2 * kMs, 0, "sh"));
    p.finish();
    return read_all(out);
  }
  ViewOptions options(bool failed_only = false) {
    return ViewOptions{TraceClock{1'700'000'000'000'000'000}, failed_only, false};
  }
};

TEST_F(KilledByViews, TextSaysWhoOrWhat) {
  std::string s = run(std::make_unique<TextView>(out, options()));
  EXPECT_NE(s.find("killed by SIGKILL from timeout(201) after 5m00s\n"), std::string::npos) << s;
  EXPECT_NE(s.find("killed by SIGKILL: out of memory in /ci/job-42 after 41.20s\n"), std::string::npos) << s;
  EXPECT_NE(s.find("killed by SIGSEGV (fault) after 3.0ms\n"), std::string::npos) << s;
}

TEST_F(KilledByViews, JsonCarriesTheContractsKey) {
  std::string s = run(std::make_unique<JsonView>(out, options()));
  std::map<int, Json> exits;
  size_t at = 0;
  while (at < s.size()) {
    size_t end = s.find('\n', at);
    Json j = Json::parse(s.substr(at, end - at));
    if (j["event"] == "exit") exits[j["pid"].get<int>()] = j;
    at = end + 1;
  }
  EXPECT_EQ(exits[202]["killed_by"], Json::parse(R"({"pid":201,"comm":"timeout"})"));
  EXPECT_EQ(exits[203]["killed_by"], Json::parse(R"({"kernel":"oom","oom_cgroup":"/ci/job-42"})"));
  EXPECT_EQ(exits[204]["killed_by"], Json::parse(R"({"kernel":"fault"})"));
  EXPECT_FALSE(exits[201].contains("killed_by"));
  EXPECT_FALSE(exits[200].contains("killed_by"));
}

TEST_F(KilledByViews, TreeAndFailedTree) {
  std::string s = run(std::make_unique<TreeView>(out, options(true)));
  EXPECT_NE(s.find("202 sleep 1000  killed by SIGKILL from timeout(201)  5m00s"), std::string::npos) << s;
  EXPECT_NE(s.find("203 stress --vm 1  killed by SIGKILL: out of memory in /ci/job-42  41.20s"), std::string::npos) << s;
}

TEST_F(KilledByViews, SummaryListsTheKilledAndTheCause) {
  ViewOptions traced = options();  // `forktrace -- sh -c ...`: sh is the root
  traced.scope.filtered = true;
  traced.scope.traced_command = {"sh", "-c", "timeout 300 sleep 1000"};
  std::string s = run(std::make_unique<SummaryView>(out, traced));
  EXPECT_NE(s.find("\nKilled by a signal: 3\n"), std::string::npos) << s;
  // The cause chain ends in a killed process: who killed it is said there.
  EXPECT_NE(s.find("Why it failed: sh → timeout → sleep (killed by SIGKILL from timeout(201))\n"), std::string::npos)
      << s;
  EXPECT_NE(s.find("  crash  killed by SIGSEGV (fault) after 3.0ms  (pid 204)\n"), std::string::npos) << s;
  EXPECT_NE(s.find("  sleep 1000  killed by SIGKILL from timeout(201) after 5m00s  (pid 202)\n"), std::string::npos)
      << s;
}

TEST_F(KilledByViews, SummaryJsonHasKilledWithKilledBy) {
  std::string s = run(std::make_unique<SummaryView>(out, options(), /*json=*/true));
  Json j = Json::parse(s);
  ASSERT_TRUE(j.contains("killed")) << s;
  ASSERT_EQ(j["killed"].size(), 3u) << s;
  EXPECT_EQ(j["killed"][0]["pid"], 204);
  EXPECT_EQ(j["killed"][0]["killed_by"], Json::parse(R"({"kernel":"fault"})"));
  EXPECT_EQ(j["killed"][2]["killed_by"], Json::parse(R"({"pid":201,"comm":"timeout"})"));
}

TEST(KilledByMetrics, KillsByWho) {
  Metrics metrics;
  Lineage model;
  Event e = exit_of({5, kSec}, 1, killed_by(SIGKILL), 2 * kSec);
  e.killed_by = KilledBy{KillSource::oom, 0, "", "/x"};
  metrics.on_event(e, *model.apply(e));
  Event f = exit_of({6, kSec}, 1, killed_by(SIGTERM), 2 * kSec);
  f.killed_by = KilledBy{KillSource::process, 5, "sh", ""};
  metrics.on_event(f, *model.apply(f));
  std::string text = metrics.render();
  EXPECT_NE(text.find("forktrace_kills_total{by=\"oom\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("forktrace_kills_total{by=\"process\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("forktrace_kills_total{by=\"fault\"} 0\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace ft
