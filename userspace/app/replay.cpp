// Replay: a recording, or a directory's rotated series in order as one trace,
// through the same pipeline and views as a live run.
#include <cstdio>

#include "app/otel_export.h"
#include "app/output.h"
#include "pipeline/pipeline.h"
#include "app/redact.h"
#include "app/run.h"
#include "app/tui_session.h"
#include "app/wire.h"
#include "recording/recording_directory.h"
#include "recording/trace_reader.h"

namespace ft {
namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "forktrace: %s\n", message.c_str());
  return 1;
}

}  // namespace

analysis::TraceScope recorded_scope(const TraceHeader& h) {
  analysis::TraceScope scope;
  scope.filtered = (h.flags & kTraceFiltered) != 0;
  scope.traced_command = h.traced_command;
  if (scope.filtered && h.traced_command.empty()) scope.followed_pids = analysis::followed_pids_in(h.command);
  scope.realtime_offset_ns = h.realtime_offset_ns;
  scope.knows_killers = h.version >= 4;  // killed_by came with version 4
  scope.knows_reaps = h.version >= 6 && (h.flags & kTraceReaps);
  return scope;
}

int run_replay(const Options& o) {
  if (!o.diff_path.empty()) return run_diff(o);
  std::string error;
  std::vector<std::string> files{o.read_path};
  if (is_directory(o.read_path)) {
    files = list_recordings(o.read_path, error);
    if (files.empty()) return fail(error);
  }
  // Open the first file before the output, so a bad -r leaves no empty -o behind.
  auto reader = TraceReader::open(files[0], error);
  if (!reader) return fail(error);
  auto output = Output::open(o.output_path, error, 0, o.file_mode);
  if (!output) return fail(error);

  Redactor redactor;
  for (const std::string& pattern : o.redact)
    if (!redactor.add(pattern, error)) return fail(error);
  TraceClock clock{reader->header().realtime_offset_ns};
  otel::SpanConfig otel_config = span_config(reader->header());
  auto seeds = reader->header().seeds;
  redactor.apply(seeds);
  auto wired = wire(o, *output, clock, recorded_scope(reader->header()), otel_config, seeds, error);
  if (!wired) return fail(error);
  Pipeline& pipeline = wired->pipeline;
  OtlpExport* otlp = wired->otlp.get();
  TuiSession* tui = wired->tui.get();

  int exit_status = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    if (i > 0) {
      reader = TraceReader::open(files[i], error);
      if (!reader) {
        exit_status = fail(error);
        continue;
      }
      // Processes that began while no forktrace ran (a restart) become known.
      auto more = reader->header().seeds;
      redactor.apply(more);
      pipeline.model().add_seeds(more);
    }
    Event event;
    TraceReader::Status status;
    uint64_t before = pipeline.events();
    while ((status = reader->next(event)) == TraceReader::Status::event) {
      redactor.apply(event);
      pipeline.feed(event);
    }
    uint64_t replayed = pipeline.events() - before;
    if (status == TraceReader::Status::truncated) {
      // A recording cut short by a crash or a full disk is still worth reading.
      std::fprintf(stderr, "forktrace: %s: %s; replayed the %llu events before byte %llu\n", files[i].c_str(),
                   reader->problem().c_str(), static_cast<unsigned long long>(replayed),
                   static_cast<unsigned long long>(reader->offset()));
    } else if (status == TraceReader::Status::corrupt) {
      std::fprintf(stderr, "forktrace: %s: %s; replayed the %llu events before it\n", files[i].c_str(),
                   reader->problem().c_str(), static_cast<unsigned long long>(replayed));
      exit_status = 1;
    }
  }
  pipeline.finish();
  if (!output->close(error)) exit_status = fail(error);
  if (tui) tui->trace_ended("replay ended", true);
  if (otlp && !o.quiet) fail(otlp->summary());
  return exit_status;
}

}  // namespace ft
