// `--format perfetto` (export/perfetto/perfetto_view.*) on a small synthetic
// build, decoded with the classes generated from the project's
// perfetto_trace.proto: every packet on the one sequence, the first one
// clearing incremental state with the clock (BOOTTIME) and the argument names,
// every interned ID defined once, before or in the packet that uses it; one
// track per process nested under its forker's, each descriptor before its
// events; balanced slices per program; failed execs and kills as instants;
// the cause path marked and joined by one flow; nesting capped in depth.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "event_builders.h"
#include "export/perfetto/perfetto_view.h"
#include "perfetto_trace.pb.h"
#include "pipeline/pipeline.h"
#include "read_all.h"

namespace ft {
namespace {

using namespace ft::test;
namespace pb = perfetto::protos;

constexpr int64_t kBootEpochNs = 1'700'000'000'000'000'000;

struct Slice {
  std::string name;
  uint64_t begin = 0, end = 0;
  std::map<std::string, std::string> args;  // strings and numbers as text; argv joined by spaces
  bool flow = false;
};
struct Instant {
  std::string name;
  uint64_t ts = 0;
  std::map<std::string, std::string> args;
};
struct Track {
  std::string name;
  uint64_t parent = 0;
  std::vector<Slice> slices;
  std::vector<Instant> instants;
};

// The file read back as a UI would, checking the sequence's rules on the way.
struct Decoded {
  std::vector<pb::TracePacket> packets;
  std::map<uint64_t, Track> tracks;          // by uuid
  std::vector<uint64_t> track_order;         // descriptors in file order
  std::map<uint64_t, std::string> names, arg_names, strings;

  explicit Decoded(const std::string& bytes) { decode(bytes); }

  void decode(const std::string& bytes) {
    pb::Trace trace;
    EXPECT_TRUE(trace.ParseFromString(bytes));
    std::string again;
    EXPECT_TRUE(trace.SerializeToString(&again));
    EXPECT_EQ(again, bytes) << "the file is exactly a serialized Trace";
    std::map<uint64_t, std::vector<Slice>> open;
    for (int i = 0; i < trace.packet_size(); ++i) {
      const pb::TracePacket& p = trace.packet(i);
      packets.push_back(p);
      EXPECT_EQ(p.trusted_packet_sequence_id(), PerfettoView::kSequenceId) << i;
      if (i == 0) {
        EXPECT_EQ(p.sequence_flags(), pb::TracePacket::SEQ_INCREMENTAL_STATE_CLEARED);
        EXPECT_TRUE(p.first_packet_on_sequence());
      } else {
        EXPECT_FALSE(p.first_packet_on_sequence()) << i;
        EXPECT_NE(p.sequence_flags(), pb::TracePacket::SEQ_INCREMENTAL_STATE_CLEARED) << i;
      }
      const pb::InternedData& in = p.interned_data();
      for (const auto& n : in.event_names()) EXPECT_TRUE(names.emplace(n.iid(), n.name()).second) << n.iid();
      for (const auto& n : in.debug_annotation_names())
        EXPECT_TRUE(arg_names.emplace(n.iid(), n.name()).second) << n.iid();
      for (const auto& s : in.debug_annotation_string_values())
        EXPECT_TRUE(strings.emplace(s.iid(), s.str()).second) << s.iid();
      if (p.has_track_descriptor()) {
        const pb::TrackDescriptor& d = p.track_descriptor();
        EXPECT_FALSE(tracks.count(d.uuid())) << "one descriptor per track";
        EXPECT_NE(d.uuid(), 0u);
        if (d.parent_uuid()) EXPECT_TRUE(tracks.count(d.parent_uuid())) << "the parent's descriptor comes first";
        tracks[d.uuid()].name = d.name();
        tracks[d.uuid()].parent = d.parent_uuid();
        track_order.push_back(d.uuid());
      }
      if (!p.has_track_event()) continue;
      EXPECT_EQ(p.sequence_flags(), pb::TracePacket::SEQ_NEEDS_INCREMENTAL_STATE) << i;
      const pb::TrackEvent& e = p.track_event();
      ASSERT_TRUE(tracks.count(e.track_uuid())) << "an event before its track's descriptor: " << i;
      Track& track = tracks[e.track_uuid()];
      auto args = read_args(e);
      if (e.type() == pb::TrackEvent::TYPE_SLICE_BEGIN) {
        ASSERT_TRUE(names.count(e.name_iid())) << i;
        ASSERT_TRUE(open[e.track_uuid()].empty()) << "a program's slice begins after the one before ends";
        if (!track.slices.empty()) {
          EXPECT_GE(p.timestamp(), track.slices.back().end);
        }
        open[e.track_uuid()].push_back(Slice{names[e.name_iid()], p.timestamp(), 0, args, e.flow_ids_size() > 0});
      } else if (e.type() == pb::TrackEvent::TYPE_SLICE_END) {
        ASSERT_EQ(open[e.track_uuid()].size(), 1u) << "an end without a begin: " << i;
        Slice s = open[e.track_uuid()].back();
        open[e.track_uuid()].pop_back();
        EXPECT_GE(p.timestamp(), s.begin);
        s.end = p.timestamp();
        track.slices.push_back(s);
      } else {
        ASSERT_EQ(e.type(), pb::TrackEvent::TYPE_INSTANT);
        ASSERT_TRUE(names.count(e.name_iid())) << i;
        track.instants.push_back(Instant{names[e.name_iid()], p.timestamp(), args});
      }
    }
    for (const auto& [uuid, pending] : open) EXPECT_TRUE(pending.empty()) << "slice left open on track " << uuid;
  }

  std::map<std::string, std::string> read_args(const pb::TrackEvent& e) {
    std::map<std::string, std::string> args;
    for (const pb::DebugAnnotation& a : e.debug_annotations()) {
      EXPECT_TRUE(arg_names.count(a.name_iid())) << a.name_iid();
      std::string value;
      if (a.array_values_size()) {
        for (const pb::DebugAnnotation& v : a.array_values()) {
          EXPECT_TRUE(strings.count(v.string_value_iid())) << v.string_value_iid();
          value += (value.empty() ? "" : " ") + strings[v.string_value_iid()];
        }
      } else if (a.has_string_value_iid()) {
        EXPECT_TRUE(strings.count(a.string_value_iid())) << a.string_value_iid();
        value = strings[a.string_value_iid()];
      } else if (a.has_string_value()) {
        value = a.string_value();
      } else if (a.has_uint_value()) {
        value = std::to_string(a.uint_value());
      } else if (a.has_int_value()) {
        value = std::to_string(a.int_value());
      } else if (a.has_bool_value()) {
        value = a.bool_value() ? "true" : "false";
      }
      args[arg_names[a.name_iid()]] = value;
    }
    return args;
  }

  const Track& by_pid(uint32_t pid) const {
    for (const auto& [uuid, t] : tracks)
      if (t.name.rfind(std::to_string(pid) + " ", 0) == 0) return t;
    static Track none;
    ADD_FAILURE() << "no track for pid " << pid;
    return none;
  }
  uint64_t uuid_of(uint32_t pid) const {
    for (const auto& [uuid, t] : tracks)
      if (t.name.rfind(std::to_string(pid) + " ", 0) == 0) return uuid;
    return 0;
  }
};

class UnitPerfettoView : public ViewOutputTest {
 protected:
  void SetUp() override {
    ViewOutputTest::SetUp();
    start(options());
  }
  void start(const ViewOptions& o) {
    pipeline = std::make_unique<Pipeline>(false);
    pipeline->add_sink(std::make_unique<PerfettoView>(out, o));
    pipeline->model().seed({seed_of(1, 0, 0, "systemd", "/sbin/init", {"/sbin/init"}),
                            seed_of(100, 1, Lineage::kDefaultProcTickNs, "forktrace", "/usr/bin/forktrace",
                                    {"forktrace", "--"})});
  }
  ViewOptions options() {
    ViewOptions o{TraceClock{kBootEpochNs}, false, false};
    o.scope.filtered = true;
    o.scope.traced_command = {"make", "-j2"};
    o.scope.realtime_offset_ns = kBootEpochNs;
    return o;
  }

  //   200 make -j2          exit 2
  //   ├─ 201 sh -c 'cc a.c'   exit 1     (a failed exec of gtar first: ENOENT)
  //   │  └─ 203 cc a.c          exit 1   the cause
  //   └─ 202 sh -c 'cc b.c'   exit 0
  //      └─ 204 cc b.c          killed by SIGTERM from make(200), with usage
  void feed_build() {
    Id tracer{100, Lineage::kDefaultProcTickNs + 5};
    Id make{200, 10 * kSec}, sh1{201, 10 * kSec + kMs}, sh2{202, 10 * kSec + 2 * kMs};
    Id cc1{203, 10 * kSec + 3 * kMs}, cc2{204, 10 * kSec + 4 * kMs};
    Pipeline& p = *pipeline;
    p.feed(fork_of(tracer, make, 0, "forktrace"));
    Event exec_make = exec_of(make, 100, "/usr/bin/make", {"make", "-j2"}, make.start_ns + kMs / 2);
    exec_make.cwd = "/src";
    p.feed(exec_make);
    p.feed(fork_of(make, sh1, 0, "make"));
    p.feed(exec_of(sh1, 200, "/bin/sh", {"sh", "-c", "cc a.c"}, sh1.start_ns + 10 * kUs));
    p.feed(fork_of(make, sh2, 0, "make"));
    p.feed(exec_of(sh2, 200, "/bin/sh", {"sh", "-c", "cc b.c"}, sh2.start_ns + 10 * kUs));
    p.feed(failed_exec_of(sh1, 200, "/usr/bin/gtar", 2 /* ENOENT */, sh1.start_ns + 500 * kUs));
    p.feed(fork_of(sh1, cc1, 0, "sh"));
    p.feed(exec_of(cc1, 201, "/usr/bin/cc", {"cc", "a.c"}, cc1.start_ns + 10 * kUs));
    p.feed(fork_of(sh2, cc2, 0, "sh"));
    p.feed(exec_of(cc2, 202, "/usr/bin/cc", {"cc", "b.c"}, cc2.start_ns + 10 * kUs));
    p.feed(exit_of(cc1, 201, exited_with(1), cc1.start_ns + 20 * kMs, 0, "cc"));
    p.feed(exit_of(sh1, 200, exited_with(1), sh1.start_ns + 25 * kMs, 0, "sh"));
    Event killed = exit_of(cc2, 202, killed_by(15), cc2.start_ns + 30 * kMs, 0, "cc");
    killed.killed_by = KilledBy{KillSource::process, 200, "make", ""};
    ResourceUsage usage;
    usage.cpu_user_ns = 7 * kMs;
    usage.cpu_sys_ns = 2 * kMs;
    usage.max_rss_kb = 9000;
    usage.program_max_rss_kb = 4000;
    killed.usage = usage;
    p.feed(killed);
    p.feed(exit_of(sh2, 200, exited_with(0), sh2.start_ns + 35 * kMs, 0, "sh"));
    p.feed(exit_of(make, 100, exited_with(2), make.start_ns + 1500 * kMs, 0, "make"));
    p.feed(lost_of(7, make.start_ns + 1400 * kMs));
    p.finish();
  }

  std::unique_ptr<Pipeline> pipeline;
};

TEST_F(UnitPerfettoView, FirstPacketClearsStateWithBoottimeAndTheArgumentNames) {
  feed_build();
  Decoded d(read_all(out));
  ASSERT_FALSE(d.packets.empty());
  const pb::TracePacket& first = d.packets.front();
  EXPECT_EQ(first.trace_packet_defaults().timestamp_clock_id(), 6u) << "BOOTTIME";
  ASSERT_TRUE(first.has_clock_snapshot());
  EXPECT_EQ(first.clock_snapshot().primary_trace_clock(), pb::BUILTIN_CLOCK_BOOTTIME);
  ASSERT_EQ(first.clock_snapshot().clocks_size(), 2);
  EXPECT_EQ(first.clock_snapshot().clocks(0).clock_id(), 6u);
  EXPECT_EQ(first.clock_snapshot().clocks(0).timestamp(), 10 * kSec) << "the first event";
  EXPECT_EQ(first.clock_snapshot().clocks(1).clock_id(), 1u) << "REALTIME beside it";
  EXPECT_EQ(first.clock_snapshot().clocks(1).timestamp(), 10 * kSec + kBootEpochNs);
  std::set<std::string> names;
  for (const auto& [iid, name] : d.arg_names) names.insert(name);
  for (const char* name : {"pid", "argv", "cwd", "status", "exit_code", "killed_by", "cpu_user_ns", "cpu_sys_ns",
                           "peak_rss_kb", "cause_path", "filename", "error"})
    EXPECT_TRUE(names.count(name)) << name;
  EXPECT_EQ(d.arg_names.size(), first.interned_data().debug_annotation_names_size()) << "all named up front";
}

TEST_F(UnitPerfettoView, TracksNestByForkerInDepthFirstOrder) {
  feed_build();
  Decoded d(read_all(out));
  ASSERT_EQ(d.tracks.size(), 6u) << "five processes and the lost events' track";
  std::vector<std::string> order;
  for (uint64_t uuid : d.track_order) order.push_back(d.tracks[uuid].name);
  EXPECT_EQ(order, (std::vector<std::string>{"200 make -j2", "201 sh -c 'cc a.c'", "203 cc a.c",
                                             "202 sh -c 'cc b.c'", "204 cc b.c", "events lost"}));
  EXPECT_EQ(d.tracks[d.uuid_of(200)].parent, 0u) << "the traced command is a root: the tracer is no track";
  EXPECT_EQ(d.tracks[d.uuid_of(201)].parent, d.uuid_of(200));
  EXPECT_EQ(d.tracks[d.uuid_of(203)].parent, d.uuid_of(201));
  EXPECT_EQ(d.tracks[d.uuid_of(204)].parent, d.uuid_of(202));
  for (const pb::TracePacket& p : d.packets) {
    if (!p.has_track_descriptor()) continue;
    EXPECT_EQ(p.track_descriptor().sibling_merge_behavior(), pb::TrackDescriptor::SIBLING_MERGE_BEHAVIOR_NONE)
        << "same-named siblings stay apart";
    bool has_children = false;
    for (const auto& [uuid, t] : d.tracks) has_children |= t.parent == p.track_descriptor().uuid();
    EXPECT_EQ(p.track_descriptor().child_ordering() == pb::TrackDescriptor::CHRONOLOGICAL, has_children);
  }
}

TEST_F(UnitPerfettoView, OneSlicePerProgramWithItsArguments) {
  feed_build();
  Decoded d(read_all(out));
  const Track& make = d.by_pid(200);
  ASSERT_EQ(make.slices.size(), 1u) << "no slice for the moment it was still forktrace";
  EXPECT_EQ(make.slices[0].name, "make");
  EXPECT_EQ(make.slices[0].begin, 10 * kSec + kMs / 2) << "the exec, in boot-time ns";
  EXPECT_EQ(make.slices[0].end, 10 * kSec + 1500 * kMs);
  EXPECT_EQ(make.slices[0].args.at("status"), "exit 2");
  EXPECT_EQ(make.slices[0].args.at("exit_code"), "2");
  EXPECT_EQ(make.slices[0].args.at("cwd"), "/src");
  EXPECT_EQ(make.slices[0].args.at("argv"), "make -j2");

  const Track& cc = d.by_pid(203);
  ASSERT_EQ(cc.slices.size(), 2u) << "the fork-to-exec moment in sh, then cc";
  EXPECT_EQ(cc.slices[0].name, "sh");
  EXPECT_EQ(cc.slices[0].begin, 10 * kSec + 3 * kMs);
  EXPECT_EQ(cc.slices[0].end, cc.slices[1].begin) << "one program ends where the next begins";
  EXPECT_FALSE(cc.slices[0].args.count("argv")) << "before its exec it has no argv of its own";
  EXPECT_TRUE(cc.slices[0].args.count("phase"));
  EXPECT_FALSE(cc.slices[0].args.count("status")) << "only the last slice carries the status";
  const Slice& last = cc.slices[1];
  EXPECT_EQ(last.name, "cc") << "named by the program alone: the status is an argument";
  EXPECT_EQ(last.args.at("pid"), "203");
  EXPECT_EQ(last.args.at("ppid"), "201");
  EXPECT_EQ(last.args.at("argv"), "cc a.c");
  EXPECT_EQ(last.args.at("status"), "exit 1");
  EXPECT_FALSE(last.args.count("cpu_user_ns")) << "no usage known";

  const Slice& killed = d.by_pid(204).slices.back();
  EXPECT_EQ(killed.args.at("status"), "killed by SIGTERM from make(200)");
  EXPECT_FALSE(killed.args.count("exit_code"));
  EXPECT_EQ(killed.args.at("killed_by"), "make(200)");
  EXPECT_EQ(killed.args.at("cpu_user_ns"), "7000000");
  EXPECT_EQ(killed.args.at("cpu_sys_ns"), "2000000");
  EXPECT_EQ(killed.args.at("peak_rss_kb"), "4000") << "the program's own peak (ResourceUsage::peak_rss_kb)";
}

TEST_F(UnitPerfettoView, FailedExecsKillsAndLossesAreInstants) {
  feed_build();
  Decoded d(read_all(out));
  const Track& sh = d.by_pid(201);
  ASSERT_EQ(sh.instants.size(), 1u);
  EXPECT_EQ(sh.instants[0].name, "exec failed: x") << "named by argv[0] as the caller passed it";
  EXPECT_EQ(sh.instants[0].ts, 10 * kSec + kMs + 500 * kUs) << "when it was attempted";
  EXPECT_EQ(sh.instants[0].args.at("filename"), "/usr/bin/gtar");
  EXPECT_EQ(sh.instants[0].args.at("error"), "ENOENT");
  const Track& cc = d.by_pid(204);
  ASSERT_EQ(cc.instants.size(), 1u);
  EXPECT_EQ(cc.instants[0].name, "killed by SIGTERM from make(200)");
  EXPECT_EQ(cc.instants[0].ts, cc.slices.back().end) << "at its exit, inside its last slice";
  EXPECT_EQ(d.by_pid(203).instants.size(), 0u);
  bool lost = false;
  for (const auto& [uuid, t] : d.tracks)
    if (t.name == "events lost") {
      ASSERT_EQ(t.instants.size(), 1u);
      EXPECT_EQ(t.instants[0].args.at("lost"), "7");
      lost = true;
    }
  EXPECT_TRUE(lost);
}

TEST_F(UnitPerfettoView, CausePathIsMarkedAndJoinedByOneFlow) {
  feed_build();
  Decoded d(read_all(out));
  EXPECT_EQ(d.by_pid(200).slices.back().args.at("cause_path"), "failed because of sh(201)");
  EXPECT_EQ(d.by_pid(201).slices.back().args.at("cause_path"), "failed because of cc(203)");
  EXPECT_EQ(d.by_pid(203).slices.back().args.at("cause_path"), "the cause");
  EXPECT_FALSE(d.by_pid(202).slices.back().args.count("cause_path"));
  EXPECT_FALSE(d.by_pid(204).slices.back().args.count("cause_path")) << "killed, but handled: not the cause";
  std::vector<uint32_t> with_flow;
  for (uint32_t pid : {200u, 201u, 202u, 203u, 204u}) {
    size_t flows = 0;
    for (const Slice& s : d.by_pid(pid).slices) flows += s.flow;
    if (flows) with_flow.push_back(pid);
    EXPECT_LE(flows, 1u);
  }
  EXPECT_EQ(with_flow, (std::vector<uint32_t>{200, 201, 203}));
  EXPECT_TRUE(d.by_pid(203).slices.back().flow) << "into the cause's last slice";
}

TEST_F(UnitPerfettoView, FailedKeepsOnlySubtreesWithAFailure) {
  ViewOptions o = options();
  o.failed_only = true;
  start(o);
  Id tracer{100, Lineage::kDefaultProcTickNs + 5};
  Id make{200, 10 * kSec}, sh1{201, 10 * kSec + kMs}, sh2{202, 10 * kSec + 2 * kMs};
  Pipeline& p = *pipeline;
  p.feed(fork_of(tracer, make, 0, "forktrace"));
  p.feed(exec_of(make, 100, "/usr/bin/make", {"make"}, make.start_ns + kUs));
  p.feed(fork_of(make, sh1, 0, "make"));
  p.feed(fork_of(make, sh2, 0, "make"));
  p.feed(exit_of(sh1, 200, exited_with(1), sh1.start_ns + kMs, 0, "make"));
  p.feed(exit_of(sh2, 200, exited_with(0), sh2.start_ns + kMs, 0, "make"));
  p.feed(exit_of(make, 100, exited_with(2), make.start_ns + 10 * kMs, 0, "make"));
  p.finish();
  Decoded d(read_all(out));
  std::vector<std::string> names;
  for (uint64_t uuid : d.track_order) names.push_back(d.tracks[uuid].name);
  EXPECT_EQ(names, (std::vector<std::string>{"200 make", "201 make"})) << "202 succeeded and ran nothing that failed";
}

TEST_F(UnitPerfettoView, DeepChainsNestNoDeeperThanTheCap) {
  Id tracer{100, Lineage::kDefaultProcTickNs + 5};
  Id up{200, 10 * kSec};
  pipeline->feed(fork_of(tracer, up, 0, "forktrace"));
  pipeline->feed(exec_of(up, 100, "/bin/sh", {"sh"}, up.start_ns + kUs));
  const uint32_t levels = 80;
  for (uint32_t i = 1; i < levels; ++i) {
    Id child{200 + i, up.start_ns + kMs};
    pipeline->feed(fork_of(up, child, 0, "sh"));
    up = child;
  }
  pipeline->finish();
  Decoded d(read_all(out));
  ASSERT_EQ(d.tracks.size(), levels);
  size_t deepest = 0;
  for (const auto& [uuid, t] : d.tracks) {
    size_t ancestors = 0;
    for (uint64_t p = t.parent; p; p = d.tracks[p].parent) ancestors++;
    deepest = std::max(deepest, ancestors);
  }
  EXPECT_EQ(deepest, PerfettoView::kMaxTrackDepth - 1) << "trace_processor drops tracks with 100 ancestors";
  EXPECT_EQ(d.tracks[d.uuid_of(200 + levels - 1)].parent, d.tracks[d.uuid_of(200 + levels - 2)].parent)
      << "past the cap, beside its forker";
}

}  // namespace
}  // namespace ft
