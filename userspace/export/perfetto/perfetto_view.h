// `--format perfetto -o FILE`: a Perfetto trace (protobuf `Trace` of
// `TracePacket`s, perfetto_trace.proto here) that ui.perfetto.dev and
// trace_processor open. One track per process, nested under the track of
// the process that forked it, so the UI's tree of tracks is the process
// tree; one slice per program it ran (fork to exec, exec to exec, exec to
// exit), named by the program, with its argv, and on the last one its cwd,
// status, CPU and peak RSS as arguments; failed execs and kills as instant
// events; the cause path (analysis/build_report.h) as an argument on each of
// its processes and one flow through them. Rendered once, at the end of the
// trace, from the whole-trace store: the same bytes live and from -r.
#pragma once

#include <cstdio>

#include "views/trace_store.h"
#include "views/view_options.h"

namespace ft {

class PerfettoView : public EndOfTraceView {
 public:
  // `store`: the run's shared store (views/trace_store.h), made with history;
  // null: its own.
  PerfettoView(std::FILE* out, ViewOptions options, const TraceStore* store = nullptr);
  void finish() override;

  // Tracks nest at most this deep; a process deeper than that sits beside its
  // forker (trace_processor refuses a track with 100 ancestors or more).
  static constexpr size_t kMaxTrackDepth = 64;
  static constexpr uint32_t kSequenceId = 1;  // trusted_packet_sequence_id of every packet

 private:
  std::FILE* out_;
  ViewOptions options_;
};

}  // namespace ft
