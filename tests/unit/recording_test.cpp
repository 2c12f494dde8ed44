// The trace file: exact round trips, and safe, precise failure on damage.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "recording/trace_file.h"
#include "recording/trace_reader.h"
#include "recording/trace_writer.h"

namespace ft {
namespace {

bool same(const Event& a, const Event& b) {
  return a.kind == b.kind && a.thread == b.thread && a.ts_ns == b.ts_ns && a.pid == b.pid && a.tid == b.tid &&
         a.ppid == b.ppid && a.start_ns == b.start_ns && a.thread_start_ns == b.thread_start_ns &&
         a.cgroup_id == b.cgroup_id && a.comm == b.comm && a.cgroup == b.cgroup && a.parent_pid == b.parent_pid &&
         a.parent_tid == b.parent_tid && a.parent_start_ns == b.parent_start_ns && a.old_tid == b.old_tid &&
         a.filename == b.filename && a.argv == b.argv && a.argv_truncated == b.argv_truncated && a.env == b.env &&
         a.env_truncated == b.env_truncated && a.wait_status == b.wait_status && a.lost_count == b.lost_count &&
         a.nspid == b.nspid;
}

std::vector<Event> sample_events() {
  std::vector<Event> events;
  uint64_t ts = 5'000'000'000;
  Event fork;
  fork.kind = EventKind::fork;
  fork.ts_ns = ts;
  fork.pid = fork.tid = 4242;
  fork.ppid = fork.parent_pid = 4000;
  fork.parent_tid = 4001;
  fork.start_ns = fork.thread_start_ns = ts - 1000;
  fork.parent_start_ns = 1'000'000;
  fork.cgroup_id = 77;
  fork.cgroup = "/system.slice/build.service";
  fork.comm = "make";
  events.push_back(fork);

  Event thread = fork;
  thread.thread = true;
  thread.tid = 4243;
  thread.ts_ns += 10;
  events.push_back(thread);

  Event exec;
  exec.kind = EventKind::exec;
  exec.ts_ns = ts + 20'000;
  exec.pid = exec.tid = 4242;
  exec.old_tid = 4243;
  exec.ppid = 1;  // reparented meanwhile
  exec.start_ns = ts - 1000;
  exec.comm = "g\xff\xfe++";  // not UTF-8
  exec.cgroup = "/system.slice/build.service";
  exec.filename = "/usr/bin/g++";
  exec.argv = {"g++", "", "-c", std::string("a\0b", 3), std::string(3000, 'x')};
  exec.argv_truncated = true;
  exec.env = {"BUILD_ID=17", "PATH=/bin"};
  exec.env_truncated = true;
  exec.nspid = 1;  // version 7: the first process of a container
  events.push_back(exec);

  Event exit;
  exit.kind = EventKind::exit;
  exit.ts_ns = ts + 10;  // earlier than the previous record: negative delta
  exit.pid = 4242;
  exit.tid = 4243;
  exit.ppid = 4000;
  exit.start_ns = ts - 1000;
  exit.thread_start_ns = ts - 10;
  exit.wait_status = 11 | 0x80;
  exit.comm = "g++";
  exit.cgroup = "/other";
  events.push_back(exit);

  Event lost;
  lost.kind = EventKind::lost;
  lost.ts_ns = ts + 30'000;
  lost.lost_count = 123456789;
  events.push_back(lost);

  Event extremes;
  extremes.kind = EventKind::exit;
  extremes.ts_ns = UINT64_MAX;
  extremes.pid = UINT32_MAX;
  extremes.tid = 1;
  extremes.start_ns = 1;
  extremes.parent_start_ns = UINT64_MAX;
  extremes.cgroup_id = UINT64_MAX;
  extremes.wait_status = UINT32_MAX;
  events.push_back(extremes);
  return events;
}

TraceHeader sample_header() {
  TraceHeader h;
  h.hostname = "build-17";
  h.kernel_release = "6.18.0";
  h.started_ns = 123;
  h.realtime_offset_ns = 1'700'000'000'000'000'000;
  h.flags = kTraceThreads | kTraceFiltered;
  h.command = {"forktrace", "-w", "x", "--", "make"};
  h.traced_command = {"make", "-j8"};
  SeedProcess init{1, 0, 10'000'000, 5, "init", "/sbin/init", {"/sbin/init", "splash"}, "job-1"};
  SeedProcess shell{900, 1, 20'000'000, 0, "bash", "", {}, ""};
  h.seeds = {init, shell};
  return h;
}

// A recording as an older version would have written it: before version 3 the
// header had no boot ID (empty here, so its last byte, a zero length).
std::string as_version(std::string file, uint32_t version) {
  if (version < 3) {
    uint32_t size = 0;
    for (int i = 0; i < 4; ++i) size |= uint32_t(uint8_t(file[12 + i])) << (8 * i);
    EXPECT_EQ(file[16 + size - 1], '\0') << "the sample header has no boot ID";
    file.erase(16 + size - 1, 1);
    size--;
    uint32_t crc = trace_file::crc32(file.data() + 16, size);
    for (int i = 0; i < 4; ++i) {
      file[12 + i] = static_cast<char>(size >> (8 * i));
      file[16 + size + i] = static_cast<char>(crc >> (8 * i));
    }
  }
  file[8] = static_cast<char>(version);
  return file;
}

std::string record(const std::vector<Event>& events, const TraceHeader& header) {
  std::string path = testing::TempDir() + "recording_test.ftrace";
  std::string error;
  auto writer = TraceWriter::open(path, header, error);
  EXPECT_TRUE(writer) << error;
  for (const Event& e : events) writer->write(e);
  EXPECT_TRUE(writer->close(error)) << error;
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Recording, Version3OnKeepsTheBootIdAndVersion2HasNone) {
  TraceHeader header = sample_header();
  header.boot_id = "29c77133-bf15-494d-bcc3-e441fb9225fa";
  std::string error;
  auto reader = TraceReader::from_memory(record(sample_events(), header), error);
  ASSERT_TRUE(reader) << error;
  EXPECT_EQ(reader->header().version, kTraceFormatVersion);
  EXPECT_EQ(reader->header().boot_id, header.boot_id);
  reader = TraceReader::from_memory(as_version(record(sample_events(), header), 3), error);
  ASSERT_TRUE(reader) << error;
  EXPECT_EQ(reader->header().version, 3u);
  EXPECT_EQ(reader->header().boot_id, header.boot_id);
  reader = TraceReader::from_memory(as_version(record(sample_events(), sample_header()), 2), error);
  ASSERT_TRUE(reader) << error;
  EXPECT_EQ(reader->header().version, 2u);
  EXPECT_EQ(reader->header().boot_id, "");
  EXPECT_EQ(reader->header().hostname, "build-17");
  Event e;
  size_t n = 0;
  while (reader->next(e) == TraceReader::Status::event) n++;
  EXPECT_EQ(n, sample_events().size());
  EXPECT_EQ(reader->next(e), TraceReader::Status::end);
}

TEST(Recording, RoundTripsEveryField) {
  std::vector<Event> events = sample_events();
  TraceHeader header = sample_header();
  std::string error;
  auto reader = TraceReader::from_memory(record(events, header), error);
  ASSERT_TRUE(reader) << error;
  const TraceHeader& h = reader->header();
  EXPECT_EQ(h.version, kTraceFormatVersion);
  EXPECT_EQ(h.hostname, header.hostname);
  EXPECT_EQ(h.kernel_release, header.kernel_release);
  EXPECT_EQ(h.started_ns, header.started_ns);
  EXPECT_EQ(h.realtime_offset_ns, header.realtime_offset_ns);
  EXPECT_EQ(h.flags, header.flags);
  EXPECT_EQ(h.command, header.command);
  EXPECT_EQ(h.traced_command, header.traced_command);
  ASSERT_EQ(h.seeds.size(), 2u);
  EXPECT_EQ(h.seeds[0].argv, header.seeds[0].argv);
  EXPECT_EQ(h.seeds[0].filename, "/sbin/init");
  EXPECT_EQ(h.seeds[0].cgroup_id, 5u);
  EXPECT_EQ(h.seeds[0].job, "job-1");
  EXPECT_EQ(h.seeds[1].start_ns, 20'000'000u);
  EXPECT_EQ(h.seeds[1].ppid, 1u);

  Event e;
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(reader->next(e), TraceReader::Status::event) << i;
    EXPECT_TRUE(same(e, events[i])) << "record " << i;
  }
  EXPECT_EQ(reader->next(e), TraceReader::Status::end);
}

TEST(Recording, ManyChunksKeepOrderAndDeltas) {
  std::vector<Event> events;
  Event e = sample_events()[0];
  for (int i = 0; i < 30000; ++i) {
    e.ts_ns += 1000 + i;
    e.pid = e.tid = 1000 + i % 5000;
    e.cgroup = "/job/" + std::to_string(i % 7);
    events.push_back(e);
  }
  std::string error;
  auto reader = TraceReader::from_memory(record(events, sample_header()), error);
  ASSERT_TRUE(reader) << error;
  Event got;
  for (const Event& want : events) {
    ASSERT_EQ(reader->next(got), TraceReader::Status::event);
    ASSERT_TRUE(same(got, want));
  }
  EXPECT_EQ(reader->next(got), TraceReader::Status::end);
}

TEST(Recording, ForkAndExitRecordsAreCompact) {
  std::vector<Event> events;
  uint64_t ts = 3'600'000'000'000;
  for (uint32_t i = 0; i < 1000; ++i) {
    Event fork;
    fork.kind = EventKind::fork;
    fork.ts_ns = ts += 150'000;
    fork.pid = fork.tid = 20000 + i;
    fork.ppid = fork.parent_pid = fork.parent_tid = 19000;
    fork.start_ns = fork.thread_start_ns = ts - 2000;
    fork.parent_start_ns = 1'000'000'000;
    fork.cgroup_id = 4321;
    fork.cgroup = "/system.slice/ci-runner.service";
    fork.comm = "make";
    Event exit = fork;
    exit.kind = EventKind::exit;
    exit.ts_ns = ts += 2'000'000;
    exit.parent_pid = exit.parent_tid = 0;
    exit.parent_start_ns = 0;
    exit.comm = "cc1";
    exit.wait_status = 1 << 8;
    events.push_back(fork);
    events.push_back(exit);
  }
  std::string empty = record({}, TraceHeader{});
  std::string full = record(events, TraceHeader{});
  double per_record = static_cast<double>(full.size() - empty.size()) / events.size();
  EXPECT_LE(per_record, 64.0);
  std::printf("bytes per fork or exit record: %.1f\n", per_record);
}

TEST(Recording, TruncationAtEveryByteKeepsWholeRecords) {
  std::vector<Event> events = sample_events();
  std::string file = record(events, sample_header());
  std::string error;
  auto whole = TraceReader::from_memory(file, error);
  ASSERT_TRUE(whole);
  uint64_t data_start = whole->offset();
  std::vector<uint64_t> ends;  // where each record ends
  Event e;
  while (whole->next(e) == TraceReader::Status::event) ends.push_back(whole->offset());

  for (size_t cut = 0; cut < file.size(); ++cut) {
    auto reader = TraceReader::from_memory(file.substr(0, cut), error);
    if (cut < data_start) {
      EXPECT_FALSE(reader) << "cut at " << cut;
      continue;
    }
    ASSERT_TRUE(reader) << "cut at " << cut << ": " << error;
    size_t n = 0;
    TraceReader::Status status;
    while ((status = reader->next(e)) == TraceReader::Status::event) {
      ASSERT_LT(n, events.size());
      EXPECT_TRUE(same(e, events[n])) << "cut at " << cut;
      ++n;
    }
    size_t whole_records = std::upper_bound(ends.begin(), ends.end(), cut) - ends.begin();
    EXPECT_EQ(n, whole_records) << "cut at " << cut;
    // Every cut is reported: inside a record, or between two records by the
    // missing end record (format version 2).
    EXPECT_EQ(status, TraceReader::Status::truncated) << "cut at " << cut;
    EXPECT_NE(reader->problem().find("cut off at byte " + std::to_string(cut)), std::string::npos)
        << reader->problem();
  }
}

constexpr size_t kEndFrame = 6;  // length byte, {0x41}, CRC

TEST(Recording, CutBetweenRecordsSaysTheEndRecordIsMissing) {
  std::string file = record(sample_events(), sample_header());
  std::string error;
  auto reader = TraceReader::from_memory(file.substr(0, file.size() - kEndFrame), error);
  ASSERT_TRUE(reader) << error;
  Event e;
  size_t n = 0;
  TraceReader::Status status;
  while ((status = reader->next(e)) == TraceReader::Status::event) ++n;
  EXPECT_EQ(n, sample_events().size());
  EXPECT_EQ(status, TraceReader::Status::truncated);
  EXPECT_NE(reader->problem().find("no end record"), std::string::npos) << reader->problem();
}

TEST(Recording, Version1NeedsNoEndRecordAndMayNotHaveOne) {
  std::string file = record(sample_events(), sample_header());
  std::string v1 = as_version(file.substr(0, file.size() - kEndFrame), 1);
  std::string error;
  auto reader = TraceReader::from_memory(v1, error);
  ASSERT_TRUE(reader) << error;
  EXPECT_EQ(reader->header().version, 1u);
  Event e;
  while (reader->next(e) == TraceReader::Status::event) {
  }
  EXPECT_EQ(reader->next(e), TraceReader::Status::end);

  std::string v1_with_end = as_version(file, 1);
  reader = TraceReader::from_memory(v1_with_end, error);
  ASSERT_TRUE(reader) << error;
  TraceReader::Status status;
  while ((status = reader->next(e)) == TraceReader::Status::event) {
  }
  EXPECT_EQ(status, TraceReader::Status::corrupt) << "an end frame is not version 1";
}

TEST(Recording, DataAfterTheEndRecordIsCorrupt) {
  std::string file = record(sample_events(), sample_header());
  std::string error;
  auto reader = TraceReader::from_memory(file + file.substr(file.size() - kEndFrame), error);
  ASSERT_TRUE(reader) << error;
  Event e;
  TraceReader::Status status;
  while ((status = reader->next(e)) == TraceReader::Status::event) {
  }
  EXPECT_EQ(status, TraceReader::Status::corrupt);
  EXPECT_NE(reader->problem().find("after the end record"), std::string::npos) << reader->problem();
}

TEST(Recording, FlippedByteIsCorruptWithItsOffset) {
  std::string file = record(sample_events(), sample_header());
  std::string error;
  auto whole = TraceReader::from_memory(file, error);
  ASSERT_TRUE(whole);
  Event e;
  ASSERT_EQ(whole->next(e), TraceReader::Status::event);  // skips the sync frame
  uint64_t second = whole->offset();
  std::string damaged = file;
  damaged[second + 3] ^= 0x20;  // inside the second record's body
  auto reader = TraceReader::from_memory(damaged, error);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->next(e), TraceReader::Status::event);
  EXPECT_EQ(reader->next(e), TraceReader::Status::corrupt);
  EXPECT_NE(reader->problem().find("byte " + std::to_string(second)), std::string::npos) << reader->problem();
  EXPECT_EQ(reader->next(e), TraceReader::Status::corrupt);
}

TEST(Recording, RandomDamageNeverCrashes) {
  std::string file = record(sample_events(), sample_header());
  std::mt19937 rng(12345);
  std::string error;
  for (int round = 0; round < 3000; ++round) {
    std::string mutated = file;
    int flips = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < flips; ++i) mutated[rng() % mutated.size()] = static_cast<char>(rng());
    if (rng() % 4 == 0) mutated.resize(rng() % mutated.size());
    auto reader = TraceReader::from_memory(mutated, error);
    if (!reader) continue;
    Event e;
    int n = 0;
    while (reader->next(e) == TraceReader::Status::event) ASSERT_LT(++n, 1000);
  }
}

TEST(Recording, NewerVersionIsRefused) {
  std::string file = record({}, sample_header());
  file[8] = static_cast<char>(kTraceFormatVersion + 1);
  std::string error;
  EXPECT_FALSE(TraceReader::from_memory(file, error));
  EXPECT_NE(error.find("newer than this forktrace reads"), std::string::npos) << error;
  EXPECT_NE(error.find("upgrade forktrace"), std::string::npos) << error;
}

TEST(Recording, NotARecording) {
  std::string error;
  EXPECT_FALSE(TraceReader::from_memory("{\"event\":\"fork\"}\n", error));
  EXPECT_EQ(error, "the recording is not a forktrace recording");
}

TEST(Recording, MissingFile) {
  std::string error;
  EXPECT_FALSE(TraceReader::open("/nonexistent/x.ftrace", error));
  EXPECT_EQ(error, "cannot read /nonexistent/x.ftrace: No such file or directory");
}

TEST(Recording, FullDiskIsAnError) {
  std::string error;
  auto writer = TraceWriter::open("/dev/full", sample_header(), error);
  EXPECT_FALSE(writer);
  EXPECT_EQ(error, "cannot write /dev/full: No space left on device");
}

}  // namespace
}  // namespace ft
