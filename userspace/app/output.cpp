#include "app/output.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

std::unique_ptr<Output> Output::open(const std::string& path, std::string& error, size_t queue_bytes) {
  std::unique_ptr<Output> out(new Output());
  out->path_ = path.empty() ? "standard output" : path;
  if (path.empty() || path == "-") {
    out->file_ = stdout;
    // A person watching wants each line as it happens; a pipe wants throughput.
    if (isatty(STDOUT_FILENO)) setvbuf(stdout, nullptr, _IOLBF, 0);
  } else {
    out->file_ = std::fopen(path.c_str(), "w");
    if (!out->file_) {
      error = "cannot write " + path + ": " + std::strerror(errno);
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

std::vector<std::unique_ptr<Sink>> make_views(const Options& options, std::FILE* out, const TraceClock& clock) {
  ViewOptions view{clock, options.failed, options.threads};
  std::vector<std::unique_ptr<Sink>> sinks;
  if (discards(out) || options.tui) return sinks;  // --tui: app/tui_session.h
  if (!options.summary || options.format_given) {
    if (options.format == "json")
      sinks.push_back(std::make_unique<JsonView>(out, view));
    else if (options.format == "tree")
      sinks.push_back(std::make_unique<TreeView>(out, view));
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
