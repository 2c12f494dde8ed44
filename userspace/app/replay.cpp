// Replay: a recording through the same pipeline and views as a live run.
#include <cstdio>

#include "app/output.h"
#include "app/pipeline.h"
#include "app/run.h"
#include "trace/trace_reader.h"

namespace ft {

int run_replay(const Options& o) {
  std::string error;
  auto reader = TraceReader::open(o.read_path, error);
  if (!reader) {
    std::fprintf(stderr, "forktrace: %s\n", error.c_str());
    return 1;
  }
  auto output = Output::open(o.output_path, error);
  if (!output) {
    std::fprintf(stderr, "forktrace: %s\n", error.c_str());
    return 1;
  }
  TraceClock clock{reader->header().realtime_offset_ns};
  Pipeline pipeline(o.threads);
  for (auto& sink : make_views(o, output->file(), clock)) pipeline.add_sink(std::move(sink));
  pipeline.model().seed(reader->header().seeds);

  Event event;
  TraceReader::Status status;
  while ((status = reader->next(event)) == TraceReader::Status::event) pipeline.feed(event);
  pipeline.finish();

  int exit_status = 0;
  if (!output->close(error)) {
    std::fprintf(stderr, "forktrace: %s\n", error.c_str());
    exit_status = 1;
  }
  if (status == TraceReader::Status::truncated) {
    // A recording cut short by a crash or a full disk is still worth reading.
    std::fprintf(stderr, "forktrace: %s: %s; replayed the %llu events before byte %llu\n", o.read_path.c_str(),
                 reader->problem().c_str(), static_cast<unsigned long long>(pipeline.events()),
                 static_cast<unsigned long long>(reader->offset()));
  } else if (status == TraceReader::Status::corrupt) {
    std::fprintf(stderr, "forktrace: %s: %s; replayed the %llu events before it\n", o.read_path.c_str(),
                 reader->problem().c_str(), static_cast<unsigned long long>(pipeline.events()));
    exit_status = 1;
  }
  return exit_status;
}

}  // namespace ft
