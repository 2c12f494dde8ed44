#include "views/chrome_view.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <unordered_set>

#include "core/errno_label.h"
#include "core/exit_status.h"
#include "core/killed_by.h"
#include "format/json_line.h"
#include "format/text.h"

namespace ft {
namespace {

using Json = nlohmann::ordered_json;

struct Image {  // one program a process ran, from when it started running it
  uint64_t start_ns;
  std::string name;
  analysis::ArgvView argv;
  bool before_exec = false;  // from the fork until the first exec: the parent's program
};

// What it ran, as the caller named it ("/dev/fd/4" → "4"): the Chrome trace
// has always named an fexecve so.
std::string name_as_called(std::string_view filename, std::string_view comm) {
  return printable(std::string(analysis::executable_name(filename, {}, comm, false)));
}

}  // namespace

ChromeView::ChromeView(std::FILE* out, ViewOptions options, const TraceStore* store)
    : EndOfTraceView(store, options.scope, true /* history */), out_(out), options_(options) {}

void ChromeView::finish() {
  const analysis::Trace& t = trace();
  const analysis::OwnForest forest = analysis::own_forest(t);
  std::vector<bool> failed = forest.failed_subtrees(t);
  const uint64_t first_ns = t.first_ns;
  auto us = [&](uint64_t boot_ns) {
    uint64_t clipped = std::max(boot_ns, first_ns);
    return static_cast<double>(clipped - first_ns) / 1000.0;
  };
  // Each event is written as soon as it is made: a document of every event
  // would hold the whole trace a second time, as a JSON tree (GBs for 100k
  // processes). The bytes are those of dumping the whole document at once.
  bool first_event = true;
  std::fputs("{\"traceEvents\":[", out_);
  auto emit = [&](const Json& event) {
    std::string text = event.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (!first_event) std::fputc(',', out_);
    first_event = false;
    std::fwrite(text.data(), 1, text.size(), out_);
  };
  // Chrome merges tracks by pid, so a reused pid gets a track id of its own.
  std::unordered_set<int64_t> used;
  std::vector<int64_t> track_of(t.steps.size(), 0);
  std::vector<std::string> chain_of(t.steps.size());  // "make(100) → sh(101)", from the root
  int64_t next_spare = 1LL << 32;
  int64_t sort_index = 0;
  uint64_t flow_id = 0;
  for (auto [index, depth] : forest.depth_first()) {
    if (options_.failed_only && !failed[index]) continue;
    const analysis::Step& p = t.steps[index];
    uint32_t parent = forest.parent[index];
    const std::string comm = printable(std::string(t.str(p.comm)));
    const analysis::ArgvView argv = t.argv(p);
    int64_t track = p.pid;
    if (!used.insert(track).second) used.insert(track = next_spare++);
    track_of[index] = track;
    std::string step = name_as_called(t.str(p.filename), t.str(p.comm)) + "(" + std::to_string(p.pid) + ")";
    chain_of[index] = parent == analysis::kNone ? step : chain_of[parent] + " → " + step;
    ExitStatus status = decode_wait_status(p.wait_status);
    std::string outcome = !p.exited ? "running" : describe(status, p.killed_by);
    std::string command = argv.empty() ? comm : format_command(argv.strings(), p.argv_truncated);
    std::string marks;
    for (size_t d = 0; d < depth; ++d) marks += "· ";
    std::string label = marks + std::to_string(p.pid) + " " + command;
    emit(Json{{"ph", "M"}, {"name", "process_name"}, {"pid", track}, {"args", {{"name", label}}}});
    emit(Json{{"ph", "M"}, {"name", "process_sort_index"}, {"pid", track}, {"args", {{"sort_index", sort_index++}}}});
    emit(Json{{"ph", "M"}, {"name", "process_labels"}, {"pid", track}, {"args", {{"labels", outcome}}}});
    emit(Json{{"ph", "M"}, {"name", "thread_name"}, {"pid", track}, {"tid", track}, {"args", {{"name", comm}}}});

    uint64_t end_ns = p.exited ? p.exit_ns : t.last_ns;
    std::vector<Image> images;
    for (uint32_t i = p.first_image; i != analysis::kNone; i = t.images[i].next) {
      const analysis::Image& image = t.images[i];
      if (image.kind == analysis::Image::exec)
        images.push_back(Image{image.start_ns, basename_of(std::string(t.str(image.filename))), t.argv(image.argv)});
      else
        images.push_back(Image{image.start_ns, name_as_called(t.str(image.filename), t.str(image.comm)),
                               t.argv(image.argv), image.kind == analysis::Image::forked});
    }
    // The traced command (a root whose fork was seen) begins at its exec:
    // before it, the process was still forktrace.
    if (parent == analysis::kNone && images.size() > 1 && images.front().before_exec) images.erase(images.begin());
    for (size_t i = 0; i < images.size(); ++i) {
      const Image& image = images[i];
      bool last = i + 1 == images.size();
      uint64_t slice_end = last ? end_ns : images[i + 1].start_ns;
      Json args = {{"pid", p.pid}, {"ppid", p.ppid}, {"forked_by", p.forked_by}};
      if (image.before_exec) args["phase"] = "forked, not yet exec'd: still the parent's program";
      if (!image.argv.empty()) {
        std::vector<std::string> image_argv = image.argv.strings();
        args["argv"] = image_argv;
        args["command"] = format_command(image_argv, false);
      }
      if (last) args["status"] = outcome;
      if (last && p.killed_by) args["killed_by"] = Json::parse(killed_by_json(*p.killed_by));
      if (last && p.usage) {
        args["cpu_user_ns"] = p.usage->cpu_user_ns;
        args["cpu_sys_ns"] = p.usage->cpu_sys_ns;
        args["max_rss_kb"] = p.usage->max_rss_kb;
        if (p.usage->program_max_rss_kb) args["program_max_rss_kb"] = *p.usage->program_max_rss_kb;
        args["read_bytes"] = p.usage->read_bytes;
        args["write_bytes"] = p.usage->write_bytes;
      }
      if (last && p.unsatisfied_execs.count) {  // exec attempts nothing satisfied (exit 127)
        Json failed = Json::array();
        for (const analysis::FailedExecStep* f = t.failed_execs_begin(p); f != t.failed_execs_end(p); ++f) {
          failed.push_back(printable(std::string(t.str(f->filename))) + ": " + errno_label(f->error));
        }
        args["exec_failed"] = std::move(failed);
      }
      args["chain"] = chain_of[index];
      std::string name = image.name;
      if (last) name += " [" + outcome + "]";
      Json slice = {{"ph", "X"}, {"cat", last && p.exited && status.failed() ? "process,failed" : "process"},
                    {"name", name}, {"pid", track}, {"tid", track}, {"ts", us(image.start_ns)},
                    {"dur", std::max(0.0, us(slice_end) - us(image.start_ns))}, {"args", std::move(args)}};
      // Reserved colour names of the trace viewer: failures stand out.
      if (last && p.exited) slice["cname"] = status.failed() ? "terrible" : "good";
      emit(slice);
    }
    // The fork, as a flow from the parent's slice to the child's first one.
    if (parent != analysis::kNone && !images.empty()) {
      double at = us(std::max(p.start_ns, t.steps[parent].start_ns));
      ++flow_id;
      emit(Json{{"ph", "s"}, {"cat", "fork"}, {"name", "fork"}, {"id", flow_id}, {"pid", track_of[parent]},
                {"tid", track_of[parent]}, {"ts", at}});
      emit(Json{{"ph", "f"}, {"bp", "e"}, {"cat", "fork"}, {"name", "fork"}, {"id", flow_id}, {"pid", track},
                {"tid", track}, {"ts", us(images.front().start_ns)}});
    }
  }
  for (const analysis::Gap& gap : t.every_gap)
    emit(Json{{"ph", "i"}, {"s", "g"}, {"name", std::to_string(gap.lost) + " events lost"}, {"pid", 0}, {"tid", 0},
              {"ts", us(gap.ts_ns)}});
  Json rest = {{"displayTimeUnit", "ms"}, {"otherData", {{"generator", "forktrace"}}}};
  std::string text = rest.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::fputs(("]," + text.substr(1) + "\n").c_str(), out_);
  std::fflush(out_);
}

}  // namespace ft
