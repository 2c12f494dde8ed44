// Resource usage (issue 12, point 4): the CPU split as the kernel does it,
// decoding the exit record's usage, its place in the recording, the subtree
// roll-up, and what the views print of it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <optional>

#include "pipeline/pipeline.h"
#include "core/decode.h"
#include "core/usage.h"
#include "event_builders.h"
#include "service/metrics.h"
#include "recording/record_codec.h"
#include "views/json_view.h"
#include "analysis/build_report.h"
#include "analysis/trace.h"
#include "views/summary_view.h"
#include "views/text_view.h"
#include "views/tree_view.h"

extern "C" {
#include "forktrace.h"
}

namespace ft {
namespace {

using namespace ft::test;

// --- the CPU split (cputime_adjust) ---------------------------------------------

TEST(UsageCputime, RuntimeIsSplitInTheTicksRatio) {
  // 3 ticks user, 1 tick system; the scheduler says 10 ms ran in all.
  CpuSplit s = adjust_cputime(12 * kMs, 4 * kMs, 10 * kMs, 0, 0);
  EXPECT_EQ(s.sys_ns, 2'500'000u);
  EXPECT_EQ(s.user_ns, 7'500'000u);
  EXPECT_EQ(s.user_ns + s.sys_ns, 10 * kMs);  // always the exact runtime
}

TEST(UsageCputime, WithoutTicksOnOneSideAllIsTheOther) {
  EXPECT_EQ(adjust_cputime(0, 0, 700 * kUs, 0, 0).user_ns, 700 * kUs);  // no tick at all: user
  EXPECT_EQ(adjust_cputime(0, 0, 700 * kUs, 0, 0).sys_ns, 0u);
  EXPECT_EQ(adjust_cputime(4 * kMs, 0, 3 * kMs, 0, 0).user_ns, 3 * kMs);
  EXPECT_EQ(adjust_cputime(0, 4 * kMs, 3 * kMs, 0, 0).sys_ns, 3 * kMs);
  EXPECT_EQ(adjust_cputime(0, 4 * kMs, 3 * kMs, 0, 0).user_ns, 0u);
}

TEST(UsageCputime, NeverBelowWhatWasReportedBefore) {
  // An earlier times()/getrusage() reported 2 ms user, 6 ms system.
  CpuSplit s = adjust_cputime(8 * kMs, 4 * kMs, 9 * kMs, 2 * kMs, 6 * kMs);
  EXPECT_EQ(s.sys_ns, 6 * kMs);  // the ratio says 3 ms: stime does not go back
  EXPECT_EQ(s.user_ns, 3 * kMs);
  s = adjust_cputime(1 * kMs, 8 * kMs, 9 * kMs, 5 * kMs, 1 * kMs);
  EXPECT_EQ(s.user_ns, 5 * kMs);  // the ratio leaves 1 ms: utime does not go back
  EXPECT_EQ(s.sys_ns, 4 * kMs);
  // No runtime beyond the reported sum: the reported values stand.
  s = adjust_cputime(8 * kMs, 4 * kMs, 7 * kMs, 5 * kMs, 3 * kMs);
  EXPECT_EQ(s.user_ns, 5 * kMs);
  EXPECT_EQ(s.sys_ns, 3 * kMs);
}

TEST(UsageCputime, LargeValuesDoNotOverflow) {
  // A day of CPU on each side: stime * rtime needs 128 bits, as in mul_u64_u64_div_u64.
  uint64_t day = 86'400 * kSec;
  CpuSplit s = adjust_cputime(day, day, 2 * day - 1, 0, 0);
  EXPECT_EQ(s.sys_ns, day - 1);
  EXPECT_EQ(s.user_ns, day);
}

// --- the exit record's usage -----------------------------------------------------

ft_exit_record process_exit_record() {
  ft_exit_record r;
  std::memset(&r, 0, sizeof r);
  r.head = {9 * kSec, FT_RECORD_EXIT, sizeof r};
  r.start_ns = r.process_start_ns = 5 * kSec;
  r.pid = r.tid = 200;
  r.ppid = 100;
  r.flags = FT_EXIT_GROUP_DEAD | FT_EXIT_USAGE;
  std::memcpy(r.comm, "cc1plus", 8);
  r.usage.utime_ns = 300 * kMs;
  r.usage.stime_ns = 100 * kMs;
  r.usage.runtime_ns = 420 * kMs;
  r.usage.max_rss_kb = 153'600;
  r.usage.min_flt = 38'500;
  r.usage.maj_flt = 3;
  r.usage.nvcsw = 12;
  r.usage.nivcsw = 40;
  r.usage.read_bytes = 1 << 20;
  r.usage.write_bytes = 8 << 20;
  r.usage.threads = 1;
  return r;
}

DecodeError decode_bytes(const void* data, size_t size, Event& e) {
  std::string copy(static_cast<const char*>(data), size);  // exact size: overreads are caught by ASan
  return decode_record(copy.data(), copy.size(), e);
}

TEST(UsageDecode, ProcessExitCarriesItsUsage) {
  ft_exit_record r = process_exit_record();
  Event e;
  ASSERT_EQ(decode_bytes(&r, sizeof r, e), DecodeError::none);
  ASSERT_TRUE(e.usage);
  EXPECT_EQ(e.usage->cpu_user_ns, 315 * kMs);  // 420 ms in the 3:1 ratio
  EXPECT_EQ(e.usage->cpu_sys_ns, 105 * kMs);
  EXPECT_EQ(e.usage->cpu_ns(), 420 * kMs);
  EXPECT_EQ(e.usage->max_rss_kb, 153'600u);
  EXPECT_EQ(e.usage->minor_faults, 38'500u);
  EXPECT_EQ(e.usage->major_faults, 3u);
  EXPECT_EQ(e.usage->voluntary_switches, 12u);
  EXPECT_EQ(e.usage->involuntary_switches, 40u);
  EXPECT_EQ(e.usage->read_bytes, 1u << 20);
  EXPECT_EQ(e.usage->write_bytes, 8u << 20);
}

TEST(UsageDecode, ThreadExitEndsBeforeTheUsage) {
  ft_exit_record r = process_exit_record();
  r.flags = 0;
  r.head.size = FT_EXIT_RECORD_BASE;
  Event e;
  ASSERT_EQ(decode_bytes(&r, FT_EXIT_RECORD_BASE, e), DecodeError::none);
  EXPECT_TRUE(e.thread);
  EXPECT_FALSE(e.usage);
}

TEST(UsageDecode, UsageFlagOnAShortRecordIsAnError) {
  ft_exit_record r = process_exit_record();
  for (uint32_t size : {uint32_t{FT_EXIT_RECORD_BASE}, uint32_t{sizeof r - 1}}) {
    r.head.size = size;
    Event e;
    EXPECT_EQ(decode_bytes(&r, size, e), DecodeError::bad_size) << size;
  }
}

TEST(UsageDecode, PartialSumsAreNotPassedOff) {
  // The kernel could not read every thread: no usage rather than a wrong one.
  ft_exit_record r = process_exit_record();
  r.usage.flags = FT_USAGE_PARTIAL;
  Event e;
  ASSERT_EQ(decode_bytes(&r, sizeof r, e), DecodeError::none);
  EXPECT_FALSE(e.thread);
  EXPECT_FALSE(e.usage);
}

TEST(UsageDecode, ProgramPeakOnlyWithItsFlag) {
  ft_exit_record r = process_exit_record();
  r.usage.program_max_rss_kb = 1'428;
  Event e;
  ASSERT_EQ(decode_bytes(&r, sizeof r, e), DecodeError::none);
  ASSERT_TRUE(e.usage);
  EXPECT_FALSE(e.usage->program_max_rss_kb) << "a kernel that could not read the mm";
  EXPECT_EQ(e.usage->peak_rss_kb(), 153'600u);
  r.usage.flags = FT_USAGE_PROGRAM_RSS;
  ASSERT_EQ(decode_bytes(&r, sizeof r, e), DecodeError::none);
  ASSERT_TRUE(e.usage);
  EXPECT_EQ(e.usage->program_max_rss_kb, 1'428u);
  EXPECT_EQ(e.usage->peak_rss_kb(), 1'428u);
}

// --- the recording (version 3, bits 40..49) ----------------------------------------

Event exit_with_usage(ResourceUsage u) {
  Event e = exit_of({200, 5 * kSec}, 100, exited_with(0), 9 * kSec, 0, "cc1plus");
  e.usage = u;
  return e;
}

Event round_trip(const Event& e) {
  RecordEncoder encoder;
  std::string body;
  encoder.encode(e, body);
  RecordDecoder decoder;
  Event out;
  uint64_t dropped = 0;
  EXPECT_EQ(decoder.decode(reinterpret_cast<const uint8_t*>(body.data()), body.size(), out, dropped),
            RecordDecoder::Result::event);
  return out;
}

void expect_same(const ResourceUsage& a, const ResourceUsage& b) {
  EXPECT_EQ(a.cpu_user_ns, b.cpu_user_ns);
  EXPECT_EQ(a.cpu_sys_ns, b.cpu_sys_ns);
  EXPECT_EQ(a.max_rss_kb, b.max_rss_kb);
  EXPECT_EQ(a.minor_faults, b.minor_faults);
  EXPECT_EQ(a.major_faults, b.major_faults);
  EXPECT_EQ(a.voluntary_switches, b.voluntary_switches);
  EXPECT_EQ(a.involuntary_switches, b.involuntary_switches);
  EXPECT_EQ(a.read_bytes, b.read_bytes);
  EXPECT_EQ(a.write_bytes, b.write_bytes);
}

TEST(UsageRecording, RoundTrips) {
  ResourceUsage u{315 * kMs, 105 * kMs, 153'600, 38'500, 3, 12, 40, 1 << 20, UINT64_MAX};
  Event out = round_trip(exit_with_usage(u));
  ASSERT_TRUE(out.usage);
  expect_same(*out.usage, u);
  // All zero is still "known": a process that used nothing measurable.
  out = round_trip(exit_with_usage(ResourceUsage{}));
  ASSERT_TRUE(out.usage);
  expect_same(*out.usage, ResourceUsage{});
  // Without usage (older kernels' records, thread exits): none comes back.
  Event plain = exit_of({200, 5 * kSec}, 100, exited_with(1), 9 * kSec);
  EXPECT_FALSE(round_trip(plain).usage);
}

TEST(UsageRecording, EventsWithoutUsageEncodeAsBefore) {
  // Version 1 and 2 bodies are unchanged for events without usage.
  Event plain = exit_of({200, 5 * kSec}, 100, exited_with(1), 9 * kSec);
  RecordEncoder a, b;
  std::string without, with;
  a.encode(plain, without);
  plain.usage = ResourceUsage{};
  b.encode(plain, with);
  EXPECT_LT(without.size(), with.size());
  EXPECT_EQ(without[0], with[0]);
}

TEST(UsageRecording, FiguresWithoutTheUsageBitAreMalformed) {
  // kind exit, bitmap with only bit 41 (cpu_user) set, its varint.
  std::string body = {char(3)};
  uint64_t bitmap = uint64_t{1} << 41;
  while (bitmap >= 0x80) {
    body += static_cast<char>(bitmap | 0x80);
    bitmap >>= 7;
  }
  body += static_cast<char>(bitmap);
  body += char(5);
  RecordDecoder decoder;
  Event e;
  uint64_t dropped;
  EXPECT_EQ(decoder.decode(reinterpret_cast<const uint8_t*>(body.data()), body.size(), e, dropped),
            RecordDecoder::Result::malformed);
}

// Version 5, bit 54: known even when 0, absent where the kernel gave none.
TEST(UsageRecording, ProgramPeakRoundTrips) {
  for (std::optional<uint64_t> peak : {std::optional<uint64_t>{}, std::optional<uint64_t>{0},
                                       std::optional<uint64_t>{1'428}, std::optional<uint64_t>{UINT64_MAX}}) {
    ResourceUsage u{1 * kMs, 2 * kMs, 36'192, 0, 0, 0, 0, 0, 0};
    u.program_max_rss_kb = peak;
    Event out = round_trip(exit_with_usage(u));
    ASSERT_TRUE(out.usage);
    EXPECT_EQ(out.usage->program_max_rss_kb, peak);
    EXPECT_EQ(out.usage->max_rss_kb, 36'192u);
  }
}

TEST(UsageRecording, ProgramPeakWithoutTheUsageIsMalformed) {
  // kind exit, bitmap with only bit 54 set, its varint.
  std::string body = {char(3)};
  uint64_t bitmap = uint64_t{1} << 54;
  while (bitmap >= 0x80) {
    body += static_cast<char>(bitmap | 0x80);
    bitmap >>= 7;
  }
  body += static_cast<char>(bitmap);
  body += char(5);
  RecordDecoder decoder;
  Event e;
  uint64_t dropped;
  EXPECT_EQ(decoder.decode(reinterpret_cast<const uint8_t*>(body.data()), body.size(), e, dropped),
            RecordDecoder::Result::malformed);
}

// --- the subtree roll-up -----------------------------------------------------------

// make(10) → sh(11) → cc1plus(12); make → ld(13) still running at the end.
// Every event is applied to the model and, where `store` is given, added to it
// as the pipeline does; `from` skips the events before it (a store that
// starts late, as -p's does).
std::vector<ProcessPtr> build(Lineage& model, analysis::TraceBuilder* store = nullptr, size_t from = 0) {
  Id make{10, 1 * kSec}, sh{11, 2 * kSec}, cc{12, 3 * kSec}, ld{13, 4 * kSec};
  std::vector<ProcessPtr> out;
  size_t n = 0;
  auto apply = [&](const Event& e) {
    ProcessPtr p = model.apply(e);
    if (store && p && n++ >= from) store->on_event(e, *p);
    return p;
  };
  out.push_back(apply(fork_of({1, 0}, make, 1, "make")));
  out.push_back(apply(fork_of(make, sh)));
  out.push_back(apply(fork_of(sh, cc)));
  out.push_back(apply(fork_of(make, ld)));
  Event e = exit_of(cc, 11, exited_with(0), 5 * kSec, 0, "cc1plus");
  e.usage = ResourceUsage{3 * kSec, 1 * kSec, 400'000, 0, 0, 0, 0, 0, 0};
  apply(e);
  e = exit_of(sh, 10, exited_with(0), 6 * kSec);
  e.usage = ResourceUsage{1 * kMs, 2 * kMs, 1'500, 0, 0, 0, 0, 0, 0};
  apply(e);
  e = exit_of(make, 1, exited_with(0), 7 * kSec, 0, "make");
  e.usage = ResourceUsage{20 * kMs, 10 * kMs, 3'000, 0, 0, 0, 0, 0, 0};
  apply(e);
  return out;
}

uint32_t step_of_pid(const analysis::Trace& t, uint32_t pid) {
  for (uint32_t i = 0; i < t.steps.size(); ++i)
    if (t.steps[i].pid == pid) return i;
  return analysis::kNone;
}

TEST(UsageRollup, SubtreeSumsCpuAndTakesTheLargestPeak) {
  Lineage model;
  analysis::TraceBuilder builder(analysis::TraceScope{});
  build(model, &builder);
  const analysis::Trace& t = builder.trace();
  auto totals = analysis::subtree_totals(t);
  uint32_t make = step_of_pid(t, 10), sh = step_of_pid(t, 11), cc = step_of_pid(t, 12), ld = step_of_pid(t, 13);
  ASSERT_NE(ld, analysis::kNone);
  // make: itself, sh, cc1plus and the running ld.
  EXPECT_EQ(totals[make].processes, 4u);
  EXPECT_EQ(totals[make].with_usage, 3u);
  EXPECT_EQ(totals[make].cpu_ns, 4 * kSec + 3 * kMs + 30 * kMs);
  EXPECT_EQ(totals[make].max_rss_kb, 400'000u);
  EXPECT_EQ(totals[sh].processes, 2u);  // sh and cc1plus
  EXPECT_EQ(totals[sh].cpu_ns, 4 * kSec + 3 * kMs);
  EXPECT_EQ(totals[cc].cpu_ns, 4 * kSec);  // a leaf is itself
  EXPECT_EQ(totals[ld].with_usage, 0u);    // ld has not ended
  EXPECT_EQ(totals[ld].cpu_ns, 0u);
}

TEST(UsageRollup, AProcessSeenAfterItsChildTakesItUnderItInTheViewsTree) {
  // The store starts at cc1plus's exit: sh and make are known only as its
  // ancestors until their own exits. The HTML and Chrome views' tree (only
  // processes with events of their own) then has cc1plus under sh, as when sh
  // predates the trace (-p) and shows up after its child.
  Lineage model;
  analysis::TraceBuilder builder(analysis::TraceScope{});
  build(model, &builder, 4);
  const analysis::Trace& t = builder.trace();
  uint32_t make = step_of_pid(t, 10), sh = step_of_pid(t, 11), cc = step_of_pid(t, 12);
  ASSERT_NE(cc, analysis::kNone);
  analysis::OwnForest forest = analysis::own_forest(t);
  EXPECT_EQ(forest.parent[cc], sh);
  EXPECT_EQ(forest.parent[sh], make);
  EXPECT_EQ(forest.roots, std::vector<uint32_t>{make});
  auto order = forest.depth_first();
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[0], (std::pair<uint32_t, size_t>{make, 0}));
  EXPECT_EQ(order[2], (std::pair<uint32_t, size_t>{cc, 2}));
  auto totals = analysis::subtree_totals(t);
  EXPECT_EQ(totals[sh].cpu_ns, 4 * kSec + 3 * kMs);
  EXPECT_EQ(totals[sh].max_rss_kb, 400'000u);
}

// --- views ---------------------------------------------------------------------------

class UsageViews : public testing::Test {
 protected:
  void SetUp() override { out_ = std::tmpfile(); }
  void TearDown() override { std::fclose(out_); }
  std::string text() {
    std::fflush(out_);
    std::rewind(out_);
    std::string s;
    char buf[4096];
    while (size_t n = std::fread(buf, 1, sizeof buf, out_)) s.append(buf, n);
    return s;
  }
  void feed_build(Pipeline& pipeline) {
    Id make{10, 1 * kSec}, sh{11, 2 * kSec}, cc{12, 3 * kSec};
    pipeline.feed(fork_of({1, 0}, make, 1, "make"));
    pipeline.feed(exec_of(make, 1, "/usr/bin/make", {"make", "-j2"}, 1 * kSec + 1));
    pipeline.feed(fork_of(make, sh, 0, "make"));
    pipeline.feed(fork_of(sh, cc));
    pipeline.feed(exec_of(cc, 11, "/usr/libexec/cc1plus", {"cc1plus", "x.cc"}, 3 * kSec + 1));
    Event e = exit_of(cc, 11, exited_with(0), 5 * kSec, 0, "cc1plus");
    e.usage = ResourceUsage{1500 * kMs, 500 * kMs, 153'600, 38'000, 1, 5, 9, 4096, 8192};
    pipeline.feed(e);
    e = exit_of(sh, 10, exited_with(0), 6 * kSec);
    e.usage = ResourceUsage{1 * kMs, 2 * kMs, 1'500, 90, 0, 2, 0, 0, 0};
    pipeline.feed(e);
    e = exit_of(make, 1, exited_with(0), 7 * kSec, 0, "make");
    e.usage = ResourceUsage{20 * kMs, 10 * kMs, 3'000, 300, 0, 20, 1, 0, 0};
    pipeline.feed(e);
    pipeline.finish();
  }
  std::FILE* out_ = nullptr;
};

TEST_F(UsageViews, JsonHasTheContractsKeysOnProcessExits) {
  Pipeline pipeline(false);
  pipeline.add_sink(std::make_unique<JsonView>(out_, ViewOptions{}));
  feed_build(pipeline);
  std::string all = text();
  std::vector<nlohmann::json> exits;
  size_t begin = 0;
  for (size_t end; (end = all.find('\n', begin)) != std::string::npos; begin = end + 1) {
    auto j = nlohmann::json::parse(all.substr(begin, end - begin));
    if (j["event"] == "exit") exits.push_back(j);
  }
  ASSERT_EQ(exits.size(), 3u);
  const auto& cc = exits[0];
  EXPECT_EQ(cc["cpu_user_ns"], 1500 * kMs);
  EXPECT_EQ(cc["cpu_sys_ns"], 500 * kMs);
  EXPECT_EQ(cc["max_rss_kb"], 153'600);
  EXPECT_EQ(cc["minor_faults"], 38'000);
  EXPECT_EQ(cc["major_faults"], 1);
  EXPECT_EQ(cc["voluntary_switches"], 5);
  EXPECT_EQ(cc["involuntary_switches"], 9);
  EXPECT_EQ(cc["read_bytes"], 4096);
  EXPECT_EQ(cc["write_bytes"], 8192);
}

TEST_F(UsageViews, JsonWithoutUsageHasNoUsageKeys) {
  Pipeline pipeline(false);
  pipeline.add_sink(std::make_unique<JsonView>(out_, ViewOptions{}));
  pipeline.feed(exit_of({5, kSec}, 1, exited_with(0), 2 * kSec));
  pipeline.finish();
  auto j = nlohmann::json::parse(text());
  EXPECT_FALSE(j.contains("cpu_user_ns"));
  EXPECT_FALSE(j.contains("max_rss_kb"));
}

TEST_F(UsageViews, TextExitLineShowsCpuAndPeakRss) {
  Pipeline pipeline(false);
  pipeline.add_sink(std::make_unique<TextView>(out_, ViewOptions{}));
  feed_build(pipeline);
  std::string s = text();
  EXPECT_NE(s.find("exit 0 after 2.00s  cpu 2.00s  rss 150.0MiB\n"), std::string::npos) << s;
  EXPECT_NE(s.find("cpu 3.0ms  rss 1.5MiB\n"), std::string::npos) << s;
}

TEST_F(UsageViews, TreeShowsEachNodeAndItsSubtree) {
  Pipeline pipeline(false);
  pipeline.add_sink(std::make_unique<TreeView>(out_, ViewOptions{}));
  feed_build(pipeline);
  std::string s = text();
  EXPECT_NE(s.find("10 make -j2  exit 0  6.00s  cpu 30.0ms  rss 2.9MiB  [3 processes, cpu 2.03s, peak rss "
                   "150.0MiB]\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("└─ 12 cc1plus x.cc  exit 0  2.00s  cpu 2.00s  rss 150.0MiB\n"), std::string::npos) << s;
}

TEST_F(UsageViews, SlowestListShowsCpuAndPeakRss) {
  Pipeline pipeline(false);
  pipeline.add_sink(std::make_unique<SummaryView>(out_, ViewOptions{}));
  feed_build(pipeline);
  std::string s = text();
  EXPECT_NE(s.find("cpu     2.00s  rss  150.0MiB  cc1plus x.cc"), std::string::npos) << s;
}

// `forktrace -- sh -c ...`: the shell's wait4 peak is forktrace's own image
// before the exec (36 MiB); every view but the raw figure shows the shell's.
TEST_F(UsageViews, ViewsShowTheProgramsOwnPeak) {
  auto feed = [](Pipeline& pipeline) {
    Id sh{20, 1 * kSec}, cc{21, 2 * kSec};
    pipeline.feed(exec_of(sh, 1, "/bin/sh", {"sh", "-c", "cc x.c"}, 1 * kSec + 1));
    pipeline.feed(fork_of(sh, cc));
    pipeline.feed(exec_of(cc, 20, "/usr/bin/cc", {"cc", "x.c"}, 2 * kSec + 1));
    Event e = exit_of(cc, 20, exited_with(0), 3 * kSec, 0, "cc");
    e.usage = ResourceUsage{1 * kMs, 1 * kMs, 3'000, 0, 0, 0, 0, 0, 0};
    e.usage->program_max_rss_kb = 2'048;
    pipeline.feed(e);
    e = exit_of(sh, 1, exited_with(0), 4 * kSec, 0, "sh");
    e.usage = ResourceUsage{1 * kMs, 1 * kMs, 36'864, 0, 0, 0, 0, 0, 0};
    e.usage->program_max_rss_kb = 1'536;
    pipeline.feed(e);
    pipeline.finish();
  };
  {
    Pipeline pipeline(false);
    pipeline.add_sink(std::make_unique<JsonView>(out_, ViewOptions{}));
    feed(pipeline);
    std::string all = text();
    size_t last = all.rfind('\n', all.size() - 2);
    auto sh = nlohmann::json::parse(all.substr(last + 1));
    EXPECT_EQ(sh["max_rss_kb"], 36'864);
    EXPECT_EQ(sh["program_max_rss_kb"], 1'536);
  }
  std::rewind(out_);
  std::fclose(out_);
  out_ = std::tmpfile();
  {
    Pipeline pipeline(false);
    pipeline.add_sink(std::make_unique<TextView>(out_, ViewOptions{}));
    feed(pipeline);
    std::string s = text();
    EXPECT_NE(s.find("exit 0 after 3.00s  cpu 2.0ms  rss 1.5MiB\n"), std::string::npos) << s;
    EXPECT_EQ(s.find("36.0MiB"), std::string::npos) << s;
  }
  std::fclose(out_);
  out_ = std::tmpfile();
  {
    Pipeline pipeline(false);
    pipeline.add_sink(std::make_unique<TreeView>(out_, ViewOptions{}));
    feed(pipeline);
    std::string s = text();
    EXPECT_NE(s.find("rss 1.5MiB  [2 processes, cpu 4.0ms, peak rss 2.0MiB]"), std::string::npos) << s;
    EXPECT_EQ(s.find("36.0MiB"), std::string::npos) << s;
  }
}

TEST(UsageMetrics, PeakRssIsTheProgramsOwn) {
  Metrics metrics;
  Lineage model;
  Event e = exit_of({5, kSec}, 1, exited_with(0), 2 * kSec);
  e.usage = ResourceUsage{1 * kMs, 1 * kMs, 36'864, 0, 0, 0, 0, 0, 0};
  e.usage->program_max_rss_kb = 1'024;
  metrics.on_event(e, *model.apply(e));
  std::string text = metrics.render();
  EXPECT_NE(text.find("forktrace_process_peak_rss_bytes_sum 1048576\n"), std::string::npos) << text;
}

TEST(UsageMetrics, CpuSecondsByOutcomeAndPeakRss) {
  Metrics metrics;
  Lineage model;
  Event e = exit_of({5, kSec}, 1, exited_with(2), 2 * kSec);
  e.usage = ResourceUsage{250 * kMs, 250 * kMs, 2048, 0, 0, 0, 0, 100, 200};
  metrics.on_event(e, *model.apply(e));
  std::string text = metrics.render();
  EXPECT_NE(text.find("forktrace_process_cpu_seconds_total{outcome=\"failed\"} 0.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("forktrace_process_cpu_seconds_total{outcome=\"ok\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("forktrace_process_peak_rss_bytes_bucket{le=\"4194304\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("forktrace_process_storage_write_bytes_total 200\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace ft
