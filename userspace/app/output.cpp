#include "app/output.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "app/view_table.h"
#include "views/summary_view.h"
#include "views/trace_store.h"

namespace ft {
namespace {

// Whether `out` is /dev/null: then no view is made, so `-w FILE -o /dev/null`
// (a recording service) costs no formatting at all.
bool discards(std::FILE* out) {
  struct stat file, null;
  return fstat(fileno(out), &file) == 0 && S_ISCHR(file.st_mode) && stat("/dev/null", &null) == 0 &&
         file.st_rdev == null.st_rdev;
}

}  // namespace

std::unique_ptr<Output> Output::open(const std::string& path, std::string& error, size_t queue_bytes,
                                     mode_t mode) {
  std::unique_ptr<Output> out(new Output());
  out->path_ = path.empty() ? "standard output" : path;
  if (path.empty() || path == "-") {
    out->file_ = stdout;
    // A person watching wants each line as it happens; a pipe wants throughput.
    if (isatty(STDOUT_FILENO)) setvbuf(stdout, nullptr, _IOLBF, 0);
  } else {
    int fd = open_for_writing(path, mode);
    out->file_ = fd >= 0 ? fdopen(fd, "w") : nullptr;
    if (!out->file_) {
      int err = errno;
      if (fd >= 0) ::close(fd);
      error = "cannot write " + path + ": " + std::strerror(err);
      return nullptr;
    }
    out->owned_ = true;
  }
  if (queue_bytes && !discards(out->file_)) {
    int fd = fileno(out->file_);
    out->queue_ = OutputQueue::start(fd, false /* the FILE closes it */, out->path_, queue_bytes, isatty(fd), error);
    if (!out->queue_) return nullptr;
  }
  return out;
}

Output::~Output() {
  queue_.reset();  // drains into file_'s descriptor first
  if (owned_ && file_) std::fclose(file_);
}

bool Output::close(std::string& error) {
  if (queue_ && !queue_->close(error)) {
    if (owned_) std::fclose(file_);
    file_ = nullptr;
    owned_ = false;
    return false;
  }
  bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
  int err = errno;
  if (owned_) {
    ok = std::fclose(file_) == 0 && ok;
    file_ = nullptr;
  }
  if (!ok) error = "cannot write " + path_ + ": " + std::strerror(err);
  return ok;
}

analysis::TraceScope live_scope(const Options& o) {
  analysis::TraceScope scope;
  scope.filtered = !o.command.empty() || !o.pids.empty();
  scope.traced_command = o.command;
  scope.followed_pids = o.pids;
  return scope;
}

bool use_color(ColorChoice color, std::FILE* out) {
  if (color == ColorChoice::always) return true;
  if (color == ColorChoice::never) return false;
  const char* no_color = std::getenv("NO_COLOR");  // https://no-color.org
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::strcmp(term, "dumb") == 0) return false;
  return isatty(fileno(out));
}

std::vector<std::unique_ptr<Sink>> make_views(const Options& options, std::FILE* out, const TraceClock& clock,
                                              const analysis::TraceScope& scope,
                                              const otel::SpanConfig& otel) {
  ViewOptions view;
  view.clock = clock;
  view.failed_only = options.failed;
  view.threads = options.threads;
  view.scope = scope;
  view.scope.realtime_offset_ns = clock.realtime_offset_ns;
  view.color = use_color(options.color, out);
  view.max_depth = options.max_depth;
  view.verbose = options.verbose;
  view.compile_commands_all = options.compile_commands_all;
  // One line per event on a terminal; files and pipes get whole commands.
  if (isatty(fileno(out))) view.max_command_bytes = 512;
  std::vector<std::unique_ptr<Sink>> sinks;
  if (discards(out) || options.tui) return sinks;  // --tui: app/tui_session.h
  // --summary --format json is the report as one JSON object, not JSON Lines.
  bool summary_json = options.summary && options.format == Format::json;
  bool main_view = !options.summary || (options.format_given && !summary_json);
  const ViewKind& kind = view_kind(options.format);
  // The end-of-trace views share one whole-trace store, fed first, before them.
  const TraceStore* store = nullptr;
  bool reads_store = kind.reads_store || (kind.reads_store_when_failed && options.failed);
  if ((main_view && reads_store) || options.summary) {
    auto shared = std::make_unique<TraceStore>(view.scope, main_view && kind.history);
    store = shared.get();
    sinks.push_back(std::move(shared));
  }
  if (main_view) sinks.push_back(kind.make(out, view, store, otel));
  if (options.summary) sinks.push_back(std::make_unique<SummaryView>(out, view, summary_json, store));
  return sinks;
}

}  // namespace ft
