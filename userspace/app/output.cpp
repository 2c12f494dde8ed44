#include "app/output.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "export/otel/otlp_json_view.h"
#include "views/chrome_view.h"
#include "views/html_view.h"
#include "views/json_view.h"
#include "views/summary_view.h"
#include "views/text_view.h"
#include "views/tree_view.h"

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

std::unique_ptr<Output> Output::open(const std::string& path, std::string& error) {
  std::unique_ptr<Output> out(new Output());
  out->path_ = path.empty() ? "standard output" : path;
  if (path.empty() || path == "-") {
    out->file_ = stdout;
    // A person watching wants each line as it happens; a pipe wants throughput.
    if (isatty(STDOUT_FILENO)) setvbuf(stdout, nullptr, _IOLBF, 0);
    return out;
  }
  out->file_ = std::fopen(path.c_str(), "w");
  if (!out->file_) {
    error = "cannot write " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  out->owned_ = true;
  return out;
}

Output::~Output() {
  if (owned_ && file_) std::fclose(file_);
}

bool Output::close(std::string& error) {
  bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
  int err = errno;
  if (owned_) {
    ok = std::fclose(file_) == 0 && ok;
    file_ = nullptr;
  }
  if (!ok) error = "cannot write " + path_ + ": " + std::strerror(err);
  return ok;
}

std::vector<std::unique_ptr<Sink>> make_views(const Options& options, std::FILE* out, const TraceClock& clock,
                                              const otel::SpanConfig& otel) {
  ViewOptions view{clock, options.failed, options.threads};
  std::vector<std::unique_ptr<Sink>> sinks;
  if (discards(out) || options.tui) return sinks;  // --tui: app/tui_session.h
  if (!options.summary || options.format_given) {
    if (options.format == "json")
      sinks.push_back(std::make_unique<JsonView>(out, view));
    else if (options.format == "tree")
      sinks.push_back(std::make_unique<TreeView>(out, view));
    else if (options.format == "otlp")
      sinks.push_back(std::make_unique<otel::OtlpJsonView>(out, otel));
    else if (options.format == "chrome")
      sinks.push_back(std::make_unique<ChromeView>(out, view));
    else if (options.format == "html")
      sinks.push_back(std::make_unique<HtmlView>(out, view));
    else
      sinks.push_back(std::make_unique<TextView>(out, view));
  }
  if (options.summary) sinks.push_back(std::make_unique<SummaryView>(out, view));
  return sinks;
}

}  // namespace ft
