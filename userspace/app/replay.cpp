// Replay: a recording, or a directory's rotated series in order as one trace,
// through the same pipeline and views as a live run.
#include <cstdio>

#include "app/filters.h"
#include "app/output.h"
#include "app/pipeline.h"
#include "app/run.h"
#include "app/tui_session.h"
#include "trace/recording_directory.h"
#include "trace/trace_reader.h"

namespace ft {
namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "forktrace: %s\n", message.c_str());
  return 1;
}

}  // namespace

int run_replay(const Options& o) {
  std::string error;
  std::vector<std::string> files{o.read_path};
  if (is_directory(o.read_path)) {
    files = list_recordings(o.read_path, error);
    if (files.empty()) return fail(error);
  }
  // Open the first file before the output, so a bad -r leaves no empty -o behind.
  auto reader = TraceReader::open(files[0], error);
  if (!reader) return fail(error);
  auto output = Output::open(o.output_path, error);
  if (!output) return fail(error);

  TraceClock clock{reader->header().realtime_offset_ns};
  Pipeline pipeline(o.threads);
  for (auto& sink : make_views(o, output->file(), clock)) pipeline.add_sink(std::move(sink));
  install_filters(o, pipeline);
  pipeline.model().seed(reader->header().seeds);
  std::unique_ptr<TuiSession> tui;  // --tui: restores the terminal when run_replay returns
  if (o.tui && !(tui = TuiSession::open(o, clock, error))) return fail(error);
  if (tui) pipeline.add_sink(tui->view()), pipeline.set_lock(tui->lock());

  int exit_status = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    if (i > 0) {
      reader = TraceReader::open(files[i], error);
      if (!reader) {
        exit_status = fail(error);
        continue;
      }
      // Processes that began while no forktrace ran (a restart) become known.
      pipeline.model().add_seeds(reader->header().seeds);
    }
    Event event;
    TraceReader::Status status;
    uint64_t before = pipeline.events();
    while ((status = reader->next(event)) == TraceReader::Status::event) pipeline.feed(event);
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
  return exit_status;
}

}  // namespace ft
