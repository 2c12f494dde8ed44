// -r NEW --diff BASE: both recordings through the same pipeline as a replay,
// each into a Trace, compared by analysis/diff.h and printed as text or JSON.
#include <fmt/format.h>

#include <cstdio>
#include <optional>

#include "analysis/diff.h"
#include "app/filters.h"
#include "app/output.h"
#include "pipeline/pipeline.h"
#include "app/run.h"
#include "host/proc.h"
#include "recording/recording_directory.h"
#include "recording/trace_reader.h"
#include "views/report_json.h"
#include "views/report_text.h"

namespace ft {
namespace {

class TraceSink : public Sink {
 public:
  explicit TraceSink(analysis::TraceBuilder& builder) : builder_(builder) {}
  void on_event(const Event& e, const Process& p) override { builder_.on_event(e, p); }
  void on_lost(const Event& e) override { builder_.on_lost(e); }

 private:
  analysis::TraceBuilder& builder_;
};

// A recording (or a directory's series) as a Trace; nullopt with `error`.
std::optional<analysis::Trace> load_trace(const Options& o, const std::string& path, std::string& error) {
  std::vector<std::string> files{path};
  if (is_directory(path)) {
    files = list_recordings(path, error);
    if (files.empty()) return std::nullopt;
  }
  std::optional<analysis::TraceBuilder> builder;
  Pipeline pipeline(false);
  pipeline.model().set_proc_tick_ns(proc_tick_ns());
  install_filters(o, pipeline);
  for (size_t i = 0; i < files.size(); ++i) {
    auto reader = TraceReader::open(files[i], error);
    if (!reader) return std::nullopt;
    if (i == 0) {
      builder.emplace(recorded_scope(reader->header()));
      pipeline.add_sink(std::make_unique<TraceSink>(*builder));
      pipeline.model().seed(reader->header().seeds);
    } else {
      pipeline.model().add_seeds(reader->header().seeds);
    }
    Event event;
    TraceReader::Status status;
    while ((status = reader->next(event)) == TraceReader::Status::event) pipeline.feed(event);
    if (status == TraceReader::Status::truncated || status == TraceReader::Status::corrupt)
      std::fprintf(stderr, "forktrace: %s: %s; compared what came before it\n", files[i].c_str(),
                   reader->problem().c_str());
  }
  pipeline.finish();
  return builder->take();
}

}  // namespace

int run_diff(const Options& o) {
  std::string error;
  auto fail = [&](const std::string& message) {
    std::fprintf(stderr, "forktrace: %s\n", message.c_str());
    return 1;
  };
  std::optional<analysis::Trace> base = load_trace(o, o.diff_path, error);
  if (!base) return fail(error);
  std::optional<analysis::Trace> next = load_trace(o, o.read_path, error);
  if (!next) return fail(error);
  auto output = Output::open(o.output_path, error, 0, o.file_mode);
  if (!output) return fail(error);
  analysis::Difference diff = analysis::diff_builds(*base, *next);
  if (o.format == Format::json)
    fmt::print(output->file(), "{}\n", dump_json(diff_to_json(*base, *next, diff)));
  else
    print_diff(output->file(), *base, *next, diff);
  if (!output->close(error)) return fail(error);
  return 0;
}

}  // namespace ft
