// Who reaped a process (reap events): the kernel's record decoded, the
// recording's version 6 fields, the model's join to the ended process, the
// report's zombies, and what every view prints of it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "analysis/build_report.h"
#include "core/decode.h"
#include "event_builders.h"
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

std::string reap_record(uint32_t pid, uint64_t start, uint64_t exit_ns, uint64_t ts, uint32_t reaper, const char* comm,
                        uint32_t flags = 0) {
  ft_reap_record r{};
  r.head.ts_ns = ts;
  r.head.kind = FT_RECORD_REAP;
  r.head.size = sizeof r;
  r.start_ns = start;
  r.exit_ns = exit_ns;
  r.pid = pid;
  r.reaper_pid = reaper;
  r.reaper_tid = reaper + 1;
  r.flags = flags;
  std::strncpy(r.reaper_comm, comm, sizeof r.reaper_comm);
  return std::string(reinterpret_cast<const char*>(&r), sizeof r);
}

TEST(ReapDecode, TheRecordsFields) {
  std::string bytes = reap_record(42, 5 * kSec, 7 * kSec, 7 * kSec + 250 * kMs, 40, "make");
  Event e;
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  EXPECT_EQ(e.kind, EventKind::reap);
  EXPECT_EQ(e.pid, 42u);
  EXPECT_EQ(e.start_ns, 5 * kSec);
  EXPECT_EQ(e.ts_ns, 7 * kSec + 250 * kMs);
  EXPECT_EQ(e.reaper_pid, 40u);
  EXPECT_EQ(e.reaper_comm, "make");
  EXPECT_EQ(e.zombie_ns, 250 * kMs);
  EXPECT_FALSE(e.autoreaped);
  // Cut short: refused, never read past the end.
  EXPECT_EQ(decode_record(bytes.data(), bytes.size() - 1, e), DecodeError::bad_size);
  // Autoreaped at the exit itself: no zombie time; a full 16-byte comm is kept whole.
  bytes = reap_record(43, 5 * kSec, 7 * kSec, 7 * kSec, 40, "sixteen-bytes-cc", FT_REAP_AUTOREAPED);
  ASSERT_EQ(decode_record(bytes.data(), bytes.size(), e), DecodeError::none);
  EXPECT_TRUE(e.autoreaped);
  EXPECT_EQ(e.zombie_ns, 0u);
  EXPECT_EQ(e.reaper_comm, "sixteen-bytes-cc");
}

TEST(ReapRecording, RoundTripsAndRefusesAReapWithoutItsReaper) {
  std::vector<Event> events = {reap_of({300, kSec}, 1, "init", 2 * kSec, 4 * kSec),
                               reap_of({301, kSec}, 250, "ft-ignorer", 0, 5 * kSec, true),
                               reap_of({302, kSec}, 0, "", 0, 6 * kSec)};
  Event lost = lost_of(3, 7 * kSec);
  lost.lost_reap = 2;
  lost.lost_exit = 1;
  events.push_back(lost);
  std::string path = testing::TempDir() + "reap_test.ftrace";
  std::string error;
  TraceHeader header;
  header.flags |= kTraceReaps;
  auto writer = TraceWriter::open(path, header, error);
  ASSERT_TRUE(writer) << error;
  for (const Event& e : events) writer->write(e);
  ASSERT_TRUE(writer->close(error)) << error;
  std::ifstream in(path, std::ios::binary);
  auto reader = TraceReader::from_memory(std::string(std::istreambuf_iterator<char>(in), {}), error);
  ASSERT_TRUE(reader) << error;
  EXPECT_EQ(reader->header().version, kTraceFormatVersion);
  EXPECT_TRUE(reader->header().flags & kTraceReaps);
  Event got;
  for (const Event& want : events) {
    ASSERT_EQ(reader->next(got), TraceReader::Status::event);
    EXPECT_EQ(got.kind, want.kind);
    EXPECT_EQ(got.pid, want.pid);
    EXPECT_EQ(got.start_ns, want.start_ns);
    EXPECT_EQ(got.reaper_pid, want.reaper_pid);
    EXPECT_EQ(got.reaper_comm, want.reaper_comm);
    EXPECT_EQ(got.zombie_ns, want.zombie_ns);
    EXPECT_EQ(got.autoreaped, want.autoreaped);
    EXPECT_EQ(got.lost_reap, want.lost_reap);
  }
  EXPECT_EQ(reader->next(got), TraceReader::Status::end);

  // A reap's body without its reaper (bit 55), and an exit with one: malformed.
  std::string body;
  RecordEncoder().encode(events[0], body);
  uint64_t dropped = 0;
  ASSERT_EQ(RecordDecoder().decode(reinterpret_cast<const uint8_t*>(body.data()), body.size(), got, dropped),
            RecordDecoder::Result::event);
  std::string as_exit = body;
  as_exit[0] = static_cast<char>(EventKind::exit);
  EXPECT_EQ(RecordDecoder().decode(reinterpret_cast<const uint8_t*>(as_exit.data()), as_exit.size(), got, dropped),
            RecordDecoder::Result::malformed);
  std::string exit_body;
  RecordEncoder().encode(exit_of({5, kSec}, 1, exited_with(0), 2 * kSec), exit_body);
  exit_body[0] = static_cast<char>(EventKind::reap);
  EXPECT_EQ(RecordDecoder().decode(reinterpret_cast<const uint8_t*>(exit_body.data()), exit_body.size(), got, dropped),
            RecordDecoder::Result::malformed);
}

// docs/trace-format.md's example, byte by byte.
TEST(ReapRecording, TheDocumentedBody) {
  Event e = reap_of({4313, 500}, 4312, "make", 300, 1000);
  std::string body;
  RecordEncoder().encode(e, body);
  const unsigned char want[] = {0x06, 0xa6, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0xc0, 0x01, 0xd0, 0x0f, 0xd9,
                                0x21, 0xe8, 0x07, 0xd8, 0x21, 0x04, 'm',  'a',  'k',  'e',  0xac, 0x02};
  EXPECT_EQ(body, std::string(reinterpret_cast<const char*>(want), sizeof want));
  Event got;
  uint64_t dropped = 0;
  ASSERT_EQ(RecordDecoder().decode(reinterpret_cast<const uint8_t*>(body.data()), body.size(), got, dropped),
            RecordDecoder::Result::event);
  EXPECT_EQ(got.kind, EventKind::reap);
  EXPECT_EQ(got.pid, 4313u);
  EXPECT_EQ(got.start_ns, 500u);
  EXPECT_EQ(got.reaper_pid, 4312u);
  EXPECT_EQ(got.reaper_comm, "make");
  EXPECT_EQ(got.zombie_ns, 300u);
}

// The model gives a reap the very process that ended (its comm, argv,
// parent), only while it keeps ended processes for their reaps.
TEST(ReapModel, JoinsTheEndedProcess) {
  Lineage model;
  model.keep_until_reaped(true);
  Id sh{200, kSec}, cc{201, kSec + kMs};
  model.apply(fork_of(sh, cc));
  model.apply(exec_of(cc, 200, "/usr/bin/cc", {"cc", "-c", "a.c"}, cc.start_ns + kUs));
  ProcessPtr ended = model.apply(exit_of(cc, 200, exited_with(1), 2 * kSec, 0, "cc"));
  ProcessPtr reaped = model.apply(reap_of(cc, 200, "sh", 3 * kMs, 2 * kSec + 3 * kMs));
  ASSERT_TRUE(reaped);
  EXPECT_EQ(reaped, ended);
  EXPECT_TRUE(reaped->reaped);
  EXPECT_EQ(reaped->reaper_comm, "sh");
  EXPECT_EQ(reaped->zombie_ns, 3 * kMs);
  // A second reap of the same process, or one whose exit was never seen: nothing to report.
  EXPECT_FALSE(model.apply(reap_of(cc, 200, "sh", 3 * kMs, 2 * kSec + 4 * kMs)));
  EXPECT_FALSE(model.apply(reap_of({999, kSec}, 1, "init", kMs, 3 * kSec)));
  // Bounded: the oldest ended process is let go first.
  Lineage bounded;
  bounded.keep_until_reaped(true);
  for (uint32_t i = 0; i < Lineage::kMaxUnreaped + 1; ++i)
    bounded.apply(exit_of({1000 + i, kSec}, 1, exited_with(0), 2 * kSec));
  EXPECT_FALSE(bounded.apply(reap_of({1000, kSec}, 1, "init", kSec, 3 * kSec))) << "the oldest should have been let go";
  ProcessPtr last = bounded.apply(reap_of({1000 + Lineage::kMaxUnreaped, kSec}, 1, "init", kSec, 3 * kSec));
  ASSERT_TRUE(last);
  EXPECT_EQ(last->comm, "sh");
  // Without keep_until_reaped nothing is kept, and no reap is reported.
  Lineage plain;
  plain.apply(exit_of({5, kSec}, 1, exited_with(0), 2 * kSec));
  EXPECT_FALSE(plain.apply(reap_of({5, kSec}, 1, "init", kSec, 3 * kSec)));
}

class ReapViews : public ViewOutputTest {
 protected:

  // make (200) runs cc (201), reaped at once, and ld (202), a zombie for
  // 2.5 s. A daemon's child (203) is orphaned and reaped by init (1) after
  // 4 ms; a logger (204) is autoreaped for sh (205), which ignores SIGCHLD;
  // a worker (206) is never reaped. make is reaped by bash (100).
  std::string run(std::unique_ptr<Sink> view) {
    Pipeline p(false);
    p.model().keep_until_reaped(true);
    p.add_sink(std::move(view));
    p.model().seed({seed_of(100, 1, Lineage::kDefaultProcTickNs, "bash", "/bin/bash", {"bash"})});
    Id bash{100, Lineage::kDefaultProcTickNs + 5};
    Id make{200, 10 * kSec}, cc{201, 10 * kSec + kMs}, ld{202, 10 * kSec + 2 * kMs};
    Id orphan{203, 10 * kSec + 3 * kMs}, logger{204, 10 * kSec + 4 * kMs}, worker{206, 10 * kSec + 5 * kMs};
    p.feed(fork_of(bash, make, 0, "bash"));
    p.feed(exec_of(make, 100, "/usr/bin/make", {"make"}, make.start_ns + kUs));
    p.feed(fork_of(make, cc, 0, "make"));
    p.feed(exec_of(cc, 200, "/usr/bin/cc", {"cc", "-c", "a.c"}, cc.start_ns + kUs));
    p.feed(exit_of(cc, 200, exited_with(0), 11 * kSec, 0, "cc"));
    p.feed(reap_of(cc, 200, "make", 300 * kUs, 11 * kSec + 300 * kUs));
    p.feed(fork_of(make, ld, 0, "make"));
    p.feed(exec_of(ld, 200, "/usr/bin/ld", {"ld", "-o", "app"}, ld.start_ns + kUs));
    p.feed(exit_of(ld, 200, exited_with(0), 12 * kSec, 0, "ld"));
    p.feed(reap_of(ld, 200, "make", 2'500 * kMs, 14'500 * kMs));
    p.feed(fork_of(make, orphan, 0, "make"));
    p.feed(exit_of(orphan, 1, exited_with(0), 15 * kSec, 0, "make"));
    p.feed(reap_of(orphan, 1, "init", 4 * kMs, 15 * kSec + 4 * kMs));
    p.feed(fork_of(make, logger, 0, "make"));
    p.feed(exit_of(logger, 200, exited_with(0), 15 * kSec + 5 * kMs, 0, "make"));
    p.feed(reap_of(logger, 200, "make", 0, 15 * kSec + 5 * kMs, true));
    p.feed(fork_of(make, worker, 0, "make"));
    p.feed(exit_of(worker, 1, exited_with(0), 16 * kSec, 0, "make"));
    p.feed(exit_of(make, 100, exited_with(0), 17 * kSec, 0, "make"));
    p.feed(reap_of(make, 100, "bash", kMs, 17 * kSec + kMs));
    p.finish();
    return read_all(out);
  }
  ViewOptions options() {
    ViewOptions o{TraceClock{1'700'000'000'000'000'000}, false, false};
    o.scope.knows_reaps = true;
    return o;
  }
};

TEST_F(ReapViews, TextShowsOnlyNotableReaps) {
  std::string s = run(std::make_unique<TextView>(out, options()));
  // A long zombie, and an orphan's reap by init: shown; the ordinary ones are not.
  EXPECT_NE(s.find(" reap      202     200 ld               reaped by make(200) after 2.50s as a zombie\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find(" reap      203       1 make             reaped by init(1) after 4.0ms as a zombie  (forked by 200)\n"),
            std::string::npos)
      << s;
  EXPECT_EQ(s.find(" reap      201 "), std::string::npos) << s;
  EXPECT_EQ(s.find(" reap      204 "), std::string::npos) << s;
  EXPECT_EQ(s.find(" reap      200 "), std::string::npos) << s;
}

TEST_F(ReapViews, JsonHasEveryReapWithTheContractsKeys) {
  std::string s = run(std::make_unique<JsonView>(out, options()));
  std::vector<Json> reaps;
  size_t at = 0;
  while (at < s.size()) {
    size_t end = s.find('\n', at);
    Json j = Json::parse(s.substr(at, end - at));
    if (j["event"] == "reap") reaps.push_back(j);
    at = end + 1;
  }
  ASSERT_EQ(reaps.size(), 5u) << s;
  EXPECT_EQ(reaps[1]["pid"], 202);
  EXPECT_EQ(reaps[1]["comm"], "ld");
  EXPECT_EQ(reaps[1]["ppid"], 200);
  EXPECT_EQ(reaps[1]["reaper_pid"], 200);
  EXPECT_EQ(reaps[1]["reaper_comm"], "make");
  EXPECT_EQ(reaps[1]["zombie_ns"], 2'500 * kMs);
  EXPECT_EQ(reaps[1]["autoreaped"], false);
  EXPECT_EQ(reaps[3]["pid"], 204);
  EXPECT_EQ(reaps[3]["autoreaped"], true);
  EXPECT_EQ(reaps[3]["zombie_ns"], 0);
}

TEST_F(ReapViews, TreeMarksLongAndNeverReapedZombies) {
  std::string s = run(std::make_unique<TreeView>(out, options()));
  EXPECT_NE(s.find("202 ld -o app  exit 0  2.00s  [zombie 2.50s until reaped by make(200)]"), std::string::npos) << s;
  EXPECT_NE(s.find("206 make  exit 0  6.00s  [zombie: never reaped, parent 1]  (reparented to 1)"), std::string::npos) << s;
  EXPECT_NE(s.find("201 cc -c a.c  exit 0  999.0ms\n"), std::string::npos) << s;
}

TEST_F(ReapViews, SummaryListsZombies) {
  std::string s = run(std::make_unique<SummaryView>(out, options()));
  EXPECT_NE(s.find("\nZombies: 1 never reaped by the end of the trace, 1 reaped after 1.00s or more\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("  make  never reaped: a zombie for 1.00s by the end, parent 1  (pid 206)\n"), std::string::npos)
      << s;
  EXPECT_NE(s.find("  ld -o app  zombie for 2.50s, reaped by make(200)  (pid 202)\n"), std::string::npos) << s;
}

TEST_F(ReapViews, SummaryJsonHasZombies) {
  std::string s = run(std::make_unique<SummaryView>(out, options(), /*json=*/true));
  Json j = Json::parse(s);
  ASSERT_TRUE(j.contains("zombies")) << s;
  const Json& z = j["zombies"];
  ASSERT_GE(z.size(), 3u) << s;
  EXPECT_EQ(z[0], Json::parse(R"({"pid":206,"argv":["make"],"parent_pid":1,"zombie_ns":1001000000,"reaped":false})"));
  EXPECT_EQ(z[1]["pid"], 202);
  EXPECT_EQ(z[1]["zombie_ns"], 2'500 * kMs);
  EXPECT_EQ(z[1]["reaped"], true);
  EXPECT_EQ(z[1]["parent_pid"], 200);
}

// Where the trace does not report reaps (older recordings, a kernel without
// the wait tracepoints), nothing is said of zombies.
TEST_F(ReapViews, NothingWithoutReaps) {
  ViewOptions o = options();
  o.scope.knows_reaps = false;
  std::string s = run(std::make_unique<SummaryView>(out, o, /*json=*/true));
  EXPECT_FALSE(Json::parse(s).contains("zombies")) << s;
}

TEST(ReapMetrics, ZombiesNowAndZombieTime) {
  Metrics metrics(/*knows_reaps=*/true);
  Lineage model;
  model.keep_until_reaped(true);
  for (uint32_t pid : {5u, 6u, 7u}) {
    Event e = exit_of({pid, kSec}, 1, exited_with(0), 2 * kSec);
    metrics.on_event(e, *model.apply(e));
  }
  Event r = reap_of({5, kSec}, 1, "init", 1'500 * kMs, 3'500 * kMs);
  metrics.on_event(r, *model.apply(r));
  r = reap_of({6, kSec}, 1, "init", 0, 2 * kSec, true);
  metrics.on_event(r, *model.apply(r));
  std::string text = metrics.render();
  EXPECT_NE(text.find("forktrace_zombies 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("forktrace_reaps_total{by=\"wait\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("forktrace_reaps_total{by=\"autoreap\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("forktrace_zombie_seconds_total 1.500000\n"), std::string::npos) << text;
  EXPECT_EQ(Metrics().render().find("forktrace_zombies"), std::string::npos);
}

}  // namespace
}  // namespace ft
