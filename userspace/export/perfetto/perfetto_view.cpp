#include "export/perfetto/perfetto_view.h"

#include <google/protobuf/arena.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analysis/build_report.h"
#include "core/errno_label.h"
#include "core/exit_status.h"
#include "core/killed_by.h"
#include "format/text.h"
#include "perfetto_trace.pb.h"

namespace ft {
namespace {

namespace pb = perfetto::protos;
using google::protobuf::Arena;

// The arguments' names, interned once in the first packet (iid = the value).
enum Arg : uint64_t {
  kPid = 1,
  kArgv,
  kArgvTruncated,
  kPhase,
  kCwd,
  kStatus,
  kExitCode,
  kKilledBy,
  kCpuUserNs,
  kCpuSysNs,
  kPeakRssKb,
  kPpid,
  kForkedBy,
  kCausePath,
  kFilename,
  kError,
  kLost,
  kArgCount,
};
constexpr const char* kArgNames[kArgCount] = {
    "",          "pid",         "argv",      "argv_truncated", "phase",       "cwd",   "status",
    "exit_code", "killed_by",   "cpu_user_ns", "cpu_sys_ns",   "peak_rss_kb", "ppid",  "forked_by",
    "cause_path", "filename",   "error",     "lost",
};

constexpr uint32_t kBoottime = 6;  // Perfetto's BuiltinClock: the events' ts_ns are CLOCK_BOOTTIME
constexpr uint32_t kRealtime = 1;

// Packets, each written as soon as it is made as one `packet` field of the
// Trace message (tag 1, length-delimited): the file is a `Trace` without a
// second copy of it in memory. Each packet is made in an arena that is reset
// after it, so a million packets cost no allocation each.
class PacketWriter {
 public:
  explicit PacketWriter(std::FILE* out) : out_(out), block_(256 * 1024) {
    google::protobuf::ArenaOptions options;
    options.initial_block = block_.data();
    options.initial_block_size = block_.size();
    arena_ = std::make_unique<Arena>(options);
  }
  pb::TracePacket& start(bool needs_state = true) {
    packet_ = Arena::CreateMessage<pb::TracePacket>(arena_.get());
    packet_->set_trusted_packet_sequence_id(PerfettoView::kSequenceId);
    if (needs_state) packet_->set_sequence_flags(pb::TracePacket::SEQ_NEEDS_INCREMENTAL_STATE);
    return *packet_;
  }
  void write() {
    const size_t size = packet_->ByteSizeLong();
    if (buffer_.size() - used_ < size + 11) {
      flush();
      if (buffer_.size() < size + 11) buffer_.resize(size + 11);
    }
    auto* at = reinterpret_cast<uint8_t*>(buffer_.data() + used_);
    *at++ = 0x0A;  // Trace.packet = 1, length-delimited
    for (uint64_t left = size;; left >>= 7) {
      *at++ = static_cast<uint8_t>((left & 0x7F) | (left > 0x7F ? 0x80 : 0));
      if (left <= 0x7F) break;
    }
    at = packet_->SerializeWithCachedSizesToArray(at);
    used_ = static_cast<size_t>(reinterpret_cast<char*>(at) - buffer_.data());
    packet_ = nullptr;
    arena_->Reset();
  }
  void flush() {
    std::fwrite(buffer_.data(), 1, used_, out_);
    used_ = 0;
  }

 private:
  std::FILE* out_;
  std::vector<char> block_;
  std::unique_ptr<Arena> arena_;
  pb::TracePacket* packet_ = nullptr;
  std::vector<char> buffer_ = std::vector<char>(1 << 20);  // packets not yet written out
  size_t used_ = 0;
};

// Interning IDs of one table, given out from 1 as values are first used; a
// new value goes into the InternedData of the packet that first uses it.
// Strings of the store are looked up by their StrId (no hashing).
class Interner {
 public:
  explicit Interner(size_t pool_size) : by_id_(pool_size, 0) {}
  // (iid, whether it is new)
  std::pair<uint64_t, bool> of(analysis::StrId id) {
    uint64_t& iid = by_id_[id];
    if (iid) return {iid, false};
    iid = next_++;
    return {iid, true};
  }
  std::pair<uint64_t, bool> of(const std::string& value) {
    auto [it, added] = by_value_.try_emplace(value, next_);
    if (added) next_++;
    return {it->second, added};
  }

 private:
  std::vector<uint64_t> by_id_;
  std::unordered_map<std::string, uint64_t> by_value_;
  uint64_t next_ = 1;
};

struct Image {  // one program a process ran, from when it started running it
  uint64_t start_ns;
  const analysis::Image* image;
  analysis::StrSpan argv;
  bool before_exec = false;  // from the fork until the first exec: the parent's program
};

// What it ran, as the caller named it ("/dev/fd/4" → "4"), as the Chrome trace names it.
std::string name_as_called(std::string_view filename, std::string_view comm) {
  return printable(std::string(analysis::executable_name(filename, {}, comm, false)));
}

// format_command(argv, truncated) appended to `out`, the same bytes, made
// from the store's views (format/text.h's append_command_arg), not from a
// copied argv.
void append_command(std::string& out, const analysis::ArgvView& argv, bool truncated) {
  bool first = true;
  for (std::string_view arg : argv) {
    if (!first) out += ' ';
    first = false;
    append_command_arg(out, arg);
  }
  if (truncated) out += "...";
}

class Exporter {
 public:
  Exporter(std::FILE* out, const ViewOptions& options, const analysis::Trace& t)
      : options_(options), t_(t), writer_(out), names_(0), strings_(t.strings.size()) {}

  void run() {
    const analysis::OwnForest forest = analysis::own_forest(t_);
    std::vector<bool> failed = options_.failed_only ? forest.failed_subtrees(t_) : std::vector<bool>();
    mark_cause_path();
    first_packet();
    std::vector<uint32_t> depth(t_.steps.size(), 0);
    std::vector<uint64_t> track_parent(t_.steps.size(), 0);
    for (auto [index, tree_depth] : forest.depth_first()) {
      if (options_.failed_only && !failed[index]) continue;
      uint32_t parent = forest.parent[index];
      if (parent != analysis::kNone) {
        // Too deep: beside its forker, under the forker's own parent track.
        bool room = depth[parent] + 1 < PerfettoView::kMaxTrackDepth;
        depth[index] = room ? depth[parent] + 1 : depth[parent];
        track_parent[index] = room ? uuid(parent) : track_parent[parent];
      }
      process(index, parent, track_parent[index], forest.children(index).begin() != forest.children(index).end());
    }
    if (!t_.every_gap.empty()) lost_events();
    writer_.flush();
  }

 private:
  static uint64_t uuid(uint32_t step) { return uint64_t{step} + 1; }  // 0 is Perfetto's default track

  uint64_t clip(uint64_t boot_ns) const { return std::max(boot_ns, t_.first_ns); }

  // The sequence's first packet: incremental state starts here, timestamps
  // are CLOCK_BOOTTIME (with the wall clock beside it), and the argument names.
  void first_packet() {
    pb::TracePacket& p = writer_.start(false);
    p.set_timestamp(t_.first_ns);
    p.set_sequence_flags(pb::TracePacket::SEQ_INCREMENTAL_STATE_CLEARED);
    p.set_first_packet_on_sequence(true);
    p.mutable_trace_packet_defaults()->set_timestamp_clock_id(kBoottime);
    pb::ClockSnapshot* clocks = p.mutable_clock_snapshot();
    pb::ClockSnapshot::Clock* boot = clocks->add_clocks();
    boot->set_clock_id(kBoottime);
    boot->set_timestamp(t_.first_ns);
    if (t_.scope.realtime_offset_ns > 0) {
      pb::ClockSnapshot::Clock* wall = clocks->add_clocks();
      wall->set_clock_id(kRealtime);
      wall->set_timestamp(t_.first_ns + static_cast<uint64_t>(t_.scope.realtime_offset_ns));
    }
    clocks->set_primary_trace_clock(pb::BUILTIN_CLOCK_BOOTTIME);
    pb::InternedData* interned = p.mutable_interned_data();
    for (uint64_t arg = 1; arg < kArgCount; ++arg) {
      pb::DebugAnnotationName* name = interned->add_debug_annotation_names();
      name->set_iid(arg);
      name->set_name(kArgNames[arg]);
    }
    writer_.write();
  }

  // The cause path: from the traced command down to the deepest failure it came from.
  void mark_cause_path() {
    uint32_t root = analysis::find_root(t_);
    if (root == analysis::kNone) return;
    std::vector<uint32_t> cause = analysis::cause_chain(t_, root);
    for (size_t i = 0; i < cause.size(); ++i) {
      const analysis::Step& s = t_.steps[cause[i]];
      std::string note;
      if (i + 1 == cause.size()) {
        note = "the cause";
      } else {
        const analysis::Step& next = t_.steps[cause[i + 1]];
        note = "failed because of " + name_as_called(t_.str(next.filename), t_.str(next.comm)) + "(" +
               std::to_string(next.pid) + ")";
      }
      cause_[cause[i]] = Cause{std::move(note), i + 1 < cause.size() ? t_.steps[cause[i + 1]].start_ns : s.exit_ns,
                               i + 1 == cause.size()};
    }
  }

  uint64_t name_iid(const std::string& name, pb::TracePacket& p) {
    auto [iid, added] = names_.of(name);
    if (added) {
      pb::EventName* entry = p.mutable_interned_data()->add_event_names();
      entry->set_iid(iid);
      entry->set_name(name);
    }
    return iid;
  }
  // The slice's name: the program as exec'd ("cc1plus"), or as the process
  // was first seen (its comm, or what it ran as the caller named it).
  uint64_t program_iid(const analysis::Image& image, pb::TracePacket& p) {
    const uint64_t key = image.kind == analysis::Image::exec ? image.filename
                                                              : (uint64_t{image.comm} << 32 | image.filename) | 1ULL << 63;
    auto [at, added] = program_names_.try_emplace(key, 0);
    if (added) {
      at->second = name_iid(image.kind == analysis::Image::exec
                                ? printable(basename_of(std::string(t_.str(image.filename))))
                                : name_as_called(t_.str(image.filename), t_.str(image.comm)),
                            p);
    }
    return at->second;
  }

  uint64_t string_iid(analysis::StrId id, pb::TracePacket& p) {
    auto [iid, added] = strings_.of(id);
    if (added) add_string(iid, t_.str(id), p);
    return iid;
  }
  uint64_t string_iid(const std::string& value, pb::TracePacket& p) {
    auto [iid, added] = strings_.of(value);
    if (added) add_string(iid, value, p);
    return iid;
  }
  static void add_string(uint64_t iid, std::string_view value, pb::TracePacket& p) {
    pb::InternedString* entry = p.mutable_interned_data()->add_debug_annotation_string_values();
    entry->set_iid(iid);
    entry->set_str(value.data(), value.size());
  }

  static pb::DebugAnnotation* arg(pb::TrackEvent* e, Arg name) {
    pb::DebugAnnotation* a = e->add_debug_annotations();
    a->set_name_iid(name);
    return a;
  }

  void process(uint32_t index, uint32_t parent, uint64_t parent_track, bool has_children) {
    const analysis::Step& s = t_.steps[index];
    const uint64_t track = uuid(index);
    {
      pb::TracePacket& p = writer_.start(false);
      pb::TrackDescriptor* d = p.mutable_track_descriptor();
      d->set_uuid(track);
      if (parent_track) d->set_parent_uuid(parent_track);
      const analysis::ArgvView argv = t_.argv(s);
      std::string name = std::to_string(s.pid) + " ";
      if (argv.empty())
        name += printable(std::string(t_.str(s.comm)));
      else
        append_command(name, argv, s.argv_truncated);
      d->set_name(std::move(name));
      if (has_children) d->set_child_ordering(pb::TrackDescriptor::CHRONOLOGICAL);
      d->set_sibling_merge_behavior(pb::TrackDescriptor::SIBLING_MERGE_BEHAVIOR_NONE);
      writer_.write();
    }

    std::vector<Image> images;
    for (uint32_t i = s.first_image; i != analysis::kNone; i = t_.images[i].next) {
      const analysis::Image& image = t_.images[i];
      images.push_back(Image{image.start_ns, &image, image.argv, image.kind == analysis::Image::forked});
    }
    // The traced command (a root whose fork was seen) begins at its exec:
    // before it, the process was still forktrace.
    if (parent == analysis::kNone && images.size() > 1 && images.front().before_exec) images.erase(images.begin());

    const ExitStatus status = decode_wait_status(s.wait_status);
    const uint64_t end_ns = clip(s.exited ? s.exit_ns : std::max(t_.last_ns, s.start_ns));
    auto cause = cause_.find(index);
    bool flow_placed = false;
    if (images.empty()) instants(s, track);
    for (size_t i = 0; i < images.size(); ++i) {
      const Image& image = images[i];
      const bool last = i + 1 == images.size();
      const uint64_t begin = clip(image.start_ns);
      const uint64_t next = last ? end_ns : std::max(begin, clip(images[i + 1].start_ns));
      pb::TracePacket& p = writer_.start();
      p.set_timestamp(begin);
      pb::TrackEvent* e = p.mutable_track_event();
      e->set_type(pb::TrackEvent::TYPE_SLICE_BEGIN);
      e->set_track_uuid(track);
      e->set_name_iid(program_iid(*image.image, p));
      arg(e, kPid)->set_uint_value(s.pid);
      if (image.before_exec) arg(e, kPhase)->set_string_value("forked, not yet exec'd: still the parent's program");
      if (image.argv.count) {
        pb::DebugAnnotation* a = arg(e, kArgv);
        for (const analysis::StrId* at = t_.items.data() + image.argv.first,
                                  *end = at + image.argv.count;
             at != end; ++at)
          a->add_array_values()->set_string_value_iid(string_iid(*at, p));
        if (last && s.argv_truncated) arg(e, kArgvTruncated)->set_bool_value(true);
      }
      if (last) {
        arg(e, kPpid)->set_uint_value(s.ppid);
        if (s.forked_by) arg(e, kForkedBy)->set_uint_value(s.forked_by);
        if (s.cwd) arg(e, kCwd)->set_string_value_iid(string_iid(s.cwd, p));
        std::string outcome = !s.exited ? "running" : describe(status, s.killed_by);
        arg(e, kStatus)->set_string_value_iid(string_iid(outcome, p));
        if (s.exited && status.exit_code) arg(e, kExitCode)->set_int_value(*status.exit_code);
        if (s.killed_by) arg(e, kKilledBy)->set_string_value_iid(string_iid(describe_killer(*s.killed_by), p));
        if (s.usage) {
          arg(e, kCpuUserNs)->set_uint_value(s.usage->cpu_user_ns);
          arg(e, kCpuSysNs)->set_uint_value(s.usage->cpu_sys_ns);
          arg(e, kPeakRssKb)->set_uint_value(s.usage->peak_rss_kb());
        }
        if (cause != cause_.end()) arg(e, kCausePath)->set_string_value_iid(string_iid(cause->second.note, p));
      }
      // The cause path's one flow: through the slice of each of its processes
      // that forked the next one, into the cause's last slice.
      if (cause != cause_.end() && !flow_placed &&
          (last || (cause->second.at_ns >= image.start_ns && cause->second.at_ns < images[i + 1].start_ns))) {
        e->add_flow_ids(kCauseFlow);
        flow_placed = true;
      }
      writer_.write();
      if (last) instants(s, track);  // before the end: they nest in the last slice
      pb::TracePacket& end = writer_.start();
      end.set_timestamp(next);
      pb::TrackEvent* close = end.mutable_track_event();
      close->set_type(pb::TrackEvent::TYPE_SLICE_END);
      close->set_track_uuid(track);
      writer_.write();
    }
  }

  // Exec attempts nothing satisfied (exit 127) and the signal that killed it.
  void instants(const analysis::Step& s, uint64_t track) {
    for (const analysis::FailedExecStep* f = t_.failed_execs_begin(s); f != t_.failed_execs_end(s); ++f) {
      pb::TracePacket& p = writer_.start();
      p.set_timestamp(clip(f->ts_ns ? f->ts_ns : s.exit_ns));
      pb::TrackEvent* e = p.mutable_track_event();
      e->set_type(pb::TrackEvent::TYPE_INSTANT);
      e->set_track_uuid(track);
      e->set_name_iid(name_iid("exec failed: " + printable(std::string(t_.str(f->command))), p));
      arg(e, kFilename)->set_string_value_iid(string_iid(f->filename, p));
      arg(e, kError)->set_string_value_iid(string_iid(errno_label(f->error), p));
      writer_.write();
    }
    if (s.killed_by && s.exited) {
      pb::TracePacket& p = writer_.start();
      p.set_timestamp(clip(s.exit_ns));
      pb::TrackEvent* e = p.mutable_track_event();
      e->set_type(pb::TrackEvent::TYPE_INSTANT);
      e->set_track_uuid(track);
      e->set_name_iid(name_iid(describe(decode_wait_status(s.wait_status), s.killed_by), p));
      arg(e, kKilledBy)->set_string_value_iid(string_iid(describe_killer(*s.killed_by), p));
      writer_.write();
    }
  }

  // Where the kernel could not deliver events: instants on a track of their own.
  void lost_events() {
    const uint64_t track = uuid(static_cast<uint32_t>(t_.steps.size()));
    pb::TracePacket& d = writer_.start(false);
    d.mutable_track_descriptor()->set_uuid(track);
    d.mutable_track_descriptor()->set_name("events lost");
    d.mutable_track_descriptor()->set_sibling_merge_behavior(pb::TrackDescriptor::SIBLING_MERGE_BEHAVIOR_NONE);
    writer_.write();
    for (const analysis::Gap& gap : t_.every_gap) {
      pb::TracePacket& p = writer_.start();
      p.set_timestamp(clip(gap.ts_ns));
      pb::TrackEvent* e = p.mutable_track_event();
      e->set_type(pb::TrackEvent::TYPE_INSTANT);
      e->set_track_uuid(track);
      e->set_name_iid(name_iid("events lost", p));
      arg(e, kLost)->set_uint_value(gap.lost);
      writer_.write();
    }
  }

  struct Cause {
    std::string note;
    uint64_t at_ns;  // the next process's fork (or its own exit for the cause)
    bool deepest;
  };
  static constexpr uint64_t kCauseFlow = 1;

  const ViewOptions& options_;
  const analysis::Trace& t_;
  PacketWriter writer_;
  Interner names_;
  Interner strings_;
  std::unordered_map<uint32_t, Cause> cause_;
  std::unordered_map<uint64_t, uint64_t> program_names_;  // by filename (exec) or comm and filename: name iid
};

}  // namespace

PerfettoView::PerfettoView(std::FILE* out, ViewOptions options, const TraceStore* store)
    : EndOfTraceView(store, options.scope, true /* history */), out_(out), options_(options) {}

void PerfettoView::finish() {
  Exporter(out_, options_, trace()).run();
  std::fflush(out_);
}

}  // namespace ft
