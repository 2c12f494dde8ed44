// Where the view goes (-o FILE or standard output) and which view it is.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "analysis/trace.h"
#include "app/options.h"
#include "export/otel/span_builder.h"
#include "host/files.h"
#include "app/output_queue.h"
#include "pipeline/sink.h"

namespace ft {

class Output {
 public:
  // Opens -o FILE, or standard output. Null with `error` on failure. With
  // `queue_bytes`, views write to an OutputQueue of that bound drained by a
  // writer thread (live), except into /dev/null; else straight to the file.
  // A FILE it creates gets `mode` (host/files.h); an existing one keeps its own.
  static std::unique_ptr<Output> open(const std::string& path, std::string& error, size_t queue_bytes = 0,
                                      mode_t mode = kDefaultFileMode);
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  // Where the views write.
  std::FILE* file() const { return queue_ ? queue_->file() : file_; }
  // The queue in between, or null.
  OutputQueue* queue() const { return queue_.get(); }
  // False with `error` when writing failed (a full disk, a closed pipe).
  bool close(std::string& error);

 private:
  Output() = default;
  std::FILE* file_ = nullptr;
  std::unique_ptr<OutputQueue> queue_;
  bool owned_ = false;
  std::string path_;
};

// The views the options ask for: --format's, and --summary's after it; none
// when `out` is /dev/null.
// `scope` says what was traced (live: the options; replay: the header).
std::vector<std::unique_ptr<Sink>> make_views(const Options& options, std::FILE* out, const TraceClock& clock,
                                              const analysis::TraceScope& scope = {},
                                              const otel::SpanConfig& otel = {});
// `scope` says what was traced; `otel` configures --format otlp.

// What live tracing with these options traces.
analysis::TraceScope live_scope(const Options& options);

// Whether --color (auto, always, never) colours output written to `out`.
bool use_color(ColorChoice color, std::FILE* out);

}  // namespace ft
